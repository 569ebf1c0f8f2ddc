#include "core/render/Renderer.h"

#include "core/Error.h"
#include "core/analysis/MatchSession.h"
#include "core/analysis/StreamingNormalization.h"
#include "core/chain/ChainPolicy.h"
#include "core/io/AtomicFile.h"
#include "core/io/AudioFileReader.h"
#include "core/io/FileTags.h"
#include "core/model/SessionSource.h"
#include "core/render/CodecCheck.h"
#include "core/render/DeliverablePlan.h"
#include "core/render/DeliverableRenderer.h"
#include "core/render/PlaybackPreviewWriter.h"
#include "core/render/RenderRefusal.h"

#include "dsp/ScopedFlushDenormals.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace lathe::core {

using namespace render;

namespace {

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

    std::vector<std::string> names;
    for (const auto& kind : kinds) {
        const std::vector<RenderVariant> variants = planVariants(s, kind, "");
        for (const RenderVariant& variant : variants)
            for (const auto* files : {&variant.pcm, &variant.lossy})
                for (const PlannedFile& file : *files)
                    names.push_back(file.path);
        // Previews are made from the first PCM file (the report's "wav").
        if (!variants.front().pcm.empty())
            for (const auto system : previews)
                if (system != dsp::PlaybackSystem::Flat)
                    names.push_back(
                        fs::path(playbackPreviewPath(variants.front().pcm.front().path, system)).string());
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

namespace {

ReleaseTags releaseTags(const Session& s) {
    ReleaseTags t;
    t.title = s.output.title.empty() ? s.song : s.output.title;
    t.artist = s.output.artist;
    t.album = s.output.album;
    t.track = s.output.track;
    t.trackTotal = s.output.track_total;
    t.year = s.output.year;
    t.genre = s.output.genre;
    t.isrc = normalizedIsrc(s.output.isrc);
    t.comment = s.output.comment;
    if (const auto cover = findCoverArt(s.folder)) loadCoverArt(t, *cover);
    return t;
}

FileReport fileReport(const PlannedFile& file, const DeliverableReport& variant) {
    FileReport f;
    f.path = file.path;
    f.format = file.spec.format;
    f.sampleRate = variant.sampleRate;
    f.bitDepth = variant.bitDepth;
    f.kbps = file.spec.kbps;
    f.quality = file.spec.format == "vorbis" ? file.spec.quality : -1;
    f.integratedLufs = variant.integratedLufs;
    f.loudnessRangeLu = variant.loudnessRangeLu;
    f.truePeakDbtp = variant.truePeakDbtp;
    f.samplePeakDbfs = variant.samplePeakDbfs;
    f.maxMomentaryLufs = variant.maxMomentaryLufs;
    f.maxShortTermLufs = variant.maxShortTermLufs;
    f.loudnessGainDb = variant.loudnessGainDb;
    f.passes = variant.passes;
    f.meetsTarget = variant.meetsTarget;
    f.withinCeiling = variant.withinCeiling;
    return f;
}

const char* codecName(const std::string& format) {
    return format == "mp3" ? "MP3" : format == "aac" ? "AAC" : format == "opus" ? "Opus" : "Vorbis";
}

} // namespace

RenderReport renderSession(const Session& session, const std::string& outDir, const RenderControl& control) {
    RenderPlan plan = planRender(session);
    checkWritePlan(renderWritePlan(session, outDir));
    // A match to the reference's loudness is a target like any other from here on.
    const Session s = withMatchedLoudness(session);
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
    if (s.output.deliverables.empty() && s.output.mp3 && !mp3CarriesSampleRate(report.outputSampleRate))
        report.warnings.push_back("MP3 reference skipped: MP3 supports 32, 44.1 and 48 kHz, not " +
                                  std::to_string(report.outputSampleRate) + " Hz");
    const bool tagged = writesReleaseTags(s);
    const ReleaseTags tags = tagged ? releaseTags(s) : ReleaseTags{};

    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec || !fs::is_directory(outDir))
        throw Error(outDir, "cannot create the output folder: " + (ec ? ec.message() : "not a folder"));
    removeStaleTemporaries(outDir);

    // One job per master and variant (rate and word length): each renders, limits and targets at its own
    // rate.
    std::vector<Job> jobs;
    std::vector<std::string> kinds;
    if (plan.stereo) kinds.push_back("stereo_master");
    if (plan.stem) kinds.push_back("stem_master");
    for (const auto& kind : kinds)
        for (RenderVariant& variant : planVariants(s, kind, outDir))
            jobs.push_back({kind, kind == "stem_master", static_cast<int>(jobs.size()), std::move(variant)});

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

    // A cancel that lands after the last job finished still wins: nothing has a final name yet, and the
    // writers' destructors remove their temporaries.
    if (control.cancel && control.cancel->load()) throw RenderCancelled();

    // Tags and the bext loudness go into each temporary file before it takes its final name.
    for (auto& result : results)
        for (auto& file : result.files) {
            const DeliverableReport& r = result.report;
            const std::string format = file.planned.spec.format;
            file.writer->commit([&](const std::string& temp) {
                if (!tagged) return;
                if (format == "wav")
                    patchBextLoudness(temp, file.planned.path,
                                      {r.integratedLufs, r.loudnessRangeLu, r.truePeakDbtp,
                                       r.maxMomentaryLufs, r.maxShortTermLufs});
                writeReleaseTags(temp, file.planned.path, format, tags);
            });
        }

    for (const auto& kind : kinds) {
        DeliverableReport merged;
        bool firstVariant = true;
        for (size_t i = 0; i < jobs.size(); ++i) {
            if (jobs[i].kind != kind) continue;
            DeliverableReport& r = results[i].report;
            if (firstVariant) {
                merged = r;
                merged.files.clear();
                firstVariant = false;
            } else {
                merged.meetsTarget = merged.meetsTarget && r.meetsTarget;
                merged.withinCeiling = merged.withinCeiling && r.withinCeiling;
            }
            if (merged.wavPath.empty() && !r.wavPath.empty()) merged.wavPath = r.wavPath;
            for (const auto& file : results[i].files) {
                FileReport f = fileReport(file.planned, r);
                if (isLossyFormat(f.format)) {
                    const DecodedMeasurement decoded = measureDecoded(f.path, f.format);
                    f.decodedTruePeakDbtp = decoded.truePeakDbtp;
                    f.decodedIntegratedLufs = decoded.integratedLufs;
                    f.decodedExceedsCeiling = decoded.truePeakDbtp > s.master.limiter.ceiling_dbtp;
                    if (f.format == "mp3" && merged.mp3Path.empty()) {
                        merged.mp3Path = f.path;
                        merged.mp3TruePeakDbtp = f.decodedTruePeakDbtp;
                        merged.mp3IntegratedLufs = f.decodedIntegratedLufs;
                        merged.mp3ExceedsCeiling = f.decodedExceedsCeiling;
                    }
                    if (f.decodedExceedsCeiling) {
                        char buffer[240];
                        std::snprintf(
                            buffer, sizeof buffer,
                            "%s: decoded %s true peak %.2f dBTP exceeds the %.1f dBTP ceiling (lower "
                            "the ceiling for lossy deliveries)",
                            fs::path(f.path).filename().c_str(), codecName(f.format), *f.decodedTruePeakDbtp,
                            s.master.limiter.ceiling_dbtp);
                        report.warnings.push_back(buffer);
                    }
                }
                merged.files.push_back(std::move(f));
            }
            if (r.limitingCapped) {
                report.warnings.push_back(limitingCapWarning(kind, s.loudness.target_lufs,
                                                             s.loudness.max_limiting_db, r.integratedLufs,
                                                             r.limitingCostDb));
            } else if (!r.meetsTarget) {
                char buffer[240];
                std::snprintf(
                    buffer, sizeof buffer,
                    "%s%s reaches %.2f LUFS, not the %.1f LUFS target, after %d passes: the limiter cannot "
                    "get "
                    "there at a %.1f dBTP ceiling",
                    kind.c_str(),
                    jobs.size() > kinds.size() ? (" at " + std::to_string(r.sampleRate) + " Hz").c_str() : "",
                    r.integratedLufs, s.loudness.target_lufs, r.passes, s.master.limiter.ceiling_dbtp);
                report.warnings.push_back(buffer);
            }
        }
        const std::vector<PlaybackOnPlatform> playback =
            normalizeForAll(merged.integratedLufs, merged.truePeakDbtp);
        for (const PlaybackOnPlatform& p : playback) {
            double reference = 0;
            for (const auto& platform : streamingPlatforms())
                if (platform.name == p.platform) reference = platform.targetLufs;
            merged.streaming.push_back({p.platform, reference, p.gainDb, p.resultingTruePeakDbtp});
        }
        for (auto& note : turnedDownNotes(kind, playback))
            report.notes.push_back(std::move(note));
        report.deliverables.push_back(std::move(merged));
    }
    report.reportPath = (fs::path(outDir) / "report.json").string();
    writeRenderReport(report);
    return report;
}

} // namespace lathe::core
