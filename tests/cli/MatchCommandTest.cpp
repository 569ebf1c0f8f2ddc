// `lathe-cli match SOURCE REFERENCE`: the report (--json keys), the matched master written beside the
// inputs under a temporary name and renamed, and bad input meeting a clear error with the CLI's exit codes.
#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <random>

namespace lathe::test {
namespace {

class MatchCommandTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::mt19937 rng(3);
        std::normal_distribution<float> n(0.0f, 0.04f);
        PlanarAudio a(2, std::vector<float>(48000 * 8));
        for (auto& ch : a)
            for (float& v : ch)
                v = n(rng);
        source_ = dir_.file("mix.wav");
        writeTestAudio(source_, a, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
        for (auto& ch : a)
            for (float& v : ch)
                v *= 1.6f; // +4.1 dB
        reference_ = dir_.file("rough master.wav");
        writeTestAudio(reference_, a, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    }
    std::vector<std::string> base() const {
        // A cache of its own: nothing depends on (or is left in) the machine's home.
        return {"match", source_, reference_};
    }
    CliResult run(std::vector<std::string> args) {
        return runShell("XDG_CACHE_HOME=" + shellQuote(dir_.file("cache")) + " " +
                        shellQuote(LATHE_CLI_PATH) + [&] {
                            std::string line;
                            for (const auto& a : args)
                                line += " " + shellQuote(a);
                            return line;
                        }());
    }
    TempDir dir_;
    std::string source_, reference_;
};

TEST_F(MatchCommandTest, JsonReportsTheCurveLoudnessWidthAndPlrAndWritesTheMaster) {
    auto args = base();
    for (const char* a : {"--json", "--out"})
        args.push_back(a);
    args.push_back(dir_.file("matched.wav"));
    const CliResult r = run(args);
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const auto start = r.out.find('{');
    ASSERT_NE(start, std::string::npos) << r.out;
    const nlohmann::json j = nlohmann::json::parse(r.out.substr(start));
    const auto& m = j.at("match");
    ASSERT_TRUE(m.at("tone_curve").is_array());
    EXPECT_EQ(m["tone_curve"].size(), 31u); // the third-octave centres 20 Hz - 20 kHz
    for (const auto& p : m["tone_curve"]) {
        ASSERT_TRUE(p.contains("hz") && p.contains("db"));
        if (p["hz"].get<double>() >= 60 && p["hz"].get<double>() <= 14000)
            EXPECT_NEAR(p["db"].get<double>(), 0.0, 0.3) << "the same noise, only louder";
    }
    EXPECT_NEAR(m["reference_lufs"].get<double>() - m["source_lufs"].get<double>(), 20 * std::log10(1.6),
                0.05);
    EXPECT_TRUE(m.contains("source_plr_db") && m.contains("reference_plr_db"));
    EXPECT_FALSE(m.at("width_bands").empty());
    const auto& result = j.at("result");
    EXPECT_NEAR(result.at("integrated_lufs").get<double>(), m["reference_lufs"].get<double>(), 0.2);
    EXPECT_LE(result.at("true_peak_dbtp").get<double>(), -1.0);
    EXPECT_TRUE(result.contains("plr_db"));
    const PlanarAudio written = readTestAudio(dir_.file("matched.wav"));
    EXPECT_EQ(written[0].size(), 48000u * 8) << "sample-aligned with the source, no latency";
    // Only the inputs, the output and the cache: no temporary left behind.
    for (const auto& f : filesUnder(dir_.path()))
        EXPECT_EQ(f.find(".lathe-match"), std::string::npos) << f;
}

TEST_F(MatchCommandTest, BadInputGetsAClearErrorAndTheExitCode) {
    auto badRange = base();
    badRange.push_back("--range");
    badRange.push_back("60-30");
    CliResult r = run(badRange);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.out.find("--range"), std::string::npos) << r.out;

    auto badAmount = base();
    badAmount.push_back("--amount");
    badAmount.push_back("150");
    EXPECT_EQ(run(badAmount).exitCode, 2);

    r = run({"match", dir_.file("missing.wav"), reference_});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.out.find("missing.wav"), std::string::npos) << r.out;

    auto overInput = base();
    overInput.push_back("--out");
    overInput.push_back(reference_);
    const std::string before = sha256File(reference_);
    r = run(overInput);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(sha256File(reference_), before);
}

// Issue 14's rule for every writer, through core::checkWritePlan as render and advise use it: OUT may not be
// a way to reach an input (a symlink to it, a hard link of it, the same file through a folder link).
TEST_F(MatchCommandTest, OutThatIsALinkToAnInputIsRefusedAndTheInputKept) {
    namespace fs = std::filesystem;
    fs::create_directory(dir_.file("out"));
    fs::create_symlink(reference_, dir_.file("out/to-reference.wav"));
    fs::create_hard_link(source_, dir_.file("out/hard-mix.wav"));
    fs::create_directory_symlink(dir_.path(), dir_.file("out/inputs"));
    const std::string sourceSum = sha256File(source_), referenceSum = sha256File(reference_);
    for (const std::string& out : {dir_.file("out/to-reference.wav"), dir_.file("out/hard-mix.wav"),
                                   dir_.file("out/inputs/mix.wav"), dir_.file("out/../mix.wav")}) {
        SCOPED_TRACE(out);
        auto args = base();
        args.push_back("--out");
        args.push_back(out);
        const CliResult r = run(args);
        EXPECT_EQ(r.exitCode, 1) << r.out;
        EXPECT_NE(r.out.find(out), std::string::npos) << "the error names OUT: " << r.out;
        EXPECT_EQ(sha256File(source_), sourceSum);
        EXPECT_EQ(sha256File(reference_), referenceSum);
    }
    EXPECT_TRUE(fs::is_symlink(dir_.file("out/to-reference.wav")));
    EXPECT_EQ(fs::hard_link_count(source_), 2u);
    for (const auto& f : filesUnder(dir_.path()))
        EXPECT_EQ(f.find(".lathe-"), std::string::npos) << "left behind: " << f;
}

// A match that fails after OUT was accepted leaves an existing OUT as it was and nothing beside it; one
// that succeeds replaces it whole (written under a temporary name, renamed).
TEST_F(MatchCommandTest, AnExistingOutIsReplacedOnlyByACompleteMaster) {
    const std::string out = dir_.file("matched.wav");
    writeBytes(out, "the previous master");
    auto failing = base();
    for (const char* a : {"--range", "30-40", "--out"}) // the reference is 8 s long
        failing.push_back(a);
    failing.push_back(out);
    CliResult r = run(failing);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_EQ(readBytes(out), "the previous master");
    for (const auto& f : filesUnder(dir_.path()))
        EXPECT_EQ(f.find(".lathe-"), std::string::npos) << "left behind: " << f;

    auto args = base();
    args.push_back("--out");
    args.push_back(out);
    r = run(args);
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_EQ(readTestAudio(out)[0].size(), 48000u * 8);
    for (const auto& f : filesUnder(dir_.path()))
        EXPECT_EQ(f.find(".lathe-"), std::string::npos) << "left behind: " << f;
}

} // namespace
} // namespace lathe::test
