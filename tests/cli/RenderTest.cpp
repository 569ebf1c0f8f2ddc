// End-to-end: lathe-cli demo + render, measured independently (libebur128, libsoxr 8x, libsndfile).
#include "support/AudioProbe.h"
#include "support/CliRunner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace lathe::test;

namespace {

class RenderTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = new fs::path(fs::temp_directory_path() / ("lathe-render-test-" + std::to_string(::getpid())));
        fs::create_directories(*root_);
        const CliResult demo = runCli({"demo", (*root_ / "Demo Song").string(), "--seconds", "12"});
        ASSERT_EQ(demo.exitCode, 0) << demo.err;
    }
    static void TearDownTestSuite() {
        fs::remove_all(*root_);
        delete root_;
    }
    static fs::path folder() { return *root_ / "Demo Song"; }
    static fs::path out(const std::string& name) { return *root_ / name; }

    static nlohmann::json render(const std::string& outName, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"render", folder().string(), "--out", out(outName).string(),
                                      "--json", "--quiet"};
        args.insert(args.end(), extra.begin(), extra.end());
        const CliResult r = runCli(args);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return r.exitCode == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
    }

    static fs::path* root_;
};
fs::path* RenderTest::root_ = nullptr;

void expectMeetsTargetAndCeiling(const nlohmann::json& report, double target, double ceiling) {
    ASSERT_EQ(report["deliverables"].size(), 2u);
    for (const auto& d : report["deliverables"]) {
        SCOPED_TRACE(d["kind"].get<std::string>());
        const LoadedAudio wav = loadAudio(d["wav"].get<std::string>());
        EXPECT_EQ(wav.channels.size(), 2u);
        // Independent loudness: libebur128 on the file as written. Tolerance: the issue's +-0.2 LU.
        const double lufs = integratedLufs(wav);
        EXPECT_NEAR(lufs, target, 0.2);
        EXPECT_NEAR(d["integrated_lufs"].get<double>(), lufs, 0.01);
        // Independent true peak: libsoxr 8x; never above the ceiling, no tolerance upward.
        const double tp = truePeak8xDbtp(wav);
        EXPECT_LE(tp, ceiling);
        EXPECT_NEAR(d["true_peak_dbtp"].get<double>(), tp, 0.05);
        EXPECT_TRUE(d["meets_target"].get<bool>());
        EXPECT_TRUE(d["within_ceiling"].get<bool>());
        EXPECT_NEAR(d["plr_db"].get<double>(),
                    d["true_peak_dbtp"].get<double>() - d["integrated_lufs"].get<double>(), 0.002);
        EXPECT_GE(d["gain_reduction"]["max_db"].get<double>(),
                  d["gain_reduction"]["average_db"].get<double>());
    }
}

} // namespace

TEST_F(RenderTest, BothMastersMeetDefaultTargetAndCeiling) {
    const nlohmann::json report = render("default");
    expectMeetsTargetAndCeiling(report, -14.0, -1.0);
    // Deliverables as the CLI contract names them, plus MP3 references and the report.
    for (const char* name : {"Demo Song_stereo_master.wav", "Demo Song_stem_master.wav",
                             "Demo Song_stereo_master.mp3", "Demo Song_stem_master.mp3", "report.json"})
        EXPECT_TRUE(fs::exists(out("default") / name)) << name;
    // Only final names: no temporary file is left behind.
    EXPECT_EQ(filesUnder(out("default").string()).size(), 5u);
    for (const auto& d : report["deliverables"]) {
        ASSERT_TRUE(d["mp3_true_peak_dbtp"].is_number());
        const LoadedAudio mp3 = loadAudio(d["mp3"].get<std::string>());
        EXPECT_NEAR(d["mp3_true_peak_dbtp"].get<double>(), truePeak8xDbtp(mp3), 0.1);
        EXPECT_EQ(d["mp3_exceeds_ceiling"].get<bool>(), d["mp3_true_peak_dbtp"].get<double>() > -1.0);
    }
    const LoadedAudio wav = loadAudio((out("default") / "Demo Song_stem_master.wav").string());
    EXPECT_EQ(wav.sampleRate, 48000);
    EXPECT_EQ(wav.frames(), 12u * 48000u);
}

TEST_F(RenderTest, HotTargetStillRespectsCeiling) {
    const nlohmann::json report =
        render("hot", {"--target-lufs", "-9", "--ceiling-dbtp", "-0.3", "--no-mp3"});
    expectMeetsTargetAndCeiling(report, -9.0, -0.3);
    for (const auto& d : report["deliverables"]) {
        EXPECT_GT(d["gain_reduction"]["max_db"].get<double>(), 1.0); // a hot target takes real limiting
        EXPECT_TRUE(d["mp3"].is_null());
    }
}

TEST_F(RenderTest, ResampledDeliverableMeetsTargetAndCeiling) {
    const nlohmann::json report = render("rate", {"--rate", "44100", "--no-mp3"});
    expectMeetsTargetAndCeiling(report, -14.0, -1.0);
    const LoadedAudio wav = loadAudio((out("rate") / "Demo Song_stereo_master.wav").string());
    EXPECT_EQ(wav.sampleRate, 44100);
    EXPECT_NEAR(static_cast<double>(wav.frames()), 12.0 * 44100.0, 1.0);
}

// With neutral stem chains the stem master is the stereo master of a mix that is the stems' sum: the demo's
// mix is their float sum quantised to 24 bits, so only that rounding (about -140 dBFS) may differ.
TEST_F(RenderTest, NeutralStemMasterEqualsStereoMasterOfSummedMix) {
    const nlohmann::json report =
        render("null", {"--set", "output.bit_depth=32", "--set", "output.dither=false", "--no-mp3"});
    ASSERT_EQ(report["deliverables"].size(), 2u);
    const LoadedAudio stereo = loadAudio((out("null") / "Demo Song_stereo_master.wav").string());
    const LoadedAudio stem = loadAudio((out("null") / "Demo Song_stem_master.wav").string());
    ASSERT_EQ(stereo.frames(), stem.frames());
    const double residual = maxDifferenceDbfs(stereo, stem);
    std::printf("stem vs stereo master residual: %.1f dBFS\n", residual);
    EXPECT_LE(residual, -90.0);
}

TEST_F(RenderTest, SetRaisesDrumsBySixDecibelsInTheSum) {
    // A plain sum: no loudness normalisation, no master dynamics, float output without dither.
    const std::vector<std::string> plain{"--mode",
                                         "stem",
                                         "--no-mp3",
                                         "--set",
                                         "loudness.normalize=false",
                                         "--set",
                                         "master.limiter.enabled=false",
                                         "--set",
                                         "master.compressor.enabled=false",
                                         "--set",
                                         "output.bit_depth=32",
                                         "--set",
                                         "output.dither=false"};
    render("plain", plain);
    auto louder = plain;
    louder.insert(louder.end(), {"--set", "stems.drums.gain_db=6"});
    render("drums6", louder);
    const LoadedAudio a = loadAudio((out("plain") / "Demo Song_stem_master.wav").string());
    const LoadedAudio b = loadAudio((out("drums6") / "Demo Song_stem_master.wav").string());
    const LoadedAudio drums = loadAudio((folder() / "01_Drums.wav").string());
    ASSERT_EQ(a.frames(), drums.frames());
    // b - a must be the drums times (10^(6/20) - 1), sample for sample.
    const double extra = std::pow(10.0, 6.0 / 20.0) - 1.0;
    double worst = 0, drumsPeak = 0;
    for (size_t c = 0; c < 2; ++c)
        for (size_t i = 0; i < a.frames(); ++i) {
            const double expected = extra * drums.channels[c][i];
            worst = std::max(worst, std::abs((b.channels[c][i] - a.channels[c][i]) - expected));
            drumsPeak = std::max(drumsPeak, std::abs(static_cast<double>(drums.channels[c][i])));
        }
    EXPECT_GT(drumsPeak, 0.05);
    EXPECT_LE(20.0 * std::log10(std::max(worst, 1e-12)), -90.0);
}

TEST_F(RenderTest, ClientFolderIsNeverWrittenTo) {
    const auto before = folderChecksums(folder().string());
    const CliResult r =
        runCli({"render", folder().string(), "--out", (folder() / "masters").string(), "--quiet"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("client folder"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(folder() / "masters"));
    EXPECT_EQ(before, folderChecksums(folder().string()));
}

TEST_F(RenderTest, SessionFileRendersLikeTheFolder) {
    const fs::path session = out("s") / "demo.lathe";
    fs::create_directories(out("s"));
    const CliResult made = runCli({"session", "new", folder().string(), "-o", session.string()});
    ASSERT_EQ(made.exitCode, 0) << made.err;
    const CliResult r = runCli({"render", session.string(), "--out", out("from-session").string(), "--mode",
                                "stereo", "--no-mp3", "--json", "--quiet"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto report = nlohmann::json::parse(r.out);
    ASSERT_EQ(report["deliverables"].size(), 1u);
    EXPECT_EQ(report["deliverables"][0]["kind"], "stereo_master");
    EXPECT_NEAR(report["deliverables"][0]["integrated_lufs"].get<double>(), -14.0, 0.2);
}

TEST_F(RenderTest, UsageErrorsExitTwo) {
    EXPECT_EQ(runCli({"render", folder().string()}).exitCode, 2); // --out missing
    EXPECT_EQ(runCli({"render", folder().string(), "--out", "x", "--mode", "mono"}).exitCode, 2);
    EXPECT_EQ(runCli({"frobnicate"}).exitCode, 2);
    const CliResult v = runCli({"--version"});
    EXPECT_EQ(v.exitCode, 0);
    EXPECT_NE(v.out.find("lathe-cli"), std::string::npos);
}
