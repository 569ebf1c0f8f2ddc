// MasterChain, the master bus the engine and the render both run: EQ -> compressor or multiband -> saturation
// -> width/balance -> limiter stage. Each order test picks a case whose result would differ by decibels were
// two processors swapped; bypass and the mapping of each setting are measured against analytic values and
// libsoxr's 8x true peak (test::truePeak8xDbtp), never against the chain's own units.
#include "core/chain/MasterChain.h"
#include "core/chain/ChainPolicy.h"
#include "core/chain/StereoBlock.h"
#include "support/AudioProbe.h"
#include "support/TestSettings.h"
#include "support/TestSignals.h"

#include "dsp/BiquadCoefficients.h"
#include "dsp/Decibels.h"
#include "dsp/GainComputer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace lathe::core {
namespace {

constexpr double kFs = 48000.0;
constexpr int kFrames = 24000;  // 0.5 s
constexpr int kSettled = 23040; // the last 20 ms are measured
constexpr int kWindow = kFrames - kSettled;

using dsp::dbToGain;
using dsp::gainToDb;

// Everything off: each test switches on what it is about.
MasterSettings bypassed() {
    MasterSettings m;
    m.compressor.enabled = false;
    m.multiband.enabled = false;
    m.multiband.bands.assign(m.multiband.crossovers_hz.size() + 1, CompressorSettings{});
    m.saturation.enabled = false;
    m.limiter.enabled = false;
    return m;
}

struct Output {
    std::vector<float> left, right;
};

Output run(const MasterSettings& settings, std::vector<float> left, std::vector<float> right,
           double loudnessGainDb = 0.0) {
    MasterChain chain;
    chain.prepare(kFs, 1024, settings);
    chain.setLimiterInputGainDb(loudnessGainDb);
    chain.reset();
    test::inOddBlocks(left, right, [&](float* l, float* r, int n) {
        chain.processPreLimiter(stereoBlock(l, r, n));
        chain.processLimiter(stereoBlock(l, r, n));
    });
    return {std::move(left), std::move(right)};
}

// 8x true peak of the output after 0.1 s (the limiter's attack onto a tone that starts at full level), the
// excerpt faded in and out over 10 ms so the upsampler does not ring on its cut edges.
double truePeakDbtp(const Output& out) {
    test::LoadedAudio audio;
    audio.sampleRate = static_cast<int>(kFs);
    audio.channels = {out.left, out.right};
    constexpr int kFade = 480;
    for (auto& channel : audio.channels) {
        channel.erase(channel.begin(), channel.begin() + 4800);
        const size_t n = channel.size();
        for (int i = 0; i < kFade; ++i) {
            const float w = static_cast<float>(0.5 - 0.5 * std::cos(std::numbers::pi * i / kFade));
            channel[static_cast<size_t>(i)] *= w;
            channel[n - 1 - static_cast<size_t>(i)] *= w;
        }
    }
    return test::truePeak8xDbtp(audio);
}

double sineLevelDb(const std::vector<float>& x, double frequencyHz) {
    return gainToDb(test::amplitudeAt(x, frequencyHz, kFs, kSettled, kWindow));
}

} // namespace

// +6 dB of EQ on a -3 dBFS tone into a -1 dBTP limiter: the limiter catches the boost. With the EQ after
// the limiter the master would peak at +3 dBFS.
TEST(MasterChain, EqComesBeforeTheLimiter) {
    MasterSettings m = bypassed();
    m.eq = {{true, "bell", 1000.0, 1.0, 6.0}};
    m.limiter.enabled = true;
    m.limiter.ceiling_dbtp = -1.0;
    const auto tone = test::sine(dbToGain(-3.0), 1000.0, kFs, kFrames);
    const Output out = run(m, tone, tone);
    EXPECT_LE(truePeakDbtp(out), -1.0);
    EXPECT_GT(truePeakDbtp(out), -1.5) << "the limiter holds the tone at its ceiling, not far below";
}

// Width 2 doubles a pure side signal: -6 dBFS becomes 0 dBFS ahead of the limiter, which holds it at -1 dBTP.
// Widened after the limiter it would leave at 0 dBFS.
TEST(MasterChain, WidthComesBeforeTheLimiter) {
    MasterSettings m = bypassed();
    m.width = 2.0;
    m.limiter.enabled = true;
    m.limiter.ceiling_dbtp = -1.0;
    const auto side = test::sine(dbToGain(-6.0), 1000.0, kFs, kFrames);
    std::vector<float> negated(side.size());
    for (size_t i = 0; i < side.size(); ++i)
        negated[i] = -side[i];
    const Output out = run(m, side, negated);
    EXPECT_LE(truePeakDbtp(out), -1.0);
    EXPECT_GT(truePeakDbtp(out), -1.5);
}

// A steady compressor is a constant gain, which leaves a waveform's harmonics in proportion: so compressing
// after the saturation would not change the 3rd harmonic's level against the fundamental. Compressing before
// it drives the saturation 20 dB less hard, and the 3rd harmonic falls by far more than that.
TEST(MasterChain, CompressorComesBeforeSaturation) {
    MasterSettings m = bypassed();
    m.saturation.enabled = true;
    m.saturation.mode = "soft_clip";
    m.saturation.drive_db = 12.0;
    m.saturation.mix = 1.0;
    const auto tone = test::sine(dbToGain(-6.0), 1000.0, kFs, kFrames);
    const auto thirdAgainstFirstDb = [](const Output& out) {
        return sineLevelDb(out.left, 3000.0) - sineLevelDb(out.left, 1000.0);
    };
    const double saturatedOnly = thirdAgainstFirstDb(run(m, tone, tone));
    m.compressor = test::steadyCompressor(-36.0, 20.0, "rms"); // about 27 dB of reduction on this tone
    const double compressedFirst = thirdAgainstFirstDb(run(m, tone, tone));
    EXPECT_GT(saturatedOnly, -30.0) << "12 dB of drive must distort a -6 dBFS tone plainly";
    EXPECT_LT(compressedFirst, saturatedOnly - 30.0);
}

// The session offers a broadband or a multiband compressor: with the multiband on (every band at ratio 1, a
// flat allpass sum) the broadband compressor, however hard it is set, is out of the path.
TEST(MasterChain, MultibandReplacesTheCompressor) {
    MasterSettings m = bypassed();
    m.compressor = test::steadyCompressor(-30.0, 4.0, "rms");
    const auto tone = test::sine(dbToGain(-10.0), 1000.0, kFs, kFrames);
    const double rmsDb = -10.0 - 10.0 * std::log10(2.0);
    EXPECT_NEAR(sineLevelDb(run(m, tone, tone).left, 1000.0),
                -10.0 + dsp::compressorGainDb(rmsDb, -30.0, 4.0, 0.0), 0.1);

    m.multiband.enabled = true;
    for (auto& band : m.multiband.bands) {
        band = test::steadyCompressor(-30.0, 1.0, "rms");
    }
    EXPECT_NEAR(sineLevelDb(run(m, tone, tone).left, 1000.0), -10.0, 0.01);

    // And a multiband band switched on compresses its band as the broadband one would.
    m.multiband.crossovers_hz = {200.0};
    m.multiband.bands = {test::steadyCompressor(-30.0, 1.0, "rms"),
                         test::steadyCompressor(-30.0, 4.0, "rms")};
    EXPECT_NEAR(sineLevelDb(run(m, tone, tone).left, 1000.0),
                -10.0 + dsp::compressorGainDb(rmsDb, -30.0, 4.0, 0.0), 0.2);
    m.multiband.bands[1].enabled = false;
    EXPECT_NEAR(sineLevelDb(run(m, tone, tone).left, 1000.0), -10.0, 0.01);
}

// The limiter stage runs at the ceiling less the dither margin (ChainPolicy) with the session's release;
// its lookahead sets its latency frame for frame; switched off, the loudness gain alone remains, exactly.
TEST(MasterChain, LimiterSettingsMapToTheLimiterStage) {
    MasterSettings m = bypassed();
    m.limiter = {true, -2.5, 60.0, 3.0};
    MasterChain chain;
    chain.prepare(kFs, 1024, m);
    EXPECT_EQ(chain.limiter().ceilingDbtp(), -2.5 - kDitherMarginDb);
    EXPECT_EQ(chain.limiter().ceilingDbtp(), limiterCeilingDbtp(m.limiter));
    EXPECT_EQ(chain.limiter().releaseMs(), 60.0);
    EXPECT_TRUE(chain.limiterEnabled());
    const int latency3ms = chain.limiterLatencyFrames();
    m.limiter.lookahead_ms = 5.0;
    chain.prepare(kFs, 1024, m);
    EXPECT_EQ(chain.limiterLatencyFrames() - latency3ms, 96) << "2 ms more lookahead at 48 kHz";

    m.limiter.enabled = false;
    const auto tone = test::sine(0.25, 1000.0, kFs, kFrames);
    const Output out = run(m, tone, tone, -6.0);
    EXPECT_NEAR(sineLevelDb(out.left, 1000.0) - gainToDb(0.25), -6.0, 1e-4);
    chain.prepare(kFs, 1024, m);
    EXPECT_EQ(chain.limiterLatencyFrames(), 0);
}

// Only a new oversampling factor or lookahead needs prepare(); everything else the engine applies live.
TEST(MasterChain, NeedsPrepareOnlyForOversamplingAndLookahead) {
    const MasterSettings base = bypassed();
    MasterSettings next = base;
    next.limiter.ceiling_dbtp = -3.0;
    next.limiter.release_ms = 300.0;
    next.saturation.drive_db = 9.0;
    next.saturation.mode = "tape";
    next.eq = {{true, "bell", 500.0, 1.0, 3.0}};
    next.multiband.enabled = true;
    next.width = 1.4;
    EXPECT_FALSE(MasterChain::needsPrepare(base, next));
    next.saturation.oversampling = 2;
    EXPECT_TRUE(MasterChain::needsPrepare(base, next));
    next = base;
    next.limiter.lookahead_ms = 4.0;
    EXPECT_TRUE(MasterChain::needsPrepare(base, next));
}

// "soft_clip" is symmetric (odd harmonics only); "tape" is biased, so a 2nd harmonic appears. The
// oversampling factor sets the saturation's latency; bypassed, it adds none.
TEST(MasterChain, SaturationSettingsMapToTheUnit) {
    MasterSettings m = bypassed();
    m.saturation.enabled = true;
    m.saturation.drive_db = 12.0;
    const auto tone = test::sine(dbToGain(-6.0), 1000.0, kFs, kFrames);
    const auto secondAgainstFirstDb = [&](const char* mode) {
        m.saturation.mode = mode;
        const Output out = run(m, tone, tone);
        return sineLevelDb(out.left, 2000.0) - sineLevelDb(out.left, 1000.0);
    };
    EXPECT_LT(secondAgainstFirstDb("soft_clip"), -90.0);
    EXPECT_GT(secondAgainstFirstDb("tape"), -40.0);

    MasterChain chain;
    m.saturation.oversampling = 2;
    chain.prepare(kFs, 1024, m);
    const int latency2x = chain.preLimiterLatencyFrames();
    m.saturation.oversampling = 8;
    chain.prepare(kFs, 1024, m);
    const int latency8x = chain.preLimiterLatencyFrames();
    EXPECT_GT(latency2x, 0);
    EXPECT_NE(latency8x, latency2x);
    m.saturation.enabled = false;
    chain.prepare(kFs, 1024, m);
    EXPECT_EQ(chain.preLimiterLatencyFrames(), 0);
}

} // namespace lathe::core

namespace lathe::core {
namespace {

Output runAt(const MasterSettings& settings, std::vector<float> left, std::vector<float> right) {
    MasterChain chain;
    chain.prepare(kFs, 1024, settings);
    chain.reset();
    int64_t at = 0;
    test::inOddBlocks(left, right, [&](float* l, float* r, int n) {
        chain.processPreLimiter(stereoBlock(l, r, n), at);
        chain.processLimiter(stereoBlock(l, r, n));
        at += n;
    });
    return {std::move(left), std::move(right)};
}

} // namespace

// The master's gain ride comes first: +10 dB on a -25 dBFS tone reaches a -20 dB 4:1 compressor (-18.75
// dBFS out). After the compressor it would come out at -15 dBFS.
TEST(MasterChain, GainRideComesBeforeTheCompressor) {
    MasterSettings m = bypassed();
    m.automation.gain_db = {{0.0, 10.0}};
    m.compressor = test::steadyCompressor(-20.0, 4.0);
    const auto in = test::square(dbToGain(-25.0), 1000.0, kFs, kFrames);
    const Output out = runAt(m, in, in);
    EXPECT_NEAR(gainToDb(test::peakFrom(out.left, kSettled)), -18.75, 0.1);
}

// The master's dynamic EQ comes after its EQ and before its compressor. A -6 dB bell takes a -16 dBFS tone to
// -22 dBFS; the band (threshold -30 dB, 2:1) cuts 4 dB, to -26 dBFS, under the -25 dB 100:1 compressor.
// Band first, it would cut the -16 dBFS tone by 7 dB (-29 dBFS out); compressor before the band, -27.5 dBFS.
TEST(MasterChain, DynamicEqComesBetweenTheEqAndTheCompressor) {
    MasterSettings m = bypassed();
    const double eqDb =
        dsp::magnitudeDb(dsp::makeFilter(dsp::FilterType::Bell, kFs, 1000.0, 0.7, -6.0), kFs, 1000.0);
    m.eq = {{true, "bell", 1000.0, 0.7, -6.0}};
    const DynamicEqBandSettings band{
        .q = 0.7, .threshold_db = -30, .ratio = 2, .attack_ms = 1, .range_db = 12};
    m.dynamic_eq = {band};
    m.compressor = test::steadyCompressor(-25.0, 100.0);
    const auto in = test::sine(dbToGain(-16.0), 1000.0, kFs, kFrames);
    const Output out = runAt(m, in, in);
    const double intoBand = -16.0 + eqDb;
    EXPECT_NEAR(sineLevelDb(out.left, 1000.0), intoBand - 0.5 * (intoBand + 30.0), 0.3);
}

// An EQ band on the side leaves a centred (mid-only) signal bit for bit and cuts a side-only one by its gain.
TEST(MasterChain, EqBandChannelSideFiltersOnlyTheSide) {
    MasterSettings m = bypassed();
    m.eq = {{true, "bell", 1000.0, 1.0, -9.0, "side"}};
    const auto tone = test::sine(0.25, 1000.0, kFs, kFrames);
    const Output centred = runAt(m, tone, tone);
    EXPECT_EQ(centred.left, tone);
    std::vector<float> inverted(tone);
    for (float& x : inverted)
        x = -x;
    const Output side = runAt(m, tone, inverted);
    EXPECT_NEAR(sineLevelDb(side.left, 1000.0), gainToDb(0.25) - 9.0, 0.05);
}

} // namespace lathe::core
