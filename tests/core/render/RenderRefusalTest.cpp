// The rules on which a render refuses, at their boundaries: the figures in core/render/RenderRefusal.h and
// README's render section are the ones applied.
#include "core/render/RenderRefusal.h"
#include "core/Error.h"

#include <gtest/gtest.h>

using namespace lathe::core;

TEST(RenderRefusal, LoudnessGainUpToFortyDecibelsIsAllowed) {
    EXPECT_FALSE(loudnessRefusal("the mix", "the stereo master", -54.0, -14.0)); // exactly +40 dB
    EXPECT_FALSE(loudnessRefusal("the mix", "the stereo master", -35.0, -3.0));  // +32 dB, the quiet extreme
    const auto refused = loudnessRefusal("the mix", "the stereo master", -54.1, -14.0);
    ASSERT_TRUE(refused);
    EXPECT_NE(refused->find("the mix measures -54.1 LUFS"), std::string::npos) << *refused;
    EXPECT_NE(refused->find("the stereo master would need +40.1 dB"), std::string::npos) << *refused;
}

TEST(RenderRefusal, SilenceIsBelowTheAbsoluteGate) {
    // At a -40 LUFS target, -68.9 LUFS needs only +28.9 dB: allowed; below -69 LUFS it is silence.
    EXPECT_FALSE(loudnessRefusal("the stems sum", "the stem master", -68.9, -40.0));
    const auto silent = loudnessRefusal("the stems sum", "the stem master", -69.1, -40.0);
    ASSERT_TRUE(silent);
    EXPECT_EQ(*silent, "the stems sum is silent (no gated loudness): nothing to master");
    EXPECT_TRUE(loudnessRefusal("the stems sum", "the stem master", -200.0, -14.0)); // the meters' silence
}

TEST(RenderRefusal, SubAudibleSourceNeedsLevelAndAnInaudibleShare) {
    EXPECT_TRUE(subAudibleRefusal(-12.0, -200.0));  // DC at -12 dBFS
    EXPECT_TRUE(subAudibleRefusal(-49.9, -20.1));   // just over both limits
    EXPECT_FALSE(subAudibleRefusal(-50.0, -200.0)); // a DC offset at -50 dBFS is as good as silence
    EXPECT_FALSE(subAudibleRefusal(-12.0, -20.0));  // 1 % audible is still a part someone hears
    EXPECT_FALSE(subAudibleRefusal(-200.0, 0.0));   // silence
    const auto dc = subAudibleRefusal(-12.0, -200.0);
    EXPECT_NE(dc->find("nothing is above 20 Hz"), std::string::npos) << *dc;
    const auto rumble = subAudibleRefusal(-9.0, -37.9);
    EXPECT_NE(rumble->find("37.9 dB below"), std::string::npos) << *rumble;
}

TEST(RenderRefusal, GainRefusalNamesTheDeliverableAndTheFigures) {
    const std::string sentence = gainRefusal("the stem master", -6.0, -7.4, 31.25);
    EXPECT_EQ(sentence.rfind("the stem master reaches only -7.4 LUFS, not -6.0 LUFS, with +40 dB of gain", 0),
              0u)
        << sentence;
    EXPECT_NE(sentence.find("the limiter takes 31.2 dB of it away again"), std::string::npos) << sentence;
}

// The engineer's limit (loudness.max_limiting_db) and Lathe's own (+40 dB of drive) agree: the session cannot
// allow more limiting than the drive Lathe ever applies, and the warning names the limit, the loudness
// reached and the limiting it already took.
TEST(RenderRefusal, LimitingCapWarningNamesTheLimitAndTheFigures) {
    EXPECT_LE(kMaxLimitingDb, kMaxLoudnessGainDb);
    EXPECT_EQ(limitingCapWarning("stereo_master", -6.0, 8.0, -7.314, 8.42),
              "stereo_master: the -6.0 LUFS target is not reachable without more than 8.0 dB of limiting; "
              "stopped at -7.31 LUFS, where the limiter already takes 8.4 dB of loudness away (raise "
              "loudness.max_limiting_db, at most 40, to go further, or lower the target)");
}

TEST(RenderRefusal, UnusableFilesAreNamedWithTheirProblems) {
    FolderScan scan;
    scan.folder = "/clients/Song";
    EXPECT_FALSE(unusableFilesRefusal(scan));
    EXPECT_NO_THROW(refuseUnusableFiles(scan));
    scan.problems = {{"/clients/Song/Keys.wav", "8-bit audio"}, {"/clients/Song/Pad.wav", "a named pipe"}};
    try {
        refuseUnusableFiles(scan);
        FAIL() << "no refusal";
    } catch (const Error& e) {
        EXPECT_EQ(e.path(), "/clients/Song");
        EXPECT_EQ(e.problem(), "cannot master this folder: /clients/Song/Keys.wav: 8-bit audio; "
                               "/clients/Song/Pad.wav: a named pipe");
    }
}
