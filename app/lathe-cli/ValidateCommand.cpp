#include "Commands.h"

#include "core/Error.h"
#include "core/analysis/DeliveryChecks.h"
#include "core/io/ClientFolder.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace lathe::cli {
namespace {

struct ValidateOptions {
    std::string folder;
    bool json = false;
};

int runValidate(const ValidateOptions& o) {
    try {
        const core::ValidationReport report = core::validateFolder(core::scanClientFolder(o.folder));
        if (o.json) {
            std::printf("%s\n", core::toJson(report).dump(2).c_str());
        } else {
            std::printf("%s\n", report.folder.c_str());
            for (const auto& c : report.checks)
                std::printf("  %-5s %-15s %-22s %s\n", core::checkStatusName(c.status), c.name.c_str(),
                            c.figure.c_str(), c.message.c_str());
            // Each problem on the file that has it, with what to do about it.
            for (const auto& f : report.findings)
                std::printf("  %s: %s -> %s\n",
                            f.file.empty() ? "delivery" : f.file.substr(f.file.find_last_of('/') + 1).c_str(),
                            f.text.c_str(), f.fix.c_str());
            std::printf("%s\n", report.failed() ? "Some checks failed." : "The delivery passes.");
        }
        return report.failed() ? kExitFailed : kExitOk;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addValidateCommand(CLI::App& app) {
    auto options = std::make_shared<ValidateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "validate",
        "Check a stem delivery: rates, lengths, formats, alignment, null against the mix, clipping, "
        "lossy sources, phase (exit 1 when any check fails)");
    cmd->add_option("DIR", options->folder, "Client folder")->required();
    cmd->add_flag("--json", options->json, "Machine-readable output");
    cmd->callback([options] { exitCode() = runValidate(*options); });
}

const CommandRegistration kRegistration{42, &addValidateCommand};

} // namespace
} // namespace lathe::cli
