#include "dsp/MultibandCompressor.h"
#include "dsp/Decibels.h"
#include "dsp/GainComputer.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr double kSineRmsBelowPeakDb = 3.0103; // 10 log10(2)

// Figures recorded in the test XML (--gtest_output=xml) for reports.
std::string figure(double value) {
    std::ostringstream out;
    out.precision(4);
    out << value;
    return out.str();
}

int samples(double seconds) {
    return static_cast<int>(std::lround(seconds * kFs));
}

CompressorParameters transparent() {
    CompressorParameters p;
    p.ratio = 1.0;
    p.makeupDb = 0.0;
    return p;
}

// Low-ripple settings for steady tones: a 100 ms mean-square window leaves about +-0.06 dB of level ripple at
// 120 Hz (twice a 60 Hz tone) and the 50 ms attack smooths that further.
CompressorParameters heavyLowBand() {
    CompressorParameters p;
    p.thresholdDb = -30.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 50.0;
    p.releaseMs = 500.0;
    p.detection = DetectionMode::Rms;
    p.rmsWindowMs = 100.0;
    return p;
}

// Least-squares amplitude of a sinusoid of known frequency over y[start, start + count).
double fitAmplitude(const std::vector<float>& y, double frequency, int start, int count) {
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
    for (int i = start; i < start + count; ++i) {
        const double s = std::sin(w * i), c = std::cos(w * i);
        ss += s * s;
        sc += s * c;
        cc += c * c;
        ys += y[static_cast<size_t>(i)] * s;
        yc += y[static_cast<size_t>(i)] * c;
    }
    const double det = ss * cc - sc * sc;
    return std::hypot((ys * cc - yc * sc) / det, (yc * ss - ys * sc) / det);
}

// Stereo sine of the given peak amplitude through `mb` in 512-frame blocks; returns the left output's gain in
// dB (fitted over the last measureS seconds; the right channel is checked to match).
double measuredGainDb(MultibandCompressor& mb, double frequency, double peak, double settleS,
                      double measureS) {
    const int total = samples(settleS + measureS);
    std::vector<float> l(static_cast<size_t>(total)), r(static_cast<size_t>(total));
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    for (int i = 0; i < total; ++i)
        l[static_cast<size_t>(i)] = r[static_cast<size_t>(i)] = static_cast<float>(peak * std::sin(w * i));
    for (int start = 0; start < total; start += 512) {
        float* p[2] = {l.data() + start, r.data() + start};
        mb.process(AudioBlock(p, 2, std::min(512, total - start)));
    }
    EXPECT_EQ(l, r);
    return gainToDb(fitAmplitude(l, frequency, samples(settleS), samples(measureS)) / peak);
}

std::vector<double> logFrequencies(int count) {
    std::vector<double> f;
    for (int i = 0; i < count; ++i)
        f.push_back(20.0 * std::pow(1000.0, static_cast<double>(i) / (count - 1)));
    return f;
}

} // namespace

// Every band at ratio 1: the bands must sum back to the splitter's allpass, flat within 0.1 dB from 20 Hz to
// 20 kHz, for 2, 3 and 4 bands.
TEST(MultibandCompressor, TransparentBandsSumFlat) {
    const std::vector<std::vector<double>> layouts{{1000.0}, {150.0, 2500.0}, {120.0, 1000.0, 6000.0}};
    for (const auto& crossovers : layouts) {
        double worst = 0.0;
        for (double f : logFrequencies(30)) {
            MultibandCompressor mb;
            mb.prepare(kFs, 512, 2);
            mb.setCrossoverFrequencies(crossovers.data(), static_cast<int>(crossovers.size()));
            ASSERT_EQ(mb.numBands(), static_cast<int>(crossovers.size()) + 1);
            for (int b = 0; b < mb.numBands(); ++b)
                mb.setBandParameters(b, transparent());
            const double gain = measuredGainDb(mb, f, 0.5, 0.3, 0.25);
            EXPECT_NEAR(gain, 0.0, 0.1) << crossovers.size() + 1 << " bands at " << f << " Hz";
            worst = std::max(worst, std::abs(gain));
        }
        RecordProperty("bands" + std::to_string(crossovers.size() + 1) + "_worst_deviation_db",
                       figure(worst));
    }
}

namespace {

// Analytic output gain when only band 0 compresses a tone: band 0's part of the tone is scaled by the static
// curve at that part's RMS level; the other bands' parts pass; all recombine with the bands' complex
// responses.
double expectedLowBandGainDb(const MultibandCompressor& reference, const CompressorParameters& p,
                             double frequency, double peak) {
    BandSplitter splitter;
    splitter.prepare(kFs, 512, 1);
    const int crossovers = reference.numBands() - 1;
    std::vector<double> hz;
    for (int k = 0; k < crossovers; ++k)
        hz.push_back(reference.crossoverFrequency(k));
    splitter.setCrossoverFrequencies(hz.data(), crossovers);
    const std::complex<double> low = splitter.bandResponse(0, frequency);
    const double lowRmsDb = gainToDb(peak * std::abs(low)) - kSineRmsBelowPeakDb;
    const double lowGain = dbToGain(compressorGainDb(lowRmsDb, p.thresholdDb, p.ratio, p.kneeDb));
    std::complex<double> sum = lowGain * low;
    for (int b = 1; b < splitter.numBands(); ++b)
        sum += splitter.bandResponse(b, frequency);
    return gainToDb(std::abs(sum));
}

MultibandCompressor lowBandOnly(bool lowEnabled) {
    MultibandCompressor mb;
    mb.prepare(kFs, 512, 2);
    const double crossovers[] = {200.0, 2000.0};
    mb.setCrossoverFrequencies(crossovers, 2);
    mb.setBandParameters(0, heavyLowBand());
    mb.setBandParameters(1, transparent());
    mb.setBandParameters(2, transparent());
    mb.setBandEnabled(0, lowEnabled);
    return mb;
}

} // namespace

// Only the low band compresses (threshold -30 dB, 4:1): a 60 Hz tone at 0.5 peak (RMS -9 dB) is turned down
// by the static-curve amount (~15.7 dB), a 5 kHz tone at the same level passes unchanged.
TEST(MultibandCompressor, LowBandCompressionLeavesHighToneAlone) {
    const double peak = 0.5;
    {
        MultibandCompressor mb = lowBandOnly(true);
        const double expected = expectedLowBandGainDb(mb, heavyLowBand(), 60.0, peak);
        ASSERT_LT(expected, -12.0); // guards the test set-up: the tone really is compressed hard
        const double measured = measuredGainDb(mb, 60.0, peak, 2.0, 0.5);
        EXPECT_NEAR(measured, expected, 0.1);
        EXPECT_NEAR(mb.bandGainReductionDb(0),
                    -compressorGainDb(gainToDb(peak) - kSineRmsBelowPeakDb, heavyLowBand().thresholdDb,
                                      heavyLowBand().ratio, 0.0),
                    0.2);
        EXPECT_EQ(mb.bandGainReductionDb(1), 0.0);
        EXPECT_EQ(mb.bandGainReductionDb(2), 0.0);
        RecordProperty("low_tone_expected_db", figure(expected));
        RecordProperty("low_tone_measured_db", figure(measured));
    }
    {
        MultibandCompressor mb = lowBandOnly(true);
        const double measured = measuredGainDb(mb, 5000.0, peak, 2.0, 0.1);
        EXPECT_NEAR(measured, 0.0, 0.1);
        EXPECT_LT(mb.bandGainReductionDb(0), 0.01);
        RecordProperty("high_tone_measured_db", figure(measured));
    }
}

// The per-band meters follow a layout change at once, before the next block: a band switched off reads no
// reduction, a band dropped from the layout reads nothing at all, and a band switched back on starts at 0.
TEST(MultibandCompressor, MetersFollowLayoutChangesAtOnce) {
    MultibandCompressor mb = lowBandOnly(true);
    measuredGainDb(mb, 60.0, 0.5, 0.5, 0.1);
    ASSERT_GT(mb.bandGainReductionDb(0), 10.0);
    ASSERT_GT(mb.bandMaxGainReductionDb(0), 10.0);
    mb.setBandEnabled(0, false);
    EXPECT_EQ(mb.bandGainReductionDb(0), 0.0);
    EXPECT_GT(mb.bandMaxGainReductionDb(0), 10.0); // the largest since resetMeters() is kept
    mb.setBandEnabled(0, true);
    EXPECT_EQ(mb.bandGainReductionDb(0), 0.0);
    EXPECT_EQ(mb.bandMaxGainReductionDb(0), 0.0);

    const double oneCrossover[] = {1000.0};
    mb.setBandParameters(2, heavyLowBand());
    measuredGainDb(mb, 5000.0, 0.5, 0.5, 0.1);
    ASSERT_GT(mb.bandMaxGainReductionDb(2), 1.0);
    mb.setCrossoverFrequencies(oneCrossover, 1);
    EXPECT_EQ(mb.bandGainReductionDb(2), 0.0);
    EXPECT_EQ(mb.bandMaxGainReductionDb(2), 0.0);

    mb.resetMeters();
    EXPECT_EQ(mb.bandMaxGainReductionDb(0), 0.0);
}

// A disabled band is bypassed: the same heavy low-band settings leave the 60 Hz tone at unity.
TEST(MultibandCompressor, DisabledBandIsBypassed) {
    MultibandCompressor mb = lowBandOnly(false);
    EXPECT_NEAR(measuredGainDb(mb, 60.0, 0.5, 1.0, 0.5), 0.0, 0.1);
    EXPECT_EQ(mb.bandGainReductionDb(0), 0.0);
}

// Blocks larger than maxBlockFrames are processed in chunks with the same result as small blocks.
TEST(MultibandCompressor, LargeBlocksMatchSmallBlocks) {
    std::mt19937 rng(11);
    std::normal_distribution<float> dist(0.0f, 0.3f);
    std::vector<float> a(5000);
    for (auto& v : a)
        v = dist(rng);
    auto b = a;
    const auto input = a;
    MultibandCompressor big = lowBandOnly(true), small = lowBandOnly(true);
    big.prepare(kFs, 64, 1);
    small.prepare(kFs, 64, 1);
    float* pa = a.data();
    big.process(AudioBlock(&pa, 1, 5000));
    for (int start = 0; start < 5000; start += 64) {
        float* pb = b.data() + start;
        small.process(AudioBlock(&pb, 1, std::min(64, 5000 - start)));
    }
    EXPECT_EQ(a, b);
    EXPECT_NE(a, input);
}

TEST(MultibandCompressor, ProcessAndSettersDoNotAllocate) {
    MultibandCompressor mb;
    mb.prepare(kFs, 512, 2);
    std::vector<float> l(512, 0.25f), r(512, -0.25f);
    float* p[2] = {l.data(), r.data()};
    const double four[] = {100.0, 800.0, 5000.0};
    lathe::test::armMallocCounter();
    mb.process(AudioBlock(p, 2, 512));
    mb.setCrossoverFrequencies(four, 3);
    mb.setBandParameters(3, heavyLowBand());
    mb.setBandEnabled(1, false);
    mb.process(AudioBlock(p, 2, 512));
    mb.setBandEnabled(1, true);
    mb.process(AudioBlock(p, 2, 300));
    mb.reset();
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
}
