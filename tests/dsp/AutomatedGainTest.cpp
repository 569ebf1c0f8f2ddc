#include "dsp/AutomatedGain.h"
#include "dsp/Decibels.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

// The example ride: +1.5 dB in a section, with 200 ms ramps in and out, plus a step.
const std::vector<AutomationPoint> kRide{{0.5, 0.0}, {0.7, 1.5}, {1.5, 1.5},
                                         {1.7, 0.0}, {2.0, 0.0}, {2.0, -6.0}};

std::vector<std::vector<float>> noise(int frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<std::size_t>(frames)));
    for (auto& ch : x)
        for (auto& v : ch)
            v = dist(rng);
    return x;
}

// Processes frames [first, first + count) of x in place as blocks of the given sizes (cycled), the block
// starting at frame f told it starts at f.
void run(AutomatedGain& gain, std::vector<std::vector<float>>& x, int64_t first, int64_t count,
         const std::vector<int>& sizes) {
    std::size_t next = 0;
    for (int64_t f = first; f < first + count;) {
        const int n = static_cast<int>(std::min<int64_t>(sizes[next++ % sizes.size()], first + count - f));
        float* ptrs[2] = {x[0].data() + f, x[1].data() + f};
        gain.process(AudioBlock(ptrs, 2, n), f);
        f += n;
    }
}

AutomatedGain prepared(const std::vector<AutomationPoint>& points, int maxBlock = 512) {
    AutomatedGain g;
    g.prepare(kFs, maxBlock, 128);
    EXPECT_TRUE(g.setPoints(points));
    return g;
}

} // namespace

TEST(AutomatedGain, AppliesTheEnvelopeInDecibels) {
    AutomatedGain g = prepared(kRide);
    const int frames = static_cast<int>(2.2 * kFs);
    std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<std::size_t>(frames), 0.25f));
    run(g, x, 0, frames, {512});
    double worst = 0.0;
    for (int f = 0; f < frames; ++f) {
        // Analytic: the curve is known in closed form away from the step.
        double db = 0.0;
        const double t = f / kFs;
        if (t >= 0.7 && t <= 1.5)
            db = 1.5;
        else if (t > 0.5 && t < 0.7)
            db = 1.5 * (f - 0.5 * kFs) / (0.2 * kFs);
        else if (t > 1.5 && t < 1.7)
            db = 1.5 * (1.0 - (f - 1.5 * kFs) / (0.2 * kFs));
        else if (f >= 2.0 * kFs + 480)
            db = -6.0;
        else if (f >= 2.0 * kFs)
            continue; // the de-zipper ramp, checked in AutomationEnvelopeTest
        const double expected = 0.25 * dbToGain(db);
        worst = std::max(worst, std::abs(x[0][static_cast<std::size_t>(f)] - expected) / expected);
        ASSERT_EQ(x[0][static_cast<std::size_t>(f)], x[1][static_cast<std::size_t>(f)]);
    }
    // Float output: half an ulp of rounding (3e-8) plus fastDbToGain's 1e-9.
    EXPECT_LT(worst, 1e-7);
}

// The render processes whole files in chunks, the engine plays callbacks of any size and seeks: all must
// produce the same samples.
TEST(AutomatedGain, OneShotAndRandomBlocksAndSeeksAreBitIdentical) {
    const int frames = static_cast<int>(2.5 * kFs);
    const auto source = noise(frames, 1);
    auto oneShot = source;
    AutomatedGain a = prepared(kRide, frames);
    run(a, oneShot, 0, frames, {frames});

    std::mt19937 rng(7);
    std::uniform_int_distribution<int> size(1, 700);
    std::vector<int> sizes(200);
    for (auto& s : sizes)
        s = size(rng);
    auto blocks = source;
    AutomatedGain b = prepared(kRide, 256); // smaller than some blocks: processed in chunks inside
    run(b, blocks, 0, frames, sizes);
    EXPECT_EQ(blocks, oneShot);

    // A seek: play from 1.6 s to the end, then from 0.3 s to 1.6 s, in other block sizes.
    auto seeked = source;
    AutomatedGain c = prepared(kRide, 128);
    const int64_t jump = static_cast<int64_t>(1.6 * kFs);
    run(c, seeked, jump, frames - jump, {64});
    run(c, seeked, 14400, jump - 14400, {333, 17});
    run(c, seeked, 0, 14400, {1000});
    EXPECT_EQ(seeked, oneShot);
    EXPECT_NE(oneShot, source);
}

TEST(AutomatedGain, StepLandsOnItsFrameWhateverTheBlocks) {
    const double t = 1.23456;
    const int64_t p = std::llround(t * kFs);
    for (const int block : {1, 64, 100, 4096}) {
        AutomatedGain g = prepared({{t, 0.0}, {t, -12.0}});
        std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<std::size_t>(2 * kFs), 1.0f));
        run(g, x, 0, static_cast<int64_t>(2 * kFs), {block});
        EXPECT_EQ(x[0][static_cast<std::size_t>(p - 1)], 1.0f) << block;
        EXPECT_LT(x[0][static_cast<std::size_t>(p)], 1.0f) << block;
        EXPECT_NEAR(x[0][static_cast<std::size_t>(p + 480)], dbToGain(-12.0), 1e-7) << block;
    }
}

// Zipper noise is the gain jumping between frames; the largest jump is bounded by the step ramp.
TEST(AutomatedGain, LargestFrameToFrameGainChangeIsBounded) {
    AutomatedGain g = prepared({{1.0, 0.0}, {1.0, -18.0}, {1.5, -18.0}, {1.5 + 1.0 / kFs, 0.0}});
    const int frames = static_cast<int>(2 * kFs);
    std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<std::size_t>(frames), 1.0f));
    run(g, x, 0, frames, {256});
    double largestDb = 0.0;
    for (int f = 1; f < frames; ++f)
        largestDb = std::max(largestDb, std::abs(gainToDb(x[0][static_cast<std::size_t>(f)]) -
                                                 gainToDb(x[0][static_cast<std::size_t>(f - 1)])));
    const double bound = 18.0 / std::lround(AutomationEnvelope::kStepRampSeconds * kFs);
    RecordProperty("largest_step_db_per_frame", std::to_string(largestDb));
    EXPECT_LE(largestDb, bound + 1e-5); // float output's own rounding: 1e-6 dB
    EXPECT_GT(largestDb, 0.5 * bound);
}

TEST(AutomatedGain, NoPointsOrZeroDecibelsIsBitTransparent) {
    const int frames = 20000;
    const auto source = noise(frames, 3);
    auto x = source;
    AutomatedGain none;
    none.prepare(kFs, 512, 16);
    run(none, x, 0, frames, {512});
    EXPECT_EQ(x, source);
    AutomatedGain flat = prepared({{0.1, 0.0}, {0.3, 0.0}});
    run(flat, x, 0, frames, {100});
    EXPECT_EQ(x, source);
    EXPECT_EQ(flat.gainDbAt(5000), 0.0);
}

TEST(AutomatedGain, ProcessAndSetPointsDoNotAllocate) {
    AutomatedGain g;
    g.prepare(kFs, 512, 128);
    auto x = noise(4096, 2);
    float* ptrs[2] = {x[0].data(), x[1].data()};
    lathe::test::armMallocCounter();
    const bool accepted = g.setPoints(kRide);
    for (int64_t f = 0; f < 2 * 48000; f += 2048)
        g.process(AudioBlock(ptrs, 2, 2048), f); // larger than maxBlockFrames: chunks inside
    g.clear();
    g.process(AudioBlock(ptrs, 2, 512), 0);
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
    EXPECT_TRUE(accepted);
}
