#include "Commands.h"
#include "DeliverableOptions.h"
#include "NumberOptions.h"

#include "core/Error.h"
#include "core/batch/BatchRunner.h"
#include "core/batch/JobManifest.h"
#include "core/io/AtomicFile.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

namespace lathe::cli {
namespace {

namespace fs = std::filesystem;

struct BatchCliOptions {
    std::vector<std::string> inputs;
    std::string manifest;
    std::string outDir;
    int jobs = 0;
    std::string shard;
    bool resume = false;
    bool json = false;
    bool quiet = false;
    core::RenderOverrides render;
};

std::atomic<bool> gCancel{false};

void onSignal(int) {
    gCancel.store(true);
}

// The overall bar on stderr, with one line per finished job printed above it. Draws the bar only on a
// terminal; job lines go to stderr unless --quiet, so stdout holds only the table or the JSON.
class BatchProgress {
public:
    BatchProgress(size_t total, bool quiet)
        : total_(total), quiet_(quiet), bar_(!quiet && ::isatty(STDERR_FILENO) == 1),
          start_(std::chrono::steady_clock::now()) {}

    void update(double fraction) { // called serialised by BatchRunner
        fraction_ = fraction;
        // Redraw only when the shown figure changes: renders report progress thousands of times.
        const int permille = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000.0);
        if (permille == lastPermille_) return;
        lastPermille_ = permille;
        draw();
    }

    void finished(const core::BatchJobResult& r) {
        ++done_;
        if (quiet_) return;
        if (bar_) std::fprintf(stderr, "\r\033[K");
        std::string detail;
        if (r.status == core::BatchJobStatus::Failed) {
            detail = r.error;
        } else {
            char buffer[160];
            for (const auto& d : r.report.deliverables) {
                std::snprintf(buffer, sizeof buffer, "%s%s %.2f LUFS TP %.2f dBTP",
                              detail.empty() ? "" : ", ", d.kind.c_str(), d.integratedLufs, d.truePeakDbtp);
                detail += buffer;
            }
        }
        std::fprintf(stderr, "[%zu/%zu] %-7s %s (%.1fs): %s\n", done_, total_,
                     std::string(core::statusName(r.status)).c_str(), r.job.name.c_str(), r.seconds,
                     detail.c_str());
        draw();
    }

    void finish() {
        if (bar_ && drawn_) std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    }

private:
    void draw() {
        if (!bar_) return;
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(std::clamp(fraction_, 0.0, 1.0) * kWidth);
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        std::fprintf(stderr, "\rBatch %zu/%zu [%.*s%*s] %5.1f%%  %.0fs", done_, total_, filled,
                     "##############################", kWidth - filled, "", fraction_ * 100.0, elapsed);
        std::fflush(stderr);
        drawn_ = true;
    }

    size_t total_;
    size_t done_ = 0;
    bool quiet_;
    bool bar_;
    bool drawn_ = false;
    int lastPermille_ = -1;
    double fraction_ = 0;
    std::chrono::steady_clock::time_point start_;
};

void printTable(const core::BatchSummary& summary) {
    std::printf("%-28s %-14s %9s %9s %7s  %s\n", "song", "deliverable", "LUFS", "TP dBTP", "LRA LU",
                "status");
    for (const auto& r : summary.jobs) {
        const std::string status(core::statusName(r.status));
        if (r.report.deliverables.empty()) {
            std::printf("%-28s %-14s %9s %9s %7s  %s\n", r.song.c_str(), "-", "-", "-", "-", status.c_str());
            continue;
        }
        for (const auto& d : r.report.deliverables)
            std::printf("%-28s %-14s %9.2f %9.2f %7.1f  %s\n", r.song.c_str(), d.kind.c_str(),
                        d.integratedLufs, d.truePeakDbtp, d.loudnessRangeLu, status.c_str());
    }
    for (const auto& r : summary.jobs)
        if (r.status == core::BatchJobStatus::Failed)
            std::printf("failed: %s: %s\n", r.job.input.c_str(), r.error.c_str());
    std::printf("%d ok, %d skipped (already complete), %d failed\n", summary.ok, summary.skipped,
                summary.failed);
}

int runBatch(const BatchCliOptions& o) {
    core::Shard shard;
    std::vector<std::string> inputs = o.inputs;
    try {
        if (!o.shard.empty()) shard = core::parseShard(o.shard);
    } catch (const core::Error& e) {
        printError(e.what());
        return kExitUsage;
    }
    try {
        if (!o.manifest.empty())
            for (auto& input : core::readJobManifest(o.manifest))
                inputs.push_back(std::move(input));
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
    if (inputs.empty()) {
        printError("nothing to render: give client folders or sessions, or --manifest FILE");
        return kExitUsage;
    }

    // Sharded runs on a shared OUTDIR each keep their own summary.
    const std::string summaryName = shard.count == 1 ? std::string("batch-summary.json")
                                                     : "batch-summary-" + std::to_string(shard.index) +
                                                           "-of-" + std::to_string(shard.count) + ".json";
    // OUTDIR is refused before it is made when it lies in any input's client folder, whichever shard renders
    // it.
    try {
        core::checkWritePlan(core::batchWritePlan(inputs, o.outDir, summaryName));
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }

    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    if (ec || !fs::is_directory(o.outDir)) {
        printError(o.outDir + ": cannot create the output folder: " + (ec ? ec.message() : "not a folder"));
        return kExitFailed;
    }
    const std::string outDir = fs::absolute(o.outDir, ec).lexically_normal().string();

    core::BatchOptions options;
    options.render = o.render;
    options.parallelJobs = o.jobs;
    options.resume = o.resume;
    options.batchInputs = inputs;
    core::BatchRunner runner(core::planBatch(inputs, outDir, shard), options);

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    BatchProgress progress(runner.jobs().size(), o.quiet);
    core::BatchRunner::Callbacks callbacks;
    callbacks.progress = [&](double f) { progress.update(f); };
    // Test hook: LATHE_TEST_STOP_AFTER_JOBS=N stops the process (SIGSTOP) once N jobs have finished, so fault
    // tests can act between two jobs deterministically, whatever the machine's load. With --jobs 1 the next
    // job only starts after this callback returns.
    const char* stopAfterText = std::getenv("LATHE_TEST_STOP_AFTER_JOBS");
    const int stopAfter = stopAfterText != nullptr ? std::atoi(stopAfterText) : 0;
    int finishedJobs = 0;
    callbacks.jobFinished = [&](const core::BatchJobResult& r) {
        progress.finished(r);
        if (stopAfter > 0 && ++finishedJobs == stopAfter) ::raise(SIGSTOP);
    };
    core::BatchSummary summary = runner.run(callbacks, &gCancel);
    progress.finish();

    const nlohmann::json json = core::toJson(summary);
    if (fs::is_directory(outDir, ec)) {
        try {
            core::writeFileAtomically((fs::path(outDir) / summaryName).string(), json.dump(2) + "\n");
        } catch (const std::exception& e) {
            printError(std::string("could not write the batch summary: ") + e.what());
        }
    }
    if (o.json)
        std::printf("%s\n", json.dump(2).c_str());
    else
        printTable(summary);
    if (summary.failed > 0) {
        printError(std::to_string(summary.failed) + " of " + std::to_string(summary.jobs.size()) +
                   " jobs failed (listed above)");
        return kExitFailed;
    }
    return kExitOk;
}

void addBatchCommand(CLI::App& app) {
    auto o = std::make_shared<BatchCliOptions>();
    CLI::App* cmd = app.add_subcommand(
        "batch",
        "Master many client folders or sessions in parallel into OUTDIR/<name>/ (as render does), with a "
        "summary table and OUTDIR/batch-summary.json");
    cmd->add_option("INPUT", o->inputs, "Client folders and/or SESSION.lathe files");
    cmd->add_option("--manifest", o->manifest,
                    "A file listing inputs, one path per line ('#' starts a comment line; relative paths are "
                    "taken from the manifest's folder)");
    cmd->add_option("--out", o->outDir, "Output folder; each job writes into OUTDIR/<name>/")->required();
    cmd->add_option("--jobs", o->jobs, "Jobs rendered at once (default: the number of cores)")
        ->transform(wholeNumberIn(1, 1024));
    cmd->add_option("--shard", o->shard,
                    "K/N: render only jobs i (0-based, inputs sorted by absolute path) with i % N == K-1, to "
                    "split a catalogue over N machines");
    cmd->add_flag("--resume", o->resume,
                  "Skip jobs whose deliverables are complete and valid (checked, not just present); clean "
                  "up what an interrupted render left");
    cmd->add_option("--mode", o->render.mode,
                    "What to master: stereo (the mix), stem (from the stems) or both")
        ->check(CLI::IsMember({"stereo", "stem", "both"}));
    cmd->add_option("--target-lufs", o->render.targetLufs, "Integrated loudness target in LUFS (default -14)")
        ->transform(numberIn(-40, -3, "LUFS"));
    cmd->add_option("--ceiling-dbtp", o->render.ceilingDbtp, "True-peak ceiling in dBTP (default -1.0)")
        ->transform(numberIn(-20, 0, "dBTP"));
    cmd->add_option("--rate", o->render.sampleRate, "Output sample rate in Hz (default: each session's)")
        ->transform(wholeNumberIn(8000, 384000, "Hz"));
    cmd->add_flag("--no-mp3", o->render.noMp3, "Do not write MP3 references");
    addDeliverableOptions(*cmd, o->render);
    cmd->add_option("--set", o->render.sets, "Override any session value in every job: PATH=VALUE")
        ->check(sessionAssignment())
        ->allow_extra_args(false);
    cmd->add_flag("--json", o->json, "Print the summary as JSON (the same as OUTDIR/batch-summary.json)");
    cmd->add_flag("--quiet", o->quiet, "No progress bar and no per-job lines");
    cmd->callback([o] { exitCode() = runBatch(*o); });
}

const CommandRegistration kRegistration{35, &addBatchCommand};

} // namespace
} // namespace lathe::cli
