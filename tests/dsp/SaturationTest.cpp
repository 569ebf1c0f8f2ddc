#include "dsp/Saturation.h"
#include "dsp/Decibels.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <iostream>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kFs = 48000.0;

std::vector<float> sine(double frequency, double amplitude, int frames) {
    std::vector<float> x(static_cast<std::size_t>(frames));
    for (int i = 0; i < frames; ++i)
        x[static_cast<std::size_t>(i)] =
            static_cast<float>(amplitude * std::sin(2.0 * kPi * frequency * i / kFs));
    return x;
}

// Mono signal through a Saturation in 512-frame blocks (last one shorter), in place.
void run(Saturation& sat, std::vector<float>& x, int block = 512) {
    const int total = static_cast<int>(x.size());
    for (int start = 0; start < total; start += block) {
        float* p = x.data() + start;
        sat.process(AudioBlock(&p, 1, std::min(block, total - start)));
    }
}

// Magnitudes of bins 0 .. N/2 of an N-point DFT in double (table of twiddles, so exact bin frequencies). With
// coherent sampling (every component an integer number of cycles in N) there is no leakage and no window.
std::vector<double> spectrum(const std::vector<float>& x, int from, int n) {
    std::vector<std::complex<double>> twiddle(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k)
        twiddle[static_cast<std::size_t>(k)] = std::polar(1.0, -2.0 * kPi * k / n);
    std::vector<double> magnitude(static_cast<std::size_t>(n / 2 + 1));
    for (int bin = 0; bin <= n / 2; ++bin) {
        std::complex<double> sum = 0.0;
        long long index = 0;
        for (int i = 0; i < n; ++i) {
            sum += static_cast<double>(x[static_cast<std::size_t>(from + i)]) *
                   twiddle[static_cast<std::size_t>(index)];
            index += bin;
            if (index >= n) index -= n;
        }
        magnitude[static_cast<std::size_t>(bin)] = std::abs(sum) * (bin == 0 ? 1.0 : 2.0) / n;
    }
    return magnitude;
}

// Worst component at a bin that is not a multiple of the fundamental's bin (DC counts as harmonic 0), in dB
// relative to the fundamental.
double worstNonHarmonicDb(const std::vector<double>& magnitude, int fundamentalBin) {
    double worst = 0.0;
    for (int bin = 1; bin < static_cast<int>(magnitude.size()); ++bin)
        if (bin % fundamentalBin != 0) worst = std::max(worst, magnitude[static_cast<std::size_t>(bin)]);
    return gainToDb(worst / magnitude[static_cast<std::size_t>(fundamentalBin)]);
}

double aliasingDb(SaturationMode mode, int factor) {
    Saturation sat;
    sat.setMode(mode);
    sat.setDriveDb(12.0);
    sat.prepare(kFs, 512, 1, factor);
    // 1 s to settle: the tape curve's DC offset decays through the 2 Hz DC blocker with an 80 ms time
    // constant and would otherwise leak into the lowest bins.
    auto x = sine(9000.0, 1.0, 48000 + 4800); // 0 dBFS
    run(sat, x);
    // 4800 frames = 0.1 s: 10 Hz bins; 9 kHz and every harmonic and alias (all multiples of 3 kHz) fall on
    // bins.
    return worstNonHarmonicDb(spectrum(x, 48000, 4800), 900);
}

} // namespace

TEST(SaturationCurves, UnitSlopeAtOriginAndSoftClipCeiling) {
    for (double drive : {1.0, 2.0, 4.0, 63.0}) {
        const double h = 1e-6;
        EXPECT_NEAR((softClipCurve(h, drive) - softClipCurve(-h, drive)) / (2 * h), 1.0, 1e-6);
        EXPECT_NEAR((tapeCurve(h, drive) - tapeCurve(-h, drive)) / (2 * h), 1.0, 1e-6);
        EXPECT_EQ(softClipCurve(0.0, drive), 0.0);
        EXPECT_EQ(tapeCurve(0.0, drive), 0.0);
        for (double x : {0.5, 1.0, 10.0, 1e6})
            EXPECT_LE(std::abs(softClipCurve(x, drive)), 1.0 / drive);
        // Asymmetry: the tape curve gives way earlier on one side.
        EXPECT_NE(std::abs(tapeCurve(0.8, drive)), std::abs(tapeCurve(-0.8, drive)));
    }
}

// -40 dBFS 1 kHz: output equals the input delayed by latencyFrames() at unity gain (least-squares gain of out
// against the delayed input, within 0.05 dB), for both modes, every factor and drive up to +12 dB.
TEST(Saturation, SmallSignalGainIsUnityAfterLatency) {
    for (SaturationMode mode : {SaturationMode::SoftClip, SaturationMode::Tape}) {
        for (int factor : {1, 2, 4, 8}) {
            for (double drive : {0.0, 6.0, 12.0}) {
                Saturation sat;
                sat.setMode(mode);
                sat.setDriveDb(drive);
                sat.prepare(kFs, 512, 1, factor);
                const int latency = sat.latencyFrames();
                const auto in = sine(1000.0, 0.01, 24000);
                auto out = in;
                run(sat, out);
                double cross = 0.0, energy = 0.0, residual = 0.0;
                for (int i = 4800; i < 24000; ++i) {
                    const double d = in[static_cast<std::size_t>(i - latency)];
                    cross += out[static_cast<std::size_t>(i)] * d;
                    energy += d * d;
                }
                const double gain = cross / energy;
                for (int i = 4800; i < 24000; ++i) {
                    const double e =
                        out[static_cast<std::size_t>(i)] - gain * in[static_cast<std::size_t>(i - latency)];
                    residual += e * e;
                }
                EXPECT_NEAR(gainToDb(gain), 0.0, 0.05)
                    << static_cast<int>(mode) << " " << factor << "x " << drive;
                // Aligned: what is left after removing the delayed input is distortion, not a misaligned copy
                // (one frame of misalignment at 1 kHz would leave -18 dB).
                EXPECT_LT(powerToDb(residual / energy), -30.0)
                    << static_cast<int>(mode) << " " << factor << "x";
            }
        }
    }
}

// Soft clip output never exceeds 1.0, for input from 0 dBFS to +120 dB over full scale, sines low and high
// and full-scale-plus noise, at the lowest drive (where the curve's ceiling is 1.0 and band-limiting
// overshoots it).
TEST(Saturation, SoftClipOutputNeverExceedsOne) {
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    for (int factor : {1, 4, 8}) {
        for (double drive : {0.0, 12.0}) {
            for (double amplitude : {1.0, 2.0, 10.0, 1000.0, 1e6}) {
                Saturation sat;
                sat.setDriveDb(drive);
                sat.prepare(kFs, 512, 1, factor);
                std::vector<float> x;
                for (double f : {100.0, 1000.0, 9000.0, 19000.0}) {
                    const auto s = sine(f, amplitude, 4800);
                    x.insert(x.end(), s.begin(), s.end());
                }
                for (int i = 0; i < 4800; ++i)
                    x.push_back(static_cast<float>(amplitude) * noise(rng));
                run(sat, x);
                float peak = 0.0f;
                for (float v : x)
                    peak = std::max(peak, std::abs(v));
                EXPECT_LE(peak, 1.0f) << factor << "x drive " << drive << " amplitude " << amplitude;
            }
        }
    }
}

// Harmonic content of a 1 kHz sine against the curves' Taylor series (independent of the code): tanh(u) = u -
// u^3/3 gives a 3rd harmonic of (g a)^2 / 12 relative to the fundamental and no even ones; the tape curve's
// x^2 term -tanh(b) g x^2 gives a 2nd harmonic of tanh(b) g a / 2 with b = 0.15.
TEST(Saturation, SoftClipMakesOddHarmonicsTapeMakesSecond) {
    const double a = 0.05;
    const double g = 4.0; // +12.04 dB
    {
        Saturation sat;
        sat.setMode(SaturationMode::SoftClip);
        sat.setDriveDb(gainToDb(g));
        sat.prepare(kFs, 512, 1);
        auto x = sine(1000.0, a, 9600);
        run(sat, x);
        const auto m = spectrum(x, 4800, 4800); // 10 Hz bins: 1 kHz is bin 100
        const double third = gainToDb(m[300] / m[100]);
        const double expected = gainToDb((g * a) * (g * a) / 12.0);
        std::cout << "soft clip 3rd " << third << " dB (Taylor " << expected << "), 5th "
                  << gainToDb(m[500] / m[100]) << " dB, 2nd " << gainToDb(m[200] / m[100]) << " dB\n";
        EXPECT_NEAR(third, expected, 0.5); // next Taylor term changes it by (g a)^2 / 2 = 2 %
        EXPECT_GT(gainToDb(m[500] / m[100]), -100.0);
        EXPECT_LT(gainToDb(m[200] / m[100]), -110.0);
        EXPECT_LT(gainToDb(m[400] / m[100]), -110.0);
    }
    {
        Saturation sat;
        sat.setMode(SaturationMode::Tape);
        sat.setDriveDb(0.0);
        sat.prepare(kFs, 512, 1);
        auto x = sine(1000.0, a, 9600);
        run(sat, x);
        const auto m = spectrum(x, 4800, 4800);
        const double second = gainToDb(m[200] / m[100]);
        const double expected = gainToDb(std::tanh(0.15) * 1.0 * a / 2.0);
        std::cout << "tape 2nd " << second << " dB (Taylor " << expected << "), 3rd "
                  << gainToDb(m[300] / m[100]) << " dB\n";
        EXPECT_NEAR(second, expected, 0.5);
        EXPECT_GT(second, -60.0);
    }
}

// 0 dBFS 9 kHz at 48 kHz, +12 dB drive: its harmonics from 27 kHz up would fold to 21, 3, 15 ... kHz. At 8x
// every non-harmonic component is 80 dB below the fundamental, and at least 30 dB better than without
// oversampling (which shows the measurement can see aliasing).
TEST(Saturation, OversamplingSuppressesAliasing) {
    for (SaturationMode mode : {SaturationMode::SoftClip, SaturationMode::Tape}) {
        const double at8x = aliasingDb(mode, 8);
        const double at1x = aliasingDb(mode, 1);
        std::cout << (mode == SaturationMode::SoftClip ? "soft clip" : "tape") << ": worst alias " << at8x
                  << " dB at 8x, " << at1x << " dB at 1x, " << aliasingDb(mode, 2) << " dB at 2x, "
                  << aliasingDb(mode, 4) << " dB at 4x\n";
        EXPECT_LT(at8x, -80.0);
        EXPECT_LT(at8x, at1x - 30.0);
    }
}

// Mix 0 is exactly the input delayed by latencyFrames(), bit for bit, for every factor and both modes.
TEST(Saturation, MixZeroIsDelayedDry) {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> dist(-1.5f, 1.5f);
    std::vector<float> in(3000);
    for (auto& v : in)
        v = dist(rng);
    for (SaturationMode mode : {SaturationMode::SoftClip, SaturationMode::Tape}) {
        for (int factor : {1, 2, 4, 8}) {
            Saturation sat;
            sat.setMode(mode);
            sat.setDriveDb(18.0);
            sat.setMix(0.0);
            sat.prepare(kFs, 512, 1, factor);
            const int latency = sat.latencyFrames();
            auto out = in;
            run(sat, out, 100);
            for (int i = 0; i < 3000; ++i) {
                const float expected = i < latency ? 0.0f : in[static_cast<std::size_t>(i - latency)];
                ASSERT_EQ(out[static_cast<std::size_t>(i)], expected) << factor << "x, frame " << i;
            }
        }
    }
}

// Mix 0.5 at low level: dry and wet are aligned so they add in phase (no comb filtering): unity gain again.
TEST(Saturation, HalfMixAddsInPhase) {
    Saturation sat;
    sat.setMix(0.5);
    sat.prepare(kFs, 512, 1, 8);
    auto x = sine(15000.0, 0.01, 9600);
    run(sat, x);
    const auto m = spectrum(x, 4800, 4800);
    EXPECT_NEAR(gainToDb(m[1500] / 0.01), 0.0, 0.01);
}

TEST(Saturation, StereoChannelsAreIndependentAndBlockSizeDoesNotMatter) {
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> l(2000), r(2000);
    for (auto& v : l)
        v = dist(rng);
    for (auto& v : r)
        v = 0.3f * dist(rng);
    std::vector<std::vector<float>> results;
    for (int block : {2000, 1, 333}) {
        Saturation sat;
        sat.setMode(SaturationMode::Tape);
        sat.setDriveDb(9.0);
        sat.setMix(0.7);
        sat.prepare(kFs, 2000, 2);
        auto ol = l, orr = r;
        for (int start = 0; start < 2000; start += block) {
            float* p[2] = {ol.data() + start, orr.data() + start};
            sat.process(AudioBlock(p, 2, std::min(block, 2000 - start)));
        }
        results.push_back(ol);
        results.push_back(orr);
        // Right alone gives the same right output: no cross-talk.
        Saturation mono;
        mono.setMode(SaturationMode::Tape);
        mono.setDriveDb(9.0);
        mono.setMix(0.7);
        mono.prepare(kFs, 2000, 1);
        auto onlyRight = r;
        run(mono, onlyRight, 2000);
        EXPECT_EQ(onlyRight, orr);
    }
    EXPECT_EQ(results[0], results[2]);
    EXPECT_EQ(results[0], results[4]);
    EXPECT_EQ(results[1], results[3]);
}

TEST(Saturation, DoesNotAllocateInProcessOrSetters) {
    Saturation sat;
    sat.prepare(kFs, 512, 2, 8);
    std::vector<float> l(512, 0.5f), r(512, -0.5f);
    float* p[2] = {l.data(), r.data()};
    lathe::test::armMallocCounter();
    sat.process(AudioBlock(p, 2, 512));
    sat.setDriveDb(20.0);
    sat.setMix(0.3);
    sat.setMode(SaturationMode::Tape);
    sat.process(AudioBlock(p, 2, 17));
    sat.reset();
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
}
