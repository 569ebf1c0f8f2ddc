#include "Commands.h"

#include "core/Error.h"
#include "core/analysis/FileAnalysis.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace lathe::cli {
namespace {

struct AnalyzeOptions {
    std::vector<std::string> files;
    bool json = false;
};

int runAnalyze(const AnalyzeOptions& o) {
    int code = kExitOk;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& file : o.files) {
        try {
            const core::FileAnalysis a = core::analyzeFile(file);
            if (o.json) {
                results.push_back(core::toJson(a));
            } else {
                std::printf(
                    "%s\n  %d Hz, %d ch, %.2f s\n  Integrated %7.2f LUFS   LRA %5.2f LU   PLR %5.2f dB\n"
                    "  True peak  %7.2f dBTP (8x; BS.1770 4x: %.2f)   Sample peak %7.2f dBFS\n"
                    "  Max momentary %7.2f LUFS   Max short-term %7.2f LUFS   Clipped samples %lld\n",
                    a.path.c_str(), a.sampleRate, a.channels, a.durationSeconds, a.integratedLufs,
                    a.loudnessRangeLu, a.plrDb, a.truePeakDbtp, a.truePeakBs1770Dbtp, a.samplePeakDbfs,
                    a.maxMomentaryLufs, a.maxShortTermLufs, static_cast<long long>(a.clippedSamples));
            }
        } catch (const std::exception& e) {
            printError(e.what());
            if (o.json) results.push_back({{"path", file}, {"error", e.what()}});
            code = kExitFailed;
        }
    }
    if (o.json) std::printf("%s\n", results.dump(2).c_str());
    return code;
}

void addAnalyzeCommand(CLI::App& app) {
    auto options = std::make_shared<AnalyzeOptions>();
    CLI::App* cmd =
        app.add_subcommand("analyze", "Measure loudness (BS.1770 / EBU R128), true peak, LRA, PLR and "
                                      "clipping of audio files");
    cmd->add_option("FILE", options->files, "Audio files")->required();
    cmd->add_flag("--json", options->json, "Machine-readable output: a JSON array, one object per file");
    cmd->callback([options] { exitCode() = runAnalyze(*options); });
}

const CommandRegistration kRegistration{20, &addAnalyzeCommand};

} // namespace
} // namespace lathe::cli
