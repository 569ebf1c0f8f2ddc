#include "dsp/IntegratedLoudness.h"
#include "dsp/Decibels.h"
#include "dsp/LoudnessMeter.h"

#include <ebur128.h>
#include <gtest/gtest.h>

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
double measuredLufs(const Stereo& x, double rate) {
    IntegratedLoudness meter;
    meter.prepare(rate);
    const int total = static_cast<int>(x.left.size());
    for (int start = 0, step = 1; start < total; start += step, step = step * 7 % 5003 + 1)
        meter.process(x.left.data() + start, x.right.data() + start, std::min(step, total - start));
    return meter.integratedLufs();
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
