// `lathe --timing FOLDER --no-audio` (issue 22) prints how long a folder took to become playable and
// measured, with a mix when its codec preview was ready, and the process's peak memory, then quits: the keys
// vs-peers.sh reads. Only the keys and their
// consistency are checked here; how fast is a benchmark's question (tests/bench/vs-peers.sh), never a test's.

#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <regex>
#include <sndfile.h>
#include <string>

#ifdef LATHE_GUI_PATH

using lathe::test::runCli;
using lathe::test::runShell;
using lathe::test::shellQuote;

namespace {

long long valueOf(const std::string& out, const std::string& key) {
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("(^|\n)" + key + " (-?[0-9]+)\n"))) return -1;
    return std::stoll(m[2].str());
}

std::string runTiming(const lathe::test::TempDir& dir, const std::string& folder) {
    // A private home: the GUI remembers recent folders in its settings, never the user's.
    const std::string home = dir.file("home");
    const auto result = runShell("mkdir -p " + shellQuote(home) + " && env HOME=" + shellQuote(home) +
                                 " XDG_CONFIG_HOME=" + shellQuote(home + "/.config") +
                                 " XDG_CACHE_HOME=" + shellQuote(home + "/.cache") +
                                 " QT_QPA_PLATFORM=offscreen timeout -k 5 300 " + shellQuote(LATHE_GUI_PATH) +
                                 " --timing " + shellQuote(folder) + " --no-audio");
    EXPECT_EQ(result.exitCode, 0) << result.out;
    return result.out;
}

void expectSaneTiming(const std::string& out) {
    const long long playable = valueOf(out, "playable_ms");
    const long long measured = valueOf(out, "measured_ms");
    const long long rss = valueOf(out, "peak_rss_mb");
    EXPECT_GE(playable, 0) << out;
    EXPECT_GE(measured, playable) << out;
    EXPECT_GT(rss, 0) << out;
}

} // namespace

// The demo folder (stems, the mix and a reference: every compare source, the codec preview included: it
// is made in the background, so it may be ready before or after the rest is measured, never before the
// folder plays).
TEST(GuiTiming, PrintsPlayableMeasuredCodecPreviewAndPeakMemory) {
    lathe::test::TempDir dir;
    const std::string folder = dir.file("Song");
    ASSERT_EQ(runCli({"demo", folder, "--seconds", "5"}).exitCode, 0);
    const std::string out = runTiming(dir, folder);
    expectSaneTiming(out);
    EXPECT_GE(valueOf(out, "codec_preview_ms"), valueOf(out, "playable_ms")) << out;
    EXPECT_GE(valueOf(out, "playable_ms"), 0) << out;
}

// Stems at another rate than the session's: converted for streaming off the playable path, still timed.
TEST(GuiTiming, StemsAtAnotherRateAreTimedToo) {
    lathe::test::TempDir dir;
    const std::string folder = dir.file("Song44");
    ASSERT_EQ(runShell("mkdir -p " + shellQuote(folder)).exitCode, 0);
    lathe::test::writeTestAudio(folder + "/01_Drums.wav",
                                lathe::test::makeSine(2, 44100 * 4, 44100, 220, 0.3), 44100,
                                SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    lathe::test::writeTestAudio(folder + "/02_Bass.flac", lathe::test::makeSine(2, 48000 * 4, 48000, 55, 0.3),
                                48000, SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
    const std::string out = runTiming(dir, folder);
    expectSaneTiming(out);
    // No mix, no stereo master: no codec preview to time.
    EXPECT_EQ(valueOf(out, "codec_preview_ms"), -1) << out;
}

TEST(GuiTiming, NeedsAFolder) {
    const auto result = runShell("QT_QPA_PLATFORM=offscreen timeout -k 5 60 " + shellQuote(LATHE_GUI_PATH) +
                                 " --timing --no-audio");
    EXPECT_NE(result.exitCode, 0) << result.out;
}

#endif
