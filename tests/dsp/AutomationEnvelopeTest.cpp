#include "dsp/AutomationEnvelope.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

AutomationEnvelope envelopeOf(const std::vector<AutomationPoint>& points, double fs = kFs) {
    AutomationEnvelope e;
    e.prepare(fs, 64);
    EXPECT_TRUE(e.setPoints(points));
    return e;
}

// The curve as the DAW convention defines it, computed directly from the points (no segment search, no
// precomputed slopes): held before the first and after the last landing frame, linear in between, and at
// a frame shared by several points the last of them.
double referenceCurve(const std::vector<AutomationPoint>& points, double fs, int64_t frame) {
    std::vector<int64_t> at;
    for (const auto& p : points)
        at.push_back(std::llround(p.timeSeconds * fs));
    if (frame < at.front()) return points.front().value;
    if (frame >= at.back()) return points.back().value;
    for (std::size_t i = 0; i + 1 < points.size(); ++i)
        if (at[i] <= frame && frame < at[i + 1]) {
            const double u = static_cast<double>(frame - at[i]) / static_cast<double>(at[i + 1] - at[i]);
            return points[i].value + (points[i + 1].value - points[i].value) * u;
        }
    return points.back().value;
}

// A random lane: ramps of every length, steps, several points on one frame, ramps shorter than the
// de-zipper, flat stretches.
std::vector<AutomationPoint> randomPoints(std::mt19937& rng, int count) {
    std::uniform_real_distribution<double> value(-24.0, 12.0);
    std::uniform_int_distribution<int> kind(0, 4);
    std::uniform_real_distribution<double> gap(0.0005, 0.3);
    std::vector<AutomationPoint> points;
    double t = 0.05;
    for (int i = 0; i < count; ++i) {
        const int k = kind(rng);
        if (k == 0 && !points.empty()) {
            points.push_back({t, value(rng)}); // a step: same time as the previous point
        } else if (k == 1 && !points.empty()) {
            points.push_back(
                {t, points.back().value}); // a second point on the same frame and value: no change
        } else {
            t += k == 2 ? 0.00002 * (1 + i % 7) : gap(rng); // a ramp a few frames long, or a gradual one
            points.push_back({t, k == 3 && !points.empty() ? points.back().value : value(rng)});
        }
    }
    return points;
}

} // namespace

TEST(AutomationEnvelope, ValuesAtAndBetweenPointsHeldAtTheEnds) {
    const std::vector<AutomationPoint> points{{1.0, -6.0}, {2.0, 0.0}, {2.5, 3.0}};
    const AutomationEnvelope e = envelopeOf(points);
    EXPECT_EQ(e.pointFrame(0), 48000);
    EXPECT_EQ(e.pointFrame(2), 120000);
    // At the points: the points' values exactly.
    EXPECT_EQ(e.valueAt(48000), -6.0);
    EXPECT_EQ(e.valueAt(96000), 0.0);
    EXPECT_EQ(e.valueAt(120000), 3.0);
    // Between them: linear in the frame.
    EXPECT_NEAR(e.valueAt(72000), -3.0, 1e-12);
    EXPECT_NEAR(e.valueAt(48001), -6.0 + 6.0 / 48000.0, 1e-12);
    EXPECT_NEAR(e.valueAt(108000), 1.5, 1e-12);
    EXPECT_NEAR(e.valueAt(119999), 3.0 - 3.0 / 24000.0, 1e-12);
    // Held before the first point (negative frames too) and after the last.
    EXPECT_EQ(e.valueAt(-1000), -6.0);
    EXPECT_EQ(e.valueAt(0), -6.0);
    EXPECT_EQ(e.valueAt(47999), -6.0);
    EXPECT_EQ(e.valueAt(120001), 3.0);
    EXPECT_EQ(e.valueAt(int64_t{1} << 40), 3.0);
    // Every ramp here is longer than the de-zipper: what is applied is the drawn curve, bit for bit.
    for (int64_t f = 40000; f < 130000; f += 7)
        ASSERT_EQ(e.valueAt(f), e.curveValueAt(f)) << f;
}

TEST(AutomationEnvelope, CurveMatchesDirectEvaluationOfRandomLanes) {
    std::mt19937 rng(11);
    for (int trial = 0; trial < 20; ++trial) {
        const auto points = randomPoints(rng, 30);
        const double fs = trial % 2 ? 44100.0 : 96000.0;
        const AutomationEnvelope e = envelopeOf(points, fs);
        const int64_t end = std::llround((points.back().timeSeconds + 0.1) * fs);
        for (int64_t f = -100; f < end; f += 1 + (f & 7))
            ASSERT_NEAR(e.curveValueAt(f), referenceCurve(points, fs, f), 1e-9)
                << "trial " << trial << " frame " << f;
    }
}

TEST(AutomationEnvelope, StepLandsOnTheRoundedFrame) {
    for (const double fs : {44100.0, 48000.0, 96000.0})
        for (const double t : {0.0, 1.0 / 3.0, 12.345678, 28.0, 61.99999}) {
            const AutomationEnvelope e = envelopeOf({{t, 0.0}, {t, 6.0}}, fs);
            const int64_t p = std::llround(t * fs);
            const int ramp = e.stepRampFrames();
            EXPECT_EQ(ramp, std::lround(AutomationEnvelope::kStepRampSeconds * fs));
            // The drawn curve steps on frame p...
            EXPECT_EQ(e.curveValueAt(p - 1), 0.0);
            EXPECT_EQ(e.curveValueAt(p), 6.0);
            // ...and the applied value starts moving on that frame and arrives ramp - 1 frames later.
            EXPECT_EQ(e.valueAt(p - 1), 0.0) << t << " @ " << fs;
            EXPECT_NEAR(e.valueAt(p), 6.0 / ramp, 1e-12) << t << " @ " << fs;
            EXPECT_NEAR(e.valueAt(p + ramp / 2), 6.0 * (ramp / 2 + 1) / ramp, 1e-12);
            EXPECT_EQ(e.valueAt(p + ramp - 1), 6.0);
            EXPECT_EQ(e.valueAt(p + ramp), 6.0);
        }
}

// Render and engine split the timeline differently; the values must not notice.
TEST(AutomationEnvelope, RenderEqualsValueAtForAnyBlocksAndStarts) {
    std::mt19937 rng(5);
    for (int trial = 0; trial < 10; ++trial) {
        const auto points = randomPoints(rng, 40);
        const AutomationEnvelope e = envelopeOf(points);
        const int64_t end = std::llround((points.back().timeSeconds + 0.05) * kFs);
        const int64_t begin = -500;
        std::vector<double> expected(static_cast<std::size_t>(end - begin));
        for (int64_t f = begin; f < end; ++f)
            expected[static_cast<std::size_t>(f - begin)] = e.valueAt(f);

        std::uniform_int_distribution<int> blockSize(1, 3000);
        std::vector<double> got(expected.size());
        std::vector<double> block(3000);
        for (int64_t f = begin; f < end;) {
            const int n = static_cast<int>(std::min<int64_t>(blockSize(rng), end - f));
            if (e.render(f, n, block.data())) std::fill(block.begin(), block.begin() + n, block[0]);
            std::copy(block.begin(), block.begin() + n, got.begin() + (f - begin));
            f += n;
        }
        ASSERT_EQ(std::memcmp(got.data(), expected.data(), got.size() * sizeof(double)), 0)
            << "trial " << trial;
    }
}

TEST(AutomationEnvelope, FlatBlocksAreReportedAndExact) {
    const AutomationEnvelope e = envelopeOf({{1.0, -3.0}, {2.0, -3.0}, {2.0, 1.0}, {3.0, 2.0}});
    std::vector<double> v(512);
    EXPECT_TRUE(e.render(0, 512, v.data()));
    EXPECT_EQ(v[0], -3.0);
    EXPECT_TRUE(e.render(60000, 512, v.data())); // between two -3 points
    EXPECT_EQ(v[0], -3.0);
    EXPECT_FALSE(e.render(96000 - 100, 512, v.data())); // the step at 2 s
    EXPECT_FALSE(e.render(100000, 512, v.data()));      // the ramp from 2 to 3 s
    EXPECT_TRUE(e.render(200000, 512, v.data()));
    EXPECT_EQ(v[0], 2.0);
}

// Largest change from one frame to the next: a step of d is spread over the ramp R, so no frame moves by
// more than |d| / R (plus the slope of a gradual ramp under it); a ramp steeper than that is slowed down
// to it. Without the de-zipper the 12 dB step would move 12 dB in one frame.
TEST(AutomationEnvelope, NoFrameMovesFasterThanTheStepRamp) {
    struct Case {
        std::vector<AutomationPoint> points;
        double bound; // per frame
    };
    const double ramp = std::lround(AutomationEnvelope::kStepRampSeconds * kFs);
    const std::vector<Case> cases{
        {{{1.0, 0.0}, {1.0, 12.0}}, 12.0 / ramp},                                    // a step
        {{{1.0, 0.0}, {1.0 + 1.0 / kFs, -12.0}}, 12.0 / ramp},                       // a one-frame ramp
        {{{1.0, 0.0}, {1.0, 12.0}, {1.005, 12.0}, {1.005, 0.0}}, 2.0 * 12.0 / ramp}, // up, down 5 ms later
        {{{1.0, 0.0}, {1.0, 6.0}, {1.0, -6.0}}, 6.0 / ramp}, // three points on one frame
    };
    for (const auto& c : cases) {
        const AutomationEnvelope e = envelopeOf(c.points);
        double largest = 0.0;
        for (int64_t f = 47000; f < 50000; ++f)
            largest = std::max(largest, std::abs(e.valueAt(f) - e.valueAt(f - 1)));
        EXPECT_LE(largest, c.bound + 1e-12);
        EXPECT_GT(largest, 0.0);
        // And the lane still arrives where it was drawn once the ramp is over.
        EXPECT_EQ(e.valueAt(50000), c.points.back().value);
    }
}

TEST(AutomationEnvelope, RejectsUnusableListsAndKeepsThePreviousOne) {
    AutomationEnvelope e;
    e.prepare(kFs, 3);
    EXPECT_TRUE(e.empty());
    ASSERT_TRUE(e.setPoints(std::vector<AutomationPoint>{{0.0, 1.0}, {1.0, 2.0}}));
    EXPECT_FALSE(e.setPoints(std::vector<AutomationPoint>{{1.0, 1.0}, {0.5, 2.0}}));
    EXPECT_FALSE(e.setPoints(std::vector<AutomationPoint>{{0.0, std::nan("")}}));
    EXPECT_FALSE(e.setPoints(std::vector<AutomationPoint>{{INFINITY, 0.0}}));
    EXPECT_FALSE(e.setPoints(std::vector<AutomationPoint>{{0.0, 0.0}, {1.0, 0.0}, {2.0, 0.0}, {3.0, 0.0}}));
    EXPECT_EQ(e.numPoints(), 2);
    EXPECT_EQ(e.valueAt(24000), 1.5);
    EXPECT_STREQ(automationPointsProblem(std::vector<AutomationPoint>{{1.0, 1.0}, {0.5, 2.0}}),
                 "points are not in time order");
    EXPECT_EQ(automationPointsProblem(std::vector<AutomationPoint>{{1.0, 1.0}, {1.0, 2.0}}), nullptr);
    e.clear();
    EXPECT_TRUE(e.empty());
}

TEST(AutomationEnvelope, SetPointsRenderAndValueAtDoNotAllocate) {
    std::mt19937 rng(2);
    const auto points = randomPoints(rng, 60);
    AutomationEnvelope e;
    e.prepare(kFs, 64);
    std::vector<double> v(1024);
    lathe::test::armMallocCounter();
    const bool accepted = e.setPoints(points);
    double sum = 0.0;
    for (int64_t f = 0; f < 200000; f += 1024) {
        e.render(f, 1024, v.data());
        sum += v[0] + e.valueAt(f) + e.curveValueAt(f);
    }
    e.clear();
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
    EXPECT_TRUE(accepted);
    EXPECT_TRUE(std::isfinite(sum));
}
