#include "dsp/StereoWidth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kFrames = 2048;
constexpr int kRampFrames = 960; // 20 ms at 48 kHz

struct Stereo {
    std::vector<float> left, right;
    AudioBlock block(int start = 0, int count = -1) {
        ptrs[0] = left.data() + start;
        ptrs[1] = right.data() + start;
        return AudioBlock(ptrs, 2, count < 0 ? static_cast<int>(left.size()) - start : count);
    }
    float* ptrs[2] = {};
};

Stereo noise(int frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    Stereo s{std::vector<float>(static_cast<size_t>(frames)),
             std::vector<float>(static_cast<size_t>(frames))};
    for (int i = 0; i < frames; ++i)
        s.left[static_cast<size_t>(i)] = dist(rng), s.right[static_cast<size_t>(i)] = dist(rng);
    return s;
}

// A unit with the given settings already reached (no ramp).
StereoWidth settled(double width, double balance) {
    StereoWidth w;
    w.prepare(kFs, kFrames, 2);
    w.setWidth(width);
    w.setBalance(balance);
    w.reset();
    return w;
}

} // namespace

TEST(StereoWidth, WidthZeroIsMono) {
    auto unit = settled(0.0, 0.0);
    Stereo s = noise(kFrames, 1);
    const Stereo in = s;
    unit.process(s.block());
    for (size_t i = 0; i < s.left.size(); ++i) {
        const float mid = static_cast<float>(0.5 * (static_cast<double>(in.left[i]) + in.right[i]));
        EXPECT_EQ(s.left[i], s.right[i]);
        EXPECT_EQ(s.left[i], mid);
    }
}

TEST(StereoWidth, WidthTwoDoublesSideAndKeepsMid) {
    auto unit = settled(2.0, 0.0);
    Stereo s = noise(kFrames, 2);
    const Stereo in = s;
    unit.process(s.block());
    for (size_t i = 0; i < s.left.size(); ++i) {
        const double midIn = 0.5 * (static_cast<double>(in.left[i]) + in.right[i]);
        const double sideIn = 0.5 * (static_cast<double>(in.left[i]) - in.right[i]);
        const double midOut = 0.5 * (static_cast<double>(s.left[i]) + s.right[i]);
        const double sideOut = 0.5 * (static_cast<double>(s.left[i]) - s.right[i]);
        // One float rounding per output channel: at most half an ulp of values up to 3.
        EXPECT_NEAR(midOut, midIn, 3e-7);
        EXPECT_NEAR(sideOut, 2.0 * sideIn, 3e-7);
    }
}

TEST(StereoWidth, UnityIsBitTransparentIncludingAfterARampBack) {
    StereoWidth unit;
    unit.prepare(kFs, kFrames, 2);
    Stereo s = noise(kFrames, 3);
    Stereo in = s;
    unit.process(s.block());
    EXPECT_EQ(s.left, in.left);
    EXPECT_EQ(s.right, in.right);

    unit.setWidth(0.3);
    unit.setBalance(0.4);
    unit.process(s.block());
    unit.setWidth(1.0);
    unit.setBalance(0.0);
    unit.process(s.block()); // the ramp back (960 frames) completes within this block
    s = noise(kFrames, 4);
    in = s;
    unit.process(s.block());
    EXPECT_EQ(s.left, in.left);
    EXPECT_EQ(s.right, in.right);
}

TEST(StereoWidth, BalanceAttenuatesTheFarChannelLinearly) {
    for (double balance : {-1.0, -0.6, -0.25, 0.25, 0.6, 1.0}) {
        auto unit = settled(1.0, balance);
        Stereo s = noise(256, 5);
        const Stereo in = s;
        unit.process(s.block());
        const double leftGain = balance > 0.0 ? 1.0 - balance : 1.0;
        const double rightGain = balance < 0.0 ? 1.0 + balance : 1.0;
        for (size_t i = 0; i < s.left.size(); ++i) {
            EXPECT_NEAR(s.left[i], in.left[i] * leftGain, 3e-7) << balance;
            EXPECT_NEAR(s.right[i], in.right[i] * rightGain, 3e-7) << balance;
        }
    }
    EXPECT_EQ(settled(1.0, 5.0).balance(), 1.0);
    EXPECT_EQ(settled(-3.0, 0.0).width(), 0.0);
}

// Pure side in (L = 1, R = -1): a width move 1 -> 0 takes L from 1 to 0 in a straight line over 20 ms, and a
// balance move 0 -> 1 on a centred signal takes L from 1 to 0 the same way. No sample step exceeds the ramp
// slope.
TEST(StereoWidth, RampsAreLinearWithoutSteps) {
    struct Case {
        float left, right;
        double width, balance;
    };
    for (const Case& c : {Case{1.0f, -1.0f, 0.0, 0.0}, Case{1.0f, 1.0f, 1.0, 1.0}}) {
        StereoWidth unit;
        unit.prepare(kFs, kFrames, 2);
        Stereo s{std::vector<float>(kFrames, c.left), std::vector<float>(kFrames, c.right)};
        unit.setWidth(c.width);
        unit.setBalance(c.balance);
        // Awkward block sizes: the ramp must continue across block boundaries.
        for (int start = 0; start < kFrames; start += 97)
            unit.process(s.block(start, std::min(97, kFrames - start)));
        const double slope = 1.0 / kRampFrames;
        // Each output is rounded to float (half an ulp, 2^-25, below 1.0), so a step may exceed the exact
        // slope by one ulp.
        const double kFloatStep = std::ldexp(1.0, -24);
        double previous = c.left;
        for (int i = 0; i < kFrames; ++i) {
            const double v = s.left[static_cast<size_t>(i)];
            EXPECT_LE(std::abs(v - previous), slope + kFloatStep) << "frame " << i;
            previous = v;
        }
        EXPECT_NEAR(s.left[kRampFrames / 2 - 1], 0.5, slope); // halfway through the ramp
        EXPECT_EQ(s.left[kRampFrames - 1], 0.0f);             // lands exactly on target
        EXPECT_EQ(s.left.back(), 0.0f);
        EXPECT_EQ(s.right.back(), c.right == c.left ? c.right : 0.0f);
    }
}

TEST(StereoWidth, NonStereoPassesThrough) {
    auto unit = settled(0.0, 0.5);
    Stereo s = noise(64, 6);
    const Stereo in = s;
    float* mono[1] = {s.left.data()};
    unit.process(AudioBlock(mono, 1, 64));
    EXPECT_EQ(s.left, in.left);
    float* three[3] = {s.left.data(), s.right.data(), s.left.data()};
    unit.process(AudioBlock(three, 3, 64));
    EXPECT_EQ(s.left, in.left);
    EXPECT_EQ(s.right, in.right);
}
