// The decisions the engine and the render share (core/chain/ChainPolicy, ChainSettingsMapping): each is one
// function both call, so testing it here tests both sides.
#include "core/chain/ChainPolicy.h"
#include "core/chain/ChainSettingsMapping.h"

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

namespace lathe::core {
namespace {

Session withStems(int count) {
    Session s;
    for (int i = 0; i < count; ++i) {
        StemSettings stem;
        stem.id = "stem" + std::to_string(i);
        s.stems.push_back(stem);
    }
    return s;
}

} // namespace

TEST(ChainPolicy, MutedStemsAreSilentAndSoloLeavesOnlyTheSoloed) {
    Session s = withStems(4);
    EXPECT_EQ(stemAudibility(s), (std::vector<char>{1, 1, 1, 1}));
    EXPECT_FALSE(anyStemSoloed(s));
    s.stems[1].mute = true;
    EXPECT_EQ(stemAudibility(s), (std::vector<char>{1, 0, 1, 1}));
    s.stems[2].solo = true;
    EXPECT_TRUE(anyStemSoloed(s));
    EXPECT_EQ(stemAudibility(s), (std::vector<char>{0, 0, 1, 0}));
    s.stems[1].solo = true; // soloed and muted: mute wins
    EXPECT_EQ(stemAudibility(s), (std::vector<char>{0, 0, 1, 0}));
    EXPECT_TRUE(stemAudibility(withStems(0)).empty());
}

// The margin covers the largest step dither can add to a peak: 1.5 LSB of 16-bit audio at the highest
// ceiling Lathe accepts (0 dBTP) is 0.0004 dB; 24-bit needs 256 times less.
TEST(ChainPolicy, DitherMarginCoversSixteenBitDitherAtTheCeiling) {
    const double lsb16 = 1.0 / 32768.0;
    const double ditherStepDb = 20.0 * std::log10((1.0 - 1.5 * lsb16 + 1.5 * lsb16) / (1.0 - 1.5 * lsb16));
    EXPECT_GT(kDitherMarginDb, ditherStepDb);
    EXPECT_EQ(limiterCeilingDbtp(LimiterSettings{true, -1.0, 100.0, 2.0}), -1.0 - kDitherMarginDb);
    EXPECT_EQ(limiterCeilingDbtp(LimiterSettings{false, -0.3, 100.0, 2.0}), -0.3 - kDitherMarginDb);
}

// Every enumeration the session spells is mapped here; an unknown spelling (a caller that skipped
// sessionFromJson) falls to the harmless default.
TEST(ChainSettingsMapping, EveryEnumerationMapsOnceAndUnknownNamesFallBackSafely) {
    EXPECT_EQ(toDetectionMode("peak"), dsp::DetectionMode::Peak);
    EXPECT_EQ(toDetectionMode("rms"), dsp::DetectionMode::Rms);
    EXPECT_EQ(toDetectionMode("RMS"), dsp::DetectionMode::Peak);
    EXPECT_EQ(toSaturationMode("soft_clip"), dsp::SaturationMode::SoftClip);
    EXPECT_EQ(toSaturationMode("tape"), dsp::SaturationMode::Tape);
    EXPECT_EQ(toSaturationMode("tube"), dsp::SaturationMode::SoftClip);
    const dsp::EqBand shelf = toEqBand({true, "high_shelf", 8000.0, 0.7, 2.5});
    EXPECT_TRUE(shelf.enabled);
    EXPECT_EQ(shelf.type, dsp::FilterType::HighShelf);
    EXPECT_EQ(shelf.frequencyHz, 8000.0);
    EXPECT_EQ(shelf.q, 0.7);
    EXPECT_EQ(shelf.gainDb, 2.5);
    EXPECT_FALSE(toEqBand({true, "tilt", 8000.0, 0.7, 2.5}).enabled);
    const CompressorSettings c{.enabled = true,
                               .threshold_db = -30,
                               .ratio = 3,
                               .knee_db = 4,
                               .attack_ms = 7,
                               .release_ms = 90,
                               .makeup_db = 1.5,
                               .stereo_link = 0.25,
                               .sidechain_hpf_hz = 120,
                               .detection = "rms"};
    const auto mapped = [](const dsp::CompressorParameters& p) {
        return std::tuple(p.thresholdDb, p.ratio, p.kneeDb, p.attackMs, p.releaseMs, p.makeupDb, p.stereoLink,
                          p.sidechainHighPassHz, p.detection);
    };
    EXPECT_EQ(mapped(toCompressorParameters(c)),
              std::tuple(-30.0, 3.0, 4.0, 7.0, 90.0, 1.5, 0.25, 120.0, dsp::DetectionMode::Rms));
}

} // namespace lathe::core
