// StemChain, the one stem's processing the engine and the render both run: the order of its processors, what
// bypassing one does, and how each session setting reaches its DSP unit. Expectations are analytic: the
// compressor's static curve (dsp::compressorGainDb), the biquads' transfer functions (dsp::magnitudeDb).
#include "core/chain/StemChain.h"
#include "core/chain/StereoBlock.h"
#include "support/TestSettings.h"
#include "support/TestSignals.h"

#include "dsp/BiquadCoefficients.h"
#include "dsp/Decibels.h"
#include "dsp/GainComputer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace lathe::core {
namespace {

constexpr double kFs = 48000.0;
constexpr int kFrames = 14400;  // 0.3 s: the compressors below settle within 0.1 s
constexpr int kSettled = 13440; // the last 20 ms (20 periods of 1 kHz) are measured
constexpr int kWindow = kFrames - kSettled;

using dsp::dbToGain;
using dsp::gainToDb;

struct StemOutput {
    std::vector<float> left, right;
    double gainReductionDb = 0;
};

StemOutput run(const StemSettings& stem, std::vector<float> left, std::vector<float> right,
               bool audible = true) {
    StemChain chain;
    chain.prepare(kFs, 1024);
    chain.configure(stem, audible);
    chain.reset();
    test::inOddBlocks(left, right, [&](float* l, float* r, int n) { chain.process(stereoBlock(l, r, n)); });
    return {std::move(left), std::move(right), chain.compressorGainReductionDb()};
}

double levelDb(const std::vector<float>& x) {
    return gainToDb(test::peakFrom(x, kSettled));
}

double sineLevelDb(const std::vector<float>& x, double frequencyHz) {
    return gainToDb(test::amplitudeAt(x, frequencyHz, kFs, kSettled, kWindow));
}

} // namespace

// +10 dB of stem gain into a -20 dB threshold: the compressor sees the gained level. Were the gain after it,
// the -25 dBFS input would pass the compressor untouched and come out at -15 dBFS.
TEST(StemChain, GainComesBeforeTheCompressor) {
    StemSettings stem;
    stem.gain_db = 10.0;
    stem.compressor = test::steadyCompressor(-20.0, 4.0);
    const auto in = test::square(dbToGain(-25.0), 1000.0, kFs, kFrames);
    const StemOutput out = run(stem, in, in);
    const double expected = -15.0 + dsp::compressorGainDb(-15.0, -20.0, 4.0, 0.0); // -18.75 dBFS
    EXPECT_NEAR(levelDb(out.left), expected, 0.1);
    EXPECT_NEAR(levelDb(out.right), expected, 0.1);
    EXPECT_NEAR(out.gainReductionDb, 3.75, 0.1);
}

// A +10 dB bell at the tone's frequency ahead of an RMS compressor: the compressor reacts to the boosted
// tone. After the compressor, the boost would leave a -25 dBFS tone uncompressed at -15 dBFS.
TEST(StemChain, EqComesBeforeTheCompressor) {
    StemSettings stem;
    stem.eq = {{true, "bell", 1000.0, 1.0, 10.0}};
    stem.compressor = test::steadyCompressor(-20.0, 4.0, "rms");
    const double boostDb =
        dsp::magnitudeDb(dsp::makeFilter(dsp::FilterType::Bell, kFs, 1000.0, 1.0, 10.0), kFs, 1000.0);
    const auto in = test::sine(dbToGain(-25.0), 1000.0, kFs, kFrames);
    const StemOutput out = run(stem, in, in);
    const double rmsIntoCompressor = -25.0 + boostDb - 10.0 * std::log10(2.0);
    const double expected = -25.0 + boostDb + dsp::compressorGainDb(rmsIntoCompressor, -20.0, 4.0, 0.0);
    EXPECT_NEAR(sineLevelDb(out.left, 1000.0), expected, 0.1);
    EXPECT_LT(expected, -15.0 - 1.0) << "the case must tell the two orders apart";
}

// Width 0 (mono) after an unlinked compressor: the loud left channel is compressed on its own, then folded to
// the middle (half of it on each side, -6.02 dB). Folded first, both sides would reach the compressor at
// -16 dBFS and leave it at -19 dBFS.
TEST(StemChain, WidthComesAfterTheCompressor) {
    StemSettings stem;
    stem.compressor = test::steadyCompressor(-20.0, 4.0);
    stem.compressor.stereo_link = 0.0;
    stem.width = 0.0;
    const auto in = test::square(dbToGain(-10.0), 1000.0, kFs, kFrames);
    const StemOutput out = run(stem, in, std::vector<float>(kFrames, 0.0f));
    const double expected = -10.0 + dsp::compressorGainDb(-10.0, -20.0, 4.0, 0.0) - 20.0 * std::log10(2.0);
    EXPECT_NEAR(levelDb(out.left), expected, 0.1);
    EXPECT_EQ(out.left, out.right);
}

// A compressor switched off is out of the path, however hard it is set: the stem passes bit for bit.
TEST(StemChain, CompressorOffIsBypassed) {
    StemSettings stem;
    stem.compressor = test::steadyCompressor(-60.0, 20.0);
    stem.compressor.enabled = false;
    const auto in = test::square(dbToGain(-6.0), 1000.0, kFs, kFrames);
    const StemOutput out = run(stem, in, in);
    EXPECT_EQ(out.left, in);
    EXPECT_EQ(out.right, in);
    EXPECT_EQ(out.gainReductionDb, 0.0);
}

// Polarity flips the stem exactly; a stem that is not audible (muted, or silenced by another's solo) is
// silent from the start of a render, and ramps out rather than clicking when it goes silent while playing.
TEST(StemChain, PolarityInvertsAndInaudibleStemsAreSilent) {
    StemSettings stem;
    stem.polarity_inverted = true;
    const auto in = test::sine(0.5, 440.0, kFs, kFrames);
    const StemOutput inverted = run(stem, in, in);
    for (size_t i = 0; i < in.size(); ++i)
        ASSERT_EQ(inverted.left[i], -in[i]) << "frame " << i;

    stem.polarity_inverted = false;
    const StemOutput silent = run(stem, in, in, false);
    EXPECT_EQ(test::peakFrom(silent.left, 0), 0.0);
    EXPECT_EQ(test::peakFrom(silent.right, 0), 0.0);

    StemChain chain;
    chain.prepare(kFs, 1024);
    chain.configure(stem, true);
    chain.reset();
    auto l = in, r = in;
    chain.process(stereoBlock(l.data(), r.data(), 480)); // 10 ms heard
    chain.configure(stem, false);                        // then muted
    chain.process(stereoBlock(l.data() + 480, r.data() + 480, kFrames - 480));
    double largestStep = 0;
    for (size_t i = 480; i < l.size(); ++i)
        largestStep = std::max(largestStep, static_cast<double>(std::abs(l[i] - l[i - 1])));
    // The tone's own largest step is 0.029; a mute that jumped would step by up to 0.5.
    const double toneStep = 0.5 * 2.0 * std::sin(std::numbers::pi * 440.0 / kFs);
    EXPECT_LE(largestStep, 2.0 * toneStep) << "the mute must ramp, not jump";
    EXPECT_EQ(test::peakFrom(l, 480 + 2400), 0.0) << "silent 50 ms after the mute";
}

// gain_db is a gain in dB; every EQ band type the session names is the biquad of that type, at its frequency,
// Q and gain (measured on tones an octave either side of the band, against the analytic magnitude).
TEST(StemChain, GainAndEqBandsMapToTheirUnits) {
    StemSettings stem;
    stem.gain_db = -6.0;
    const auto tone = test::sine(0.25, 1000.0, kFs, kFrames);
    const StemOutput gained = run(stem, tone, tone);
    EXPECT_NEAR(sineLevelDb(gained.left, 1000.0) - gainToDb(0.25), -6.0, 1e-4);

    const struct {
        const char* name;
        dsp::FilterType type;
    } types[] = {{"bell", dsp::FilterType::Bell},
                 {"low_shelf", dsp::FilterType::LowShelf},
                 {"high_shelf", dsp::FilterType::HighShelf},
                 {"low_pass", dsp::FilterType::LowPass},
                 {"high_pass", dsp::FilterType::HighPass},
                 {"band_pass", dsp::FilterType::BandPass},
                 {"notch", dsp::FilterType::Notch}};
    for (const auto& t : types) {
        StemSettings eq;
        eq.eq = {{true, t.name, 2000.0, 2.0, 6.0}};
        for (double f : {1000.0, 4000.0}) {
            const auto in = test::sine(0.25, f, kFs, kFrames);
            const StemOutput out = run(eq, in, in);
            const double expected = dsp::magnitudeDb(dsp::makeFilter(t.type, kFs, 2000.0, 2.0, 6.0), kFs, f);
            EXPECT_NEAR(sineLevelDb(out.left, f) - gainToDb(0.25), expected, 0.02) << t.name << " at " << f;
        }
    }
}

// Every compressor setting reaches the unit: threshold, ratio, knee, makeup (static curve of a steady level,
// peak detection on a square wave), RMS detection (a sine's RMS, 3 dB under its peak), the stereo link (the
// quiet side ducks with the loud one only when linked) and the side-chain high-pass (a 40 Hz tone barely
// triggers a 400 Hz high-passed detector).
TEST(StemChain, CompressorSettingsMapToTheUnit) {
    StemSettings stem;
    stem.compressor = test::steadyCompressor(-24.0, 3.0);
    stem.compressor.knee_db = 6.0;
    stem.compressor.makeup_db = 2.5;
    const auto square = test::square(dbToGain(-12.0), 1000.0, kFs, kFrames);
    const StemOutput peak = run(stem, square, square);
    EXPECT_NEAR(levelDb(peak.left), -12.0 + dsp::compressorGainDb(-12.0, -24.0, 3.0, 6.0) + 2.5, 0.1);

    stem.compressor = test::steadyCompressor(-24.0, 3.0, "rms");
    const auto tone = test::sine(dbToGain(-12.0), 1000.0, kFs, kFrames);
    const StemOutput rms = run(stem, tone, tone);
    const double rmsDb = -12.0 - 10.0 * std::log10(2.0);
    EXPECT_NEAR(sineLevelDb(rms.left, 1000.0), -12.0 + dsp::compressorGainDb(rmsDb, -24.0, 3.0, 0.0), 0.1);

    stem.compressor = test::steadyCompressor(-30.0, 4.0);
    const auto quiet = test::square(dbToGain(-40.0), 1000.0, kFs, kFrames);
    stem.compressor.stereo_link = 1.0;
    const StemOutput linked = run(stem, square, quiet);
    stem.compressor.stereo_link = 0.0;
    const StemOutput unlinked = run(stem, square, quiet);
    EXPECT_NEAR(levelDb(unlinked.right), -40.0, 0.01);
    EXPECT_NEAR(levelDb(linked.right), -40.0 + dsp::compressorGainDb(-12.0, -30.0, 4.0, 0.0), 0.1);

    stem.compressor = test::steadyCompressor(-30.0, 4.0);
    const auto low = test::sine(dbToGain(-12.0), 40.0, kFs, kFrames);
    const StemOutput plain = run(stem, low, low);
    stem.compressor.sidechain_hpf_hz = 400.0;
    const StemOutput filtered = run(stem, low, low);
    EXPECT_GT(plain.gainReductionDb, 10.0);
    EXPECT_LT(filtered.gainReductionDb, plain.gainReductionDb - 8.0);
}

} // namespace lathe::core
