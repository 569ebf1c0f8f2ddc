#pragma once

#include "core/batch/JobManifest.h"
#include "core/io/AtomicFile.h" // removeStaleTemporaries, which --resume runs
#include "core/model/Session.h"
#include "core/render/Renderer.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lathe::core {

// The options `render` and `batch` share, applied over each session's own values.
struct RenderOverrides {
    std::optional<std::string> mode; // stereo, stem, both
    std::optional<double> targetLufs;
    std::optional<double> ceilingDbtp;
    std::optional<int> sampleRate;
    bool noMp3 = false;
    std::optional<std::string> preset;     // a deliverable set by name (deliverablePreset)
    std::vector<std::string> deliverables; // SPECs (parseDeliverableSpec), after the preset's
    std::vector<std::string> sets;         // PATH=VALUE, as applyOverride takes them
};
void applyRenderOverrides(Session& session, const RenderOverrides& overrides); // throws Error

// One input of a batch and where its deliverables go: OUTDIR/<name>/, name = the client folder's name or the
// session file's name without ".lathe". Two inputs with the same name get <name>_2, <name>_3 in sorted order.
struct BatchJob {
    std::string input;   // absolute, normalised
    std::string name;    // output subfolder name
    std::string outDir;  // OUTDIR/<name>
    size_t position = 0; // in the sorted list of all inputs, before sharding
};

// Sorts the inputs by absolute path (byte order), drops duplicates (the same path, or another path to the
// same folder or file: a link, a hard link, a bind mount; the real path stays, else the first), names the
// output folders, then keeps the shard's slice (Shard::contains). Names are given before sharding, so every
// machine agrees on them.
std::vector<BatchJob> planBatch(const std::vector<std::string>& inputs, const std::string& outDir,
                                Shard shard = {});

// What a batch writes at its top, OUTDIR and its summary file, and what no job may touch: every input's
// client folder and the files each session names (addInputSources). lathe-cli and the batch queue run
// checkWritePlan on it before OUTDIR is made; BatchRunner checks every job against the same sources.
WritePlan batchWritePlan(const std::vector<std::string>& inputs, const std::string& outDir,
                         const std::string& summaryName = "batch-summary.json");

enum class BatchJobStatus { Ok, Failed, Skipped };
std::string_view statusName(BatchJobStatus status); // "ok", "failed", "skipped"

struct BatchJobResult {
    BatchJob job;
    std::string song; // the session's song once opened, else the job's name
    BatchJobStatus status = BatchJobStatus::Failed;
    std::string error;      // why it failed (a core::Error's "<file>: <problem>")
    RenderReport report;    // deliverables as rendered, or as found valid by --resume
    std::string resumeNote; // why --resume rendered it again ("" when it was not checked)
    double seconds = 0;
};

struct BatchSummary {
    std::string outDir;
    std::vector<BatchJobResult> jobs; // in job order
    int ok = 0;
    int failed = 0;
    int skipped = 0;
};
nlohmann::json toJson(const BatchSummary& summary);

// The completion marker a batch writes into OUTDIR/<name>/ after a render succeeded: the input and the exact
// settings used. --resume trusts nothing without it (a kill between two renames leaves no marker).
inline constexpr const char* kBatchMarkerName = "batch-session.json";
nlohmann::json batchMarker(const std::string& input, const Session& session);

// Whether jobOutDir holds a complete, valid render of `session` as `marker` describes: the marker matches,
// report.json parses and lists the deliverables the session makes, and every listed WAV and MP3 exists, opens
// with AudioFileReader and has the reported rate and length (and a WAV its size). Returns "" when valid, else
// the first problem found; fills *report from report.json when valid.
std::string checkDeliverables(const Session& session, const nlohmann::json& marker,
                              const std::string& jobOutDir, RenderReport* report = nullptr);

struct BatchOptions {
    RenderOverrides render;
    int parallelJobs = 0; // 0 = the core count
    bool resume = false;
    // Every input of the batch as given, all shards: no job writes inside any of their client folders or over
    // any file they name (the jobs' own inputs always count, listed here or not).
    std::vector<std::string> batchInputs;
};

// Runs a list of jobs on a small pool of threads. Each job renders with renderSession into its own folder; a
// failing job is recorded and never stops the others. Reusable by the GUI's batch queue.
class BatchRunner {
public:
    struct Callbacks {
        // Overall progress 0..1 and per-job events; called from worker threads, never two at once.
        std::function<void(double fraction)> progress;
        std::function<void(const BatchJob& job)> jobStarted;
        std::function<void(const BatchJobResult& result)> jobFinished;
    };

    BatchRunner(std::vector<BatchJob> jobs, BatchOptions options);

    const std::vector<BatchJob>& jobs() const { return jobs_; }
    int parallelJobs() const; // what run() will use

    // Creates the output folder if needed (unless it lies in an input's client folder: then every job fails
    // saying so), then blocks until every job finished. If the output folder is
    // removed during the run, the jobs after that fail; it is never made again (a render that was already
    // starting and made it again takes back its own files). Setting *cancel stops running renders and fails
    // the jobs not started (error "cancelled").
    BatchSummary run(const Callbacks& callbacks = {}, const std::atomic<bool>* cancel = nullptr);

private:
    // The output folder's identity (device, inode) when run() started: a folder removed and made again
    // (by a render that was already under way) is not the one the user gave.
    struct FolderId {
        unsigned long long device = 0, inode = 0;
        bool exists = false;
        bool operator==(const FolderId&) const = default;
    };
    static FolderId folderId(const std::string& path);
    BatchJobResult runJob(const BatchJob& job, const RenderControl& control, const FolderId& outRoot,
                          const ResolvedSources& batchSources) const;

    std::vector<BatchJob> jobs_;
    BatchOptions options_;
};

} // namespace lathe::core
