#include "dsp/IntegratedLoudness.h"
#include "dsp/Decibels.h"
#include "dsp/LoudnessMeter.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

struct Stereo {
    std::vector<float> left, right;
};

// libebur128 in its exact (block list, not histogram) mode: the reference the renderer's fast measurement
// must agree with.
double referenceLufs(const Stereo& x, unsigned rate) {
    ebur128_state* st = ebur128_init(2, rate, EBUR128_MODE_I);
    std::vector<float> interleaved(x.left.size() * 2);
    for (size_t i = 0; i < x.left.size(); ++i) {
        interleaved[2 * i] = x.left[i];
        interleaved[2 * i + 1] = x.right[i];
    }
    ebur128_add_frames_float(st, interleaved.data(), x.left.size());
    double lufs = 0.0;
    ebur128_loudness_global(st, &lufs);
    ebur128_destroy(&st);
    return std::isfinite(lufs) ? lufs : kSilenceDb;
}

// Fed in uneven blocks so segment boundaries fall inside them.
IntegratedLoudness measured(const Stereo& x, double rate) {
    IntegratedLoudness meter;
    meter.prepare(rate);
    const int total = static_cast<int>(x.left.size());
    for (int start = 0, step = 1; start < total; start += step, step = step * 7 % 5003 + 1)
        meter.process(x.left.data() + start, x.right.data() + start, std::min(step, total - start));
    return meter;
}

double measuredLufs(const Stereo& x, double rate) {
    return measured(x, rate).integratedLufs();
}

Stereo sine(double rate, double seconds, double hz, double amplitude) {
    Stereo x;
    const auto n = static_cast<size_t>(rate * seconds);
    for (size_t i = 0; i < n; ++i) {
        const auto v = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * hz * i / rate));
        x.left.push_back(v);
        x.right.push_back(v);
    }
    return x;
}

// Noise in sections 20 dB apart with silences between, so both gates decide which blocks count.
Stereo sectionedNoise(double rate, double seconds, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    Stereo x;
    const auto n = static_cast<size_t>(rate * seconds);
    for (size_t i = 0; i < n; ++i) {
        const double t = i / rate;
        const int section = static_cast<int>(t / 1.3) % 4;
        const double level = section == 0 ? 0.2 : section == 1 ? 0.02 : section == 2 ? 0.0 : 0.1;
        x.left.push_back(static_cast<float>(level * noise(rng)));
        x.right.push_back(static_cast<float>(0.5 * level * noise(rng)));
    }
    return x;
}

} // namespace

TEST(IntegratedLoudness, MatchesLibebur128WithinOneHundredthOfALu) {
    struct Case {
        const char* name;
        Stereo signal;
        double rate;
    };
    std::vector<Case> cases;
    cases.push_back({"1 kHz sine -20 dBFS, 48 kHz", sine(48000, 10, 1000, dbToGain(-20)), 48000});
    cases.push_back({"40 Hz sine (RLB high-pass), 44.1 kHz", sine(44100, 7.3, 40, 0.5), 44100});
    cases.push_back({"12 kHz sine (shelf), 96 kHz", sine(96000, 5, 12000, 0.25), 96000});
    cases.push_back({"sectioned noise, 48 kHz", sectionedNoise(48000, 23.7, 1), 48000});
    cases.push_back({"sectioned noise, 44.1 kHz", sectionedNoise(44100, 17.1, 2), 44100});
    for (const auto& c : cases) {
        const double reference = referenceLufs(c.signal, static_cast<unsigned>(c.rate));
        const double measured = measuredLufs(c.signal, c.rate);
        std::printf("%-40s libebur128 %.4f  ours %.4f LUFS\n", c.name, reference, measured);
        EXPECT_NEAR(measured, reference, 0.01) << c.name;
    }
}

// BS.1770's calibration: a 997 Hz sine at 0 dBFS peak in one channel reads -3.01 LKFS; both channels, +3 dB.
TEST(IntegratedLoudness, CalibrationSineReadsItsStandardLevel) {
    Stereo x = sine(48000, 5, 997, 1.0);
    EXPECT_NEAR(measuredLufs(x, 48000), 0.0, 0.02);
}

TEST(IntegratedLoudness, SilenceAndShortInputReadAsSilence) {
    Stereo silent{std::vector<float>(48000 * 3), std::vector<float>(48000 * 3)};
    EXPECT_EQ(measuredLufs(silent, 48000), kSilenceDb);
    // Under 400 ms there is no complete block.
    EXPECT_EQ(measuredLufs(sine(48000, 0.35, 1000, 0.5), 48000), kSilenceDb);
    // Below the -70 LUFS absolute gate.
    EXPECT_EQ(measuredLufs(sine(48000, 3, 1000, dbToGain(-80)), 48000), kSilenceDb);
}

TEST(IntegratedLoudness, ResetStartsOver) {
    IntegratedLoudness meter;
    meter.prepare(48000);
    Stereo loud = sine(48000, 2, 1000, 0.9), quiet = sine(48000, 2, 1000, 0.09);
    meter.process(loud.left.data(), loud.right.data(), static_cast<int>(loud.left.size()));
    meter.reset();
    meter.process(quiet.left.data(), quiet.right.data(), static_cast<int>(quiet.left.size()));
    EXPECT_NEAR(meter.integratedLufs(), referenceLufs(quiet, 48000), 0.01);
}

// Max momentary and short-term against LoudnessMeter, which asks libebur128 on the same 100 ms grid.
TEST(IntegratedLoudness, MaxMomentaryAndShortTermMatchLoudnessMeter) {
    struct Case {
        const char* name;
        Stereo signal;
        double rate;
    };
    std::vector<Case> cases;
    cases.push_back({"sectioned noise, 48 kHz", sectionedNoise(48000, 23.7, 3), 48000});
    cases.push_back({"sectioned noise, 44.1 kHz", sectionedNoise(44100, 9.9, 4), 44100});
    cases.push_back({"short sine (windows reach before the start)", sine(48000, 1.25, 440, 0.5), 48000});
    for (const auto& c : cases) {
        LoudnessMeter reference;
        const int total = static_cast<int>(c.signal.left.size());
        reference.prepare(c.rate, 4096, 2, LoudnessMeter::Momentary | LoudnessMeter::ShortTerm);
        IntegratedLoudness ours;
        ours.prepare(c.rate);
        for (int start = 0; start < total; start += 4096) {
            const int n = std::min(4096, total - start);
            float* channels[2] = {const_cast<float*>(c.signal.left.data()) + start,
                                  const_cast<float*>(c.signal.right.data()) + start};
            reference.process(AudioBlock(channels, 2, n));
            ours.process(channels[0], channels[1], n);
        }
        std::printf("%-45s M %.4f / %.4f  S %.4f / %.4f\n", c.name, reference.maxMomentaryLufs(),
                    ours.maxMomentaryLufs(), reference.maxShortTermLufs(), ours.maxShortTermLufs());
        EXPECT_NEAR(ours.maxMomentaryLufs(), reference.maxMomentaryLufs(), 0.01) << c.name;
        EXPECT_NEAR(ours.maxShortTermLufs(), reference.maxShortTermLufs(), 0.01) << c.name;
    }
    IntegratedLoudness silent;
    silent.prepare(48000);
    std::vector<float> zeros(48000);
    silent.process(zeros.data(), zeros.data(), 48000);
    EXPECT_EQ(silent.maxMomentaryLufs(), kSilenceDb);
    EXPECT_EQ(silent.maxShortTermLufs(), kSilenceDb);
}

namespace {

double measuredRangeLu(const Stereo& x, double rate) {
    return measured(x, rate).loudnessRangeLu();
}

// Stereo 1 kHz sine in sections of (seconds, dBFS).
Stereo steps(std::initializer_list<std::pair<double, double>> sections) {
    Stereo x;
    for (const auto& [seconds, db] : sections) {
        const Stereo s = sine(48000, seconds, 1000, dbToGain(db));
        x.left.insert(x.left.end(), s.left.begin(), s.left.end());
        x.right.insert(x.right.end(), s.right.begin(), s.right.end());
    }
    return x;
}

// The slow obvious Tech 3342: libebur128's own short-term loudness read every 100 ms once 3 s are in, gated
// and ranked here, with the percentiles at rank round(p n) as IntegratedLoudness documents.
double referenceRangeLu(const Stereo& x, unsigned rate) {
    ebur128_state* st = ebur128_init(2, rate, EBUR128_MODE_S);
    const size_t hop = (rate + 5) / 10;
    std::vector<double> loudness;
    std::vector<float> interleaved(hop * 2);
    for (size_t start = 0, k = 1; start + hop <= x.left.size(); start += hop, ++k) {
        for (size_t i = 0; i < hop; ++i) {
            interleaved[2 * i] = x.left[start + i];
            interleaved[2 * i + 1] = x.right[start + i];
        }
        ebur128_add_frames_float(st, interleaved.data(), hop);
        double s = 0.0;
        if (k >= 30 && ebur128_loudness_shortterm(st, &s) == EBUR128_SUCCESS && s >= -70.0)
            loudness.push_back(s);
    }
    ebur128_destroy(&st);
    if (loudness.empty()) return 0.0;
    double meanPower = 0.0;
    for (double l : loudness)
        meanPower += std::pow(10.0, l / 10.0) / static_cast<double>(loudness.size());
    const double gate = 10.0 * std::log10(meanPower) - 20.0;
    std::vector<double> kept;
    for (double l : loudness)
        if (l >= gate) kept.push_back(l);
    std::sort(kept.begin(), kept.end());
    const auto at = [&](double p) {
        const long rank = std::lround(p * static_cast<double>(kept.size()));
        return kept[static_cast<size_t>(std::clamp(rank - 1, 0L, static_cast<long>(kept.size()) - 1))];
    };
    return at(0.95) - at(0.10);
}

} // namespace

// EBU Tech 3342 (2016) cases 1-4: stereo 1 kHz sines in level steps, whose loudness ranges are the steps.
// The standard allows +-1 LU; exact percentiles of exact window energies land on the steps.
TEST(IntegratedLoudness, LoudnessRangeOfEbuTech3342Cases1To4) {
    EXPECT_NEAR(measuredRangeLu(steps({{20, -20}, {20, -30}}), 48000), 10.0, 0.05);
    EXPECT_NEAR(measuredRangeLu(steps({{20, -20}, {20, -15}}), 48000), 5.0, 0.05);
    EXPECT_NEAR(measuredRangeLu(steps({{20, -40}, {20, -20}}), 48000), 20.0, 0.05);
    EXPECT_NEAR(measuredRangeLu(steps({{20, -50}, {20, -35}, {20, -20}, {20, -35}, {20, -50}}), 48000), 15.0,
                0.05);
}

// Against the slow obvious computation on libebur128's short-term readings: noise in sections 20 dB apart
// with silences (both gates decide), at 48 and 44.1 kHz.
TEST(IntegratedLoudness, LoudnessRangeMatchesShortTermReadingsRankedByHand) {
    for (const unsigned rate : {48000u, 44100u}) {
        const Stereo x = sectionedNoise(rate, 41.3, 5 + rate % 7);
        const double reference = referenceRangeLu(x, rate);
        const double ours = measuredRangeLu(x, rate);
        std::printf("%u Hz: LRA %.4f (reference %.4f)\n", rate, ours, reference);
        EXPECT_GT(reference, 1.0);
        EXPECT_NEAR(ours, reference, 0.02);
    }
    EXPECT_EQ(measuredRangeLu(sine(48000, 2.9, 1000, 0.1), 48000), 0.0); // no complete 3 s window
    EXPECT_EQ(measuredRangeLu(Stereo{std::vector<float>(480000), std::vector<float>(480000)}, 48000), 0.0);
}
