#include "dsp/Compressor.h"
#include "dsp/GainComputer.h"
#include "dsp/ParametricEq.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace lathe::dsp;

// Compressor::processAfter (an EQ's recursion run beside the gain smoothing) and the linked path's smoothing
// without the floor (redone with it where a step falls below): both must give exactly the bits of the plain
// order, EQ then compressor, and of the floored recursion.

namespace {

constexpr double kFs = 48000.0;

int samples(double seconds) {
    return static_cast<int>(std::lround(seconds * kFs));
}

using Stereo = std::vector<std::vector<float>>;

// Loud bursts over near silence, and a stretch of digital silence: attack, release to the floor (and the
// redone batches), the quiet-batch shortcut and its return all take part.
Stereo burstsAndSilence(int frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    Stereo x(2, std::vector<float>(static_cast<std::size_t>(frames)));
    for (int i = 0; i < frames; ++i) {
        const int section = i / samples(0.07);
        const double envelope = section % 4 == 3 ? 0.0 : section % 2 == 0 ? 0.4 : 0.002;
        x[0][static_cast<std::size_t>(i)] = static_cast<float>(envelope * noise(rng));
        x[1][static_cast<std::size_t>(i)] = static_cast<float>(0.6 * envelope * noise(rng));
    }
    return x;
}

CompressorParameters stemCompressor(double releaseMs) {
    CompressorParameters p;
    p.thresholdDb = -24.0;
    p.ratio = 3.0;
    p.kneeDb = 6.0;
    p.attackMs = 2.0;
    p.releaseMs = releaseMs;
    p.makeupDb = 1.5;
    return p;
}

void configureEq(ParametricEq& eq, int bands, bool midBand) {
    eq.prepare(kFs, 4096, 2);
    eq.setNumBands(ParametricEq::kMaxBands);
    const double frequencies[] = {60.0, 180.0, 700.0, 2500.0, 6000.0, 12000.0};
    for (int b = 0; b < bands; ++b)
        eq.setBand(b, {true, b == 0 ? FilterType::LowShelf : FilterType::Bell, frequencies[b], 0.9,
                       b % 2 == 0 ? 4.0 : -3.0,
                       midBand && b == bands - 1 ? BandChannels::Mid : BandChannels::Stereo});
}

// Runs `x` in blocks of blockFrames, either through processAfter or through eq.process then process.
void run(bool fused, Stereo& x, const Stereo* key, int bands, bool midBand, const CompressorParameters& p,
         int blockFrames, double& maxReductionDb) {
    ParametricEq eq;
    configureEq(eq, bands, midBand);
    Compressor comp;
    comp.setParameters(p);
    comp.prepare(kFs, 4096, 2);
    const int total = static_cast<int>(x[0].size());
    for (int start = 0; start < total; start += blockFrames) {
        const int n = std::min(blockFrames, total - start);
        float* channels[2] = {x[0].data() + start, x[1].data() + start};
        const AudioBlock block(channels, 2, n);
        float* keyChannels[2] = {};
        AudioBlock keyBlock;
        if (key) {
            keyChannels[0] = const_cast<float*>((*key)[0].data()) + start;
            keyChannels[1] = const_cast<float*>((*key)[1].data()) + start;
            keyBlock = AudioBlock(keyChannels, 2, n);
        }
        if (fused) {
            comp.processAfter(eq, block, key ? &keyBlock : nullptr);
        } else {
            eq.process(block);
            if (key)
                comp.process(block, keyBlock);
            else
                comp.process(block);
        }
    }
    maxReductionDb = comp.maxGainReductionDb();
}

bool sameBits(const Stereo& a, const Stereo& b) {
    for (int c = 0; c < 2; ++c)
        if (std::memcmp(a[static_cast<std::size_t>(c)].data(), b[static_cast<std::size_t>(c)].data(),
                        a[static_cast<std::size_t>(c)].size() * sizeof(float)) != 0)
            return false;
    return true;
}

} // namespace

// Every cascade length the fused loop takes (1 to 4 sections) and the ones it hands back to the plain order
// (none, 6, a mid band), keyed and not, in blocks shorter than a batch, odd ones and whole chunks.
TEST(CompressorAfterEq, EqualsEqThenCompressorBitForBit) {
    const Stereo source = burstsAndSilence(samples(0.9), 1);
    const Stereo key = burstsAndSilence(samples(0.9), 2);
    for (const int bands : {0, 1, 2, 3, 4, 6})
        for (const bool midBand : {false, true}) {
            if (midBand && bands == 0) continue;
            for (const bool keyed : {false, true})
                for (const int blockFrames : {1, 37, 100, 4096}) {
                    Stereo fused = source, plain = source;
                    double fusedMax = 0.0, plainMax = 0.0;
                    run(true, fused, keyed ? &key : nullptr, bands, midBand, stemCompressor(30.0),
                        blockFrames, fusedMax);
                    run(false, plain, keyed ? &key : nullptr, bands, midBand, stemCompressor(30.0),
                        blockFrames, plainMax);
                    EXPECT_TRUE(sameBits(fused, plain)) << bands << " bands, mid " << midBand << ", keyed "
                                                        << keyed << ", blocks of " << blockFrames;
                    EXPECT_EQ(fusedMax, plainMax);
                    EXPECT_GT(fusedMax, 3.0); // the bursts were compressed
                }
        }
}

// The smoothing without the floor is only the floored recursion where no step lands below 1e-9 dB; a batch
// where one does is smoothed again with the floor. One-frame blocks make every batch one frame, so each step
// is decided on its own (exactly the floored recursion); 4096-frame blocks put the releases to nothing in the
// middle of 64-frame batches. Both must give the same bits, and the reduction must really have reached 0.
TEST(CompressorAfterEq, SmoothingReleasedToTheFloorMatchesFrameByFrame) {
    const Stereo source = burstsAndSilence(samples(1.2), 3);
    for (const double releaseMs : {1.0, 2.0}) { // fast releases reach the floor within a quiet stretch
        for (const bool fusedPath : {false, true}) {
            Stereo single = source, whole = source;
            double singleMax = 0.0, wholeMax = 0.0;
            run(fusedPath, single, nullptr, 1, false, stemCompressor(releaseMs), 1, singleMax);
            run(fusedPath, whole, nullptr, 1, false, stemCompressor(releaseMs), 4096, wholeMax);
            EXPECT_TRUE(sameBits(single, whole)) << releaseMs << " ms, fused " << fusedPath;
            EXPECT_EQ(singleMax, wholeMax);
        }
        // Released to exactly zero: at the end of a near-silent stretch the output is the input EQ'd and
        // scaled by the makeup gain alone.
        Compressor comp;
        comp.setParameters(stemCompressor(releaseMs));
        comp.prepare(kFs, 4096, 2);
        Stereo x = source;
        const int quietEnd = samples(0.07) * 2; // sections 0 (loud) and 1 (quiet)
        float* channels[2] = {x[0].data(), x[1].data()};
        comp.process(AudioBlock(channels, 2, quietEnd));
        EXPECT_EQ(comp.gainReductionDb(), 0.0) << releaseMs << " ms";
        EXPECT_GT(comp.maxGainReductionDb(), 3.0);
    }
}

TEST(CompressorAfterEq, DoesNotAllocate) {
    ParametricEq eq;
    configureEq(eq, 2, false);
    Compressor comp;
    comp.setParameters(stemCompressor(30.0));
    comp.prepare(kFs, 4096, 2);
    Stereo x = burstsAndSilence(4096, 4);
    float* channels[2] = {x[0].data(), x[1].data()};
    lathe::test::armMallocCounter();
    comp.processAfter(eq, AudioBlock(channels, 2, 4096));
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
}
