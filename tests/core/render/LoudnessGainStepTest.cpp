// The loudness search's step (core/render/LoudnessGainStep) against analytic loudness curves: output
// loudness L(g) = pre + g until the limiter starts to work, then rising ever more slowly (slope 1 down to
// `floor`), as a limiter's does. The search runs as the render runs it: a first pass at target - pre with a
// probe 3 dB further, then a pass per step.
#include "core/render/LoudnessGainStep.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

using namespace lathe::core;

namespace {

struct LimitedLoudness {
    double preLufs = -17.0;
    double kneeGainDb = 6.0; // drive where limiting starts to cost loudness
    double widthDb = 2.0;
    double floor = 0.1; // slope of L(g) far above the knee
    double operator()(double g) const {
        const double softplus = widthDb * std::log1p(std::exp((g - kneeGainDb) / widthDb));
        return preLufs + g - (1.0 - floor) * softplus;
    }
};

struct SearchRun {
    int passes = 0;
    double lufs = 0;
    double maxGainTried = -1e9;
};

SearchRun search(const LimitedLoudness& curve, double target, double maxGainDb, int maxPasses = 4) {
    std::vector<LoudnessTrial> trials;
    double gain = target - curve.preLufs;
    SearchRun run;
    for (int pass = 1; pass <= maxPasses; ++pass) {
        const double lufs = curve(gain);
        trials.push_back({gain, lufs});
        run.maxGainTried = std::max(run.maxGainTried, gain);
        if (pass == 1) {
            const double probe = std::min(gain + 3.0, maxGainDb);
            trials.push_back({probe, curve(probe)});
            run.maxGainTried = std::max(run.maxGainTried, probe);
        }
        run.passes = pass;
        run.lufs = lufs;
        if (std::abs(lufs - target) <= 0.075) break;
        const double next = nextLoudnessGain(trials, target, maxGainDb);
        if (next == gain) break;
        gain = next;
    }
    return run;
}

} // namespace

// Every target from gentle to hot (-14 to -5 LUFS on a -17 LUFS mix, down to 1/10 of the drive's slope) is
// reached within 0.075 LU (three quarters of the 0.1 LU tolerance) in at most 4 passes.
TEST(LoudnessGainStep, ReachesEveryTargetWithinTheToleranceInFourPasses) {
    for (const double floor : {0.1, 0.25, 0.5}) {
        LimitedLoudness curve;
        curve.floor = floor;
        for (double target = -14.0; target <= -5.0; target += 0.5) {
            SCOPED_TRACE(testing::Message() << "floor " << floor << ", target " << target);
            const SearchRun run = search(curve, target, 1e9);
            EXPECT_NEAR(run.lufs, target, 0.075);
            EXPECT_LE(run.passes, 4);
        }
    }
}

// The drive never goes past maxGainDb (the limit loudness.max_limiting_db sets), and once there the search
// stops rather than repeating the same pass.
TEST(LoudnessGainStep, NeverExceedsTheMaximumDrive) {
    LimitedLoudness curve; // -5 LUFS needs far more than 14 dB of drive on this curve
    const double maxGain = 14.0;
    const SearchRun run = search(curve, -5.0, maxGain, 10);
    EXPECT_LE(run.maxGainTried, maxGain);
    EXPECT_LT(run.passes, 10);
    EXPECT_NEAR(run.lufs, curve(maxGain), 1e-9);
}

// One point without a probe: a slope-1 step (exact when nothing is limited).
TEST(LoudnessGainStep, OnePointStepsByTheShortfall) {
    EXPECT_DOUBLE_EQ(nextLoudnessGain({{3.0, -15.0}}, -14.0, 40.0), 4.0);
    EXPECT_DOUBLE_EQ(nextLoudnessGain({{3.0, -13.0}}, -14.0, 40.0), 2.0);
}

// Each point bounds the answer (L never rises faster than the drive): a step never lands where a measured
// point already proves the target cannot be.
TEST(LoudnessGainStep, StaysWithinTheBoundsThePointsProve) {
    // Below the target by 1 LU at 5 dB: the answer is at least 6 dB, whatever a steep secant says.
    const double next = nextLoudnessGain({{5.0, -9.0}, {5.5, -8.2}}, -8.0, 40.0);
    EXPECT_GE(next, 6.0);
    // Bracketed: the secant between the nearest points either side.
    EXPECT_NEAR(nextLoudnessGain({{10.0, -9.0}, {14.0, -7.0}}, -8.0, 40.0), 12.0, 1e-12);
}
