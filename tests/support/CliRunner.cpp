#include "CliRunner.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace lathe::test {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

int decodeStatus(int status) {
    if (status == -1) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

} // namespace

std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

CliResult runCli(const std::vector<std::string>& args, const std::string& prefix) {
    static int counter = 0;
    const std::string base = (fs::temp_directory_path() / ("lathe-cli-test-" + std::to_string(::getpid()) +
                                                           "-" + std::to_string(counter++)))
                                 .string();
    std::string cmd = prefix + shellQuote(LATHE_CLI_PATH);
    for (const auto& a : args)
        cmd += " " + shellQuote(a);
    cmd += " >" + shellQuote(base + ".out") + " 2>" + shellQuote(base + ".err") + " </dev/null";
    CliResult r;
    r.exitCode = decodeStatus(std::system(cmd.c_str()));
    r.out = slurp(base + ".out");
    r.err = slurp(base + ".err");
    fs::remove(base + ".out");
    fs::remove(base + ".err");
    return r;
}

CliResult runShell(const std::string& commandLine) {
    CliResult r;
    FILE* pipe = ::popen((commandLine + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return r;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        r.out.append(buffer, n);
    r.exitCode = decodeStatus(::pclose(pipe));
    return r;
}

std::vector<std::pair<std::string, unsigned long long>> folderChecksums(const std::string& dir) {
    std::vector<std::pair<std::string, unsigned long long>> sums;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const std::string bytes = slurp(e.path().string());
        unsigned long long h = 1469598103934665603ull;
        for (unsigned char c : bytes)
            h = (h ^ c) * 1099511628211ull;
        sums.emplace_back(e.path().string(), h);
    }
    std::sort(sums.begin(), sums.end());
    return sums;
}

std::vector<std::string> filesUnder(const std::string& dir) {
    std::vector<std::string> files;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return files;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
        if (!e.is_directory()) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> subcommandsIn(const std::string& help) {
    std::vector<std::string> names;
    std::istringstream lines(help);
    std::string line;
    bool inSection = false;
    static const std::regex entry(R"(^  ([a-z][a-z0-9_-]*)(\s.*)?$)");
    while (std::getline(lines, line)) {
        if (line == "Subcommands:") {
            inSection = true;
            continue;
        }
        if (!inSection) continue;
        std::smatch match;
        if (std::regex_match(line, match, entry))
            names.push_back(match[1]);
        else if (!line.empty() && line[0] != ' ')
            inSection = false; // the next section
    }
    return names;
}

} // namespace lathe::test
