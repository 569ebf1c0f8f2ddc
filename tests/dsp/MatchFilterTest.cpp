#include "dsp/MatchFilter.h"
#include "dsp/FirDesign.h"

#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

MatchCurve flatCurve() {
    MatchCurve c;
    c.tone = {{1000.0}, {0.0}};
    c.side = {{1000.0}, {0.0}};
    return c;
}

struct Stereo {
    std::vector<float> left, right;
};

Stereo randomStereo(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    Stereo s{std::vector<float>(n), std::vector<float>(n)};
    for (std::size_t i = 0; i < n; ++i) {
        s.left[i] = u(rng);
        s.right[i] = u(rng);
    }
    return s;
}

void run(MatchFilter& f, Stereo& s, int block) {
    float* p[2] = {s.left.data(), s.right.data()};
    const AudioBlock all(p, 2, static_cast<int>(s.left.size()));
    for (int start = 0; start < all.numFrames(); start += block)
        f.process(all.subBlock(start, std::min(block, all.numFrames() - start)));
}

} // namespace

// Flat FIRs make the filter a delay of exactly latencyFrames() (partition + (taps - 1) / 2), linear and
// minimum phase, for a block size that is not the partition's.
TEST(MatchFilter, FlatCurveIsAnExactDelay) {
    for (FirPhase phase : {FirPhase::Linear, FirPhase::Minimum}) {
        const MatchFirs firs = designMatchFirs(flatCurve(), 48000.0, phase);
        MatchFilter f;
        f.prepare(300, 256, firs);
        const int expected = 256 + (phase == FirPhase::Linear ? 8191 : 0);
        ASSERT_EQ(f.latencyFrames(), expected);
        const Stereo in = randomStereo(30000, 1);
        Stereo out = in;
        run(f, out, 300);
        for (std::size_t i = 0; i + static_cast<std::size_t>(expected) < in.left.size(); ++i) {
            ASSERT_NEAR(out.left[i + static_cast<std::size_t>(expected)], in.left[i], 2e-6) << i;
            ASSERT_NEAR(out.right[i + static_cast<std::size_t>(expected)], in.right[i], 2e-6) << i;
        }
    }
}

// The side FIR acts on the side only: a mono signal (L = R) stays mono, and a side gain of +6 dB doubles
// L - R while L + R keeps the mid FIR's gain.
TEST(MatchFilter, SideFirActsOnTheSideOnly) {
    MatchCurve c = flatCurve();
    c.side = {{1000.0}, {20.0 * std::log10(2.0)}};
    const MatchFirs firs = designMatchFirs(c, 48000.0, FirPhase::Linear);
    MatchFilter f;
    f.prepare(512, 512, firs);
    const int latency = f.latencyFrames();
    Stereo mono = randomStereo(40000, 2);
    mono.right = mono.left;
    Stereo out = mono;
    run(f, out, 512);
    for (std::size_t i = 0; i < out.left.size(); ++i)
        ASSERT_NEAR(out.left[i], out.right[i], 1e-6) << i;

    f.reset();
    const Stereo wide = randomStereo(40000, 3);
    Stereo wideOut = wide;
    run(f, wideOut, 512);
    for (std::size_t i = 0; i + static_cast<std::size_t>(latency) < wide.left.size(); ++i) {
        const std::size_t j = i + static_cast<std::size_t>(latency);
        ASSERT_NEAR(wideOut.left[j] + wideOut.right[j], wide.left[i] + wide.right[i], 1e-5) << i;
        ASSERT_NEAR(wideOut.left[j] - wideOut.right[j], 2.0f * (wide.left[i] - wide.right[i]), 1e-5) << i;
    }
}

// Kernels swapped while playing: the gain moves from the old kernels' to the new ones' over one partition,
// smoothly (monotonic), without allocating, and the old kernels are released after it.
TEST(MatchFilter, KernelsSwapWithoutAClick) {
    MatchCurve quiet = flatCurve(), loud = flatCurve();
    quiet.tone.gainDb = quiet.side.gainDb = {-6.0};
    loud.tone.gainDb = loud.side.gainDb = {6.0};
    const MatchKernels a(designMatchFirs(quiet, 48000.0, FirPhase::Linear), 256);
    const MatchKernels b(designMatchFirs(loud, 48000.0, FirPhase::Linear), 256);
    MatchFilter f;
    f.prepare(256, 256, 16383, 8191);
    f.setKernels(&a);
    // A constant signal shows the gain directly.
    Stereo dc{std::vector<float>(40000, 0.25f), std::vector<float>(40000, 0.25f)};
    float* p[2] = {dc.left.data(), dc.right.data()};
    const AudioBlock all(p, 2, 40000);
    for (int start = 0; start < 20000; start += 250)
        f.process(all.subBlock(start, 250));
    lathe::test::armMallocCounter();
    f.setKernels(&b);
    for (int start = 20000; start < 40000; start += 250)
        f.process(all.subBlock(start, 250));
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
    EXPECT_FALSE(f.uses(&a));
    EXPECT_TRUE(f.uses(&b));
    const float low = static_cast<float>(0.25 * std::pow(10.0, -6.0 / 20.0));
    const float high = static_cast<float>(0.25 * std::pow(10.0, 6.0 / 20.0));
    EXPECT_NEAR(dc.left[19000], low, 1e-5);
    EXPECT_NEAR(dc.left[39999], high, 1e-5);
    int rising = 0;
    for (std::size_t i = 19000; i < 40000; ++i) {
        ASSERT_GE(dc.left[i], dc.left[i - 1] - 1e-6f) << i;
        if (dc.left[i] > dc.left[i - 1] + 1e-6f) ++rising;
    }
    EXPECT_LE(rising, 256); // the change takes one partition
    EXPECT_GE(rising, 200);
}

// The callback's work allocates nothing: process() in blocks of any size, and reset().
TEST(MatchFilter, ProcessDoesNotAllocate) {
    const MatchFirs firs = designMatchFirs(flatCurve(), 48000.0, FirPhase::Linear);
    MatchFilter f;
    f.prepare(1024, 256, firs);
    Stereo s = randomStereo(48000, 4);
    float* p[2] = {s.left.data(), s.right.data()};
    const AudioBlock all(p, 2, 48000);
    lathe::test::armMallocCounter();
    for (int start = 0, n = 1; start < all.numFrames(); start += n, n = n * 5 % 4093 + 1) {
        n = std::min(n, all.numFrames() - start);
        f.process(all.subBlock(start, n));
    }
    f.reset();
    f.process(all.subBlock(0, 64));
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
}
