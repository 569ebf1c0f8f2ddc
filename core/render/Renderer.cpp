#include "core/render/Renderer.h"

#include "core/Error.h"
#include "core/chain/ChainPolicy.h"
#include "core/io/AtomicFile.h"
#include "core/io/AudioFileReader.h"
#include "core/model/SessionSource.h"
#include "core/render/DeliverableRenderer.h"
#include "core/render/PlaybackPreviewWriter.h"
#include "core/render/RenderRefusal.h"

#include "dsp/LoudnessMeter.h"
#include "dsp/ScopedFlushDenormals.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace lathe::core {

using namespace render;

namespace {

void measureDecodedMp3(DeliverableReport& r, double ceilingDbtp) {
    AudioFileReader reader(r.mp3Path);
    const AudioFileInfo& info = reader.info();
    dsp::TruePeakMeter truePeak;
    truePeak.prepare(info.sampleRate, kBlock, info.channels, 8);
    dsp::LoudnessMeter loudness;
    loudness.prepare(info.sampleRate, kBlock, info.channels, dsp::LoudnessMeter::Integrated);
    std::vector<std::vector<float>> buffers(static_cast<size_t>(info.channels), std::vector<float>(kBlock));
    std::vector<float*> channels;
    for (auto& b : buffers)
        channels.push_back(b.data());
    for (;;) {
        const int64_t n = reader.read(channels.data(), kBlock);
        if (n == 0) break;
        dsp::AudioBlock block(channels.data(), info.channels, static_cast<int>(n));
        truePeak.process(block);
        loudness.process(block);
    }
    r.mp3TruePeakDbtp = truePeak.truePeakDbtp();
    r.mp3IntegratedLufs = loudness.integratedLufs();
    r.mp3ExceedsCeiling = *r.mp3TruePeakDbtp > ceilingDbtp;
}

std::string describeSeconds(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
    return buffer;
}

// Facts about the sources an engineer should know before trusting the render: resampling, mono, lengths.
std::vector<std::string> sourceWarnings(const Session& s, const RenderPlan& plan) {
    std::vector<std::string> warnings;
    struct Source {
        std::string path;
        AudioFileInfo info;
    };
    std::vector<Source> sources;
    auto add = [&](const std::string& path) {
        AudioFileInfo info = probeAudioFile(path);
        validateSource(info);
        sources.push_back({path, info});
    };
    if (plan.stereo) add(s.mix);
    const size_t firstStem = sources.size();
    if (plan.stem)
        for (const auto& stem : s.stems)
            add(stem.path);
    for (const auto& src : sources) {
        const std::string name = fs::path(src.path).filename().string();
        if (src.info.sampleRate != s.sample_rate)
            warnings.push_back(name + " is at " + std::to_string(src.info.sampleRate) + " Hz; resampled to " +
                               std::to_string(s.sample_rate) + " Hz (soxr, very high quality)");
        if (src.info.channels == 1) warnings.push_back(name + " is mono; used as centred stereo");
        if (src.info.lossy)
            warnings.push_back(name + " is " + src.info.encoding +
                               "-encoded (lossy); ask for a WAV if one exists");
    }
    if (sources.size() - firstStem > 1) {
        double longest = 0;
        for (size_t i = firstStem; i < sources.size(); ++i)
            longest = std::max(longest, sources[i].info.durationSeconds());
        for (size_t i = firstStem; i < sources.size(); ++i) {
            const double shortBy = longest - sources[i].info.durationSeconds();
            if (shortBy > 0.5 / s.sample_rate)
                warnings.push_back(fs::path(sources[i].path).filename().string() + " is " +
                                   describeSeconds(shortBy) +
                                   " shorter than the longest stem; padded with silence");
        }
    }
    return warnings;
}

} // namespace

RenderPlan planRender(const Session& s) {
    RenderPlan plan;
    const std::string& mode = s.output.mode;
    const bool wantStereo = mode == "stereo" || mode == "both";
    const bool wantStem = mode == "stem" || mode == "both";
    if (!wantStereo && !wantStem)
        throw Error(s.folder, "output.mode must be stereo, stem or both (found \"" + mode + "\")");
    plan.stereo = wantStereo && !s.mix.empty();
    plan.stem = wantStem && !s.stems.empty();
    if (wantStereo && s.mix.empty())
        plan.warnings.push_back("no stereo mix in the folder: stereo master skipped");
    if (wantStem && s.stems.empty()) plan.warnings.push_back("no stems in the folder: stem master skipped");
    if (!plan.stereo && !plan.stem)
        throw Error(s.folder.empty() ? std::string("session") : s.folder,
                    wantStem && !wantStereo   ? "no stems to master"
                    : wantStereo && !wantStem ? "no stereo mix to master"
                                              : "no stereo mix and no stems found: nothing to master");
    if (plan.stem && anyStemSoloed(s))
        plan.warnings.push_back("some stems are soloed: the stem master contains only the soloed stems");
    return plan;
}

WritePlan renderWritePlan(const Session& s, const std::string& outDir,
                          const std::vector<dsp::PlaybackSystem>& previews) {
    const auto kinds = [&] {
        const RenderPlan plan = planRender(s);
        std::vector<std::string> k;
        if (plan.stereo) k.push_back("stereo_master");
        if (plan.stem) k.push_back("stem_master");
        return k;
    }();
    WritePlan plan;
    plan.outDir = outDir;
    addSessionSources(plan.sources, s);
    const auto wouldWrite = [&](const std::string& name) { return (fs::path(outDir) / name).string(); };
    if (const std::string problem = fileNameProblem(s.song); !problem.empty())
        throw Error("song", quotedName(s.song) + " cannot name the output files (it would write " +
                                quotedName(wouldWrite(s.song + "_" + kinds.front() + ".wav")) +
                                "): " + problem + ". Set a plain name with --set song=NAME");

    const int rate = s.output.sample_rate > 0 ? s.output.sample_rate : s.sample_rate;
    std::vector<std::string> names;
    for (const auto& kind : kinds) {
        names.push_back(s.song + "_" + kind + ".wav");
        if (s.output.mp3 && mp3CarriesSampleRate(rate)) names.push_back(s.song + "_" + kind + ".mp3");
        for (const auto system : previews)
            if (system != dsp::PlaybackSystem::Flat)
                names.push_back(fs::path(playbackPreviewPath(s.song + "_" + kind + ".wav", system)).string());
    }
    const std::size_t maxName = maxFileNameBytes(outDir);
    for (const auto& name : names) {
        if (name.size() > maxName)
            throw Error(wouldWrite(name), "file name too long (" + std::to_string(name.size()) +
                                              " bytes; the file system takes at most " +
                                              std::to_string(maxName) +
                                              "): the output files are named after the song; set a shorter "
                                              "name with --set song=NAME");
        plan.outputs.push_back(wouldWrite(name));
    }
    plan.outputs.push_back(wouldWrite("report.json"));
    return plan;
}

RenderReport renderSession(const Session& s, const std::string& outDir, const RenderControl& control) {
    RenderPlan plan = planRender(s);
    checkWritePlan(renderWritePlan(s, outDir));
    RenderReport report;
    report.song = s.song;
    report.folder = s.folder;
    report.sessionSampleRate = s.sample_rate;
    report.outputSampleRate = s.output.sample_rate > 0 ? s.output.sample_rate : s.sample_rate;
    report.targetLufs = s.loudness.target_lufs;
    report.ceilingDbtp = s.master.limiter.ceiling_dbtp;
    report.warnings = plan.warnings;
    // Every source is opened and checked before anything is written.
    for (auto& w : sourceWarnings(s, plan))
        report.warnings.push_back(std::move(w));
    if (s.output.mp3 && !mp3CarriesSampleRate(report.outputSampleRate))
        report.warnings.push_back("MP3 reference skipped: MP3 supports 32, 44.1 and 48 kHz, not " +
                                  std::to_string(report.outputSampleRate) + " Hz");

    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec || !fs::is_directory(outDir))
        throw Error(outDir, "cannot create the output folder: " + (ec ? ec.message() : "not a folder"));
    removeStaleTemporaries(outDir);

    std::vector<Job> jobs;
    if (plan.stereo) jobs.push_back({"stereo_master", false, static_cast<int>(jobs.size())});
    if (plan.stem) jobs.push_back({"stem_master", true, static_cast<int>(jobs.size())});

    ProgressBoard progress(control, static_cast<int>(jobs.size()));
    std::atomic<bool> internalCancel{false};
    std::vector<JobResult> results(jobs.size());
    std::vector<std::exception_ptr> errors(jobs.size());
    {
        // Deliverables render in parallel; the first failure cancels the others so no work is wasted.
        std::vector<std::thread> threads;
        for (size_t i = 0; i < jobs.size(); ++i)
            threads.emplace_back([&, i] {
                const dsp::ScopedFlushDenormals flushDenormals;
                try {
                    results[i] =
                        DeliverableRenderer(s, jobs[i], outDir, control, internalCancel, progress).run();
                } catch (...) {
                    errors[i] = std::current_exception();
                    internalCancel = true;
                }
            });
        for (auto& t : threads)
            t.join();
    }
    // Report the real failure, not the cancellation it caused in a sibling.
    std::exception_ptr first;
    for (auto& e : errors) {
        if (!e) continue;
        try {
            std::rethrow_exception(e);
        } catch (const RenderCancelled&) {
            if (!first) first = e;
        } catch (...) {
            first = e;
            break;
        }
    }
    if (first)
        std::rethrow_exception(first); // uncommitted writers are destroyed: their temp files go with them

    for (auto& result : results) {
        result.wav->commit();
        if (result.mp3) result.mp3->commit();
    }
    for (auto& result : results) {
        DeliverableReport& r = result.report;
        if (!r.mp3Path.empty()) {
            measureDecodedMp3(r, s.master.limiter.ceiling_dbtp);
            if (r.mp3ExceedsCeiling) {
                char buffer[200];
                std::snprintf(
                    buffer, sizeof buffer,
                    "%s: decoded MP3 true peak %.2f dBTP exceeds the %.1f dBTP ceiling (lower the ceiling "
                    "for lossy deliveries)",
                    fs::path(r.mp3Path).filename().c_str(), *r.mp3TruePeakDbtp,
                    s.master.limiter.ceiling_dbtp);
                report.warnings.push_back(buffer);
            }
        }
        if (r.limitingCapped) {
            report.warnings.push_back(limitingCapWarning(r.kind, s.loudness.target_lufs,
                                                         s.loudness.max_limiting_db, r.integratedLufs,
                                                         r.limitingCostDb));
        } else if (!r.meetsTarget) {
            char buffer[200];
            std::snprintf(
                buffer, sizeof buffer,
                "%s reaches %.2f LUFS, not the %.1f LUFS target, after %d passes: the limiter cannot get "
                "there at a %.1f dBTP ceiling",
                r.kind.c_str(), r.integratedLufs, s.loudness.target_lufs, r.passes,
                s.master.limiter.ceiling_dbtp);
            report.warnings.push_back(buffer);
        }
        report.deliverables.push_back(r);
    }
    report.reportPath = (fs::path(outDir) / "report.json").string();
    writeRenderReport(report);
    return report;
}

} // namespace lathe::core
