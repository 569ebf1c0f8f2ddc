#include "dsp/CorrelationMeter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

struct Stereo {
    std::vector<float> l, r;
    explicit Stereo(int frames) : l(static_cast<std::size_t>(frames)), r(static_cast<std::size_t>(frames)) {}
};

double measure(Stereo& s, int blockFrames = 512, double timeConstantMs = 300.0) {
    CorrelationMeter m;
    m.setTimeConstantMs(timeConstantMs);
    m.prepare(kFs, blockFrames, 2);
    float* p[2] = {s.l.data(), s.r.data()};
    const AudioBlock all(p, 2, static_cast<int>(s.l.size()));
    for (int start = 0; start < all.numFrames(); start += blockFrames)
        m.process(all.subBlock(start, std::min(blockFrames, all.numFrames() - start)));
    return m.correlation();
}

Stereo sines(double frequency, double phaseR, double ampL, double ampR, int frames) {
    Stereo s(frames);
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    for (int i = 0; i < frames; ++i) {
        s.l[static_cast<std::size_t>(i)] = static_cast<float>(ampL * std::sin(w * i));
        s.r[static_cast<std::size_t>(i)] = static_cast<float>(ampR * std::sin(w * i + phaseR));
    }
    return s;
}

} // namespace

TEST(CorrelationMeter, IdenticalChannelsReadPlusOne) {
    // Different levels on the two sides do not matter: the measure is normalised.
    auto s = sines(440.0, 0.0, 0.5, 0.1, 48000);
    EXPECT_NEAR(measure(s), 1.0, 1e-6);
}

TEST(CorrelationMeter, InvertedChannelReadsMinusOne) {
    auto s = sines(440.0, std::numbers::pi, 0.5, 0.5, 48000);
    EXPECT_NEAR(measure(s), -1.0, 1e-6);
}

// sin x cos averages to zero; what is left is the 2f ripple the 300 ms window lets through (~5e-4 at 1 kHz).
TEST(CorrelationMeter, QuadratureSinesReadZero) {
    for (double f : {100.0, 1000.0, 5000.0}) {
        auto s = sines(f, std::numbers::pi / 2.0, 0.5, 0.5, 96000);
        EXPECT_LT(std::abs(measure(s)), 0.02) << f;
    }
}

// Two independent white noises: the estimate's spread is about 1/sqrt(2 tau fs) = 0.006 for tau = 300 ms.
TEST(CorrelationMeter, IndependentNoisesReadZero) {
    std::mt19937 rng(1234);
    std::normal_distribution<float> gauss(0.0f, 0.25f);
    for (int trial = 0; trial < 5; ++trial) {
        Stereo s(96000);
        for (std::size_t i = 0; i < s.l.size(); ++i) {
            s.l[i] = gauss(rng);
            s.r[i] = gauss(rng);
        }
        EXPECT_LT(std::abs(measure(s)), 0.05);
    }
}

TEST(CorrelationMeter, SilenceReadsZero) {
    Stereo s(48000);
    EXPECT_EQ(measure(s), 0.0);
    auto oneSided = sines(1000.0, 0.0, 0.5, 0.0, 48000);
    EXPECT_EQ(measure(oneSided), 0.0);
}

// The window is exponential with time constant tau: after a switch from identical to inverted channels at
// equal level, sum(LR) goes as P (2 exp(-t/tau) - 1), so the reading crosses zero at t = tau ln 2.
TEST(CorrelationMeter, TimeConstantSetsBallistics) {
    for (double tauMs : {100.0, 300.0, 1000.0}) {
        const int settle = static_cast<int>(kFs * tauMs / 1000.0 * 10.0);
        CorrelationMeter m;
        m.setTimeConstantMs(tauMs);
        m.prepare(kFs, 1, 2);
        // Broadband signal so the ripple of a sine does not blur the crossing time.
        std::mt19937 rng(7);
        std::normal_distribution<float> gauss(0.0f, 0.3f);
        int crossing = -1;
        for (int i = 0; i < 2 * settle && crossing < 0; ++i) {
            float l = gauss(rng);
            float r = i < settle ? l : -l;
            float* p[2] = {&l, &r};
            m.process(AudioBlock(p, 2, 1));
            if (i >= settle && m.correlation() <= 0.0) crossing = i - settle;
        }
        const double expectedMs = tauMs * std::numbers::ln2;
        EXPECT_NEAR(crossing * 1000.0 / kFs, expectedMs, 0.05 * expectedMs) << tauMs;
    }
}

TEST(CorrelationMeter, BlockSizeDoesNotMatter) {
    auto s = sines(300.0, 1.0, 0.5, 0.3, 30000);
    const double ref = measure(s, 1);
    for (int block : {7, 512, 4096})
        EXPECT_NEAR(measure(s, block), ref, 1e-12) << block;
    // Two sines of equal frequency offset by phase phi correlate as cos(phi).
    EXPECT_NEAR(ref, std::cos(1.0), 0.01);
}
