#include "core/batch/BatchRunner.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"
#include "core/model/SessionOverride.h"
#include "core/model/SessionSource.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <sys/stat.h>
#include <thread>

namespace lathe::core {
namespace fs = std::filesystem;
using nlohmann::json;

void applyRenderOverrides(Session& session, const RenderOverrides& o) {
    if (o.mode) session.output.mode = *o.mode;
    if (o.targetLufs) session.loudness.target_lufs = *o.targetLufs;
    if (o.ceilingDbtp) session.master.limiter.ceiling_dbtp = *o.ceilingDbtp;
    if (o.sampleRate) session.output.sample_rate = *o.sampleRate;
    if (o.noMp3) session.output.mp3 = false;
    // --preset and --deliverable replace the session's set together: the preset's files, then each SPEC.
    if (o.preset || !o.deliverables.empty()) {
        std::vector<DeliverableSpec> set;
        if (o.preset) {
            const auto preset = deliverablePreset(*o.preset);
            if (!preset) throw Error("--preset", "unknown preset \"" + *o.preset + "\"");
            set = *preset;
        }
        for (const auto& spec : o.deliverables)
            set.push_back(parseDeliverableSpec(spec));
        // --no-mp3 drops the MP3s of a set too.
        if (o.noMp3) std::erase_if(set, [](const DeliverableSpec& d) { return d.format == "mp3"; });
        if (set.empty()) throw Error("--no-mp3", "leaves no deliverable in the set");
        session.output.deliverables = std::move(set);
    } else if (o.noMp3) {
        std::erase_if(session.output.deliverables,
                      [](const DeliverableSpec& d) { return d.format == "mp3"; });
    }
    for (const auto& assignment : o.sets)
        applyOverride(session, assignment);
}

std::string_view statusName(BatchJobStatus status) {
    switch (status) {
    case BatchJobStatus::Ok:
        return "ok";
    case BatchJobStatus::Failed:
        return "failed";
    case BatchJobStatus::Skipped:
        return "skipped";
    }
    return "failed";
}

json toJson(const BatchSummary& summary) {
    auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
    json jobs = json::array();
    for (const auto& r : summary.jobs) {
        json deliverables = json::array();
        for (const auto& d : r.report.deliverables)
            deliverables.push_back({{"kind", d.kind},
                                    {"wav", d.wavPath},
                                    {"mp3", d.mp3Path.empty() ? json(nullptr) : json(d.mp3Path)},
                                    {"integrated_lufs", round3(d.integratedLufs)},
                                    {"true_peak_dbtp", round3(d.truePeakDbtp)},
                                    {"loudness_range_lu", round3(d.loudnessRangeLu)}});
        jobs.push_back({{"song", r.song},
                        {"input", r.job.input},
                        {"output", r.job.outDir},
                        {"status", statusName(r.status)},
                        {"error", r.error.empty() ? json(nullptr) : json(r.error)},
                        {"resume_note", r.resumeNote.empty() ? json(nullptr) : json(r.resumeNote)},
                        {"seconds", round3(r.seconds)},
                        {"report", r.report.reportPath.empty() ? json(nullptr) : json(r.report.reportPath)},
                        {"deliverables", deliverables}});
    }
    return json{{"out", summary.outDir},
                {"ok", summary.ok},
                {"failed", summary.failed},
                {"skipped", summary.skipped},
                {"jobs", jobs}};
}

BatchRunner::BatchRunner(std::vector<BatchJob> jobs, BatchOptions options)
    : jobs_(std::move(jobs)), options_(std::move(options)) {}

int BatchRunner::parallelJobs() const {
    int n = options_.parallelJobs;
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, std::min<int>(n, static_cast<int>(std::max<size_t>(1, jobs_.size()))));
}

BatchRunner::FolderId BatchRunner::folderId(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return {};
    return {static_cast<unsigned long long>(st.st_dev), static_cast<unsigned long long>(st.st_ino), true};
}

BatchJobResult BatchRunner::runJob(const BatchJob& job, const RenderControl& control,
                                   const FolderId& outRootId, const ResolvedSources& batchSources) const {
    BatchJobResult result;
    result.job = job;
    result.song = job.name;
    const auto start = std::chrono::steady_clock::now();
    try {
        // First, so a refused OUTDIR (never made) is reported as refused rather than as gone.
        WritePlan folderPlan;
        folderPlan.outDir = job.outDir;
        checkWritePlan(folderPlan, batchSources);

        // Never recreate a batch's output folder that vanished mid-batch: it may have been an unmounted disk,
        // and the renders would land on whatever is mounted below it.
        const fs::path outRoot = fs::path(job.outDir).parent_path();
        const auto outRootGone = [&] {
            return Error(outRoot.string(),
                         "the output folder is gone (removed or unmounted during the batch)");
        };
        if (folderId(outRoot.string()) != outRootId) throw outRootGone();
        std::error_code ec;

        Session session = openSessionOrFolder(job.input);
        result.song = session.song;
        applyRenderOverrides(session, options_.render);
        WritePlan plan = renderWritePlan(session, job.outDir);
        plan.outputs.push_back((fs::path(job.outDir) / kBatchMarkerName).string());
        if (!fs::is_directory(job.input, ec)) plan.sources.files.push_back(job.input);
        checkWritePlan(plan, batchSources);
        const json marker = batchMarker(job.input, session);

        if (fs::is_directory(job.outDir, ec)) removeStaleTemporaries(job.outDir);
        if (options_.resume) {
            RenderReport existing;
            result.resumeNote = checkDeliverables(session, marker, job.outDir, &existing);
            if (result.resumeNote.empty()) {
                result.status = BatchJobStatus::Skipped;
                result.report = std::move(existing);
                result.seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                return result;
            }
        }
        // Until the new render finishes, the folder must not look complete to a later --resume.
        fs::remove(fs::path(job.outDir) / kBatchMarkerName, ec);

        result.report = renderSession(session, job.outDir, control);
        if (folderId(outRoot.string()) != outRootId) {
            // The folder vanished while this job was starting and renderSession made it again: take back
            // what this render wrote there (only its own files and the folders it made, if now empty).
            for (const auto& d : result.report.deliverables) {
                fs::remove(d.wavPath, ec);
                if (!d.mp3Path.empty()) fs::remove(d.mp3Path, ec);
            }
            fs::remove(result.report.reportPath, ec);
            fs::remove(job.outDir, ec); // only removes an empty folder
            fs::remove(outRoot, ec);
            result.report = {};
            throw outRootGone();
        }
        std::string overCeiling;
        for (const auto& d : result.report.deliverables)
            if (!d.withinCeiling) overCeiling += (overCeiling.empty() ? "" : ", ") + d.kind;
        if (!overCeiling.empty())
            throw Error(result.report.reportPath, overCeiling + " exceeds the true-peak ceiling");
        writeFileAtomically((fs::path(job.outDir) / kBatchMarkerName).string(), marker.dump(2) + "\n");
        result.status = BatchJobStatus::Ok;
    } catch (const RenderCancelled&) {
        result.status = BatchJobStatus::Failed;
        result.error = "cancelled";
    } catch (const std::exception& e) {
        result.status = BatchJobStatus::Failed;
        result.error = e.what();
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

BatchSummary BatchRunner::run(const Callbacks& callbacks, const std::atomic<bool>* cancel) {
    BatchSummary summary;
    summary.outDir = jobs_.empty() ? std::string() : fs::path(jobs_.front().outDir).parent_path().string();
    summary.jobs.resize(jobs_.size());
    std::vector<std::string> inputs = options_.batchInputs;
    for (const auto& job : jobs_)
        inputs.push_back(job.input);
    WritePlan rootPlan = batchWritePlan(inputs, summary.outDir);
    // Resolved once: every job is checked against the whole batch's folders and files.
    const ResolvedSources batchSources(rootPlan.sources);
    rootPlan.sources = {};
    if (!summary.outDir.empty()) {
        try {
            checkWritePlan(rootPlan, batchSources);
            std::error_code ec;
            fs::create_directories(summary.outDir,
                                   ec); // a failure shows as every job's "output folder is gone"
        } catch (const Error&) {
            // Not made: each job's own check fails with the reason.
        }
    }
    const FolderId outRootId = folderId(summary.outDir);

    std::mutex mutex; // serialises callbacks and the progress table
    std::vector<double> fractions(jobs_.size(), 0.0);
    const auto reportProgress = [&](size_t index, double fraction) {
        std::lock_guard lock(mutex);
        fractions[index] = std::clamp(fraction, 0.0, 1.0);
        if (!callbacks.progress) return;
        double total = 0;
        for (double f : fractions)
            total += f;
        callbacks.progress(jobs_.empty() ? 1.0 : total / static_cast<double>(jobs_.size()));
    };

    std::atomic<size_t> next{0};
    const int n = parallelJobs();
    // Jobs already run side by side; each render gets its share of the cores so N jobs do not start N x cores
    // threads (the output does not depend on the count).
    const int renderThreads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, n));
    const auto worker = [&] {
        for (;;) {
            const size_t index = next.fetch_add(1);
            if (index >= jobs_.size()) return;
            const BatchJob& job = jobs_[index];
            BatchJobResult result;
            if (cancel && cancel->load()) {
                result.job = job;
                result.song = job.name;
                result.error = "cancelled";
            } else {
                if (callbacks.jobStarted) {
                    std::lock_guard lock(mutex);
                    callbacks.jobStarted(job);
                }
                RenderControl control;
                control.progress = [&, index](double f) { reportProgress(index, f); };
                control.cancel = cancel;
                control.threads = renderThreads;
                result = runJob(job, control, outRootId, batchSources);
            }
            reportProgress(index, 1.0);
            std::lock_guard lock(mutex);
            summary.jobs[index] = result;
            if (callbacks.jobFinished) callbacks.jobFinished(result);
        }
    };
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back(worker);
        for (auto& t : threads)
            t.join();
    }
    for (const auto& r : summary.jobs) {
        if (r.status == BatchJobStatus::Ok) ++summary.ok;
        if (r.status == BatchJobStatus::Failed) ++summary.failed;
        if (r.status == BatchJobStatus::Skipped) ++summary.skipped;
    }
    return summary;
}

} // namespace lathe::core
