#include "dsp/SlidingMinimum.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace lathe::dsp;

// Brute force over the window, from a random walk of negative values and zeros.
TEST(SlidingMinimum, MatchesTheMinimumOfTheWindow) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-1.0, 0.0);
    SlidingMinimum minimum;
    minimum.prepare(9, 0.0);
    std::vector<double> x(500);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = (i / 40) % 2 == 0 ? u(rng) : 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        double expected = 0.0; // the initial values count until 9 have arrived
        for (std::size_t k = 0; k < 9 && k <= i; ++k)
            expected = std::min(expected, x[i - k]);
        ASSERT_EQ(minimum.push(x[i]), expected) << i;
    }
}

// pushSettled(v, n) is n pushes of v from settledAt(v): the same minima after it, for counts shorter and
// longer than the window.
TEST(SlidingMinimum, PushSettledEqualsPushingTheSettledValue) {
    std::mt19937 rng(4);
    std::uniform_real_distribution<double> u(-1.0, 0.0);
    for (const long long count : {1LL, 4LL, 9LL, 100LL}) {
        SlidingMinimum bulk, single;
        bulk.prepare(9, 0.0);
        single.prepare(9, 0.0);
        std::vector<double> burst(20);
        for (auto& v : burst)
            v = u(rng);
        for (const double v : burst) {
            bulk.push(v);
            single.push(v);
        }
        EXPECT_FALSE(bulk.settledAt(0.0)); // negative values still in the window
        for (int i = 0; i < 9; ++i) {
            bulk.push(0.0);
            single.push(0.0);
        }
        ASSERT_TRUE(bulk.settledAt(0.0));
        bulk.pushSettled(0.0, count);
        for (long long i = 0; i < count; ++i)
            EXPECT_EQ(single.push(0.0), 0.0);
        for (const double v : burst)
            EXPECT_EQ(bulk.push(v), single.push(v)) << count;
    }
}
