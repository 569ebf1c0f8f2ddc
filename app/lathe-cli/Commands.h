#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace lathe::cli {

// Exit codes are part of the CLI contract.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Each command lives in its own <Name>Command.cpp and registers itself with a static CommandRegistration:
//   static const CommandRegistration kRegistration{30, &addScanCommand};
// The function adds the subcommand to the app; its callback runs it and sets exitCode(). `order` sets the
// position in --help. Command files are compiled straight into lathe-cli (not a library), so every
// registration is linked.
using CommandAdder = void (*)(CLI::App& app);
struct CommandRegistration {
    CommandRegistration(int order, CommandAdder adder);
};
void addRegisteredCommands(CLI::App& app);

// Set by the command that ran; main returns it.
int& exitCode();

// Prints "lathe-cli: <message>" to stderr.
void printError(const std::string& message);

} // namespace lathe::cli
