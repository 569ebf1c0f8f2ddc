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

namespace lathe::core {
namespace {

// Runs the chain in odd blocks telling it the song frame of each; `key` (same length) feeds keyed detectors.
StemOutput runAt(const StemSettings& stem, std::vector<float> left, std::vector<float> right,
                 const std::vector<float>* key = nullptr) {
    StemChain chain;
    chain.prepare(kFs, 1024, stem);
    chain.configure(stem, true);
    chain.reset();
    int64_t at = 0;
    test::inOddBlocks(left, right, [&](float* l, float* r, int n) {
        if (key) {
            std::vector<float> kl(key->begin() + at, key->begin() + at + n), kr = kl;
            const auto keyBlock = stereoBlock(kl.data(), kr.data(), n);
            chain.process(stereoBlock(l, r, n), at, &keyBlock);
        } else {
            chain.process(stereoBlock(l, r, n), at);
        }
        at += n;
    });
    return {std::move(left), std::move(right), chain.compressorGainReductionDb()};
}

} // namespace

// A +10 dB ride (gain automation) into a -20 dB threshold: like the fader, the ride reaches the compressor.
// After it, the -25 dBFS tone would come out at -15 dBFS.
TEST(StemChain, GainRideComesBeforeTheCompressor) {
    StemSettings stem;
    stem.automation.gain_db = {{0.0, 10.0}};
    stem.compressor = test::steadyCompressor(-20.0, 4.0);
    const auto in = test::square(dbToGain(-25.0), 1000.0, kFs, kFrames);
    const StemOutput out = runAt(stem, in, in);
    EXPECT_NEAR(levelDb(out.left), -15.0 + dsp::compressorGainDb(-15.0, -20.0, 4.0, 0.0), 0.1); // -18.75
}

// A dynamic EQ band cutting the tone (threshold -30 dB, 100:1, range 12 dB) ahead of a -20 dB 100:1
// compressor: the band takes the -10 dBFS tone down by its full range to -22 dBFS, under the compressor's
// threshold. Swapped, the compressor would leave -19.9 dBFS and the band cut a further 10.1 dB, to -30 dBFS.
TEST(StemChain, DynamicEqComesBeforeTheCompressor) {
    StemSettings stem;
    const DynamicEqBandSettings band{
        .frequency_hz = 1000, .q = 0.7, .threshold_db = -30, .ratio = 100, .attack_ms = 1, .range_db = 12};
    stem.dynamic_eq = {band};
    stem.compressor = test::steadyCompressor(-20.0, 100.0);
    const auto in = test::sine(dbToGain(-10.0), 1000.0, kFs, kFrames);
    const StemOutput out = runAt(stem, in, in);
    EXPECT_NEAR(sineLevelDb(out.left, 1000.0), -22.0, 0.3) << "compressor reduction " << out.gainReductionDb;
    EXPECT_LT(out.gainReductionDb, 0.3); // what is left of the compressor's release from the onset
}

// Peak control last: a ceiling of -6 dBTP holds on what leaves the stem, after width 2 has raised a
// left-only -6.02 dBFS tone to -2.5 dBFS on the left. Before the width, the tone would pass under the ceiling
// and leave at -2.5 dBFS. Delayed by the unit's latency.
TEST(StemChain, PeakControlComesLastAndDelaysTheStem) {
    StemSettings stem;
    stem.width = 2.0;
    stem.peak_control = {true, -6.0, 4};
    StemChain probe;
    probe.prepare(kFs, 1024, stem);
    EXPECT_EQ(probe.latencyFrames(), 198); // 4x, as dsp::PeakControl documents
    const auto in = test::sine(0.5, 1000.0, kFs, kFrames);
    const StemOutput out = runAt(stem, in, std::vector<float>(kFrames, 0.0f));
    EXPECT_LT(levelDb(out.left), -6.0 + 0.05);
    EXPECT_GT(levelDb(out.left), -6.0 - 1.0) << "held at the ceiling, not far under it";
    // Nothing but the round trip's filter tails comes out before the latency has passed.
    EXPECT_LT(test::peakFrom(std::vector<float>(out.left.begin(), out.left.begin() + 150), 0), 1e-4);
}

// The width ride multiplies the static width: 0.5 static under a ride of 2 gives the input back.
TEST(StemChain, WidthRideMultipliesTheStaticWidth) {
    StemSettings stem;
    stem.width = 0.5;
    stem.automation.width = {{0.0, 2.0}};
    const auto left = test::sine(0.5, 1000.0, kFs, kFrames);
    const auto right = test::sine(0.2, 300.0, kFs, kFrames);
    const StemOutput out = runAt(stem, left, right);
    for (int i = 2400; i < kFrames; i += 97) { // after the static width's ramp from 1
        EXPECT_NEAR(out.left[static_cast<size_t>(i)], left[static_cast<size_t>(i)], 1e-6);
        EXPECT_NEAR(out.right[static_cast<size_t>(i)], right[static_cast<size_t>(i)], 1e-6);
    }
}

// A step in the gain ride lands on frame round(t * fs), whatever block it falls in: 0 dB before 0.1 s
// (frame 4800), then ramps to +6 dB over the 10 ms de-zipper.
TEST(StemChain, GainRideStepLandsOnItsFrame) {
    StemSettings stem;
    stem.automation.gain_db = {{0.1, 0.0}, {0.1, 6.0}};
    const std::vector<float> in(kFrames, 0.25f);
    const StemOutput out = runAt(stem, in, in);
    EXPECT_EQ(out.left[4799], 0.25f);
    EXPECT_GT(out.left[4801], 0.25f);
    EXPECT_NEAR(out.left[4800 + 480 + 10], 0.25 * dbToGain(6.0), 1e-6);
}

// Sidechain: a band keyed by another stem cuts the stem's 60 Hz only while the key is loud, whatever the
// stem's own level. The key (a kick's 60 Hz thump, -6 dBFS) drives the band past its threshold by 24 dB:
// 4:1 cuts 18 dB, limited to the 8 dB range. A silent key leaves the stem alone, bit for bit.
TEST(StemChain, KeyedDynamicEqBandHearsTheKeyStem) {
    StemSettings bass;
    const DynamicEqBandSettings duck{.frequency_hz = 60,
                                     .q = 1,
                                     .threshold_db = -30,
                                     .ratio = 4,
                                     .attack_ms = 1,
                                     .range_db = 8,
                                     .key = "kick"};
    bass.dynamic_eq = {duck};
    const auto in = test::sine(dbToGain(-20.0), 60.0, kFs, kFrames);
    const auto loudKey = test::sine(dbToGain(-6.0), 60.0, kFs, kFrames);
    const std::vector<float> silentKey(kFrames, 0.0f);
    const StemOutput ducked = runAt(bass, in, in, &loudKey);
    const StemOutput alone = runAt(bass, in, in, &silentKey);
    EXPECT_NEAR(sineLevelDb(ducked.left, 60.0), -28.0, 0.3);
    EXPECT_EQ(alone.left, in);
    // Unkeyed, the -20 dBFS bass itself would be cut by (1 - 1/4) * 10 = 7.5 dB.
    bass.dynamic_eq[0].key = "self";
    EXPECT_NEAR(sineLevelDb(runAt(bass, in, in, &loudKey).left, 60.0), -27.5, 0.3);
}

// alignStemLatencies delays every stem to the largest latency: an impulse through a stem with peak control
// (4x: 198 frames) and through one without arrives on the same frame.
TEST(StemChain, StemLatenciesAreAlignedToTheLargest) {
    StemSettings plain, controlled;
    controlled.peak_control = {true, -1.0, 4};
    StemChain a, b;
    a.prepare(kFs, 512, plain);
    b.prepare(kFs, 512, controlled);
    a.configure(plain, true);
    b.configure(controlled, true);
    EXPECT_EQ(alignStemLatencies({&a, &b}), 198);
    EXPECT_EQ(a.compensationFrames(), 198);
    EXPECT_EQ(b.compensationFrames(), 0);
    std::vector<float> la(512, 0.0f), ra(512, 0.0f);
    la[10] = ra[10] = 0.1f;
    std::vector<float> lb = la, rb = ra;
    a.process(stereoBlock(la.data(), ra.data(), 512));
    b.process(stereoBlock(lb.data(), rb.data(), 512));
    EXPECT_EQ(la[208], 0.1f);
    EXPECT_NEAR(lb[208], 0.1f, 1e-6);
    EXPECT_TRUE(StemChain::needsPrepare(plain, controlled));
    controlled.peak_control.ceiling_dbtp = -3;
    EXPECT_FALSE(StemChain::needsPrepare(b.latencyFrames() ? controlled : plain, controlled));
}

} // namespace lathe::core
