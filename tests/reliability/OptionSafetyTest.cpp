// Issue 14, class 7: a number on the command line is checked before any work. Every numeric option of every
// lathe-cli command, and every --set value, refuses what is not a finite number in the option's documented
// range (nan, inf, 1e400, a hex float that overflows, out of range) as a usage error: exit 2, a message
// naming the option, and nothing written. CLI11's Range lets NaN through (no comparison with NaN is true), so
// before this `--ceiling-dbtp nan` rendered masters with no limiter at all.
//
// The numeric options are read from the binary's --help (every command, every nested command), so an option
// added later is covered without editing this test; the list below is only the floor that proves the
// discovery found something.

#include "core/Error.h"
#include "core/demo/DemoFolder.h"
#include "core/model/Session.h"
#include "core/model/SessionOverride.h"
#include "core/text/DecimalNumber.h"
#include "support/CliRunner.h"
#include "support/PrivateAudioSystem.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace lathe {
namespace {

namespace fs = std::filesystem;
using test::CliResult;
using test::runCli;
using test::subcommandsIn;

struct CliOption {
    std::string command; // "render", "session new"
    std::string name;    // "--target-lufs"
    std::string type;    // CLI11's type name: FLOAT, INT, UINT, TEXT
};

// Every option of every command, with its type, from the help texts.
void collectOptions(const std::vector<std::string>& path, std::vector<CliOption>& options) {
    std::vector<std::string> args = path;
    args.push_back("--help");
    const CliResult help = runCli(args);
    ASSERT_EQ(help.exitCode, 0) << help.err;
    std::string command;
    for (const auto& part : path)
        command += (command.empty() ? "" : " ") + part;
    static const std::regex option(R"(^\s+(?:-[a-zA-Z],)?(--[a-z][a-z0-9-]*)\s+([A-Z]+)\b)");
    std::istringstream lines(help.out);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch match;
        if (!path.empty() && std::regex_search(line, match, option))
            options.push_back({command, match[1], match[2]});
    }
    for (const std::string& sub : subcommandsIn(help.out)) {
        auto subPath = path;
        subPath.push_back(sub);
        collectOptions(subPath, options);
    }
}

std::vector<std::string> split(const std::string& command) {
    std::vector<std::string> words;
    std::istringstream in(command);
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

class OptionSafety : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = std::make_unique<test::TempDir>();
        core::DemoOptions demo;
        demo.seconds = 5;
        core::writeDemoFolder(root_->file("Song"), demo);
        collectOptions({}, *(options_ = std::make_unique<std::vector<CliOption>>()));
    }
    static void TearDownTestSuite() {
        options_.reset();
        root_.reset();
    }

    void SetUp() override {
        // The checks must stop `play` before it opens a device; if one did not, it plays into a private null
        // device rather than the machine's sound card.
        audio_ = std::make_unique<test::PrivateAudioSystem>();
    }

    // The arguments a command needs besides the option under test, so that the option is the only thing
    // wrong. Every output the command could write lies under `out`.
    std::vector<std::string> requiredArguments(const std::string& command, const test::TempDir& out) const {
        const std::string song = root_->file("Song");
        static const std::map<std::string, std::vector<std::string>> table = {
            {"render", {"@song", "--out", "@out/masters"}},
            {"batch", {"@song", "--out", "@out/batch"}},
            {"album", {"@song", "--out", "@out/album"}},
            {"demo", {"@out/demo"}},
            {"play", {"@song"}},
            {"session new", {"@song", "-o", "@out/s.lathe"}},
            {"advise", {"@song"}},
            {"scan", {"@song"}},
            {"validate", {"@song"}},
            {"analyze", {"@song/01_Drums.wav"}},
            {"match",
             {"@song/Demo Song Mix.wav", "@song/Demo Song - Rough Master REF.wav", "--out", "@out/m.wav"}},
            {"devices", {}},
        };
        const auto it = table.find(command);
        if (it == table.end()) {
            ADD_FAILURE() << "lathe-cli " << command << " is new: add its required arguments to the table";
            return {};
        }
        std::vector<std::string> args;
        for (std::string a : it->second) {
            if (a.rfind("@song", 0) == 0) a = song + a.substr(5);
            if (a.rfind("@out", 0) == 0) a = out.path() + a.substr(4);
            args.push_back(a);
        }
        return args;
    }

    // Runs `command ARGUMENTS OPTION=VALUE` and expects a usage error naming the option, with nothing
    // written.
    void expectUsageError(const std::string& command, const std::string& option, const std::string& value,
                          const std::string& named) {
        const test::TempDir out;
        std::vector<std::string> args = split(command);
        for (const auto& a : requiredArguments(command, out))
            args.push_back(a);
        args.push_back(option + "=" + value);
        const CliResult r = runCli(args);
        const std::string shown = "lathe-cli " + command + " " + option + "=" + value;
        EXPECT_EQ(r.exitCode, 2) << shown << "\nstdout: " << r.out << "\nstderr: " << r.err;
        EXPECT_NE(r.err.find(named), std::string::npos)
            << shown << ": the message does not name " << named << ":\n"
            << r.err;
        EXPECT_TRUE(out.entries().empty())
            << shown << " wrote into its output folder: " << out.entries().front();
    }

    static std::vector<CliOption> numericOptions() {
        std::vector<CliOption> numeric;
        for (const auto& o : *options_)
            if (o.type == "FLOAT" || o.type == "INT" || o.type == "UINT") numeric.push_back(o);
        return numeric;
    }

    static std::unique_ptr<test::TempDir> root_;
    static std::unique_ptr<std::vector<CliOption>> options_;
    std::unique_ptr<test::PrivateAudioSystem> audio_;
};

std::unique_ptr<test::TempDir> OptionSafety::root_;
std::unique_ptr<std::vector<CliOption>> OptionSafety::options_;

// Not finite, or not a finite double once read: strtold reads 1e400 and 0x1p2000 as finite long doubles
// that become inf as doubles.
const std::vector<std::string> kNonFinite = {
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "0x1p2000", "-0x1p2000", "1e999999"};

TEST_F(OptionSafety, NonFiniteNumbersAreUsageErrorsForEveryCommand) {
    const std::vector<CliOption> numeric = numericOptions();
    std::set<std::string> found;
    for (const auto& o : numeric)
        found.insert(o.command + " " + o.name);
    for (const char* expected :
         {"render --target-lufs", "render --ceiling-dbtp", "render --rate", "batch --jobs",
          "batch --target-lufs", "batch --ceiling-dbtp", "batch --rate", "demo --seconds", "demo --rate",
          "demo --seed", "play --buffer", "play --seconds", "play --switch-every", "match --amount",
          "match --max-correction", "match --ceiling-dbtp"})
        EXPECT_TRUE(found.count(expected)) << expected << " was not found as a numeric option in --help";

    std::string checked;
    for (const auto& o : numeric) {
        checked += o.command + " " + o.name + "; ";
        for (const auto& value : kNonFinite)
            expectUsageError(o.command, o.name, value, o.name);
    }
    std::printf("checked %zu numeric options with %zu non-finite values each: %s\n", numeric.size(),
                kNonFinite.size(), checked.c_str());
}

// Each numeric option's documented range (README, man page, --help), just outside at both ends, and the
// forms a whole number must not take.
TEST_F(OptionSafety, OutOfRangeNumbersAreUsageErrorsForEveryCommand) {
    struct Case {
        const char* option;
        std::vector<std::string> refused;
    };
    const std::vector<Case> renderAndBatch = {
        {"--target-lufs", {"-40.01", "-2.99", "0", "-1e300"}},
        {"--ceiling-dbtp", {"0.01", "-20.01", "1e300"}},
        // Whole numbers are decimal: CLI11 alone reads "0x17700" as hex 96000 and "0110250" as octal.
        {"--rate", {"7999", "384001", "48000.5", "0x17700", "-48000"}},
    };
    const std::map<std::string, std::vector<Case>> table = {
        {"render", renderAndBatch},
        {"album", renderAndBatch},
        {"batch",
         {renderAndBatch[0], renderAndBatch[1], renderAndBatch[2], {"--jobs", {"0", "1025", "2.5", "-1"}}}},
        {"demo",
         {{"--seconds", {"4.99", "600.01", "0", "-30"}},
          {"--rate", {"44000", "48000.5", "0xbb80", "0"}},
          {"--seed", {"-1", "4294967296", "1.5", "0x10"}}}},
        {"match",
         {{"--amount", {"-0.01", "100.01", "1e300"}},
          {"--max-correction", {"-0.01", "24.01"}},
          {"--ceiling-dbtp", {"0.01", "-20.01"}}}},
        {"play",
         {{"--buffer", {"31", "2049", "256.5", "0x100"}},
          {"--seconds", {"0", "-1", "604800.01", "1e300"}},
          {"--switch-every", {"0", "-0.5", "3600.01", "1e300"}},
          {"--codec",
           {"mp3:31", "mp3:321", "aac:nan", "opus:1e400", "opus:0x40", "vorbis:10.5", "wav", "flac:24"}}}},
    };
    for (const auto& [command, cases] : table)
        for (const auto& c : cases)
            for (const auto& value : c.refused)
                expectUsageError(command, c.option, value, c.option);
}

// --shard K/N holds numbers too (read by core::parseShard before any work).
TEST_F(OptionSafety, ShardNumbersAreUsageErrors) {
    for (const char* value : {"nan/2", "1/inf", "1/1e400", "0x1/2", "1.5/2", "0/2", "3/2"})
        expectUsageError("batch", "--shard", value, "--shard");
}

// The one rule every number goes through, on its own.
TEST(OptionSafetyRules, DecimalNumbersAreFiniteAndDecimalOnly) {
    const std::vector<std::pair<std::string, double>> accepted = {
        {"-0.5", -0.5},   {"+3", 3},
        {"1e-1", 0.1},    {"48000", 48000},
        {"4.8e4", 48000}, {"0256", 256},
        {"-14.0", -14.0}, {"1.7976931348623157e308", 1.7976931348623157e308}};
    for (const auto& [text, value] : accepted) {
        const std::optional<double> read = core::parseDecimalNumber(text);
        ASSERT_TRUE(read.has_value()) << text;
        EXPECT_EQ(*read, value) << text;
    }
    for (const char* text : {"",     "+",        "-",     "nan",    "-nan",    "NaN",  "nan(1)",   "inf",
                             "-inf", "infinity", "1e400", "-1e400", "1.8e308", "0x10", "0x1p2000", "1,5",
                             " 1",   "1 ",       "+-1",   "++1",    "1e",      "e5",   "1.2.3",    "--1"})
        EXPECT_FALSE(core::parseDecimalNumber(text).has_value()) << "\"" << text << "\" was read as a number";
}

// checkOverride names the key as the user wrote it, not as it sits in the stand-in session it checks
// against, and leaves to applyOverride only what a session can tell.
TEST(OptionSafetyRules, SetChecksNameTheKeyAsWritten) {
    const auto problem = [](const std::string& assignment) -> std::string {
        try {
            core::checkOverride(assignment);
        } catch (const core::Error& e) {
            return e.what();
        }
        return {};
    };
    EXPECT_EQ(problem("stems.lead_vocal.gain_db=nan"),
              "--set: stems.lead_vocal.gain_db: expected a number, found \"nan\"");
    EXPECT_EQ(problem("stems.3.gain_db=25"), "--set: stems.3.gain_db: 25 is out of range; use -120 to 24 dB");
    EXPECT_EQ(problem("master.eq.5.q=0"),
              "--set: master.eq.5.q: 0 is out of range; use more than 0, up to 100");
    EXPECT_EQ(problem("master.multiband.bands.3.ratio=1e400"),
              "--set: master.multiband.bands.3.ratio: expected a number, found \"1e400\"");
    EXPECT_EQ(problem("output.bit_depth=24.5"),
              "--set: output.bit_depth: expected a whole number, found \"24.5\"");
    EXPECT_NE(problem("master.limiter.ceilng_dbtp=-1").find("did you mean \"ceiling_dbtp\""),
              std::string::npos);
    EXPECT_EQ(problem("loudness.max_limiting_db=41"),
              "--set: loudness.max_limiting_db: 41 is out of range; use 0 to 40 dB");
    EXPECT_EQ(problem("master.limiter.style=loud").rfind("--set: master.limiter.style: ", 0), 0u)
        << problem("master.limiter.style=loud");
    // Valid in the format: whether this session has such a stem, band or crossover is for applyOverride.
    for (const char* fine :
         {"stems.drums_2.mute=on", "stems.7.eq.3.frequency_hz=3200", "master.eq.7.gain_db=-2",
          "master.multiband.crossovers_hz.2=8000", "master.multiband.bands.3.ratio=2", "output.title=nan",
          "song=inf", "loudness.target_lufs=+0", "output.bit_depth=16.0", "master.limiter.style=safe",
          "master.limiter.soft_clip=on", "master.limiter.low_frequency_aware=yes",
          "master.limiter.stereo_link=0.5", "loudness.max_limiting_db=40"})
        EXPECT_EQ(problem(fine), "") << fine;
}

// --set values are read by the type and range of the session key they name, before any session is opened,
// so a batch refuses a bad value before its first job rather than failing every job one by one.
TEST_F(OptionSafety, NonFiniteSetValuesAreUsageErrorsBeforeAnyWork) {
    std::set<std::string> commands;
    for (const auto& o : *options_)
        if (o.name == "--set") commands.insert(o.command);
    EXPECT_EQ(commands, (std::set<std::string>{"album", "batch", "play", "render", "session new"}));
    const std::vector<std::string> keys = {
        "master.limiter.ceiling_dbtp",
        "loudness.target_lufs",
        "stems.drums.gain_db",
        "stems.0.width",
        "master.eq.0.gain_db", // the demo session has no master EQ band: the type is known all the same
        "master.multiband.crossovers_hz.1",
        "output.bit_depth",
        "sample_rate"};
    for (const auto& command : commands)
        for (const auto& key : keys)
            for (const auto& value : {"nan", "-inf", "1e400", "0x1p2000"})
                expectUsageError(command, "--set", key + "=" + value, key);
    // Out of the key's range (core/model/SESSION.md), checked at the same time.
    for (const auto& command : commands) {
        expectUsageError(command, "--set", "master.limiter.ceiling_dbtp=0.5", "master.limiter.ceiling_dbtp");
        expectUsageError(command, "--set", "loudness.target_lufs=-41", "loudness.target_lufs");
        expectUsageError(command, "--set", "stems.drums.gain_db=25", "stems.drums.gain_db");
        expectUsageError(command, "--set", "output.bit_depth=20", "output.bit_depth");
        // The limiter's keys (issue 21): a style it does not have, a link past 1, more limiting than the
        // +40 dB of drive Lathe ever applies.
        expectUsageError(command, "--set", "master.limiter.style=loud", "master.limiter.style");
        expectUsageError(command, "--set", "master.limiter.stereo_link=1.5", "master.limiter.stereo_link");
        expectUsageError(command, "--set", "master.limiter.soft_clip=maybe", "master.limiter.soft_clip");
        expectUsageError(command, "--set", "master.limiter.soft_clip_db=7", "master.limiter.soft_clip_db");
        expectUsageError(command, "--set", "master.limiter.low_frequency_hz=5",
                         "master.limiter.low_frequency_hz");
        expectUsageError(command, "--set", "master.limiter.fast_release_ms=0",
                         "master.limiter.fast_release_ms");
        expectUsageError(command, "--set", "loudness.max_limiting_db=41", "loudness.max_limiting_db");
    }
}

} // namespace
} // namespace lathe
