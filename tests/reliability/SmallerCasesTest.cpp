// Issue 14, class 12 (the parts about numbers and usage): a session number beyond a double's range names the
// file and the key like every other session error; `demo --seconds nan` is a usage error (exit 2); a mistyped
// command is named, with the nearest command suggested and the commands listed.

#include "core/Error.h"
#include "core/demo/DemoFolder.h"
#include "core/model/Session.h"
#include "core/model/SessionJson.h"
#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace lathe {
namespace {

using test::CliResult;
using test::runCli;

struct OverflowCase {
    const char* json;    // the session file
    const char* keyPath; // what the message must name
};

// Numbers nlohmann refuses while parsing (out_of_range 406, "number overflow"), at every kind of place a
// number can sit in a session: a top-level key, nested objects, a list entry, a stem (named by its id once
// read, by its index before), a multiband band.
const std::vector<OverflowCase> kOverflows = {
    {R"({"master": {"limiter": {"ceiling_dbtp": -1e400}}})", "master.limiter.ceiling_dbtp"},
    {R"({"sample_rate": 1e400})", "sample_rate"},
    {R"({"loudness": {"target_lufs": -14, "tolerance_lu": 1E+999}})", "loudness.tolerance_lu"},
    {R"({"master": {"multiband": {"crossovers_hz": [120, 1e400]}}})", "master.multiband.crossovers_hz.1"},
    {R"({"master": {"eq": [{"gain_db": 1}, {"type": "bell", "q": -1e400}]}})", "master.eq.1.q"},
    {R"({"stems": [{"id": "drums", "path": "a.wav"}, {"id": "bass", "path": "b.wav", "gain_db": -1e400}]})",
     "stems.bass.gain_db"},
    {R"({"stems": [{"path": "a.wav", "width": 1e400, "id": "drums"}]})", "stems.0.width"},
    {R"({"stems": [{"id": "drums", "path": "a.wav", "eq": [{"frequency_hz": 1e400}]}]})",
     "stems.drums.eq.0.frequency_hz"},
    {R"({"master": {"multiband": {"bands": [{}, {"ratio": 2}, {"threshold_db": -1e400}]}}})",
     "master.multiband.bands.2.threshold_db"},
};

TEST(SmallerCases, SessionNumberBeyondDoubleRangeNamesTheFileAndKey) {
    test::TempDir dir;
    const std::string path = dir.file("client.lathe");
    for (const auto& c : kOverflows) {
        test::writeBytes(path, c.json);
        try {
            core::loadSession(path);
            ADD_FAILURE() << c.json << " was accepted";
        } catch (const core::Error& e) {
            const std::string message = e.what();
            EXPECT_EQ(e.path(), path) << message;
            EXPECT_EQ(message.rfind(path + ": " + c.keyPath + ": ", 0), 0u)
                << "expected \"<file>: " << c.keyPath << ": ...\", got: " << message;
            EXPECT_EQ(message.find("json.exception"), std::string::npos) << message;
        } catch (const std::exception& e) {
            ADD_FAILURE() << c.json << ": not a core::Error naming the file: " << e.what();
        }
    }

    // Through the CLI, where a user meets it: exit 1, the file and the key named, no library jargon.
    test::writeBytes(path, kOverflows[0].json);
    const CliResult r = runCli({"render", path, "--out", dir.file("out"), "--quiet"});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find(path + ": master.limiter.ceiling_dbtp: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("-1e400"), std::string::npos) << "the message quotes the number: " << r.err;
    EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.file("out")));
}

TEST(SmallerCases, DemoSecondsNanIsAUsageError) {
    test::TempDir dir;
    for (const char* seconds : {"nan", "inf", "1e400"}) {
        const CliResult r = runCli({"demo", dir.file("demo"), "--seconds", seconds});
        EXPECT_EQ(r.exitCode, 2) << seconds << ": " << r.err;
        EXPECT_NE(r.err.find("--seconds"), std::string::npos) << r.err;
        EXPECT_FALSE(std::filesystem::exists(dir.file("demo"))) << seconds;
    }
}

TEST(SmallerCases, UnknownSubcommandIsNamedWithTheNearestCommandAndTheList) {
    const CliResult r = runCli({"rendr", "x"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("\"rendr\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("did you mean \"render\""), std::string::npos) << r.err;
    for (const char* command :
         {"scan", "analyze", "render", "batch", "session", "validate", "advise", "devices", "play", "demo"})
        EXPECT_NE(r.err.find(command), std::string::npos) << command << " not listed: " << r.err;
    EXPECT_EQ(r.err.find("A subcommand is required"), std::string::npos) << r.err;

    // Nested commands the same way.
    const CliResult nested = runCli({"session", "nwe", "x", "-o", "y.lathe"});
    EXPECT_EQ(nested.exitCode, 2);
    EXPECT_NE(nested.err.find("\"nwe\""), std::string::npos) << nested.err;
    EXPECT_NE(nested.err.find("did you mean \"new\""), std::string::npos) << nested.err;

    // Nothing like any command: named and listed, no suggestion.
    const CliResult far = runCli({"frobnicate"});
    EXPECT_EQ(far.exitCode, 2);
    EXPECT_NE(far.err.find("\"frobnicate\""), std::string::npos) << far.err;
    EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
    EXPECT_NE(far.err.find("render"), std::string::npos) << far.err;

    // No command at all: the list too.
    const CliResult none = runCli({});
    EXPECT_EQ(none.exitCode, 2);
    EXPECT_NE(none.err.find("render"), std::string::npos) << none.err;
}

} // namespace
} // namespace lathe
