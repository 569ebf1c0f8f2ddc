#include "Commands.h"

#include "core/Version.h"
#include "core/text/NearestName.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

namespace lathe::cli {

int& exitCode() {
    static int code = kExitOk;
    return code;
}

void printError(const std::string& message) {
    std::fprintf(stderr, "lathe-cli: %s\n", message.c_str());
}

namespace {
std::vector<std::pair<int, CommandAdder>>& registry() {
    static std::vector<std::pair<int, CommandAdder>> commands;
    return commands;
}
} // namespace

CommandRegistration::CommandRegistration(int order, CommandAdder adder) {
    registry().emplace_back(order, adder);
}

void addRegisteredCommands(CLI::App& app) {
    auto commands = registry();
    std::stable_sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (const auto& [order, adder] : commands)
        adder(app);
}

namespace {

// CLI11 takes a mistyped command for a stray argument and says only "A subcommand is required". Where a
// command is expected (the first word, or the word after a command that has its own, like `session`), a word
// that is none of them is named, with the nearest suggested and the list, as the session's unknown-key
// message does. nullopt when the words are commands (or options, which CLI11 judges).
std::optional<std::string> unknownCommandProblem(const CLI::App& app, int argc, char** argv) {
    const auto all = [](const CLI::App*) { return true; };
    const CLI::App* level = &app;
    std::string where; // "session: " below the top
    for (int i = 1; i <= argc; ++i) {
        std::vector<std::string> names;
        for (const CLI::App* sub : level->get_subcommands(all))
            names.push_back(sub->get_name());
        if (names.empty()) return std::nullopt; // a command: its own arguments follow
        if (i == argc) return where + "give a command: " + lathe::core::joinNames(names) + " (see --help)";
        const std::string word = argv[i];
        if (!word.empty() && word[0] == '-') return std::nullopt;
        const CLI::App* next = nullptr;
        for (const CLI::App* sub : level->get_subcommands(all))
            if (sub->check_name(word)) next = sub;
        if (next == nullptr)
            return where + "unknown command \"" + word + "\"" + lathe::core::didYouMean(word, names) +
                   "; commands: " + lathe::core::joinNames(names);
        where = word + ": ";
        level = next;
    }
    return std::nullopt;
}

} // namespace

} // namespace lathe::cli

int main(int argc, char** argv) {
    using namespace lathe::cli;
    CLI::App app{"lathe-cli: headless mastering with Lathe (stereo and stem masters, loudness reports)"};
    app.set_version_flag("--version", std::string("lathe-cli ") + lathe::core::version());
    app.require_subcommand(1);
    app.fallthrough(false);
    addRegisteredCommands(app);
    if (const auto problem = unknownCommandProblem(app, argc, argv)) {
        printError(*problem);
        return kExitUsage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    }
    return exitCode();
}
