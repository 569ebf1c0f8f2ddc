// `lathe-cli match SOURCE REFERENCE`: the report (--json keys), the matched master written beside the
// inputs under a temporary name and renamed, and bad input meeting a clear error with the CLI's exit codes.
#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <cmath>
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

} // namespace
} // namespace lathe::test
