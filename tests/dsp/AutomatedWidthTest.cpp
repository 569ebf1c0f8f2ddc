#include "dsp/AutomatedWidth.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

std::vector<std::vector<float>> noise(int frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<std::size_t>(frames)));
    for (auto& ch : x)
        for (auto& v : ch)
            v = dist(rng);
    return x;
}

void run(AutomatedWidth& width, std::vector<std::vector<float>>& x, int64_t first, int64_t count,
         const std::vector<int>& sizes) {
    std::size_t next = 0;
    for (int64_t f = first; f < first + count;) {
        const int n = static_cast<int>(std::min<int64_t>(sizes[next++ % sizes.size()], first + count - f));
        float* ptrs[2] = {x[0].data() + f, x[1].data() + f};
        width.process(AudioBlock(ptrs, 2, n), f);
        f += n;
    }
}

AutomatedWidth prepared(const std::vector<AutomationPoint>& points) {
    AutomatedWidth w;
    w.prepare(kFs, 512, 64);
    EXPECT_TRUE(w.setPoints(points));
    return w;
}

// Narrow the bus in the verse, full width in the chorus (a step), wider than the mix at the end (clamped).
const std::vector<AutomationPoint> kLane{{0.0, 1.0}, {0.2, 0.6}, {0.5, 0.6}, {0.5, 1.0}, {0.8, 3.0}};

} // namespace

TEST(AutomatedWidth, ScalesTheSideByTheWidthAtEachFrameAndKeepsTheMid) {
    const int frames = static_cast<int>(kFs);
    const auto source = noise(frames, 1);
    auto x = source;
    AutomatedWidth w = prepared(kLane);
    run(w, x, 0, frames, {512});
    double worstMid = 0.0, worstSide = 0.0;
    for (int f = 0; f < frames; ++f) {
        const auto i = static_cast<std::size_t>(f);
        const double midIn = 0.5 * (source[0][i] + source[1][i]),
                     sideIn = 0.5 * (source[0][i] - source[1][i]);
        const double midOut = 0.5 * (x[0][i] + x[1][i]), sideOut = 0.5 * (x[0][i] - x[1][i]);
        // Analytic width away from the step's de-zipper: 1 -> 0.6 over 0.2 s, 0.6, 1, ramp to 3 clamped at 2.
        const double t = f / kFs;
        double width;
        if (t < 0.2)
            width = 1.0 - 0.4 * f / (0.2 * kFs);
        else if (t < 0.5)
            width = 0.6;
        else if (f < 0.5 * kFs + 480)
            continue;
        else
            width = std::min(2.0, 1.0 + 2.0 * (f - 0.5 * kFs) / (0.3 * kFs));
        EXPECT_NEAR(w.widthAt(f), width, 1e-12);
        worstMid = std::max(worstMid, std::abs(midOut - midIn));
        worstSide = std::max(worstSide, std::abs(sideOut - width * sideIn));
    }
    // Float output: each channel rounds once (an ulp of 0.5 is 6e-8; the side at width 2 reaches 1).
    EXPECT_LT(worstMid, 1.2e-7);
    EXPECT_LT(worstSide, 1.2e-7);
}

TEST(AutomatedWidth, BlocksAndSeeksAreBitIdentical) {
    const int frames = static_cast<int>(kFs);
    const auto source = noise(frames, 2);
    auto oneShot = source;
    AutomatedWidth a = prepared(kLane);
    run(a, oneShot, 0, frames, {frames});
    auto pieces = source;
    AutomatedWidth b = prepared(kLane);
    run(b, pieces, 30000, frames - 30000, {1, 77, 512, 1000});
    run(b, pieces, 0, 30000, {31});
    EXPECT_EQ(pieces, oneShot);
}

TEST(AutomatedWidth, WidthOneMonoBlocksAndNoPointsAreUntouched) {
    const auto source = noise(30000, 3);
    auto x = source;
    AutomatedWidth none;
    none.prepare(kFs, 512, 8);
    run(none, x, 0, 30000, {512});
    EXPECT_EQ(x, source);
    AutomatedWidth unity = prepared({{0.1, 1.0}, {0.3, 1.0}});
    run(unity, x, 0, 30000, {100});
    EXPECT_EQ(x, source);
    AutomatedWidth narrow = prepared({{0.0, 0.0}});
    float* mono[1] = {x[0].data()};
    narrow.process(AudioBlock(mono, 1, 30000), 0);
    EXPECT_EQ(x, source);
}

TEST(AutomatedWidth, ProcessAndSetPointsDoNotAllocate) {
    AutomatedWidth w;
    w.prepare(kFs, 512, 64);
    auto x = noise(2048, 4);
    float* ptrs[2] = {x[0].data(), x[1].data()};
    lathe::test::armMallocCounter();
    const bool accepted = w.setPoints(kLane);
    for (int64_t f = 0; f < 48000; f += 2048)
        w.process(AudioBlock(ptrs, 2, 2048), f);
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
    EXPECT_TRUE(accepted);
}
