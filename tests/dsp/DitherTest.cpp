#include "dsp/Dither.h"
#include "dsp/Decibels.h"

#include "support/MallocCounter.h"
#include <fftw3.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

struct Stereo {
    std::vector<float> l, r;
};

Stereo sine(double frequency, double dbfs, int frames) {
    Stereo s{std::vector<float>(static_cast<std::size_t>(frames)), {}};
    const double amp = dbfs <= kSilenceDb ? 0.0 : dbToGain(dbfs);
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    for (int i = 0; i < frames; ++i)
        s.l[static_cast<std::size_t>(i)] = static_cast<float>(amp * std::sin(w * i));
    s.r = s.l;
    return s;
}

Stereo dithered(Stereo s, int bits, bool shaping, uint64_t seed = 42, int blockFrames = 512) {
    Dither d;
    d.setBitDepth(bits);
    d.setNoiseShaping(shaping);
    d.setSeed(seed);
    d.prepare(kFs, blockFrames, 2);
    float* p[2] = {s.l.data(), s.r.data()};
    const AudioBlock all(p, 2, static_cast<int>(s.l.size()));
    for (int start = 0; start < all.numFrames(); start += blockFrames)
        d.process(all.subBlock(start, std::min(blockFrames, all.numFrames() - start)));
    return s;
}

// Total error out - in in LSB, for one channel.
std::vector<double> errorLsb(const std::vector<float>& in, const std::vector<float>& out, int bits) {
    const double scale = std::ldexp(1.0, bits - 1);
    std::vector<double> e(in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        e[i] = (static_cast<double>(out[i]) - static_cast<double>(in[i])) * scale;
    return e;
}

double mean(const std::vector<double>& x) {
    double s = 0.0;
    for (double v : x)
        s += v;
    return s / static_cast<double>(x.size());
}

double variance(const std::vector<double>& x) {
    const double m = mean(x);
    double s = 0.0;
    for (double v : x)
        s += (v - m) * (v - m);
    return s / static_cast<double>(x.size());
}

// Amplitude of the `frequency` component by least-squares projection onto sin and cos over whole cycles.
double sineAmplitude(const std::vector<float>& x, double frequency) {
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    double s = 0.0, c = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        s += x[i] * std::sin(w * static_cast<double>(i));
        c += x[i] * std::cos(w * static_cast<double>(i));
    }
    return 2.0 * std::hypot(s, c) / static_cast<double>(x.size());
}

} // namespace

// The output lands exactly on k / 2^(bits-1) inside [-1, 1 - LSB], including for over-full-scale input.
TEST(Dither, OutputIsOnTheGrid) {
    for (int bits : {16, 20, 24}) {
        for (bool shaping : {false, true}) {
            const auto in = sine(997.0, 1.0, 48000); // peaks hit +-1.0: both clamp limits are exercised
            const auto out = dithered(in, bits, shaping);
            const double scale = std::ldexp(1.0, bits - 1);
            for (const auto* ch : {&out.l, &out.r})
                for (float v : *ch) {
                    const double k = static_cast<double>(v) * scale;
                    ASSERT_EQ(k, std::round(k)) << bits;
                    ASSERT_GE(k, -scale);
                    ASSERT_LE(k, scale - 1.0);
                }
        }
    }
}

// A -140 dBFS sine is 1.5 dB under the 24-bit LSB (-138.5 dBFS). TPDF dither keeps it as a sine inside the
// noise: over 5 s its fitted level is still -140 dB (the fit's noise is ~0.02 dB there). Plain rounding would
// turn it into a +-1 LSB pulse train whose fundamental reads -138.3 dB ((4/pi) cos(asin(0.5/0.839)) LSB).
TEST(Dither, SubLsbSineSurvivesAt24Bit) {
    const auto in = sine(1000.0, -140.0, 5 * 48000);
    const auto out = dithered(in, 24, false);
    const long nonZero = std::count_if(out.l.begin(), out.l.end(), [](float v) { return v != 0.0f; });
    EXPECT_GT(nonZero, 48000);
    EXPECT_NEAR(gainToDb(sineAmplitude(out.l, 1000.0)), -140.0, 1.0);
    EXPECT_NEAR(gainToDb(sineAmplitude(out.r, 1000.0)), -140.0, 1.0);
}

// Without shaping the error is TPDF (variance 1/6 LSB^2) plus rounding (1/12): LSB^2/4 in total, zero mean,
// at most 1.5 LSB, and the same for silence, -60 dBFS and -6 dBFS (no noise modulation).
TEST(Dither, FlatErrorStatisticsDoNotDependOnSignal) {
    for (int bits : {16, 24}) {
        for (double level : {kSilenceDb, -60.0, -6.0}) {
            const auto in = sine(1000.0, level, 4 * 48000);
            const auto out = dithered(in, bits, false);
            for (int c = 0; c < 2; ++c) {
                const auto e = errorLsb(c == 0 ? in.l : in.r, c == 0 ? out.l : out.r, bits);
                EXPECT_NEAR(mean(e), 0.0, 0.01) << bits << " bits, " << level << " dBFS";
                EXPECT_NEAR(variance(e), 0.25, 0.25 * 0.05) << bits << " bits, " << level << " dBFS";
                double worst = 0.0;
                for (double v : e)
                    worst = std::max(worst, std::abs(v));
                EXPECT_LE(worst, 1.5) << bits << " bits, " << level << " dBFS";
            }
        }
    }
}

// Channels run independent generators: with identical input the two channels' errors are uncorrelated.
TEST(Dither, ChannelsAreIndependent) {
    const auto in = sine(1000.0, -30.0, 4 * 48000);
    const auto out = dithered(in, 16, false);
    const auto el = errorLsb(in.l, out.l, 16);
    const auto er = errorLsb(in.r, out.r, 16);
    double lr = 0.0;
    for (std::size_t i = 0; i < el.size(); ++i)
        lr += el[i] * er[i];
    const double r = lr / static_cast<double>(el.size()) / std::sqrt(variance(el) * variance(er));
    EXPECT_LT(std::abs(r), 0.02);
}

TEST(Dither, SameSeedSameOutput) {
    const auto in = sine(440.0, -20.0, 48000);
    const auto a = dithered(in, 16, true, 7, 512);
    const auto b = dithered(in, 16, true, 7, 33); // block size must not matter either
    const auto c = dithered(in, 16, true, 8, 512);
    EXPECT_EQ(a.l, b.l);
    EXPECT_EQ(a.r, b.r);
    EXPECT_NE(a.l, c.l);
}

// The seed acts when it is set: seeding after prepare() gives the stream seeding before it gives, and a
// seed set in the middle of a run restarts the generators as a fresh unit with that seed would.
TEST(Dither, SeedActsWhenSet) {
    const auto in = sine(440.0, -20.0, 4800);
    const auto seededFirst = dithered(in, 16, false, 7);

    auto seededAfter = in;
    Dither d;
    d.setBitDepth(16);
    d.prepare(kFs, 512, 2);
    d.setSeed(7);
    float* p[2] = {seededAfter.l.data(), seededAfter.r.data()};
    d.process(AudioBlock(p, 2, 4800));
    EXPECT_EQ(seededAfter.l, seededFirst.l);
    EXPECT_EQ(seededAfter.r, seededFirst.r);

    auto reseeded = in;
    float* q[2] = {reseeded.l.data(), reseeded.r.data()};
    d.setSeed(7);
    d.process(AudioBlock(q, 2, 4800));
    EXPECT_EQ(reseeded.l, seededFirst.l);
}

// Shaped error: total power is 6x flat TPDF (1 + 4 + 1, the squared taps of (1 - z^-1)^2), and its spectrum
// follows |NTF|^2 = (2 sin(pi f / fs))^4. Measured with a Welch estimate (4096-point Hann, 50 % overlap); the
// band ratio 1-4 kHz vs 15-20 kHz must match the analytic 27.5 dB within 1 dB.
TEST(Dither, NoiseShapingMovesNoiseUp) {
    for (int bits : {16, 24}) {
        const auto in = sine(1000.0, -20.0, 20 * 48000);
        const auto out = dithered(in, bits, true);
        const auto e = errorLsb(in.l, out.l, bits);
        EXPECT_NEAR(variance(e), 1.5, 1.5 * 0.05) << bits;

        constexpr int n = 4096;
        float* buf = fftwf_alloc_real(n);
        fftwf_complex* spec = fftwf_alloc_complex(n / 2 + 1);
        fftwf_plan plan = fftwf_plan_dft_r2c_1d(n, buf, spec, FFTW_ESTIMATE);
        std::vector<double> psd(n / 2 + 1, 0.0);
        for (std::size_t start = 0; start + n <= e.size(); start += n / 2) {
            for (int i = 0; i < n; ++i)
                buf[i] = static_cast<float>(e[start + static_cast<std::size_t>(i)] *
                                            (0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / n)));
            fftwf_execute(plan);
            for (int k = 0; k <= n / 2; ++k)
                psd[static_cast<std::size_t>(k)] += spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
        }
        fftwf_destroy_plan(plan);
        fftwf_free(buf);
        fftwf_free(spec);

        auto bandMean = [&](double lo, double hi, bool analytic) {
            double sum = 0.0;
            int count = 0;
            for (int k = 0; k <= n / 2; ++k) {
                const double f = k * kFs / n;
                if (f < lo || f > hi) continue;
                sum += analytic ? std::pow(2.0 * std::sin(std::numbers::pi * f / kFs), 4.0)
                                : psd[static_cast<std::size_t>(k)];
                ++count;
            }
            return sum / count;
        };
        const double measuredDb =
            10.0 * std::log10(bandMean(15000.0, 20000.0, false) / bandMean(1000.0, 4000.0, false));
        const double expectedDb =
            10.0 * std::log10(bandMean(15000.0, 20000.0, true) / bandMean(1000.0, 4000.0, true));
        EXPECT_NEAR(expectedDb, 27.5, 0.1); // the figure documented in Dither.h
        EXPECT_NEAR(measuredDb, expectedDb, 1.0) << bits;
    }
}

TEST(Dither, ProcessDoesNotAllocate) {
#ifdef LATHE_COUNT_MALLOC
    auto s = sine(1000.0, -10.0, 48000);
    float* p[2] = {s.l.data(), s.r.data()};
    const AudioBlock all(p, 2, 48000);
    Dither d;
    d.setNoiseShaping(true);
    d.prepare(kFs, 480, 2);
    lathe::test::armMallocCounter();
    for (int start = 0; start < 48000; start += 480)
        d.process(all.subBlock(start, 480));
    d.setBitDepth(16);
    d.setNoiseShaping(false);
    d.reset();
    d.process(all.subBlock(0, 480));
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
#else
    GTEST_SKIP() << "allocation counting is off under sanitizers";
#endif
}

// A stereo block takes the SSE2 path (both generators in one register); any other channel count the scalar
// loop. Channels 0 and 1 of a three-channel block must come out bit for bit as the stereo block: with and
// without noise shaping, at 16 and 24 bits, through clipping, a NaN, and inputs so large that the vector
// floor hands the lane to std::floor.
TEST(Dither, StereoPathMatchesTheScalarLoop) {
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 0.4f);
    const int frames = 20000;
    Stereo in{std::vector<float>(frames), std::vector<float>(frames)};
    for (int i = 0; i < frames; ++i) {
        in.l[static_cast<std::size_t>(i)] = noise(rng);
        in.r[static_cast<std::size_t>(i)] = noise(rng) * (i % 3000 < 1500 ? 1.0f : 1e-6f);
    }
    in.l[100] = 3.0f;
    in.r[101] = -7.5f;
    in.l[200] = 1e30f; // 2^51 and beyond once scaled
    in.r[200] = -3e12f;
    in.l[300] = std::numeric_limits<float>::quiet_NaN();
    for (const int bits : {16, 24})
        for (const bool shaping : {false, true}) {
            SCOPED_TRACE(std::to_string(bits) + (shaping ? " bits, shaped" : " bits"));
            const Stereo stereo = dithered(in, bits, shaping, 9, 333);
            Dither d;
            d.setBitDepth(bits);
            d.setNoiseShaping(shaping);
            d.setSeed(9);
            d.prepare(kFs, 333, 3);
            std::vector<float> l = in.l, r = in.r, third(in.l.size(), 0.25f);
            float* p[3] = {l.data(), r.data(), third.data()};
            const AudioBlock all(p, 3, frames);
            for (int start = 0; start < frames; start += 333)
                d.process(all.subBlock(start, std::min(333, frames - start)));
            int differing = 0;
            for (int i = 0; i < frames; ++i) {
                const auto k = static_cast<std::size_t>(i);
                const bool sameL = std::memcmp(&l[k], &stereo.l[k], sizeof(float)) == 0;
                const bool sameR = std::memcmp(&r[k], &stereo.r[k], sizeof(float)) == 0;
                differing += (sameL ? 0 : 1) + (sameR ? 0 : 1);
            }
            EXPECT_EQ(differing, 0);
            EXPECT_TRUE(std::isnan(stereo.l[300]));
            EXPECT_EQ(stereo.l[200], 1.0f - static_cast<float>(std::ldexp(1.0, 1 - bits)));
            EXPECT_EQ(stereo.r[200], -1.0f);
        }
}
