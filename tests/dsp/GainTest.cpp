#include "dsp/Decibels.h"
#include "dsp/Gain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace lathe::dsp;

namespace {

struct Stereo {
    std::vector<float> l, r;
    float* ptrs[2];
    explicit Stereo(int n, float value = 0.0f) : l(static_cast<size_t>(n), value), r(static_cast<size_t>(n), value) {
        ptrs[0] = l.data();
        ptrs[1] = r.data();
    }
    AudioBlock block() { return AudioBlock(ptrs, 2, static_cast<int>(l.size())); }
};

} // namespace

TEST(Gain, UnityIsBitTransparent) {
    Gain g;
    g.prepare(48000.0, 512, 2);
    Stereo s(1000);
    for (int i = 0; i < 1000; ++i)
        s.l[static_cast<size_t>(i)] = s.r[static_cast<size_t>(i)] = std::sin(0.01f * static_cast<float>(i)) * 0.7f;
    const auto before = s.l;
    g.process(s.block());
    EXPECT_EQ(before, s.l);
}

TEST(Gain, SteadyStateMatchesDecibels) {
    Gain g;
    g.setGainDb(-6.0);
    g.prepare(48000.0, 512, 2);
    Stereo s(256, 1.0f);
    g.process(s.block());
    // Expectation from the definition of the decibel: 10^(-6/20).
    EXPECT_NEAR(s.l[100], std::pow(10.0, -6.0 / 20.0), 1e-6);
    EXPECT_NEAR(s.r[255], 0.501187, 1e-6);
}

TEST(Gain, ChangeRampsLinearlyOverRampTime) {
    Gain g;
    g.prepare(48000.0, 4800, 2);
    g.setGainDb(-20.0); // target 0.1 from 1.0 over 20 ms = 960 samples
    Stereo s(2000, 1.0f);
    g.process(s.block());
    EXPECT_NEAR(s.l[0], 1.0 - 0.9 / 960.0, 1e-6);
    EXPECT_NEAR(s.l[479], 1.0 - 0.9 * 480.0 / 960.0, 1e-5);
    EXPECT_NEAR(s.l[959], 0.1, 1e-6);
    EXPECT_NEAR(s.l[1999], 0.1, 1e-6);
    // Monotonic: no zipper steps back up.
    for (int i = 1; i < 960; ++i)
        EXPECT_LT(s.l[static_cast<size_t>(i)], s.l[static_cast<size_t>(i - 1)]);
}

TEST(Gain, PolarityAndMute) {
    Gain g;
    g.setPolarityInverted(true);
    g.prepare(48000.0, 512, 2);
    Stereo s(16, 0.25f);
    g.process(s.block());
    EXPECT_EQ(s.l[3], -0.25f);
    g.setMuted(true);
    Stereo t(4000, 0.25f);
    g.process(t.block());
    EXPECT_EQ(t.r[3999], 0.0f);
    EXPECT_LT(std::abs(t.r[0] - (-0.25f)), 0.01f); // ramps, not an instant step
}
