#include "Commands.h"

#include "core/Version.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
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

} // namespace lathe::cli

int main(int argc, char** argv) {
    using namespace lathe::cli;
    CLI::App app{"lathe-cli: headless mastering with Lathe (stereo and stem masters, loudness reports)"};
    app.set_version_flag("--version", std::string("lathe-cli ") + lathe::core::version());
    app.require_subcommand(1);
    app.fallthrough(false);
    addRegisteredCommands(app);
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
