// LimiterStage with a session's default limiter settings: the release the default style was tuned to
// (README, "The limiter against its peers": fast_release_ms 15, shallow overloads in 0.45 times it) is the
// release the stage runs, timed on isolated clicks against the one-pole closed form.
#include "core/chain/LimiterStage.h"
#include "core/chain/ChainPolicy.h"
#include "core/chain/ChainSettingsMapping.h"

#include "dsp/Decibels.h"
#include "dsp/support/ReleaseTiming.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

namespace lathe::core {
namespace {

constexpr double kFs = 48000.0;

// A single 2 kHz cycle peaking `overDb` above the stage's ceiling at frame 4800, silence around it, through
// the stage one frame per block; the reduction (dB) after each frame.
std::vector<double> clickReduction(const LimiterSettings& settings, double overDb) {
    LimiterStage stage;
    stage.prepare(kFs, 1, settings);
    stage.setInputGainDb(0.0);
    stage.reset();
    const double peak = dsp::dbToGain(limiterCeilingDbtp(settings) + overDb);
    const int cycle = 24;
    std::vector<double> gr;
    for (int i = 0; i < 19200; ++i) {
        const int k = i - (4800 - cycle / 2);
        float l = k >= 0 && k < cycle
                      ? static_cast<float>(peak * std::sin(2 * std::numbers::pi * (k + 0.5) / cycle))
                      : 0.0f;
        float r = l;
        float* p[2] = {&l, &r};
        stage.process(dsp::AudioBlock(p, 2, 1));
        gr.push_back(stage.limiter().gainReductionDb());
    }
    return gr;
}

} // namespace

// A 1.5 dB click (shallow: the short pipeline alone) falls by 1/e in 0.45 x 15 = 6.75 ms; a 14 dB click
// (deeper than 7 dB: the long pipeline alone) falls from 13 to 11 dB in 15 ms x ln(13 / 11), as a one-pole
// release does. The slow stage, charged under 0.1 % by a click (sustain 10 s), stays below both.
TEST(LimiterStage, DefaultStyleReleasesAsDesigned) {
    const LimiterSettings defaults;
    ASSERT_EQ(defaults.style, "transparent");
    ASSERT_EQ(defaults.fast_release_ms, 15.0);
    ASSERT_EQ(limiterOnset(defaults).shallowReleaseScale, 0.45);
    for (double overDb : {1.5, 14.0}) {
        const lathe::test::ReleaseTiming t =
            lathe::test::timeRelease(clickReduction(defaults, overDb), overDb, kFs);
        ASSERT_GT(t.deepest, overDb - 0.5) << overDb;
        const double timeConstant = overDb < 3.0 ? 0.45 * 15.0 : 15.0;
        const double expected = timeConstant * std::log(t.from / t.to);
        std::printf(
            "%.1f dB over: %.2f dB, released from %.2f to %.2f dB in %.2f ms (one-pole %.2f ms: %.2f)\n",
            overDb, t.deepest, t.from, t.to, t.ms, timeConstant, expected);
        EXPECT_NEAR(t.ms, expected, 0.03 * expected) << overDb; // 16 ms (the previous default) is 6.7 % off
    }
}

} // namespace lathe::core
