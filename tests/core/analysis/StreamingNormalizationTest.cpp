#include "core/analysis/StreamingNormalization.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

using namespace lathe;

namespace {
core::PlaybackOnPlatform on(const std::string& name, double lufs, double tp) {
    for (const auto& p : core::normalizeForAll(lufs, tp))
        if (p.platform == name) return p;
    throw std::runtime_error("no platform " + name);
}
} // namespace

TEST(StreamingNormalization, TargetsAreThePublishedOnes) {
    // Spotify's listener settings too (issue 20): Loud -11, Quiet -19.
    std::map<std::string, double> expected{
        {"Spotify", -14}, {"Spotify (loud)", -11}, {"Spotify (quiet)", -19}, {"Apple Music", -16},
        {"YouTube", -14}, {"Tidal", -14},          {"Amazon Music", -14},    {"Deezer", -15}};
    ASSERT_EQ(core::streamingPlatforms().size(), expected.size());
    for (const auto& p : core::streamingPlatforms())
        EXPECT_EQ(p.targetLufs, expected.at(p.name)) << p.name;
}

TEST(StreamingNormalization, SpotifyLoudLimitsAndOnlyDefaultSettingsGetTheTurnDownNote) {
    // Loud raises a quiet master fully and limits its peaks at -1 dBTP instead of stopping at them.
    const auto loud = on("Spotify (loud)", -20.0, -3.0);
    EXPECT_DOUBLE_EQ(loud.gainDb, 9.0);
    EXPECT_DOUBLE_EQ(loud.resultingTruePeakDbtp, -1.0);
    EXPECT_DOUBLE_EQ(on("Spotify", -20.0, -3.0).gainDb, 2.0);
    // -10 LUFS: Spotify -4, Apple -6, YouTube/Tidal/Amazon -4, Deezer -5 are notes; Quiet (-9) is the
    // listener's choice and Loud (-1) is within 2 dB.
    const auto notes = core::turnedDownNotes("stereo_master", core::normalizeForAll(-10.0, -1.0));
    EXPECT_EQ(notes.size(), 6u);
    for (const auto& n : notes)
        EXPECT_EQ(n.find("Spotify ("), std::string::npos) << n;
    EXPECT_TRUE(core::turnedDownNotes("x", core::normalizeForAll(-14.0, -1.0)).empty());
}

TEST(StreamingNormalization, LoudMasterIsTurnedDownEverywhere) {
    const auto s = on("Spotify", -9.0, -0.3), a = on("Apple Music", -9.0, -0.3), d = on("Deezer", -9.0, -0.3);
    EXPECT_DOUBLE_EQ(s.gainDb, -5.0);
    EXPECT_DOUBLE_EQ(s.resultingTruePeakDbtp, -5.3);
    EXPECT_DOUBLE_EQ(a.gainDb, -7.0);
    EXPECT_DOUBLE_EQ(d.gainDb, -6.0);
    EXPECT_TRUE(s.turnedDown);
    EXPECT_FALSE(s.turnedUp);
}

TEST(StreamingNormalization, QuietMasterIsRaisedOnlyWherePlatformsRaiseAndOnlyAsFarAsThePeaksAllow) {
    // -20 LUFS with peaks at -10 dBTP: Spotify has 6 dB to go and room for 9.
    EXPECT_DOUBLE_EQ(on("Spotify", -20.0, -10.0).gainDb, 6.0);
    EXPECT_DOUBLE_EQ(on("YouTube", -20.0, -10.0).gainDb, 0.0);
    EXPECT_DOUBLE_EQ(on("Tidal", -20.0, -10.0).gainDb, 0.0);
    // Peaks at -3 dBTP leave only 2 dB before -1 dBTP.
    const auto limited = on("Spotify", -20.0, -3.0);
    EXPECT_DOUBLE_EQ(limited.gainDb, 2.0);
    EXPECT_DOUBLE_EQ(limited.resultingTruePeakDbtp, -1.0);
    EXPECT_DOUBLE_EQ(on("Apple Music", -20.0, -3.0).gainDb, 2.0);
    // Already above the ceiling: no upward gain at all, never a cut.
    EXPECT_DOUBLE_EQ(on("Spotify", -20.0, 0.5).gainDb, 0.0);
}
