// The limiter's detector on the vectors this CPU dispatches to (fused multiply-adds on AVX-512 or AVX2)
// against the SSE2 fallback a CPU without them runs (LATHE_DSP_MAX_VECTOR_WIDTH=4, read in prepare()): the
// two round the reconstruction points differently in their last bits, which may move a gain by as much, never
// more.
#include "dsp/AudioBlock.h"
#include "dsp/TruePeakLimiter.h"
#include "dsp/TruePeakMeter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

// A dense programme driven hard into the ceiling: noise bursts, a bass tone and clicks, 4 s.
std::vector<std::vector<float>> loudProgramme() {
    const int n = static_cast<int>(4 * kFs);
    std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<std::size_t>(n)));
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 0.25f);
    for (int i = 0; i < n; ++i) {
        const double t = i / kFs;
        const double envelope = 0.3 + 0.7 * std::pow(std::sin(std::numbers::pi * 2.0 * t), 2.0);
        const double bass = 0.5 * std::sin(2.0 * std::numbers::pi * 55.0 * t);
        const double click = i % 12000 < 24 ? 0.9 : 0.0;
        for (int c = 0; c < 2; ++c)
            x[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)] =
                static_cast<float>(envelope * noise(rng) + bass + (c == 0 ? click : -click));
    }
    return x;
}

std::vector<std::vector<float>> limit(std::vector<std::vector<float>> x, int oversampling,
                                      double& maxReductionDb) {
    TruePeakLimiter limiter;
    TruePeakLimiter::Config config;
    config.detectionOversampling = oversampling;
    config.lookaheadMs = 6.5;
    limiter.setCeilingDbtp(-1.0);
    limiter.setReleaseMs(40.0);
    limiter.setInputGainDb(9.0);
    limiter.prepare(kFs, 4096, 2, config);
    const int n = static_cast<int>(x[0].size());
    for (int done = 0; done < n; done += 4096) {
        const int k = std::min(4096, n - done);
        float* channels[2] = {x[0].data() + done, x[1].data() + done};
        limiter.process(AudioBlock(channels, 2, k));
    }
    maxReductionDb = limiter.stats().maxGainReductionDb;
    return x;
}

struct CapVectorWidth {
    CapVectorWidth() { ::setenv("LATHE_DSP_MAX_VECTOR_WIDTH", "4", 1); }
    ~CapVectorWidth() { ::unsetenv("LATHE_DSP_MAX_VECTOR_WIDTH"); }
};

} // namespace

TEST(TruePeakLimiterVectorPath, FallbackAndDispatchedDetectorsGiveTheSameBits) {
    const auto input = loudProgramme();
    for (const int oversampling : {4, 8}) {
        SCOPED_TRACE(::testing::Message() << oversampling << "x detection");
        double dispatchedReductionDb = 0.0, fallbackReductionDb = 0.0;
        const auto dispatched = limit(input, oversampling, dispatchedReductionDb);
        std::vector<std::vector<float>> fallback;
        {
            const CapVectorWidth cap;
            fallback = limit(input, oversampling, fallbackReductionDb);
        }
        // The test means something only if the detector drives the gain: several dB of limiting.
        EXPECT_GT(dispatchedReductionDb, 3.0);
        EXPECT_EQ(dispatchedReductionDb, fallbackReductionDb);
        std::size_t differing = 0;
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < input[0].size(); ++i)
                if (std::memcmp(&dispatched[c][i], &fallback[c][i], sizeof(float)) != 0) ++differing;
        EXPECT_EQ(differing, 0u);
        // Both hold the ceiling on this material (the guarantee itself is TruePeakLimiterTest's).
        const std::vector<std::vector<float>>* masters[] = {&dispatched, &fallback};
        for (const auto* master : masters) {
            TruePeakMeter meter;
            meter.prepare(kFs, 4096, 2, 8);
            auto copy = *master;
            const int n = static_cast<int>(copy[0].size());
            for (int done = 0; done < n; done += 4096) {
                float* channels[2] = {copy[0].data() + done, copy[1].data() + done};
                meter.process(AudioBlock(channels, 2, std::min(4096, n - done)));
            }
            EXPECT_LE(meter.truePeakDbtp(), -1.0);
        }
    }
}
