// lathe-cli album end to end: three songs of different loudness keep their differences (+-0.1 LU) after album
// mode, measured with libebur128 on the files; the album WAV, its CUE sheet and the track tags checked.
#include "core/demo/DemoFolder.h"

#include "support/AudioProbe.h"
#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace fs = std::filesystem;
using namespace lathe;
using nlohmann::json;

namespace {

// A demo song whose mix is scaled by `gainDb`: with the master compressor off, the chain before the limiter
// is linear, so the songs' loudness differs by exactly the scaling.
std::string makeSong(const test::TempDir& dir, const std::string& name, double gainDb) {
    core::DemoOptions options;
    options.seconds = 6.0;
    const auto demo = core::writeDemoFolder(dir.file("album/" + name), options);
    for (const auto& file : demo.files)
        if (file.size() > 8 && file.substr(file.size() - 8) == " Mix.wav") {
            test::LoadedAudio mix = test::loadAudio(file);
            for (auto& channel : mix.channels)
                for (float& x : channel)
                    x = static_cast<float>(x * std::pow(10.0, gainDb / 20.0));
            test::writeAudio(file, mix);
        }
    return demo.folder;
}

} // namespace

TEST(Album, SongsKeepTheirLoudnessDifferencesAndTheLoudestMeetsTheTarget) {
    test::TempDir dir;
    makeSong(dir, "01 Alpha", 0.0);
    makeSong(dir, "02 Bravo", -3.0);
    makeSong(dir, "03 Charlie", -6.0);
    const std::string out = dir.file("out");
    const test::CliResult r =
        test::runCli({"album", dir.file("album"), "--out", out, "--mode", "stereo", "--json", "--quiet",
                      "--set", "master.compressor.enabled=false", "--set", "output.artist=The Testers"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json report = json::parse(r.out);
    ASSERT_EQ(report["tracks"].size(), 3u);
    std::vector<double> lufs;
    double totalSeconds = 0;
    for (const auto& t : report["tracks"]) {
        SCOPED_TRACE(t["song"].get<std::string>());
        const test::LoadedAudio audio = test::loadAudio(t["wav"].get<std::string>());
        lufs.push_back(test::integratedLufs(audio));
        EXPECT_LE(test::truePeak8xDbtp(audio), -1.0);
        EXPECT_NEAR(t["integrated_lufs"].get<double>(), lufs.back(), 0.02);
        // Track starts: the previous tracks and a 2 s gap each.
        EXPECT_NEAR(t["start_s"].get<double>(), totalSeconds, 0.001);
        totalSeconds += static_cast<double>(audio.frames()) / audio.sampleRate + 2.0;
    }
    EXPECT_NEAR(lufs[0], -14.0, 0.2) << "the loudest track meets the target";
    EXPECT_NEAR(lufs[0] - lufs[1], 3.0, 0.1);
    EXPECT_NEAR(lufs[0] - lufs[2], 6.0, 0.1);

    // The album WAV: the tracks and two gaps, measured as one programme.
    const test::LoadedAudio album = test::loadAudio(report["album"]["wav"].get<std::string>());
    EXPECT_NEAR(static_cast<double>(album.frames()) / album.sampleRate, totalSeconds - 2.0, 0.001);
    EXPECT_NEAR(report["album"]["integrated_lufs"].get<double>(), test::integratedLufs(album), 0.02);
    EXPECT_LE(test::truePeak8xDbtp(album), -1.0);

    // The CUE sheet: one TRACK per song, INDEX 01 at its start (mm:ss:ff, 75 frames a second).
    std::ifstream cueFile(report["album"]["cue"].get<std::string>());
    std::stringstream cue;
    cue << cueFile.rdbuf();
    EXPECT_NE(cue.str().find("FILE \"album.wav\" WAVE"), std::string::npos) << cue.str();
    EXPECT_NE(cue.str().find("TRACK 03 AUDIO"), std::string::npos);
    EXPECT_NE(cue.str().find("INDEX 01 " + report["tracks"][1]["cue_index"].get<std::string>()),
              std::string::npos);
    EXPECT_EQ(report["tracks"][1]["cue_index"], "00:08:00") << "6 s song + 2 s gap";

    // Track numbers in the tags (ffprobe reads the MP3's ID3v2).
    const std::string mp3 = (fs::path(out) / "02 Bravo" / "02 Bravo_stereo_master.mp3").string();
    const test::CliResult probe =
        test::runShell("ffprobe -v error -show_entries format_tags -of json " + test::shellQuote(mp3));
    const json tags = json::parse(probe.out)["format"]["tags"];
    EXPECT_EQ(tags.value("track", ""), "2/3");
    EXPECT_EQ(tags.value("title", ""), "Bravo") << "the track number is not part of the title";
    EXPECT_EQ(tags.value("album", ""), "album");
    EXPECT_EQ(tags.value("artist", ""), "The Testers");
}

TEST(Album, AFolderWithoutNumberedSongsIsRefusedWithTheWayOut) {
    test::TempDir dir;
    fs::create_directories(dir.file("album/Alpha"));
    const test::CliResult r = test::runCli({"album", dir.file("album"), "--out", dir.file("out")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("number the song folders"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir.file("out")));
}

TEST(Album, AManifestSetsTheOrderAndACrossfadeOverlapsTheSongs) {
    test::TempDir dir;
    makeSong(dir, "01 Alpha", 0.0);
    makeSong(dir, "02 Bravo", -2.0);
    // The manifest's order wins over the numbers; the crossfade overlaps each join by 1 s.
    std::ofstream(dir.file("album/album.lathe"))
        << R"({"format": "lathe-album", "title": "Night Works", "artist": "The Testers", "year": 2001,
              "gap_s": 0, "crossfade_s": 1, "songs": ["02 Bravo", "01 Alpha"]})";
    const std::string out = dir.file("out");
    const test::CliResult r = test::runCli(
        {"album", dir.file("album/album.lathe"), "--out", out, "--mode", "stereo", "--json", "--quiet"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json report = json::parse(r.out);
    ASSERT_EQ(report["tracks"].size(), 2u);
    EXPECT_EQ(report["tracks"][0]["song"], "02 Bravo");
    EXPECT_NEAR(report["tracks"][1]["start_s"].get<double>(), 5.0, 0.001) << "6 s, less the 1 s overlap";
    const test::LoadedAudio album = test::loadAudio((fs::path(out) / "Night Works.wav").string());
    EXPECT_NEAR(static_cast<double>(album.frames()) / album.sampleRate, 11.0, 0.001);
    // Across the crossfade the two songs sum with linear ramps: no gap, no step. Its middle holds half of
    // each: the album there equals the mean of the two tracks' samples (to 24-bit rounding).
    const test::LoadedAudio first = test::loadAudio(report["tracks"][0]["wav"].get<std::string>());
    const test::LoadedAudio second = test::loadAudio(report["tracks"][1]["wav"].get<std::string>());
    const size_t rate = static_cast<size_t>(album.sampleRate);
    const size_t middle = 5 * rate + rate / 2; // 0.5 s into the overlap
    const double in = (static_cast<double>(rate / 2) + 0.5) / static_cast<double>(rate);
    const double expected =
        second.channels[0][rate / 2] * in + first.channels[0][5 * rate + rate / 2] * (1 - in);
    EXPECT_NEAR(album.channels[0][middle], expected, 2.0 / 8388608.0);
    std::ifstream cue((fs::path(out) / "Night Works.cue").string());
    const std::string text((std::istreambuf_iterator<char>(cue)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("PERFORMER \"The Testers\""), std::string::npos) << text;
    EXPECT_NE(text.find("INDEX 01 00:05:00"), std::string::npos) << text;
}
