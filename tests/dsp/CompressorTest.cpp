#include "dsp/Compressor.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/Decibels.h"
#include "dsp/FastMath.h"
#include "dsp/GainComputer.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <utility>
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

// Runs a mono or stereo signal through the compressor in blocks of `blockFrames` (an odd size by default so
// block boundaries fall everywhere in the waveform).
void run(Compressor& comp, std::vector<std::vector<float>>& channels, int blockFrames = 37) {
    const int total = static_cast<int>(channels[0].size());
    const int count = static_cast<int>(channels.size());
    for (int start = 0; start < total; start += blockFrames) {
        const int n = std::min(blockFrames, total - start);
        float* ptrs[AudioBlock::kMaxChannels];
        for (int c = 0; c < count; ++c)
            ptrs[c] = channels[static_cast<size_t>(c)].data() + start;
        comp.process(AudioBlock(ptrs, count, n));
    }
}

Compressor prepared(const CompressorParameters& p, int channels = 1) {
    Compressor comp;
    comp.setParameters(p);
    comp.prepare(kFs, 512, channels);
    return comp;
}

// 1 kHz square wave: |x| is constant, so a Peak detector sees a ripple-free level.
std::vector<float> square(double amplitude, int length) {
    std::vector<float> x(static_cast<size_t>(length));
    for (int i = 0; i < length; ++i)
        x[static_cast<size_t>(i)] = static_cast<float>((i / 24) % 2 == 0 ? amplitude : -amplitude);
    return x;
}

std::vector<float> sine(double amplitude, double frequency, int length) {
    std::vector<float> x(static_cast<size_t>(length));
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    for (int i = 0; i < length; ++i)
        x[static_cast<size_t>(i)] = static_cast<float>(amplitude * std::sin(w * i));
    return x;
}

// Least-squares amplitude of a sinusoid of known frequency over y[start, start + count): solves the 2x2
// normal equations, so the window need not hold an integer number of cycles.
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
    const double a = (ys * cc - yc * sc) / det;
    const double b = (yc * ss - ys * sc) / det;
    return std::hypot(a, b);
}

double peakOf(const std::vector<float>& y, int start) {
    double peak = 0.0;
    for (size_t i = static_cast<size_t>(start); i < y.size(); ++i)
        peak = std::max(peak, static_cast<double>(std::abs(y[i])));
    return peak;
}

} // namespace

// Hand-computed points of the Giannoulis et al. curve: T = -20 dB, R = 4, so the slope above threshold is
// -3/4.
TEST(GainComputer, MatchesHandComputedCurve) {
    EXPECT_DOUBLE_EQ(compressorGainDb(-30.0, -20.0, 4.0, 0.0), 0.0);
    EXPECT_DOUBLE_EQ(compressorGainDb(-20.0, -20.0, 4.0, 0.0), 0.0);
    EXPECT_DOUBLE_EQ(compressorGainDb(0.0, -20.0, 4.0, 0.0), -15.0);
    EXPECT_DOUBLE_EQ(compressorGainDb(-12.0, -20.0, 2.0, 0.0), -4.0);
    // Inside a 6 dB knee: (1/R - 1)(x - T + W/2)^2 / (2W). At x = T that is -0.75 * 9 / 12 = -0.5625.
    EXPECT_NEAR(compressorGainDb(-20.0, -20.0, 4.0, 6.0), -0.5625, 1e-12);
    EXPECT_NEAR(compressorGainDb(-22.0, -20.0, 4.0, 6.0), -0.75 * 1.0 / 12.0, 1e-12);
    // Knee edges meet the straight segments (continuity) ...
    EXPECT_NEAR(compressorGainDb(-23.0, -20.0, 4.0, 6.0), 0.0, 1e-12);
    EXPECT_NEAR(compressorGainDb(-17.0, -20.0, 4.0, 6.0), -2.25, 1e-12);
    EXPECT_DOUBLE_EQ(compressorGainDb(-10.0, -20.0, 4.0, 6.0), -7.5);
    // ... with matching slope: -3/4 just above the upper edge, 0 just below the lower edge.
    const double h = 1e-6;
    EXPECT_NEAR((compressorGainDb(-17.0, -20.0, 4.0, 6.0) - compressorGainDb(-17.0 - h, -20.0, 4.0, 6.0)) / h,
                -0.75, 1e-5);
    EXPECT_NEAR((compressorGainDb(-23.0 + h, -20.0, 4.0, 6.0) - compressorGainDb(-23.0, -20.0, 4.0, 6.0)) / h,
                0.0, 1e-5);
    // Infinite ratio is a limiter; ratio 1 is exactly transparent.
    EXPECT_DOUBLE_EQ(compressorGainDb(-5.0, -20.0, INFINITY, 0.0), -15.0);
    EXPECT_EQ(compressorGainDb(3.7, -20.0, 1.0, 6.0), 0.0);
    EXPECT_EQ(compressorGainDb(-19.3, -20.0, 1.0, 6.0), 0.0);
}

// Steady-state output level on a constant-|x| input follows the static curve at 41 levels from T-20 to T+20
// dB, for a hard knee and 6 and 12 dB knees, two ratios, with makeup gain applied on top.
TEST(Compressor, PeakDetectionFollowsStaticCurve) {
    for (double knee : {0.0, 6.0, 12.0}) {
        for (double ratio : {2.0, 4.0}) {
            CompressorParameters p;
            p.thresholdDb = -20.0;
            p.ratio = ratio;
            p.kneeDb = knee;
            p.attackMs = 5.0;
            p.releaseMs = 200.0;
            p.makeupDb = 2.5;
            p.detection = DetectionMode::Peak;
            double worst = 0.0;
            for (int step = 0; step <= 40; ++step) {
                const double levelDb = p.thresholdDb - 20.0 + step;
                Compressor comp = prepared(p);
                std::vector<std::vector<float>> x{square(dbToGain(levelDb), samples(0.3))};
                run(comp, x);
                const double measured = gainToDb(peakOf(x[0], samples(0.29))) - levelDb;
                const double expected = compressorGainDb(levelDb, p.thresholdDb, ratio, knee) + p.makeupDb;
                EXPECT_NEAR(measured, expected, 0.1)
                    << "knee " << knee << " ratio " << ratio << " level " << levelDb;
                worst = std::max(worst, std::abs(measured - expected));
            }
            RecordProperty("peak_knee" + std::to_string(int(knee)) + "_ratio" + std::to_string(int(ratio)) +
                               "_worst_error_db",
                           figure(worst));
        }
    }
}

// Rms detection on a 1 kHz sine: the detector level is the sine's RMS, 3.01 dB below its peak. 41 levels of
// RMS from T-20 to T+20 dB; output amplitude by sine fit. The 10 ms mean-square window leaves +-0.035 dB of 2
// kHz ripple on the level, which the 5 ms attack smooths to well under the 0.1 dB tolerance.
TEST(Compressor, RmsDetectionFollowsStaticCurveOfSineRms) {
    for (double knee : {0.0, 6.0, 12.0}) {
        CompressorParameters p;
        p.thresholdDb = -24.0;
        p.ratio = 3.0;
        p.kneeDb = knee;
        p.attackMs = 5.0;
        p.releaseMs = 200.0;
        p.detection = DetectionMode::Rms;
        p.rmsWindowMs = 10.0;
        double worst = 0.0;
        for (int step = 0; step <= 40; ++step) {
            const double rmsDb = p.thresholdDb - 20.0 + step;
            const double peak = dbToGain(rmsDb + kSineRmsBelowPeakDb);
            Compressor comp = prepared(p);
            std::vector<std::vector<float>> x{sine(peak, 1000.0, samples(0.4))};
            run(comp, x);
            const double measured = gainToDb(fitAmplitude(x[0], 1000.0, samples(0.38), samples(0.02)) / peak);
            const double expected = compressorGainDb(rmsDb, p.thresholdDb, p.ratio, knee);
            EXPECT_NEAR(measured, expected, 0.1) << "knee " << knee << " rms level " << rmsDb;
            worst = std::max(worst, std::abs(measured - expected));
        }
        RecordProperty("rms_knee" + std::to_string(int(knee)) + "_worst_error_db", figure(worst));
    }
}

namespace {

// Gain reduction (positive dB) per sample of a compressor fed a DC step, measured from output / input.
std::vector<double> reductionAfterStep(const CompressorParameters& p, double fromDb, double toDb,
                                       double settleS, double observeS) {
    Compressor comp = prepared(p);
    const int before = samples(settleS);
    const int after = samples(observeS);
    std::vector<std::vector<float>> x{std::vector<float>(static_cast<size_t>(before + after))};
    for (int i = 0; i < before + after; ++i)
        x[0][static_cast<size_t>(i)] = static_cast<float>(dbToGain(i < before ? fromDb : toDb));
    run(comp, x);
    std::vector<double> reduction;
    for (int i = before; i < before + after; ++i)
        reduction.push_back(-gainToDb(x[0][static_cast<size_t>(i)] / dbToGain(toDb)));
    return reduction;
}

} // namespace

// A DC step from 20 dB below to 20 dB above a hard-knee threshold (ratio 4: 15 dB of final reduction). The
// time for the reduction to cover 63.2 % of its change is the attack time constant; the reverse step gives
// release.
TEST(Compressor, AttackAndReleaseAreTimeConstants) {
    CompressorParameters p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    const double finalReduction = 15.0;
    for (double attack : {1.0, 10.0, 50.0}) {
        p.attackMs = attack;
        p.releaseMs = 200.0;
        const auto r = reductionAfterStep(p, -40.0, 0.0, 0.1, attack * 10.0 / 1000.0);
        EXPECT_NEAR(r.back(), finalReduction, 0.01);
        const auto it =
            std::find_if(r.begin(), r.end(), [&](double v) { return v >= 0.632 * finalReduction; });
        ASSERT_NE(it, r.end());
        const double ms = 1000.0 * static_cast<double>(it - r.begin() + 1) / kFs;
        EXPECT_NEAR(ms, attack, 0.1 * attack) << "attack";
        RecordProperty("attack_" + std::to_string(int(attack)) + "ms_measured_ms", figure(ms));
    }
    for (double release : {50.0, 200.0, 1000.0}) {
        p.attackMs = 10.0;
        p.releaseMs = release;
        // Settle at full reduction first (0.5 s = 50 attack time constants), then step down.
        Compressor comp = prepared(p);
        const int settle = samples(0.5), observe = samples(release * 5.0 / 1000.0);
        std::vector<std::vector<float>> x{std::vector<float>(static_cast<size_t>(settle + observe))};
        for (int i = 0; i < settle + observe; ++i)
            x[0][static_cast<size_t>(i)] = static_cast<float>(dbToGain(i < settle ? 0.0 : -40.0));
        run(comp, x);
        const double startReduction = -gainToDb(x[0][static_cast<size_t>(settle - 1)]);
        EXPECT_NEAR(startReduction, finalReduction, 0.01);
        int crossing = -1;
        for (int i = settle; i < settle + observe; ++i) {
            const double reduction = -gainToDb(x[0][static_cast<size_t>(i)] / dbToGain(-40.0));
            if (reduction <= (1.0 - 0.632) * startReduction) {
                crossing = i - settle + 1;
                break;
            }
        }
        ASSERT_GE(crossing, 0);
        const double ms = 1000.0 * crossing / kFs;
        EXPECT_NEAR(ms, release, 0.1 * release) << "release";
        RecordProperty("release_" + std::to_string(int(release)) + "ms_measured_ms", figure(ms));
    }
}

// Ratio 1 with 0 dB makeup: the output must be bit-identical to the input whatever the other settings.
TEST(Compressor, RatioOneIsBitTransparent) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (auto detection : {DetectionMode::Peak, DetectionMode::Rms}) {
        for (double hpf : {0.0, 120.0}) {
            for (double link : {0.0, 0.5, 1.0}) {
                CompressorParameters p;
                p.thresholdDb = -60.0;
                p.ratio = 1.0;
                p.kneeDb = 6.0;
                p.attackMs = 0.5;
                p.detection = detection;
                p.sidechainHighPassHz = hpf;
                p.stereoLink = link;
                Compressor comp = prepared(p, 2);
                std::vector<std::vector<float>> x(2, std::vector<float>(9000));
                for (auto& ch : x)
                    for (auto& v : ch)
                        v = dist(rng);
                const auto input = x;
                run(comp, x);
                EXPECT_EQ(x, input);
                EXPECT_EQ(comp.gainReductionDb(), 0.0);
            }
        }
    }
}

// One loud channel (T+20) and one quiet (T-30). Linked, both channels get the loud channel's gain; unlinked,
// the quiet channel passes untouched; half-linked, the quiet channel's detector is the linear midpoint.
TEST(Compressor, StereoLink) {
    CompressorParameters p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 2.0;
    const double loudDb = 0.0, quietDb = -50.0;
    const auto runPair = [&](double link) {
        p.stereoLink = link;
        Compressor comp = prepared(p, 2);
        std::vector<std::vector<float>> x{square(dbToGain(loudDb), samples(0.2)),
                                          square(dbToGain(quietDb), samples(0.2))};
        run(comp, x);
        return x;
    };
    const double loudExpected = compressorGainDb(loudDb, p.thresholdDb, p.ratio, p.kneeDb);

    auto linked = runPair(1.0);
    const double linkedLeft = gainToDb(std::abs(linked[0].back())) - loudDb;
    const double linkedRight = gainToDb(std::abs(linked[1].back())) - quietDb;
    EXPECT_NEAR(linkedLeft, loudExpected, 0.01);
    EXPECT_NEAR(linkedRight, loudExpected, 0.01);
    EXPECT_NEAR(linkedLeft, linkedRight, 1e-4);

    auto independent = runPair(0.0);
    EXPECT_EQ(independent[1], square(dbToGain(quietDb), samples(0.2)));
    EXPECT_NEAR(gainToDb(std::abs(independent[0].back())) - loudDb, loudExpected, 0.01);

    auto half = runPair(0.5);
    const double midpointDb = gainToDb(0.5 * (dbToGain(loudDb) + dbToGain(quietDb)));
    EXPECT_NEAR(gainToDb(std::abs(half[1].back())) - quietDb,
                compressorGainDb(midpointDb, p.thresholdDb, p.ratio, p.kneeDb), 0.01);
    EXPECT_NEAR(gainToDb(std::abs(half[0].back())) - loudDb, loudExpected, 0.01);
}

// A 40 Hz tone with the detector high-passed at 200 Hz: the detector sees the tone attenuated by the analytic
// Butterworth response (about -28 dB), so reduction drops from ~31 dB to ~10 dB. Both match the static curve
// at the (filtered) RMS level. Rms detection with a 100 ms window keeps the 80 Hz ripple of the detector
// small.
TEST(Compressor, SidechainHighPassReducesLowFrequencyTrigger) {
    CompressorParameters p;
    p.thresholdDb = -50.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 50.0;
    p.releaseMs = 500.0;
    p.detection = DetectionMode::Rms;
    p.rmsWindowMs = 100.0;
    const double peak = 0.5;
    const double rmsDb = gainToDb(peak) - kSineRmsBelowPeakDb;
    const double filterDb = magnitudeDb(makeHighPass(kFs, 200.0, std::numbers::sqrt2 / 2.0), kFs, 40.0);
    ASSERT_LT(filterDb, -25.0);

    const auto measure = [&](double hpf) {
        p.sidechainHighPassHz = hpf;
        Compressor comp = prepared(p);
        std::vector<std::vector<float>> x{sine(peak, 40.0, samples(2.5))};
        run(comp, x);
        return gainToDb(fitAmplitude(x[0], 40.0, samples(2.0), samples(0.5)) / peak);
    };
    const double without = measure(0.0);
    const double with = measure(200.0);
    EXPECT_NEAR(without, compressorGainDb(rmsDb, p.thresholdDb, p.ratio, p.kneeDb), 0.2);
    EXPECT_NEAR(with, compressorGainDb(rmsDb + filterDb, p.thresholdDb, p.ratio, p.kneeDb), 0.2);
    EXPECT_GT(with - without, 15.0);
    RecordProperty("reduction_without_hpf_db", figure(-without));
    RecordProperty("reduction_with_hpf_db", figure(-with));
}

// The key input drives the detector; the compressed signal itself is far below threshold.
TEST(Compressor, ExternalSidechainDrivesGain) {
    CompressorParameters p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 1.0;
    Compressor comp = prepared(p);
    std::vector<float> main = square(dbToGain(-40.0), 4800);
    std::vector<float> key(4800, static_cast<float>(dbToGain(-8.0)));
    const auto keyBefore = key;
    float* m = main.data();
    float* k = key.data();
    comp.process(AudioBlock(&m, 1, 4800), AudioBlock(&k, 1, 4800));
    EXPECT_EQ(key, keyBefore);
    EXPECT_NEAR(gainToDb(std::abs(main.back())) + 40.0, compressorGainDb(-8.0, -20.0, 4.0, 0.0), 0.01);
}

// Cross-stem sidechain (a stem's compressor keyed by another stem): a silent key means no reduction at all,
// however loud the compressed stem is: the output is the input bit for bit, on the linked stereo fast path,
// unlinked, with RMS detection and with the key's high-pass.
TEST(Compressor, SilentKeyLeavesALoudStemUntouched) {
    const std::vector<std::vector<float>> loud{sine(0.9, 100.0, 9600), sine(0.8, 150.0, 9600)};
    std::vector<float> silence(9600, 0.0f);
    for (const auto detection : {DetectionMode::Peak, DetectionMode::Rms})
        for (const double link : {1.0, 0.0})
            for (const double hpf : {0.0, 80.0}) {
                CompressorParameters p;
                p.thresholdDb = -30.0;
                p.ratio = 8.0;
                p.detection = detection;
                p.stereoLink = link;
                p.sidechainHighPassHz = hpf;
                Compressor comp = prepared(p, 2);
                auto x = loud;
                for (int start = 0; start < 9600; start += 480) {
                    float* m[2] = {x[0].data() + start, x[1].data() + start};
                    float* k[2] = {silence.data() + start, silence.data() + start};
                    comp.process(AudioBlock(m, 2, 480), AudioBlock(k, 2, 480));
                }
                EXPECT_EQ(x, loud) << "link " << link << " hpf " << hpf;
                EXPECT_EQ(comp.maxGainReductionDb(), 0.0);
            }
}

// The reduction follows the key's level, not the compressed stem's: a stem at -6 dBFS keyed at -30, -20 and
// -10 dBFS is reduced by the static curve at the key's level (stereo key, and a mono key for a stereo stem).
// When the key stops, the reduction releases although the stem stays loud.
TEST(Compressor, ReductionFollowsTheKeyLevelNotTheStem) {
    CompressorParameters p;
    p.thresholdDb = -24.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 1.0;
    p.releaseMs = 20.0;
    const int n = samples(0.3);
    for (const int keyChannels : {2, 1})
        for (const double keyDb : {-30.0, -20.0, -10.0}) {
            Compressor comp = prepared(p, 2);
            std::vector<std::vector<float>> stem{square(dbToGain(-6.0), n), square(dbToGain(-6.0), n)};
            std::vector<std::vector<float>> key(static_cast<std::size_t>(keyChannels),
                                                square(dbToGain(keyDb), n));
            for (int start = 0; start < n; start += 256) {
                const int len = std::min(256, n - start);
                float* m[2] = {stem[0].data() + start, stem[1].data() + start};
                float* k[2] = {key[0].data() + start, key.back().data() + start};
                comp.process(AudioBlock(m, 2, len), AudioBlock(k, keyChannels, len));
            }
            const double reduction = -gainToDb(std::abs(stem[1].back()) / dbToGain(-6.0));
            EXPECT_NEAR(reduction, -compressorGainDb(keyDb, -24.0, 4.0, 0.0), 0.01)
                << keyChannels << " key channels at " << keyDb << " dBFS";
            EXPECT_NEAR(comp.gainReductionDb(), reduction, 0.01);
        }

    // The key stops after 100 ms; 200 ms of release (10 time constants) later the loud stem is untouched.
    Compressor comp = prepared(p, 2);
    std::vector<std::vector<float>> stem{square(dbToGain(-6.0), n), square(dbToGain(-6.0), n)};
    std::vector<float> key = square(dbToGain(-10.0), n);
    std::fill(key.begin() + samples(0.1), key.end(), 0.0f);
    float* m[2] = {stem[0].data(), stem[1].data()};
    float* k[1] = {key.data()};
    comp.process(AudioBlock(m, 2, n), AudioBlock(k, 1, n));
    EXPECT_NEAR(-gainToDb(std::abs(stem[0][static_cast<std::size_t>(samples(0.1) - 1)]) / dbToGain(-6.0)),
                10.5, 0.01);
    EXPECT_LT(comp.gainReductionDb(), 1e-3);
    EXPECT_NEAR(std::abs(stem[0].back()), dbToGain(-6.0), dbToGain(-6.0) * 1e-4);
}

// Per-sample state: the block size must not change a single output sample.
TEST(Compressor, OutputIndependentOfBlockSize) {
    CompressorParameters p;
    p.thresholdDb = -30.0;
    p.ratio = 6.0;
    p.attackMs = 3.0;
    p.releaseMs = 80.0;
    p.sidechainHighPassHz = 80.0;
    p.stereoLink = 0.7;
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 0.2f);
    std::vector<std::vector<float>> x(2, std::vector<float>(20000));
    for (auto& ch : x)
        for (auto& v : ch)
            v = dist(rng);
    auto a = x, b = x;
    Compressor c1 = prepared(p, 2), c2 = prepared(p, 2);
    run(c1, a, 1);
    run(c2, b, 512);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, x);
}

TEST(Compressor, GainReductionMeters) {
    CompressorParameters p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 1.0;
    p.releaseMs = 50.0;
    Compressor comp = prepared(p, 2);
    std::vector<std::vector<float>> loud{square(1.0, samples(0.1)), square(0.1, samples(0.1))};
    run(comp, loud);
    const double measured = -gainToDb(std::abs(loud[0].back()));
    EXPECT_NEAR(measured, 15.0, 0.01);
    EXPECT_NEAR(comp.gainReductionDb(), measured, 0.01);
    EXPECT_NEAR(comp.maxGainReductionDb(), measured, 0.01);

    // 1 s of quiet is 20 release time constants: the meter falls to ~0 while the maximum is held.
    std::vector<std::vector<float>> quiet{square(0.01, samples(1.0)), square(0.01, samples(1.0))};
    run(comp, quiet);
    EXPECT_LT(comp.gainReductionDb(), 1e-6);
    EXPECT_NEAR(comp.maxGainReductionDb(), measured, 0.01);
    comp.resetMeters();
    run(comp, quiet);
    EXPECT_LT(comp.maxGainReductionDb(), 1e-6);
}

TEST(Compressor, ProcessAndSetParametersDoNotAllocate) {
    CompressorParameters p;
    p.sidechainHighPassHz = 100.0;
    Compressor comp = prepared(p, 2);
    std::vector<std::vector<float>> x{sine(0.9, 100.0, 2048), sine(0.5, 300.0, 2048)};
    float* ptrs[2] = {x[0].data(), x[1].data()};
    lathe::test::armMallocCounter();
    comp.process(AudioBlock(ptrs, 2, 512));
    p.detection = DetectionMode::Rms;
    p.ratio = 8.0;
    p.sidechainHighPassHz = 0.0;
    comp.setParameters(p);
    comp.process(AudioBlock(ptrs, 2, 512));
    p.sidechainHighPassHz = 150.0;
    comp.setParameters(p);
    comp.process(AudioBlock(ptrs, 2, 512));
    comp.reset();
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
}

// Fully linked stereo peak detection has its own batched loop; a third, silent channel sends the same signal
// through the general per-channel loop (the loudest channel, hence every gain, is unchanged). Both must give
// the same output to within 1e-4 dB, through attack, release, the soft knee, a quiet stretch that skips the
// curve and a sidechain high-pass, in blocks that do not line up with the 64-frame batches.
TEST(Compressor, LinkedStereoFastPathMatchesGeneralPath) {
    CompressorParameters p;
    p.thresholdDb = -24.0;
    p.ratio = 3.0;
    p.kneeDb = 6.0;
    p.attackMs = 5.0;
    p.releaseMs = 60.0;
    p.makeupDb = 1.5;
    p.stereoLink = 1.0;
    p.sidechainHighPassHz = 80.0;
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    const int n = samples(1.0);
    std::vector<float> left(static_cast<size_t>(n)), right(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        // Loud bursts, then near silence: attack, release and the quiet-batch shortcut all take part.
        const double envelope = (i / samples(0.1)) % 2 == 0 ? 0.3 : 0.001;
        left[static_cast<size_t>(i)] = static_cast<float>(envelope * noise(rng));
        right[static_cast<size_t>(i)] = static_cast<float>(0.5 * envelope * noise(rng));
    }
    std::vector<std::vector<float>> stereo{left, right};
    std::vector<std::vector<float>> threeChannels{left, right, std::vector<float>(static_cast<size_t>(n))};
    Compressor fast = prepared(p, 2);
    Compressor general = prepared(p, 3);
    run(fast, stereo, 100);
    run(general, threeChannels, 100);
    double worstDb = 0.0;
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < n; ++i) {
            const float a = stereo[static_cast<size_t>(c)][static_cast<size_t>(i)];
            const float b = threeChannels[static_cast<size_t>(c)][static_cast<size_t>(i)];
            if (std::abs(b) > 1e-6f) worstDb = std::max(worstDb, std::abs(gainToDb(std::abs(a / b))));
        }
    std::printf("linked fast path vs general path: worst %.2e dB\n", worstDb);
    EXPECT_LT(worstDb, 1e-4); // the fast path's gains are floats (FastMath.h: 4e-6 dB)
    EXPECT_NEAR(fast.maxGainReductionDb(), general.maxGainReductionDb(), 1e-6);
    EXPECT_GT(fast.maxGainReductionDb(), 3.0); // the bursts were compressed
}

// The linked path's smoothing picks its coefficient by taking the larger (or, attack slower, the smaller) of
// the two candidates t + c (r - t) rather than by comparing t with r: the same reduction to the bit. Checked
// against that comparison, frame by frame, through the reduction meter after every one-frame block (the
// static curve as the linked path computes it: FastMath's fastLog2, the branch-free knee).
TEST(Compressor, LinkedSmoothingMatchesTheComparedRecursionBitForBit) {
    // 400 ms: attack slower than the release; a 2 ms release reaches the floor (0 below 1e-9 dB) between
    // bursts, where the linked path smooths again with the floor.
    for (const auto [attackMs, releaseMs] :
         {std::pair{0.5, 250.0}, {20.0, 250.0}, {400.0, 250.0}, {0.5, 2.0}}) {
        CompressorParameters p;
        p.thresholdDb = -18.0;
        p.ratio = 2.0;
        p.kneeDb = 9.0;
        p.attackMs = attackMs;
        p.releaseMs = releaseMs;
        Compressor comp = prepared(p, 2);
        const double attack = std::exp(-1000.0 / (attackMs * kFs));
        const double release = std::exp(-1000.0 / (releaseMs * kFs));
        const double slope = 1.0 / 2.0 - 1.0, knee = 9.0, halfKnee = 4.5, inverseTwoKnee = 1.0 / 18.0;
        std::mt19937 rng(11);
        std::normal_distribution<float> noise(0.0f, 1.0f);
        double reduction = 0.0;
        int mismatches = 0, released = 0;
        for (int i = 0; i < samples(0.5); ++i) {
            const double envelope = (i / samples(0.05)) % 3 == 0 ? 0.5 : 0.02;
            float l = static_cast<float>(envelope * noise(rng)),
                  r = static_cast<float>(envelope * noise(rng));
            const double level = std::max(1e-30, std::max(std::abs(double(l)), std::abs(double(r))));
            const double overshoot = 20.0 * 0.30102999566398120 * fastLog2(level) - p.thresholdDb;
            const double intoKnee = std::min(std::max(overshoot + halfKnee, 0.0), knee);
            const double target =
                -slope * (intoKnee * intoKnee * inverseTwoKnee + std::max(overshoot - halfKnee, 0.0));
            const double coeff = target > reduction ? attack : release;
            reduction = target + coeff * (reduction - target);
            if (reduction < 1e-9) reduction = 0.0;
            float* channels[2] = {&l, &r};
            comp.process(AudioBlock(channels, 2, 1));
            mismatches += comp.gainReductionDb() == reduction ? 0 : 1;
            released += reduction == 0.0 ? 1 : 0;
        }
        EXPECT_EQ(mismatches, 0) << "attack " << attackMs << " ms, release " << releaseMs << " ms";
        if (releaseMs < 10.0) EXPECT_GT(released, samples(0.01)); // the floor was reached
        EXPECT_GT(comp.maxGainReductionDb(), 1.0);
    }
}
