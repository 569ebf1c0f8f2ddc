#include "dsp/PeakHold.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

using namespace lathe::dsp;

// Against the obvious O(window) maximum, for windows set and changed within the prepared maximum (each
// change starts afresh, earlier values counting as 0), on noise and on monotonic runs.
TEST(PeakHold, MatchesBruteForceForEveryWindow) {
    PeakHold hold;
    hold.prepare(400);
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (const int window : {1, 2, 37, 64, 399, 400}) {
        hold.setWindow(window);
        ASSERT_EQ(hold.window(), window);
        std::vector<double> history;
        for (int i = 0; i < 5000; ++i) {
            const double v = i % 700 < 350 ? u(rng) : 0.001 * (i % 90); // noise, then rising ramps
            history.push_back(v);
            double expected = i < window - 1 ? 0.0 : v;
            for (int k = std::max(0, i - window + 1); k <= i; ++k)
                expected = std::max(expected, history[static_cast<std::size_t>(k)]);
            ASSERT_EQ(hold.push(v), expected) << "window " << window << " value " << i;
        }
    }
    hold.setWindow(100000);
    EXPECT_EQ(hold.window(), 400);
}

TEST(PeakHold, PushAndSetWindowDoNotAllocate) {
    PeakHold hold;
    hold.prepare(1000);
    lathe::test::armMallocCounter();
    double sum = 0.0;
    for (int w : {10, 999, 3})
        for (int i = 0; i < 3000; ++i) {
            if (i == 0) hold.setWindow(w);
            sum += hold.push(i % 17 * 0.1);
        }
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
    EXPECT_GT(sum, 0.0);
}
