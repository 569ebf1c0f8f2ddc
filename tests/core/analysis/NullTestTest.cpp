#include "core/analysis/NullTest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

using namespace lathe;

namespace {

std::vector<float> noise(std::size_t n, uint32_t seed, float amplitude) {
    std::vector<float> x(n);
    for (auto& v : x) {
        seed = seed * 1664525u + 1013904223u;
        v = amplitude * (static_cast<float>(seed) / 4294967296.0f * 2.0f - 1.0f);
    }
    return x;
}

core::LoadedAudio stereo(const std::vector<float>& l, const std::vector<float>& r, const std::string& name) {
    core::LoadedAudio a;
    a.info.path = "/x/" + name;
    a.info.sampleRate = 48000;
    a.info.channels = 2;
    a.info.frames = static_cast<int64_t>(l.size());
    a.channels = {l, r};
    return a;
}

std::vector<float> delayed(const std::vector<float>& x, int lag) {
    std::vector<float> y(x.size(), 0.0f);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto j = static_cast<int64_t>(i) - lag;
        if (j >= 0 && j < static_cast<int64_t>(x.size())) y[i] = x[static_cast<std::size_t>(j)];
    }
    return y;
}

} // namespace

TEST(NullTest, EstimateLagIsExactBothWays) {
    const auto ref = noise(48000, 7, 0.3f);
    for (int lag : {-1234, -37, -1, 0, 1, 37, 4000}) {
        const core::LagEstimate e = core::estimateLag(delayed(ref, lag), ref, 4800);
        EXPECT_EQ(e.lagSamples, lag);
        EXPECT_GT(e.correlation, 0.99) << lag;
    }
    std::vector<float> flipped = delayed(ref, 5);
    for (float& x : flipped)
        x = -x;
    const core::LagEstimate e = core::estimateLag(flipped, ref, 4800);
    EXPECT_EQ(e.lagSamples, 5);
    EXPECT_LT(e.correlation, -0.99);
}

TEST(NullTest, ResidualIsTheAnalyticLevel) {
    // Mix = a + b; stem b missing 1/10 of its amplitude: residual = 0.1 b, which with equal-power a and b is
    // 20 log10(0.1) - 3 dB below the mix.
    const auto a = noise(96000, 1, 0.2f), b = noise(96000, 2, 0.2f);
    std::vector<float> mix(a.size()), bLow(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        mix[i] = a[i] + b[i], bLow[i] = 0.9f * b[i];
    const auto r =
        core::runNullTest(stereo(mix, mix, "mix.wav"), {stereo(a, a, "a.wav"), stereo(bLow, bLow, "b.wav")});
    EXPECT_NEAR(r.residualDb, -20.0 - 10.0 * std::log10(2.0), 0.1);
    EXPECT_EQ(r.stems[0].lagSamples, 0);
    EXPECT_EQ(r.stems[1].lagSamples, 0);
}

TEST(NullTest, OffsetPolarityAndMissingStemAreTold) {
    const auto a = noise(96000, 3, 0.2f), b = noise(96000, 4, 0.2f), c = noise(96000, 5, 0.2f);
    std::vector<float> mix(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        mix[i] = a[i] + b[i] + c[i];
    const auto m = stereo(mix, mix, "mix.wav");

    auto late = core::runNullTest(
        m, {stereo(a, a, "a.wav"), stereo(delayed(b, 37), delayed(b, 37), "b.wav"), stereo(c, c, "c.wav")});
    EXPECT_EQ(late.cause, core::NullCause::StemOffset);
    EXPECT_EQ(late.stems[1].lagSamples, 37);
    EXPECT_EQ(late.stems[0].lagSamples, 0);
    EXPECT_EQ(late.stems[2].lagSamples, 0);
    // Moving b back leaves only its last 37 samples unknown (cut off by the delay): 37 / 96000 of b's energy,
    // about -39 dB against the mix.
    EXPECT_NEAR(late.correctedResidualDb, 10.0 * std::log10(37.0 / 96000.0 / 3.0), 1.0);

    std::vector<float> minusB(b);
    for (float& x : minusB)
        x = -x;
    auto flipped =
        core::runNullTest(m, {stereo(a, a, "a.wav"), stereo(minusB, minusB, "b.wav"), stereo(c, c, "c.wav")});
    EXPECT_EQ(flipped.cause, core::NullCause::PolarityFlip);
    EXPECT_TRUE(flipped.stems[1].polarityInverted);
    // Residual = 2b against a mix of three equal-power parts: 20 log10(2) - 10 log10(3).
    EXPECT_NEAR(flipped.residualDb, 20.0 * std::log10(2.0) - 10.0 * std::log10(3.0), 0.1);

    auto missing = core::runNullTest(m, {stereo(a, a, "a.wav"), stereo(c, c, "c.wav")});
    EXPECT_EQ(missing.cause, core::NullCause::MissingStem);
    EXPECT_NEAR(missing.residualDb, -10.0 * std::log10(3.0), 0.1);
}

TEST(NullTest, GainOnTheMixBusIsMasterBusProcessing) {
    const auto a = noise(96000, 6, 0.2f), b = noise(96000, 8, 0.2f);
    std::vector<float> mix(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        mix[i] = 1.5f * (a[i] + b[i]);
    const auto r =
        core::runNullTest(stereo(mix, mix, "mix.wav"), {stereo(a, a, "a.wav"), stereo(b, b, "b.wav")});
    EXPECT_EQ(r.cause, core::NullCause::MasterBusProcessing);
    EXPECT_NEAR(r.fittedGainDb, 20.0 * std::log10(1.5), 0.01);
    // 1.5 s - s = 0.5 s, a third of the mix: -9.5 dB.
    EXPECT_NEAR(r.residualDb, 20.0 * std::log10(1.0 / 3.0), 0.1);
}

TEST(NullTest, AStemAtAnotherLevelIsNamedWithItsLeastSquaresGain) {
    const auto a = noise(96000, 11, 0.2f), b = noise(96000, 12, 0.2f), c = noise(96000, 13, 0.2f);
    // The mix holds b 4 dB louder than its file, and b's right side another 2 dB up (a pan change).
    const float g = static_cast<float>(std::pow(10.0, 4.0 / 20.0)),
                gr = static_cast<float>(std::pow(10.0, 6.0 / 20.0));
    std::vector<float> left(a.size()), right(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        left[i] = a[i] + g * b[i] + c[i];
        right[i] = a[i] + gr * b[i] + c[i];
    }
    const auto r = core::runNullTest(stereo(left, right, "mix.wav"),
                                     {stereo(a, a, "a.wav"), stereo(b, b, "b.wav"), stereo(c, c, "c.wav")});
    EXPECT_EQ(r.cause, core::NullCause::StemGain);
    EXPECT_NEAR(r.stems[1].gainLeftDb, 4.0, 0.01);
    EXPECT_NEAR(r.stems[1].gainRightDb, 6.0, 0.01);
    // Both channels together: the least-squares gain is the mean of the two channels' (b is uncorrelated
    // with the others and as strong on both sides).
    EXPECT_NEAR(r.stems[1].gainDb, 20.0 * std::log10((g + gr) / 2.0), 0.05);
    EXPECT_NEAR(r.stems[0].gainDb, 0.0, 0.01);
    EXPECT_NEAR(r.stems[2].gainDb, 0.0, 0.01);
    // Per channel the gains explain everything but the float rounding; both channels with one gain each, not.
    EXPECT_LT(r.stemGainResidualDb, r.correctedResidualDb - 10.0);
    EXPECT_NE(r.explanation.find("b.wav is"), std::string::npos) << r.explanation;
    EXPECT_NE(r.explanation.find("quieter than in the printed mix"), std::string::npos) << r.explanation;
}
