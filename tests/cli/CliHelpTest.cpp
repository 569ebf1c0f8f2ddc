// Every subcommand lathe-cli lists in its --help (and every nested one, like "session new") answers --help
// with exit 0 and a usage text; --version prints a version, and the GUI's --version the same one. The list is
// read from the binary, so a command added later is covered without editing this test.

#include "support/CliRunner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using lathe::test::runCli;
using lathe::test::runShell;
using lathe::test::shellQuote;
using lathe::test::subcommandsIn;

namespace {

// Runs --help for the command path and every subcommand below it; returns the paths checked.
void checkHelpTree(const std::vector<std::string>& path, std::vector<std::string>& checked) {
    std::vector<std::string> args = path;
    args.push_back("--help");
    const auto result = runCli(args);
    std::string name;
    for (const auto& part : path)
        name += (name.empty() ? "" : " ") + part;
    checked.push_back(name);
    EXPECT_EQ(result.exitCode, 0) << "lathe-cli " << name << " --help\n" << result.err;
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << "lathe-cli " << name << " --help printed:\n"
                                                            << result.out;
    for (const std::string& sub : subcommandsIn(result.out)) {
        auto subPath = path;
        subPath.push_back(sub);
        checkHelpTree(subPath, checked);
    }
}

} // namespace

TEST(CliHelp, EverySubcommandAnswersHelp) {
    std::vector<std::string> checked;
    checkHelpTree({}, checked);
    // The parse must have found the commands that exist since the render issue, or it checked nothing.
    for (const char* expected : {"scan", "analyze", "render", "session", "session new", "demo"})
        EXPECT_NE(std::find(checked.begin(), checked.end(), expected), checked.end())
            << expected << " not found in lathe-cli --help";
    std::string all;
    for (const auto& c : checked)
        all += "'" + c + "' ";
    RecordProperty("checked", all);
    std::printf("checked --help of: %s\n", all.c_str());
}

TEST(CliHelp, VersionPrintsTheVersion) {
    const auto result = runCli({"--version"});
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_TRUE(std::regex_search(result.out, std::regex(R"(^lathe-cli \d+\.\d+\.\d+)"))) << result.out;
}

#ifdef LATHE_GUI_PATH
// The GUI answers --version from the command line alone: it prints the version lathe-cli prints and exits 0
// without reaching the event loop. Had it opened its window it would wait for the user until `timeout` stops
// it (exit 124).
TEST(CliHelp, GuiVersionMatchesTheCli) {
    const auto cli = runCli({"--version"});
    const auto gui =
        runShell("QT_QPA_PLATFORM=offscreen timeout -k 5 60 " + shellQuote(LATHE_GUI_PATH) + " --version");
    EXPECT_EQ(gui.exitCode, 0) << gui.out;
    const std::regex version(R"(\d+\.\d+\.\d+)");
    // stderr is kept in the output (Qt's warnings, a sanitizer's report), so the version line may not be
    // first.
    std::smatch cliVersion, guiVersion;
    ASSERT_TRUE(std::regex_search(cli.out, cliVersion, version)) << cli.out;
    ASSERT_TRUE(std::regex_search(gui.out, guiVersion, std::regex(R"((^|\n)Lathe (\d+\.\d+\.\d+)\n)")))
        << gui.out;
    EXPECT_EQ(guiVersion[2].str(), cliVersion[0].str());
}

// Headless (no display, no platform chosen: a build server, an ssh session), --help and --version still print
// and exit 0 (issue 19: they aborted in QApplication before the parser ran).
TEST(CliHelp, GuiHelpAndVersionWorkWithoutADisplay) {
    const std::string headless =
        "env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM timeout -k 5 60 " + shellQuote(LATHE_GUI_PATH);
    const auto version = runShell(headless + " --version");
    EXPECT_EQ(version.exitCode, 0) << version.out;
    EXPECT_TRUE(std::regex_search(version.out, std::regex(R"((^|\n)Lathe \d+\.\d+\.\d+\n)"))) << version.out;
    for (const char* flag : {" --help", " -h"}) {
        const auto help = runShell(headless + flag);
        EXPECT_EQ(help.exitCode, 0) << flag << ": " << help.out;
        EXPECT_NE(help.out.find("--screenshot"), std::string::npos) << help.out;
        EXPECT_NE(help.out.find("--no-audio"), std::string::npos) << help.out;
    }
}
#endif

TEST(CliHelp, UnknownSubcommandIsAUsageError) {
    const auto result = runCli({"no-such-command"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_FALSE(result.err.empty());
}
