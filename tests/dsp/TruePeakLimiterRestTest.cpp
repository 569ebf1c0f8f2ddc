// The limiter's frames at rest (no requirement, no reduction held anywhere in the gain pipeline) skip the
// per-frame pipeline and only move its stages on: every output bit, the statistics and the meter must be what
// the per-frame pipeline gives (setRestSkipping(false)), for every pipeline shape the chains use.
#include "dsp/AudioBlock.h"
#include "dsp/TruePeakLimiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

// Overloads over a quiet programme (as a master mostly under its ceiling): clicks and a loud bass swell in
// the first 0.6 s, one more click at 6.5 s, noise well below the ceiling otherwise and digital silence from
// 7.5 s. The gain pipeline comes to rest (every stage exactly at no reduction) about 25 release time
// constants after an overload, so much of the 8 s rests. Its frames are skipped there, and must come back to
// the per-frame pipeline at the click.
std::vector<std::vector<float>> sparseOverloads() {
    const int n = static_cast<int>(8 * kFs);
    std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<std::size_t>(n)));
    std::mt19937 rng(9);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    for (int i = 0; i < n; ++i) {
        const double t = i / kFs;
        const double swell = t > 0.4 && t < 0.55 ? 0.95 * std::sin(2.0 * std::numbers::pi * 50.0 * t) : 0.0;
        const bool clickAt = std::abs(t - 0.1) < 3e-4 || std::abs(t - 0.3) < 3e-4 || std::abs(t - 6.5) < 3e-4;
        const double click = clickAt ? 0.99 : 0.0;
        const double signal = t > 7.5 ? 0.0 : noise(rng) + swell;
        for (int c = 0; c < 2; ++c)
            x[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)] =
                static_cast<float>(signal + (c == 0 ? click : -0.5 * click));
    }
    return x;
}

struct Shape {
    std::string name;
    TruePeakLimiter::Config config;
    bool adaptive;
    double link;
    int channels;
};

struct Result {
    std::vector<std::vector<float>> audio;
    TruePeakLimiter::Stats stats;
    std::vector<double> meter; // gainReductionDb() after each block
};

Result limit(const Shape& shape, bool skipping, int blockFrames) {
    TruePeakLimiter limiter;
    limiter.setCeilingDbtp(-1.0);
    if (shape.adaptive)
        limiter.setAdaptiveRelease(20.0, 100.0, 80.0);
    else
        limiter.setReleaseMs(60.0);
    limiter.setStereoLink(shape.link);
    limiter.setOnsetDepthsDb(0.5, 3.0);
    limiter.setShallowReleaseScale(0.5);
    limiter.setInputGainDb(1.0);
    limiter.prepare(kFs, 4096, shape.channels, shape.config);
    limiter.setRestSkipping(skipping);
    Result r;
    r.audio = sparseOverloads();
    r.audio.resize(static_cast<std::size_t>(shape.channels));
    const int n = static_cast<int>(r.audio[0].size());
    for (int done = 0; done < n; done += blockFrames) {
        const int k = std::min(blockFrames, n - done);
        float* channels[2] = {};
        for (int c = 0; c < shape.channels; ++c)
            channels[c] = r.audio[static_cast<std::size_t>(c)].data() + done;
        limiter.process(AudioBlock(channels, shape.channels, k));
        r.meter.push_back(limiter.gainReductionDb());
    }
    r.stats = limiter.stats();
    return r;
}

bool sameBits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

} // namespace

TEST(TruePeakLimiterRest, SkippingFramesAtRestGivesTheSameBits) {
    std::vector<Shape> shapes;
    TruePeakLimiter::Config plain;
    shapes.push_back({"safe: one release, linear ramp", plain, false, 1.0, 2});
    TruePeakLimiter::Config transparent;
    transparent.lookaheadMs = 9.0;
    transparent.rampOnsetOnly = true;
    transparent.shortAttackMs = 2.0;
    transparent.lowFrequencyCrossoverHz = 120.0;
    shapes.push_back(
        {"transparent: two pipelines, adaptive release, low-frequency aware", transparent, true, 1.0, 2});
    TruePeakLimiter::Config curved = transparent;
    curved.attackShape = AttackShape::SCurve;
    curved.softClipOversampling = 4;
    curved.detectionOversampling = 8;
    shapes.push_back({"S-curve, clipper, 8x", curved, true, 1.0, 2});
    shapes.push_back({"mono", transparent, true, 1.0, 1});
    shapes.push_back({"half link (never skips)", transparent, true, 0.5, 2});
    for (const Shape& shape : shapes)
        for (const int blockFrames : {4096, 333}) {
            const Result skipped = limit(shape, true, blockFrames);
            const Result everyFrame = limit(shape, false, blockFrames);
            for (std::size_t c = 0; c < skipped.audio.size(); ++c)
                EXPECT_EQ(std::memcmp(skipped.audio[c].data(), everyFrame.audio[c].data(),
                                      skipped.audio[c].size() * sizeof(float)),
                          0)
                    << shape.name << ", blocks of " << blockFrames << ", channel " << c;
            EXPECT_TRUE(sameBits(skipped.meter, everyFrame.meter)) << shape.name;
            EXPECT_EQ(skipped.stats.frames, everyFrame.stats.frames) << shape.name;
            EXPECT_EQ(skipped.stats.framesLimited, everyFrame.stats.framesLimited) << shape.name;
            EXPECT_EQ(skipped.stats.sumGainReductionDb, everyFrame.stats.sumGainReductionDb) << shape.name;
            EXPECT_EQ(skipped.stats.maxGainReductionDb, everyFrame.stats.maxGainReductionDb) << shape.name;
            // The programme both rests and limits: the clicks and the swell go over the ceiling.
            EXPECT_GT(everyFrame.stats.maxGainReductionDb, 1.0) << shape.name;
            EXPECT_LT(everyFrame.stats.framesLimited, everyFrame.stats.frames * 7 / 10) << shape.name;
        }
}
