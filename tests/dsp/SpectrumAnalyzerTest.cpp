#include "dsp/SpectrumAnalyzer.h"
#include "dsp/Decibels.h"

#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
// Hann scalloping loss half a bin off centre: |W(0.5)| / |W(0)| = (1/pi + 1/(2 pi) - 1/(6 pi)) / 0.5, i.e.
// 8/(3 pi).
const double kHannWorstScallopDb = 20.0 * std::log10(8.0 / (3.0 * std::numbers::pi)); // -1.4236 dB

void feed(SpectrumAnalyzer& a, std::vector<float>& l, std::vector<float>& r, int blockFrames) {
    float* p[2] = {l.data(), r.data()};
    const AudioBlock all(p, 2, static_cast<int>(l.size()));
    for (int start = 0; start < all.numFrames(); start += blockFrames)
        a.process(all.subBlock(start, std::min(blockFrames, all.numFrames() - start)));
}

std::vector<float> sine(double frequency, double amplitude, int frames) {
    std::vector<float> x(static_cast<std::size_t>(frames));
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    for (int i = 0; i < frames; ++i)
        x[static_cast<std::size_t>(i)] = static_cast<float>(amplitude * std::sin(w * i + 0.3));
    return x;
}

int argmax(const SpectrumAnalyzer& a) {
    std::vector<float> m(static_cast<std::size_t>(a.numBins()));
    a.copyMagnitudesDb(m.data(), a.numBins());
    return static_cast<int>(std::max_element(m.begin(), m.end()) - m.begin());
}

} // namespace

// A -6 dBFS sine exactly on bin k (on both channels, so the mono fold-down is the same sine) reads -6.0 at
// bin k, and that bin is the peak.
TEST(SpectrumAnalyzer, CentredSineReadsItsLevel) {
    for (int size : {1024, 4096, 8192}) {
        for (int bin : {5, 37, size / 8, size / 2 - 10}) {
            SpectrumAnalyzer a;
            a.prepare(kFs, 512, 2, size);
            ASSERT_EQ(a.numBins(), size / 2 + 1);
            EXPECT_DOUBLE_EQ(a.binFrequency(bin), bin * kFs / size);
            auto l = sine(a.binFrequency(bin), dbToGain(-6.0), 3 * size);
            auto r = l;
            feed(a, l, r, 512);
            EXPECT_NEAR(a.magnitudeDb(bin), -6.0, 0.05) << size << " bin " << bin;
            EXPECT_EQ(argmax(a), bin) << size;
        }
    }
}

// The FFT size is a prepare() argument: preparing again at another size re-plans, and the analyser then
// reads with the new bins.
TEST(SpectrumAnalyzer, PrepareAgainChangesTheSize) {
    SpectrumAnalyzer a;
    a.prepare(kFs, 512, 2, 1024);
    ASSERT_EQ(a.size(), 1024);
    a.prepare(kFs, 512, 2, 8192);
    ASSERT_EQ(a.size(), 8192);
    ASSERT_EQ(a.numBins(), 4097);
    auto l = sine(a.binFrequency(300), dbToGain(-6.0), 3 * 8192);
    auto r = l;
    feed(a, l, r, 512);
    EXPECT_NEAR(a.magnitudeDb(300), -6.0, 0.05);
    EXPECT_EQ(argmax(a), 300);
}

// Between bins a sine reads low by the Hann scalloping loss, never more than 1.42 dB; half a bin off is the
// worst.
TEST(SpectrumAnalyzer, OffBinSineWithinScallopingLoss) {
    for (int size : {1024, 4096, 8192}) {
        SpectrumAnalyzer a;
        a.prepare(kFs, 512, 2, size);
        const int bin = size / 16;
        for (double offset = 0.0; offset <= 1.0; offset += 0.125) {
            a.reset();
            auto l = sine((bin + offset) * kFs / size, 1.0, 3 * size);
            auto r = l;
            feed(a, l, r, 512);
            const double peak = a.magnitudeDb(argmax(a));
            EXPECT_LE(peak, 0.05) << size << " offset " << offset;
            EXPECT_GE(peak, kHannWorstScallopDb - 0.05) << size << " offset " << offset;
            if (offset == 0.5) {
                EXPECT_NEAR(peak, kHannWorstScallopDb, 0.05) << size;
            }
        }
    }
}

// White noise of variance s^2: E|X_k|^2 = s^2 sum(w^2) = s^2 * 3N/8 for the periodic Hann; with the amplitude
// scale 4/N that is 6 s^2 / N per bin (= 4 s^2 * ENBW / N, ENBW = 1.5 bins). Averaged over bins and frames.
TEST(SpectrumAnalyzer, WhiteNoiseMatchesEnbw) {
    for (int size : {1024, 4096, 8192}) {
        const double sigma = 0.1;
        std::mt19937 rng(99);
        std::normal_distribution<double> gauss(0.0, sigma);
        SpectrumAnalyzer a;
        a.prepare(kFs, 512, 2, size);
        const int hop = size / 2;
        std::vector<float> l(static_cast<std::size_t>(hop)), r(static_cast<std::size_t>(hop));
        double sum = 0.0;
        int count = 0;
        for (int frame = 0; frame < 200; ++frame) {
            for (int i = 0; i < hop; ++i)
                l[static_cast<std::size_t>(i)] = r[static_cast<std::size_t>(i)] =
                    static_cast<float>(gauss(rng));
            feed(a, l, r, 512);
            if (frame < 2) continue; // the history still holds the initial zeros
            for (int k = 1; k < a.numBins() - 1; ++k) {
                sum += std::pow(10.0, a.magnitudeDb(k) / 10.0);
                ++count;
            }
        }
        const double expectedDb = 10.0 * std::log10(6.0 * sigma * sigma / size);
        EXPECT_NEAR(10.0 * std::log10(sum / count), expectedDb, 0.5) << size;
    }
}

// The analyser shows the mono fold-down: a sine on the left only reads 6.02 dB under its level.
TEST(SpectrumAnalyzer, AveragesChannelsToMono) {
    SpectrumAnalyzer a;
    a.prepare(kFs, 512, 2);
    const int bin = 100;
    auto l = sine(a.binFrequency(bin), 0.5, 3 * a.size());
    std::vector<float> r(l.size(), 0.0f);
    feed(a, l, r, 512);
    EXPECT_NEAR(a.magnitudeDb(bin), gainToDb(0.25), 0.05);
}

// A frame every hop (size / 2 samples), whatever the block size; with averaging a, power after the signal
// stops falls by a factor a per frame once the window holds only silence.
TEST(SpectrumAnalyzer, FrameCountAndAveraging) {
    for (int block : {1, 100, 512, 5000}) {
        SpectrumAnalyzer a;
        a.setAveraging(0.5);
        a.prepare(kFs, block, 2, 1024);
        auto l = sine(a.binFrequency(20), 1.0, 10 * 1024);
        auto r = l;
        feed(a, l, r, block);
        EXPECT_EQ(a.framesComputed(), 20u) << block;
        std::vector<float> zl(1024, 0.0f), zr(1024, 0.0f); // two hops: the last frame sees only silence
        feed(a, zl, zr, block);
        const double before = a.magnitudeDb(20);
        std::vector<float> hl(512, 0.0f), hr(512, 0.0f);
        feed(a, hl, hr, block);
        EXPECT_EQ(a.framesComputed(), 23u);
        EXPECT_NEAR(a.magnitudeDb(20) - before, 10.0 * std::log10(0.5), 0.01) << block;
    }
}

TEST(SpectrumAnalyzer, SilenceReadsFloorAndProcessDoesNotAllocate) {
    SpectrumAnalyzer a;
    a.prepare(kFs, 512, 2);
    std::vector<float> l(16384, 0.0f), r(16384, 0.0f);
    float* p[2] = {l.data(), r.data()};
    const AudioBlock all(p, 2, 16384);
#ifdef LATHE_COUNT_MALLOC
    lathe::test::armMallocCounter();
#endif
    for (int start = 0; start < 16384; start += 512)
        a.process(all.subBlock(start, 512));
#ifdef LATHE_COUNT_MALLOC
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
#endif
    EXPECT_EQ(a.framesComputed(), 8u);
    for (int k = 0; k < a.numBins(); ++k)
        EXPECT_EQ(a.magnitudeDb(k), static_cast<float>(kSilenceDb));
}
