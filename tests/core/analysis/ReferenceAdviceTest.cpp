// The advisor's reference findings: tone, width or loudness far from the client's reference is reported
// with its figure; a mix that already sounds like it gets none.
#include "core/analysis/ReferenceAdvice.h"

#include "dsp/BiquadCoefficients.h"
#include "dsp/MatchAnalyzer.h"
#include "dsp/support/TestNoise.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lathe::core {
namespace {

constexpr int kRate = 48000;
constexpr std::size_t kFrames = 12 * kRate;

struct Stereo {
    std::vector<float> l, r;
};

Stereo makeMix() {
    const auto mid = test::pinkNoise(kFrames, kRate, 0.05, 11);
    const auto side = test::pinkNoise(kFrames, kRate, 0.015, 12);
    Stereo s{std::vector<float>(kFrames), std::vector<float>(kFrames)};
    for (std::size_t i = 0; i < kFrames; ++i) {
        s.l[i] = mid[i] + side[i];
        s.r[i] = mid[i] - side[i];
    }
    return s;
}

void shelf(std::vector<float>& x, double gainDb) {
    const auto c = dsp::makeLowShelf(kRate, 150, 0.707, gainDb);
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (float& v : x) {
        const double y = c.b0 * v + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
        x2 = x1, x1 = v, y2 = y1, y1 = y;
        v = static_cast<float>(y);
    }
}

dsp::MatchAnalysis analyse(const Stereo& s) {
    dsp::MatchAnalyzer a;
    a.prepare(kRate, 4096);
    a.process(s.l.data(), s.r.data(), static_cast<int>(kFrames));
    return a.finish();
}

const AdviceReason* find(const std::vector<AdviceReason>& reasons, const std::string& check) {
    for (const auto& r : reasons)
        if (r.check == check) return &r;
    return nullptr;
}

TEST(ReferenceAdvice, AMixThatSoundsLikeTheReferenceHasNoFinding) {
    const Stereo mix = makeMix();
    EXPECT_TRUE(referenceReasons(analyse(mix), analyse(mix)).empty());
}

TEST(ReferenceAdvice, ToneFarFromTheReferenceIsReportedWithItsFigure) {
    const Stereo mix = makeMix();
    Stereo reference = mix;
    shelf(reference.l, 8.0);
    shelf(reference.r, 8.0);
    const auto reasons = referenceReasons(analyse(mix), analyse(reference));
    const AdviceReason* tone = find(reasons, "reference_tone");
    ASSERT_NE(tone, nullptr);
    // Loudness-neutral: the bass is up against the rest by about the shelf's 8 dB.
    EXPECT_GT(tone->figure, 4.0);
    EXPECT_LT(tone->figure, 8.5);
    EXPECT_NE(tone->text.find("Hz"), std::string::npos) << tone->text;
    EXPECT_EQ(find(reasons, "reference_width"), nullptr);
}

TEST(ReferenceAdvice, WidthAndLoudnessFarFromTheReferenceAreReported) {
    const Stereo mix = makeMix();
    Stereo reference = mix;
    for (std::size_t i = 0; i < kFrames; ++i) {
        const double m = 0.5 * (mix.l[i] + mix.r[i]),
                     s = 0.5 * (mix.l[i] - mix.r[i]) * std::pow(10.0, 5.0 / 20);
        reference.l[i] = static_cast<float>(2.5 * (m + s)); // and 8 dB louder
        reference.r[i] = static_cast<float>(2.5 * (m - s));
    }
    const auto reasons = referenceReasons(analyse(mix), analyse(reference));
    const AdviceReason* width = find(reasons, "reference_width");
    ASSERT_NE(width, nullptr);
    EXPECT_NEAR(width->figure, 5.0, 0.5);
    EXPECT_NE(width->text.find("narrower"), std::string::npos) << width->text;
    const AdviceReason* loudness = find(reasons, "reference_loudness");
    ASSERT_NE(loudness, nullptr);
    EXPECT_GT(loudness->figure, 6.0);
    EXPECT_NE(loudness->text.find("louder"), std::string::npos) << loudness->text;
}

} // namespace
} // namespace lathe::core
