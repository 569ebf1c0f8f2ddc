#include "dsp/ProgramDependentRelease.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

// Frames after the requirement returns to 0 until the output has recovered to 1/e of `depth`.
int framesToOneOverE(ProgramDependentRelease& r, double depth) {
    int frames = 0;
    while (r.process(0.0) < -depth / std::exp(1.0))
        ++frames;
    return frames + 1;
}

} // namespace

TEST(ProgramDependentRelease, SingleStageIsOnePoleExponential) {
    for (double ms : {10.0, 100.0, 400.0}) {
        ProgramDependentRelease r;
        r.setSingle(kFs, ms);
        r.reset();
        EXPECT_EQ(r.process(-2.0), -2.0); // instant attack
        const double a = std::exp(-1.0 / (ms * 48.0));
        for (int k = 1; k <= 2000; ++k)
            ASSERT_NEAR(r.process(0.0), -2.0 * std::pow(a, k), 1e-12) << ms << " ms, frame " << k;
        r.reset();
        r.process(-1.0);
        EXPECT_NEAR(framesToOneOverE(r, 1.0) / 48.0, ms, 0.05);
    }
}

// The slow stage charges as 1 - exp(-d / sustain) during an overload of length d, then releases with the slow
// time constant; the output is the larger of the two reductions, frame by frame.
TEST(ProgramDependentRelease, TwoStagesMatchTheirClosedForm) {
    const double fastMs = 10, slowMs = 200, sustainMs = 50, depth = 0.5;
    const double af = std::exp(-1.0 / (fastMs * 48)), as = std::exp(-1.0 / (slowMs * 48)),
                 ac = std::exp(-1.0 / (sustainMs * 48));
    for (int d : {48, 480, 4800, 48000}) {
        ProgramDependentRelease r;
        r.setTwoStage(kFs, fastMs, slowMs, sustainMs);
        r.reset();
        for (int n = 0; n < d; ++n)
            ASSERT_EQ(r.process(-depth), -depth); // fast stage holds the full requirement
        const double charged = -depth * (1.0 - std::pow(ac, d));
        EXPECT_NEAR(r.slowState(), charged, 1e-12) << d;
        for (int k = 1; k <= 48000; ++k) {
            const double expected = std::min(-depth * std::pow(af, k), charged * std::pow(as, k));
            ASSERT_NEAR(r.process(0.0), expected, 1e-12)
                << "overload " << d << " frames, release frame " << k;
        }
    }
}

// The switch by overload duration: a 1 ms transient recovers with about the fast time, a 1 s overload with
// about the slow one.
TEST(ProgramDependentRelease, OverloadDurationChoosesTheStage) {
    const double fastMs = 10, slowMs = 200, sustainMs = 50;
    ProgramDependentRelease r;
    r.setTwoStage(kFs, fastMs, slowMs, sustainMs);
    r.reset();
    for (int n = 0; n < 48; ++n)
        r.process(-1.0);
    const double shortMs = framesToOneOverE(r, 1.0) / 48.0;
    r.reset();
    for (int n = 0; n < 48000; ++n)
        r.process(-1.0);
    const double longMs = framesToOneOverE(r, 1.0) / 48.0;
    std::printf("recovery to 1/e: after 1 ms overload %.2f ms, after 1 s overload %.2f ms\n", shortMs,
                longMs);
    EXPECT_NEAR(shortMs, fastMs, 0.5); // the slow stage holds 2 % of the depth: below 1/e at once
    EXPECT_NEAR(longMs, slowMs, 1.0);  // fully charged (1 - e^-20)
}

TEST(ProgramDependentRelease, SustainedVerdictChargesAtOnce) {
    ProgramDependentRelease r;
    r.setTwoStage(kFs, 10, 200, 50);
    r.reset();
    r.process(-0.8, true);
    EXPECT_EQ(r.slowState(), -0.8);
    const double as = std::exp(-1.0 / (200 * 48.0));
    EXPECT_NEAR(r.process(0.0), -0.8 * as, 1e-12);
}

TEST(ProgramDependentRelease, SnapsToExactZero) {
    ProgramDependentRelease r;
    r.setTwoStage(kFs, 1, 5, 1);
    r.reset();
    for (int n = 0; n < 480; ++n)
        r.process(-1.0);
    int n = 0;
    while (r.process(0.0) != 0.0)
        ASSERT_LT(++n, 48000);
    EXPECT_EQ(r.fastState(), 0.0);
    EXPECT_EQ(r.slowState(), 0.0);
}
