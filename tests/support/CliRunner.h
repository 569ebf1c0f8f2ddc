#pragma once

#include <string>
#include <vector>

namespace lathe::test {

struct CliResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

// Runs the built lathe-cli (LATHE_CLI_PATH) with the given arguments; stdout and stderr captured separately.
// `prefix` is prepended to the command line (e.g. "setpriv ... " to run it as another user).
CliResult runCli(const std::vector<std::string>& args, const std::string& prefix = {});

// Runs a shell command line; stdout+stderr captured together.
CliResult runShell(const std::string& commandLine);

std::string shellQuote(const std::string& s);

// Content checksum of every regular file under dir (path -> FNV-1a 64 of its bytes), to prove a render left
// the client's files untouched.
std::vector<std::pair<std::string, unsigned long long>> folderChecksums(const std::string& dir);

// Every regular file under dir, hidden ones included (for "no partial output" checks).
std::vector<std::string> filesUnder(const std::string& dir);

// Names in the "Subcommands:" section of a CLI11 help text: lines indented by exactly two spaces.
std::vector<std::string> subcommandsIn(const std::string& help);

} // namespace lathe::test
