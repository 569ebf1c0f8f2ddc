#include "Commands.h"

#include "core/Error.h"
#include "core/analysis/FileAnalysis.h"
#include "core/render/ThreadPool.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace lathe::cli {
namespace {

struct AnalyzeOptions {
    std::vector<std::string> files;
    bool json = false;
};

// One file's analysis, or why it failed.
struct Outcome {
    core::FileAnalysis analysis;
    std::string error;
};

int runAnalyze(const AnalyzeOptions& o) {
    // The files are measured in parallel, one per core, and reported in the order given.
    std::vector<Outcome> outcomes(o.files.size());
    core::ThreadPool pool(
        std::max(1, std::min(static_cast<int>(o.files.size()), core::ThreadPool::defaultThreads())));
    pool.parallelFor(static_cast<int>(o.files.size()), [&](int i) {
        auto& outcome = outcomes[static_cast<std::size_t>(i)];
        try {
            outcome.analysis = core::analyzeFile(o.files[static_cast<std::size_t>(i)]);
        } catch (const std::exception& e) {
            outcome.error = e.what();
        }
    });
    int code = kExitOk;
    nlohmann::json results = nlohmann::json::array();
    for (std::size_t i = 0; i < o.files.size(); ++i) {
        const auto& file = o.files[i];
        if (!outcomes[i].error.empty()) {
            printError(outcomes[i].error);
            if (o.json) results.push_back({{"path", file}, {"error", outcomes[i].error}});
            code = kExitFailed;
            continue;
        }
        const core::FileAnalysis& a = outcomes[i].analysis;
        if (o.json) {
            results.push_back(core::toJson(a));
        } else {
            std::printf("%s\n  %d Hz, %d ch, %.2f s\n  Integrated %7.2f LUFS   LRA %5.2f LU   PLR %5.2f dB\n"
                        "  True peak  %7.2f dBTP (8x; BS.1770 4x: %.2f)   Sample peak %7.2f dBFS\n"
                        "  Max momentary %7.2f LUFS   Max short-term %7.2f LUFS   Clipped samples %lld\n",
                        a.path.c_str(), a.sampleRate, a.channels, a.durationSeconds, a.integratedLufs,
                        a.loudnessRangeLu, a.plrDb, a.truePeakDbtp, a.truePeakBs1770Dbtp, a.samplePeakDbfs,
                        a.maxMomentaryLufs, a.maxShortTermLufs, static_cast<long long>(a.clippedSamples));
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
