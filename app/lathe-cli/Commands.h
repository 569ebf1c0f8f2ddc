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

// Each add*Command registers a subcommand whose callback runs it and sets exitCode().
void addScanCommand(CLI::App& app);
void addAnalyzeCommand(CLI::App& app);
void addRenderCommand(CLI::App& app);
void addSessionCommand(CLI::App& app);
void addDemoCommand(CLI::App& app);

// Set by the command that ran; main returns it.
int& exitCode();

// Prints "lathe-cli: <message>" to stderr.
void printError(const std::string& message);

} // namespace lathe::cli
