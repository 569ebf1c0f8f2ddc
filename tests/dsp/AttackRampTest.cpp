#include "dsp/AttackRamp.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

// Brute force: the mean of the last `length` values (0 before the first).
std::vector<double> boxFilter(const std::vector<double>& x, int length) {
    std::vector<double> y(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) {
        double sum = 0.0;
        for (int k = 0; k < length; ++k)
            if (n >= static_cast<std::size_t>(k)) sum += x[n - static_cast<std::size_t>(k)];
        y[n] = std::min(0.0, sum / length);
    }
    return y;
}

} // namespace

TEST(AttackRamp, LinearIsAStraightLineToTheStep) {
    AttackRamp ramp;
    ramp.prepare(96, AttackShape::Linear);
    for (int n = 0; n < 200; ++n) {
        const double out = ramp.push(-1.0);
        ASSERT_NEAR(out, n < 96 ? -(n + 1) / 96.0 : -1.0, 1e-12) << n;
    }
}

// Two boxes of 48 and 49 frames: a quadratic start, a linear middle and a quadratic landing, reaching the
// full step after exactly 96 frames (the same lookahead as the linear ramp), symmetric about its middle.
TEST(AttackRamp, SCurveIsTwoBoxesSpanningTheAttack) {
    const int attack = 96;
    AttackRamp ramp;
    ramp.prepare(attack, AttackShape::SCurve);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-3.0, 0.0);
    std::vector<double> x(2000);
    for (std::size_t n = 0; n < x.size(); ++n)
        x[n] = n < 200 ? -1.0 : (n < 1000 ? u(rng) : 0.0);
    const auto expected = boxFilter(boxFilter(x, 48), 49);
    std::vector<double> out;
    for (std::size_t n = 0; n < x.size(); ++n) {
        out.push_back(ramp.push(x[n]));
        ASSERT_NEAR(out.back(), expected[n], 1e-12) << n;
    }
    EXPECT_NEAR(out[attack - 1], -1.0, 1e-12); // full depth after the attack
    EXPECT_GT(out[attack - 2], -1.0);
    // Symmetric S: the ramp's value at frame k and at attack - 2 - k add up to the full step.
    for (int k = 0; k < attack - 1; ++k)
        ASSERT_NEAR(out[static_cast<std::size_t>(k)] + out[static_cast<std::size_t>(attack - 2 - k)], -1.0,
                    1e-12);
    // Gentler start than the linear ramp: after 10 frames (a quadratic) it has done 2.3 % of the step rather
    // than 10.4 %.
    EXPECT_NEAR(-out[9], 10.0 * 11.0 / (2.0 * 48 * 49), 1e-12);
    EXPECT_EQ(out.back(), 0.0); // exactly 0 once the window holds only zeros
}

// pushZeros(n) from rest leaves the average as n pushes of 0 would: the same outputs after it (through
// re-sums at the wraps), for counts shorter and longer than the window and landing on a wrap.
TEST(ExactMovingAverage, PushZerosFromRestEqualsPushingZeros) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-1.0, 0.0);
    for (const int count : {1, 5, 12, 13, 40}) {
        ExactMovingAverage bulk, single;
        bulk.prepare(13);
        single.prepare(13);
        std::vector<double> burst(30);
        for (auto& v : burst)
            v = u(rng);
        for (const double v : burst) {
            bulk.push(v);
            single.push(v);
        }
        for (int i = 0; i < 13; ++i) { // the window empties: at rest
            bulk.push(0.0);
            single.push(0.0);
        }
        ASSERT_TRUE(bulk.atRest());
        bulk.pushZeros(count);
        for (int i = 0; i < count; ++i)
            EXPECT_EQ(single.push(0.0), 0.0);
        int mismatches = 0;
        for (const double v : burst) // the sums from here on depend on the state pushZeros left
            mismatches += bulk.push(v) == single.push(v) ? 0 : 1;
        EXPECT_EQ(mismatches, 0) << count << " zeros";
    }
}
