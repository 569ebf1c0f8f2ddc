#include "Commands.h"
#include "NumberOptions.h"

#include "core/Error.h"
#include "core/demo/DemoFolder.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace lathe::cli {
namespace {

struct DemoCommandOptions {
    std::string outDir;
    double seconds = 30.0;
    int sampleRate = 48000;
    unsigned seed = 1;
    bool force = false;
};

int runDemo(const DemoCommandOptions& o) {
    try {
        core::DemoOptions options;
        options.seconds = o.seconds;
        options.sampleRate = o.sampleRate;
        options.seed = o.seed;
        options.force = o.force;
        const core::DemoResult result = core::writeDemoFolder(o.outDir, options);
        std::printf("Demo client folder written to %s:\n", result.folder.c_str());
        for (const auto& f : result.files)
            std::printf("  %s\n", f.c_str());
        std::printf("Try: lathe-cli render %s --out <OUTDIR>\n", o.outDir.c_str());
        return kExitOk;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addDemoCommand(CLI::App& app) {
    auto options = std::make_shared<DemoCommandOptions>();
    CLI::App* cmd =
        app.add_subcommand("demo", "Write a synthesized client folder (6 stems, the printed mix and a "
                                   "rough master reference) to try Lathe with");
    cmd->add_option("OUTDIR", options->outDir, "Folder to create (must be missing or empty)")->required();
    cmd->add_option("--seconds", options->seconds, "Song length in seconds")
        ->transform(numberIn(5, 600, "s"));
    cmd->add_option("--rate", options->sampleRate, "Sample rate in Hz")
        ->transform(wholeNumberOneOf({44100, 48000, 88200, 96000}, "Hz"));
    cmd->add_option("--seed", options->seed, "Random seed (same seed, same files)")
        ->transform(wholeNumberIn(0, 4294967295LL));
    cmd->add_flag("--force", options->force,
                  "Write into a folder that is not empty (replacing only files of the demo's names)");
    cmd->callback([options] { exitCode() = runDemo(*options); });
}

const CommandRegistration kRegistration{90, &addDemoCommand};

} // namespace
} // namespace lathe::cli
