#include "core/batch/BatchRunner.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"
#include "core/io/AudioFileReader.h"
#include "core/model/SessionJson.h"
#include "core/model/SessionOverride.h"
#include "core/model/SessionSource.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace lathe::core {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string absoluteInput(const std::string& input) {
    std::error_code ec;
    fs::path p = fs::absolute(fs::path(input), ec).lexically_normal();
    if (ec) p = fs::path(input).lexically_normal();
    if (p.has_relative_path() && p.filename().empty()) p = p.parent_path(); // "Song/" -> "Song"
    return p.string();
}

std::string jobNameOf(const std::string& input) {
    const fs::path p(input);
    std::string name = p.extension() == ".lathe" ? p.stem().string() : p.filename().string();
    return name.empty() || name == "." || name == ".." ? std::string("job") : name;
}

// One listed file: exists, opens, and its rate and length are what report.json says.
std::string checkAudioFile(const std::string& path, int sampleRate, double durationSeconds, bool isWav,
                           int bitDepth, int mp3BitrateKbps = 0) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return path + ": missing";
    try {
        AudioFileReader reader(path);
        const AudioFileInfo& info = reader.info();
        if (info.sampleRate != sampleRate)
            return path + ": " + std::to_string(info.sampleRate) + " Hz, report.json says " +
                   std::to_string(sampleRate) + " Hz";
        const double seconds = info.durationSeconds();
        // report.json rounds durations to 1 ms; an MP3 decodes with up to ~50 ms of encoder delay/padding.
        const double tolerance = isWav ? 0.0015 : 0.1;
        if (std::abs(seconds - durationSeconds) > tolerance)
            return path + ": " + std::to_string(seconds) + " s long, report.json says " +
                   std::to_string(durationSeconds) + " s";
        if (isWav) {
            const int bytesPerSample = bitDepth == 32 ? 4 : bitDepth / 8;
            const auto dataBytes = static_cast<uintmax_t>(info.frames) * info.channels * bytesPerSample;
            const uintmax_t size = fs::file_size(path, ec);
            // A WAV is a small header (44 bytes here; a few chunks at most) plus exactly the sample data.
            if (ec || size < dataBytes + 44 || size > dataBytes + 65536)
                return path + ": " + std::to_string(size) + " bytes, expected " + std::to_string(dataBytes) +
                       " bytes of audio plus a header";
            if (info.bitDepth != bitDepth)
                return path + ": " + std::to_string(info.bitDepth) + "-bit, report.json says " +
                       std::to_string(bitDepth) + "-bit";
        } else {
            // An MP3's length comes from its Xing header, which a cut-short file keeps: check the bytes are
            // there too. CBR: bitrate / 8 bytes per second; 3% covers the header and the last frame.
            const double expected = durationSeconds * mp3BitrateKbps * 1000.0 / 8.0;
            const uintmax_t size = fs::file_size(path, ec);
            if (ec || static_cast<double>(size) < 0.97 * expected)
                return path + ": " + std::to_string(size) + " bytes, a " + std::to_string(mp3BitrateKbps) +
                       " kbps MP3 of this length has about " +
                       std::to_string(static_cast<long long>(expected));
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

bool mp3RateSupported(int rate) {
    // The MP3 encoder's MPEG-1 rates; Renderer skips the MP3 (with a warning) at any other.
    return rate == 32000 || rate == 44100 || rate == 48000;
}

} // namespace

void applyRenderOverrides(Session& session, const RenderOverrides& o) {
    if (o.mode) session.output.mode = *o.mode;
    if (o.targetLufs) session.loudness.target_lufs = *o.targetLufs;
    if (o.ceilingDbtp) session.master.limiter.ceiling_dbtp = *o.ceilingDbtp;
    if (o.sampleRate) session.output.sample_rate = *o.sampleRate;
    if (o.noMp3) session.output.mp3 = false;
    for (const auto& assignment : o.sets)
        applyOverride(session, assignment);
}

std::vector<BatchJob> planBatch(const std::vector<std::string>& inputs, const std::string& outDir,
                                Shard shard) {
    std::vector<std::string> sorted;
    sorted.reserve(inputs.size());
    for (const auto& input : inputs)
        sorted.push_back(absoluteInput(input));
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    // Two spellings of one folder or session (a link, a hard link, a bind mount) are one job: rendered twice
    // they would race for the same outputs. The spelling kept is the real path where it was given (so the
    // output folder is named after the folder, not after a link to it), else the first in sorted order.
    struct Spelling {
        std::string input;
        bool real = false;
    };
    std::map<std::pair<std::uintmax_t, std::uintmax_t>, Spelling> byIdentity;
    std::vector<std::string> distinct;
    for (const std::string& input : sorted) {
        struct stat st {};
        if (::stat(input.c_str(), &st) != 0) {
            distinct.push_back(input); // left for the job to report
            continue;
        }
        std::error_code ec;
        const bool real = fs::canonical(input, ec).string() == input && !ec;
        const auto [it, added] = byIdentity.try_emplace(
            {static_cast<std::uintmax_t>(st.st_dev), static_cast<std::uintmax_t>(st.st_ino)},
            Spelling{input, real});
        if (!added && real && !it->second.real) it->second = {input, true};
    }
    for (const auto& [identity, spelling] : byIdentity)
        distinct.push_back(spelling.input);
    std::sort(distinct.begin(), distinct.end());
    sorted = std::move(distinct);

    std::set<std::string> used;
    std::vector<BatchJob> jobs;
    for (size_t i = 0; i < sorted.size(); ++i) {
        const std::string base = jobNameOf(sorted[i]);
        std::string name = base;
        for (int n = 2; used.count(name); ++n)
            name = base + "_" + std::to_string(n);
        used.insert(name);
        if (!shard.contains(i)) continue;
        jobs.push_back({sorted[i], name, (fs::path(outDir) / name).string(), i});
    }
    return jobs;
}

WritePlan batchWritePlan(const std::vector<std::string>& inputs, const std::string& outDir,
                         const std::string& summaryName) {
    WritePlan plan;
    plan.outDir = outDir;
    plan.outputs.push_back((fs::path(outDir) / summaryName).string());
    for (const auto& input : inputs)
        addInputSources(plan.sources, input);
    return plan;
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

json batchMarker(const std::string& input, const Session& session) {
    return json{{"input", input}, {"session", toJson(session)}};
}

std::string checkDeliverables(const Session& session, const json& marker, const std::string& jobOutDir,
                              RenderReport* reportOut) {
    const fs::path dir(jobOutDir);
    const auto readJson = [](const fs::path& path, json& out) -> std::string {
        std::ifstream in(path, std::ios::binary);
        if (!in) return path.string() + ": missing";
        try {
            out = json::parse(in);
        } catch (const std::exception&) {
            return path.string() + ": not valid JSON";
        }
        return {};
    };
    json storedMarker;
    if (auto problem = readJson(dir / kBatchMarkerName, storedMarker); !problem.empty())
        return problem + " (the render did not finish)";
    if (storedMarker != marker) return "the settings or input differ from the last render";

    RenderReport report;
    try {
        report = readRenderReport(jobOutDir);
    } catch (const Error& e) {
        return e.what();
    }

    RenderPlan plan;
    try {
        plan = planRender(session);
    } catch (const std::exception& e) {
        return e.what();
    }
    std::vector<std::string> expectedKinds;
    if (plan.stereo) expectedKinds.push_back("stereo_master");
    if (plan.stem) expectedKinds.push_back("stem_master");
    std::vector<std::string> kinds;
    for (const auto& d : report.deliverables)
        kinds.push_back(d.kind);
    if (kinds != expectedKinds) return (dir / "report.json").string() + ": lists other deliverables";

    const int rate = session.output.sample_rate > 0 ? session.output.sample_rate : session.sample_rate;
    const bool wantMp3 = session.output.mp3 && mp3RateSupported(rate);
    for (const auto& d : report.deliverables) {
        if (d.sampleRate != rate) return d.wavPath + ": rendered at another rate";
        if (auto p = checkAudioFile(d.wavPath, d.sampleRate, d.durationSeconds, true, d.bitDepth); !p.empty())
            return p;
        if (wantMp3 != !d.mp3Path.empty()) return (dir / "report.json").string() + ": MP3 setting differs";
        if (wantMp3)
            if (auto p = checkAudioFile(d.mp3Path, d.sampleRate, d.durationSeconds, false, 0,
                                        session.output.mp3_bitrate_kbps);
                !p.empty())
                return p;
    }
    if (reportOut) *reportOut = std::move(report);
    return {};
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
