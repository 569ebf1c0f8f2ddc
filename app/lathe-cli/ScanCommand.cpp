#include "Commands.h"

#include "core/Error.h"
#include "core/io/ClientFolder.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace lathe::cli {
namespace {

struct ScanOptions {
    std::string folder;
    bool json = false;
};

std::string describe(const core::AudioFileInfo& info) {
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "%d Hz, %s, %s, %.2f s", info.sampleRate,
                  info.channels == 1   ? "mono"
                  : info.channels == 2 ? "stereo"
                                       : "multichannel",
                  info.encoding.c_str(), info.durationSeconds());
    return buffer;
}

int runScan(const ScanOptions& o) {
    core::FolderScan scan;
    try {
        scan = core::scanClientFolder(o.folder);
    } catch (const core::Error& e) {
        printError(e.what());
        return kExitFailed;
    }
    if (o.json) {
        std::printf("%s\n", core::toJson(scan).dump(2).c_str());
    } else {
        namespace fs = std::filesystem;
        // Lexical: the scan's paths are the folder joined with the names found, and a link's own name must
        // show (fs::relative would resolve "Alt -> ." to ".").
        auto rel = [&](const std::string& p) { return fs::path(p).lexically_relative(scan.folder).string(); };
        std::printf("Folder: %s\nSong:   %s\n", scan.folder.c_str(), scan.songName.c_str());
        std::printf("Mix:       %s\n",
                    scan.mix ? (rel(scan.mix->path) + "  (" + describe(scan.mix->info) + ")").c_str()
                             : "(none)");
        std::printf("Reference: %s\n",
                    scan.reference
                        ? (rel(scan.reference->path) + "  (" + describe(scan.reference->info) + ")").c_str()
                        : "(none)");
        std::printf("Stems (%zu):\n", scan.stems.size());
        for (const auto& s : scan.stems)
            std::printf("  %-15s %-40s %s%s\n", core::stemRoleName(s.role), rel(s.path).c_str(),
                        describe(s.info).c_str(),
                        s.roleRecognised ? "" : "  [role not recognised from the name]");
        for (const auto& i : scan.ignored)
            std::printf("Ignored (not audio): %s\n", rel(i).c_str());
        for (const auto& s : scan.skipped)
            std::printf("Skipped: %s: %s\n", rel(s.path).c_str(), s.reason.c_str());
        for (const auto& p : scan.problems)
            std::printf("Problem: %s: %s\n", rel(p.path).c_str(), p.problem.c_str());
    }
    for (const auto& p : scan.problems)
        printError(p.path + ": " + p.problem);
    return scan.problems.empty() ? kExitOk : kExitFailed;
}

void addScanCommand(CLI::App& app) {
    auto options = std::make_shared<ScanOptions>();
    CLI::App* cmd = app.add_subcommand("scan", "List a client folder: mix, reference, stems and their roles, "
                                               "files ignored and files that cannot be used");
    cmd->add_option("DIR", options->folder, "Client folder")->required();
    cmd->add_flag("--json", options->json, "Machine-readable output (stable keys, see README)");
    cmd->callback([options] { exitCode() = runScan(*options); });
}

const CommandRegistration kRegistration{10, &addScanCommand};

} // namespace
} // namespace lathe::cli
