// lathe-cli scan and analyze through the real binary, against analytic expectations.
#include "support/AudioProbe.h"
#include "support/CliRunner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sndfile.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace lathe::test;

namespace {

fs::path scratch(const std::string& name) {
    const fs::path p = fs::temp_directory_path() / ("lathe-cli-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

} // namespace

TEST(CliScan, DemoFolderJsonFollowsTheContract) {
    const fs::path root = scratch("scan");
    ASSERT_EQ(runCli({"demo", (root / "Song").string(), "--seconds", "5"}).exitCode, 0);
    std::ofstream(root / "Song" / "notes.txt") << "call me";
    const CliResult r = runCli({"scan", (root / "Song").string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"folder", "mix", "reference", "stems", "ignored"})
        EXPECT_TRUE(j.contains(key)) << key;
    ASSERT_EQ(j["stems"].size(), 6u);
    std::vector<std::string> roles;
    for (const auto& s : j["stems"]) {
        for (const char* key : {"path", "role", "sample_rate", "channels", "frames", "bit_depth"})
            EXPECT_TRUE(s.contains(key)) << key;
        EXPECT_EQ(s["sample_rate"], 48000);
        EXPECT_EQ(s["channels"], 2);
        EXPECT_EQ(s["frames"], 5 * 48000);
        EXPECT_EQ(s["bit_depth"], 24);
        roles.push_back(s["role"]);
    }
    std::sort(roles.begin(), roles.end());
    EXPECT_EQ(roles,
              (std::vector<std::string>{"backing_vocals", "bass", "drums", "fx", "lead_vocal", "music"}));
    EXPECT_NE(j["mix"]["path"].get<std::string>().find("Mix.wav"), std::string::npos);
    EXPECT_NE(j["reference"]["path"].get<std::string>().find("REF.wav"), std::string::npos);
    ASSERT_EQ(j["ignored"].size(), 1u);
    EXPECT_NE(j["ignored"][0].get<std::string>().find("notes.txt"), std::string::npos);
    fs::remove_all(root);
}

TEST(CliAnalyze, SineReadsItsAnalyticLoudnessAndPeaks) {
    const fs::path root = scratch("analyze");
    // A stereo 1 kHz sine at -20 dBFS peak reads -20.0 LUFS (BS.1770's K-weighting and -0.691 dB offset
    // cancel at 1 kHz for a two-channel sine: the calibration EBU Tech 3341 case 1 relies on). No noise:
    // exact levels.
    LoadedAudio tone = makeTone(48000, 10.0, 1000.0, std::pow(10.0, -20.0 / 20.0));
    const double a = std::pow(10.0, -20.0 / 20.0);
    for (size_t i = 0; i < tone.frames(); ++i)
        tone.channels[0][i] = tone.channels[1][i] = static_cast<float>(
            a * std::sin(2.0 * 3.141592653589793 * 1000.0 * static_cast<double>(i) / 48000.0));
    const std::string path = (root / "tone.wav").string();
    writeAudio(path, tone, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const CliResult r = runCli({"analyze", path, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out)[0];
    EXPECT_EQ(j["path"], path);
    EXPECT_EQ(j["sample_rate"], 48000);
    EXPECT_EQ(j["channels"], 2);
    EXPECT_EQ(j["frames"], 480000);
    EXPECT_NEAR(j["duration_s"].get<double>(), 10.0, 1e-6);
    EXPECT_NEAR(j["integrated_lufs"].get<double>(), -20.0, 0.1);
    EXPECT_NEAR(j["max_momentary_lufs"].get<double>(), -20.0, 0.1);
    EXPECT_NEAR(j["max_short_term_lufs"].get<double>(), -20.0, 0.1);
    EXPECT_NEAR(j["loudness_range_lu"].get<double>(), 0.0, 0.1);
    EXPECT_NEAR(j["true_peak_dbtp"].get<double>(), -20.0, 0.05);
    EXPECT_NEAR(j["sample_peak_dbfs"].get<double>(), -20.0,
                0.01); // 1 kHz at 48 kHz samples its crest exactly
    EXPECT_NEAR(j["plr_db"].get<double>(), 0.0, 0.15);
    EXPECT_EQ(j["clipped_samples"], 0);
    fs::remove_all(root);
}

TEST(CliAnalyze, CountsClippedSamplesOfAFlatToppedSine) {
    const fs::path root = scratch("clip");
    // 1.5 x a full-scale sine, hard clipped: samples sit at full scale while |1.5 sin| >= 0.99885 (-0.01
    // dBFS), i.e. a fraction 1 - (2/pi) asin(0.99885/1.5) = 0.536 of the time.
    LoadedAudio tone = makeTone(48000, 4.0, 997.0, 1.0);
    for (auto& ch : tone.channels)
        for (size_t i = 0; i < ch.size(); ++i)
            ch[i] = static_cast<float>(
                std::clamp(1.5 * std::sin(2.0 * 3.141592653589793 * 997.0 * static_cast<double>(i) / 48000.0),
                           -1.0, 1.0));
    const std::string path = (root / "clipped.wav").string();
    writeAudio(path, tone, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const CliResult r = runCli({"analyze", path, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out)[0];
    const double expected = (1.0 - 2.0 / 3.141592653589793 * std::asin(0.99885 / 1.5)) * 2.0 * 4.0 * 48000.0;
    EXPECT_NEAR(j["clipped_samples"].get<double>(), expected, expected * 0.02);
    EXPECT_GT(j["true_peak_dbtp"].get<double>(), 0.0); // a clipped square-ish wave overshoots between samples
    fs::remove_all(root);
}

TEST(CliAnalyze, BadFileFailsButOthersAreStillMeasured) {
    const fs::path root = scratch("analyze-bad");
    const std::string good = (root / "good.wav").string();
    writeAudio(good, makeTone(48000, 2.0, 1000.0, 0.1));
    std::ofstream(root / "bad.wav") << "not audio";
    const CliResult r = runCli({"analyze", (root / "bad.wav").string(), good, "--json"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("bad.wav"), std::string::npos) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_TRUE(j[0].contains("error"));
    EXPECT_TRUE(j[1].contains("integrated_lufs"));
    fs::remove_all(root);
}
