#include "dsp/MatchAnalyzer.h"
#include "dsp/Biquad.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/IntegratedLoudness.h"

#include "support/TestNoise.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

using namespace lathe::dsp;
using lathe::test::pinkNoise;
using lathe::test::whiteNoise;

namespace {

constexpr double kFs = 48000.0;

MatchAnalysis analyse(const std::vector<float>& left, const std::vector<float>& right, double fs = kFs,
                      int block = 1000, MatchAnalyzer::Settings settings = {}) {
    MatchAnalyzer a;
    a.prepare(fs, block, settings);
    for (std::size_t pos = 0; pos < left.size(); pos += static_cast<std::size_t>(block)) {
        const int n =
            static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(block), left.size() - pos));
        a.process(left.data() + pos, right.data() + pos, n);
    }
    return a.finish();
}

double at(const MatchAnalysis& a, const std::vector<double>& db, double hz) {
    const auto it = std::lower_bound(a.frequencyHz.begin(), a.frequencyHz.end(), hz);
    return db[static_cast<std::size_t>(it - a.frequencyHz.begin())];
}

std::vector<float> concat(const std::vector<float>& a, const std::vector<float>& b) {
    std::vector<float> x = a;
    x.insert(x.end(), b.begin(), b.end());
    return x;
}

} // namespace

// How far a noise's measured density may stray from its true density: the estimate from ~40 s has a standard
// deviation of about 0.26 dB per FFT bin (~270 independent frames at 75 % overlap), and 1/6-octave smoothing
// averages f / 70 Hz bins or so, so 4 sigma is ~0.7 dB around 100 Hz and under 0.2 dB above 1 kHz.
double noiseTolerance(double hz) {
    return hz < 300.0 ? 0.75 : hz < 1000.0 ? 0.4 : 0.2;
}

// White noise (independent L and R of mean square v each: mid and side each of mean square v / 2) reads flat
// at the analytic density 10 log10(2 (v / 2) / fs) from 30 Hz to 20 kHz, at 44.1 and 48 kHz; its mean over
// 1-10 kHz (hundreds of bins) within 0.05 dB.
TEST(MatchAnalyzer, WhiteNoiseIsFlatAtItsDensity) {
    for (double fs : {44100.0, 48000.0}) {
        const auto n = static_cast<std::size_t>(fs * 40.0);
        const auto l = whiteNoise(n, 0.1, 1), r = whiteNoise(n, 0.1, 2);
        const MatchAnalysis a = analyse(l, r, fs);
        const double expected = 10.0 * std::log10(2.0 * (0.01 / 2.0) / fs);
        double sum = 0.0;
        int count = 0;
        for (std::size_t i = 0; i < a.frequencyHz.size(); ++i) {
            const double f = a.frequencyHz[i];
            if (f >= 1000.0 && f <= 10000.0) sum += a.midDb[i], ++count;
            if (f < 30.0 || f > 20000.0) continue;
            EXPECT_NEAR(a.midDb[i], expected, noiseTolerance(f)) << fs << " " << f;
            EXPECT_NEAR(a.sideDb[i], expected, noiseTolerance(f)) << fs << " " << f;
        }
        EXPECT_NEAR(sum / count, expected, 0.05) << fs;
        // No data at or above Nyquist.
        for (std::size_t i = 0; i < a.frequencyHz.size(); ++i) {
            if (a.frequencyHz[i] >= fs / 2.0) {
                EXPECT_EQ(a.midDb[i], kSilenceDb) << a.frequencyHz[i];
            }
        }
        EXPECT_EQ(a.fftSize, 16384);
    }
}

// Pink noise falls 3.01 dB per octave: a least-squares slope over 30 Hz - 15 kHz within 0.05 dB/octave, and
// every octave step from 31.25 Hz to 16 kHz within the noise tolerance of its two ends.
TEST(MatchAnalyzer, PinkNoiseFallsThreeDbPerOctave) {
    const std::size_t n = 1 << 21; // 43.7 s
    const auto l = pinkNoise(n, kFs, 0.1, 3), r = pinkNoise(n, kFs, 0.1, 4);
    const MatchAnalysis a = analyse(l, r);
    for (double f = 31.25; f <= 8000.0; f *= 2.0)
        EXPECT_NEAR(at(a, a.midDb, 2.0 * f) - at(a, a.midDb, f), -3.01,
                    std::hypot(noiseTolerance(f), noiseTolerance(2.0 * f)))
            << f;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, count = 0;
    for (std::size_t i = 0; i < a.frequencyHz.size(); ++i) {
        if (a.frequencyHz[i] < 30.0 || a.frequencyHz[i] > 15000.0) continue;
        const double x = std::log2(a.frequencyHz[i]), y = a.midDb[i];
        sx += x, sy += y, sxx += x * x, sxy += x * y, ++count;
    }
    const double slope = (count * sxy - sx * sy) / (count * sxx - sx * sx);
    EXPECT_NEAR(slope, -3.0103, 0.05);
    RecordProperty("slope_db_per_octave", std::to_string(slope));
}

// The gate: 60 s of quiet low-passed noise (-25 dB) then 30 s of loud white noise. The analysis is the loud
// passage's (flat at its density) and lasts its 30 s; with the gate opened to 100 LU the quiet intro's
// spectrum pulls the top end down, so the test would see a broken gate.
TEST(MatchAnalyzer, GateKeepsTheLoudPassage) {
    auto quiet = whiteNoise(static_cast<std::size_t>(60 * kFs), 0.1 * std::pow(10.0, -25.0 / 20.0), 5);
    Biquad lowPass;
    lowPass.prepare(kFs, static_cast<int>(quiet.size()), 1);
    lowPass.setCoefficients(makeLowPass(kFs, 500.0, 0.707));
    float* p[1] = {quiet.data()};
    lowPass.process(AudioBlock(p, 1, static_cast<int>(quiet.size())));
    const auto loudL = whiteNoise(static_cast<std::size_t>(30 * kFs), 0.1, 6);
    const auto loudR = whiteNoise(static_cast<std::size_t>(30 * kFs), 0.1, 7);
    const auto l = concat(quiet, loudL), r = concat(quiet, loudR);

    const MatchAnalysis gated = analyse(l, r);
    const double expected = 10.0 * std::log10(0.01 / kFs);
    for (double f : {100.0, 1000.0, 10000.0})
        EXPECT_NEAR(at(gated, gated.midDb, f), expected, 0.5) << f;
    EXPECT_NEAR(gated.loudSeconds, 30.0, 3.0);
    EXPECT_NEAR(gated.durationSeconds, 90.0, 1e-9);

    MatchAnalyzer::Settings open;
    open.gateLu = 100.0;
    const MatchAnalysis ungated = analyse(l, r, kFs, 1000, open);
    EXPECT_NEAR(ungated.loudSeconds, 90.0, 1.0);
    EXPECT_LT(at(ungated, ungated.midDb, 10000.0), expected - 4.0); // 1/3 of the frames carry the top end
}

// The gate's threshold: a passage 14.5 LU below the loudest counts, one 15.5 LU below does not (the gate is
// resolved to 0.5 LU); the loud passage alone lasts 30 s, both together 60 s.
TEST(MatchAnalyzer, GateThresholdIsGateLuBelowTheLoudest) {
    const auto n = static_cast<std::size_t>(30 * kFs); // ten whole 3 s windows
    const auto loudL = whiteNoise(n, 0.1, 12), loudR = whiteNoise(n, 0.1, 13);
    for (double down : {14.5, 15.5}) {
        const double g = std::pow(10.0, -down / 20.0);
        std::vector<float> quietL(loudL), quietR(loudR);
        for (std::size_t i = 0; i < n; ++i) {
            quietL[i] = static_cast<float>(quietL[i] * g);
            quietR[i] = static_cast<float>(quietR[i] * g);
        }
        const MatchAnalysis a = analyse(concat(loudL, quietL), concat(loudR, quietR));
        EXPECT_NEAR(a.loudSeconds, down < 15.0 ? 60.0 : 30.0, 1e-9) << down;
        EXPECT_NEAR(a.loudestWindowLufs, a.integratedLufs, 0.1);
    }
}

// The same audio in any block size gives the same analysis (the windows and frames are on the audio's
// own time line), and a one-channel block reads as the same signal on both sides.
TEST(MatchAnalyzer, BlockSizeDoesNotMatterAndMonoIsBothSides) {
    const auto l = pinkNoise(1 << 19, kFs, 0.2, 8), r = pinkNoise(1 << 19, kFs, 0.2, 9);
    const MatchAnalysis a = analyse(l, r, kFs, 64);
    const MatchAnalysis b = analyse(l, r, kFs, 8191);
    ASSERT_EQ(a.midDb.size(), b.midDb.size());
    for (std::size_t i = 0; i < a.midDb.size(); ++i) {
        ASSERT_NEAR(a.midDb[i], b.midDb[i], 1e-9);
        ASSERT_NEAR(a.sideDb[i], b.sideDb[i], 1e-9);
    }
    EXPECT_EQ(a.truePeakDbtp, b.truePeakDbtp);
    EXPECT_NEAR(a.integratedLufs, b.integratedLufs, 1e-9); // summation order differs with the blocks

    MatchAnalyzer mono;
    mono.prepare(kFs, 4096);
    std::vector<float> x = l;
    float* p[1] = {x.data()};
    for (int start = 0; start < static_cast<int>(x.size()); start += 4096)
        mono.process(AudioBlock(p, 1, static_cast<int>(x.size())).subBlock(start, 4096));
    const MatchAnalysis m = mono.finish();
    const MatchAnalysis dual = analyse(l, l, kFs, 4096);
    for (std::size_t i = 0; i < m.midDb.size(); ++i) {
        ASSERT_NEAR(m.midDb[i], dual.midDb[i], 1e-9);
        ASSERT_EQ(m.sideDb[i], kSilenceDb);
    }
    EXPECT_NEAR(m.integratedLufs, dual.integratedLufs, 1e-9);
    EXPECT_NEAR(m.truePeakDbtp, dual.truePeakDbtp, 1e-9);
}

// Meters: a -6 dBFS 997 Hz sine on both channels: sample and true peak -6 dB (997 Hz at 48 kHz
// has no inter-sample overs worth a tenth), RMS -9.03 dBFS, crest 3.01 dB, integrated loudness as
// IntegratedLoudness reads it, PLR = true peak - integrated.
TEST(MatchAnalyzer, MetersOfASine) {
    const auto n = static_cast<std::size_t>(20 * kFs);
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] =
            static_cast<float>(0.5 * std::sin(2.0 * std::numbers::pi * 997.0 * static_cast<double>(i) / kFs));
    const MatchAnalysis a = analyse(x, x);
    EXPECT_NEAR(a.samplePeakDbfs, -6.02, 0.01);
    EXPECT_NEAR(a.truePeakDbtp, -6.02, 0.01);
    EXPECT_NEAR(a.loudRmsDbfs, -9.03, 0.02);
    EXPECT_NEAR(a.crestFactorDb, 3.01, 0.02);
    IntegratedLoudness meter;
    meter.prepare(kFs);
    meter.process(x.data(), x.data(), static_cast<int>(n));
    EXPECT_DOUBLE_EQ(a.integratedLufs, meter.integratedLufs());
    EXPECT_NEAR(a.plrDb, a.truePeakDbtp - a.integratedLufs, 1e-12);
    EXPECT_NEAR(a.loudestWindowLufs, a.integratedLufs, 0.05);
    // The sine's density peaks within the smoothing's half-width (1/12 octave) of 997 Hz: constant-Q
    // smoothing spreads a line over a band that is narrower in Hz, so denser, at the low end.
    const auto peak = std::max_element(a.midDb.begin(), a.midDb.end()) - a.midDb.begin();
    EXPECT_NEAR(std::log2(a.frequencyHz[static_cast<std::size_t>(peak)] / 997.0), 0.0,
                1.0 / 12.0 + 1.0 / 48.0);
}

// Width per band: independent L and R read side = mid (0 dB) in every band; a mono signal has no side; the
// side scaled by +3 dB reads +3 dB.
TEST(MatchAnalyzer, WidthPerBand) {
    const std::size_t n = 1 << 20;
    const auto a = pinkNoise(n, kFs, 0.1, 10), b = pinkNoise(n, kFs, 0.1, 11);
    const MatchAnalysis wide = analyse(a, b);
    ASSERT_EQ(wide.widthBands.size(), 10u);
    for (const auto& band : wide.widthBands)
        EXPECT_NEAR(band.sideToMidDb, 0.0, 0.5) << band.lowHz;
    const MatchAnalysis mono = analyse(a, a);
    for (const auto& band : mono.widthBands)
        EXPECT_EQ(band.sideDbfs, kSilenceDb) << band.lowHz;

    // mid = a, side = b / 2 (-6 dB), then the side raised 3 dB.
    std::vector<float> l(n), r(n), l3(n), r3(n);
    const double g = std::pow(10.0, 3.0 / 20.0);
    for (std::size_t i = 0; i < n; ++i) {
        l[i] = a[i] + 0.5f * b[i];
        r[i] = a[i] - 0.5f * b[i];
        l3[i] = static_cast<float>(a[i] + g * 0.5 * b[i]);
        r3[i] = static_cast<float>(a[i] - g * 0.5 * b[i]);
    }
    const MatchAnalysis narrow = analyse(l, r), wider = analyse(l3, r3);
    for (std::size_t k = 0; k < narrow.widthBands.size(); ++k) {
        EXPECT_NEAR(narrow.widthBands[k].sideToMidDb, -6.02, 0.5) << narrow.widthBands[k].lowHz;
        EXPECT_NEAR(wider.widthBands[k].sideToMidDb - narrow.widthBands[k].sideToMidDb, 3.0, 0.01);
    }
}

// Silence and nothing at all: no loud audio, silent readings, no crash.
TEST(MatchAnalyzer, SilenceHasNoLoudAudio) {
    const std::vector<float> zeros(static_cast<std::size_t>(5 * kFs), 0.0f);
    const MatchAnalysis a = analyse(zeros, zeros);
    EXPECT_FALSE(a.hasLoudAudio());
    EXPECT_EQ(a.integratedLufs, kSilenceDb);
    EXPECT_EQ(a.midDb[300], kSilenceDb);
    MatchAnalyzer empty;
    empty.prepare(kFs, 512);
    const MatchAnalysis e = empty.finish();
    EXPECT_FALSE(e.hasLoudAudio());
    EXPECT_EQ(e.durationSeconds, 0.0);
}
