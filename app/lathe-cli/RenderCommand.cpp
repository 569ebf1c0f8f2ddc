#include "Commands.h"
#include "DeliverableOptions.h"
#include "NumberOptions.h"
#include "ProgressBar.h"

#include "core/Error.h"
#include "core/batch/BatchRunner.h"
#include "core/model/SessionSource.h"
#include "core/render/PlaybackPreviewWriter.h"
#include "core/render/Renderer.h"
#include "core/report/RenderHtmlReport.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

namespace lathe::cli {
namespace {

struct RenderOptions {
    std::string input;
    std::string outDir;
    core::RenderOverrides overrides; // the same options `batch` takes
    bool json = false;
    bool quiet = false;
    bool strict = false;
    std::vector<std::string> simulate; // playback systems to write preview WAVs for
    std::string html;                  // the render report as HTML, or ""
};

std::atomic<bool> gCancel{false};

void onSignal(int) {
    gCancel.store(true);
}

// The set beyond the WAV and MP3 printed above: every other file with its spec and, for lossy ones, the
// decoded true peak.
void printFiles(const core::DeliverableReport& d) {
    namespace fs = std::filesystem;
    for (const auto& f : d.files) {
        if (f.path == d.wavPath || f.path == d.mp3Path) continue;
        std::string spec = std::to_string(f.sampleRate) + " Hz";
        if (f.format == "wav" || f.format == "flac")
            spec = std::to_string(f.bitDepth) + "-bit " + spec;
        else if (f.kbps > 0)
            spec += ", " + std::to_string(f.kbps) + " kb/s";
        std::printf("                 %-6s %s (%s): %.2f LUFS  TP %.2f dBTP", f.format.c_str(),
                    fs::path(f.path).filename().c_str(), spec.c_str(), f.integratedLufs, f.truePeakDbtp);
        if (f.decodedTruePeakDbtp)
            std::printf("  decoded TP %.2f dBTP%s", *f.decodedTruePeakDbtp,
                        f.decodedExceedsCeiling ? "  (over the ceiling)" : "");
        std::printf("\n");
    }
}

void printStreaming(const core::DeliverableReport& d) {
    if (d.streaming.empty()) return;
    std::printf("                 streaming:");
    for (const auto& p : d.streaming)
        std::printf(" %s %+.1f dB (TP %.1f)%s", p.platform.c_str(), p.gainDb, p.resultingTruePeakDbtp,
                    &p == &d.streaming.back() ? "" : ",");
    std::printf("\n");
}

void printReport(const core::RenderReport& report) {
    namespace fs = std::filesystem;
    std::printf("%s: target %.1f LUFS, ceiling %.1f dBTP, %d Hz\n", report.song.c_str(), report.targetLufs,
                report.ceilingDbtp, report.outputSampleRate);
    for (const auto& d : report.deliverables) {
        std::printf("  %-14s %s\n", d.kind.c_str(), d.wavPath.c_str());
        std::printf(
            "                 %.2f LUFS  LRA %.1f LU  TP %.2f dBTP  PLR %.1f dB  limiter max %.1f dB / avg "
            "%.2f dB  (%d pass%s)\n",
            d.integratedLufs, d.loudnessRangeLu, d.truePeakDbtp, d.plrDb, d.maxGainReductionDb,
            d.averageGainReductionDb, d.passes, d.passes == 1 ? "" : "es");
        if (!d.mp3Path.empty() && d.mp3TruePeakDbtp)
            std::printf("                 MP3 %s: decoded TP %.2f dBTP%s\n",
                        fs::path(d.mp3Path).filename().c_str(), *d.mp3TruePeakDbtp,
                        d.mp3ExceedsCeiling ? "  (over the ceiling)" : "");
        printFiles(d);
        printStreaming(d);
    }
    for (const auto& w : report.warnings)
        std::printf("  warning: %s\n", w.c_str());
    for (const auto& n : report.notes)
        std::printf("  note: %s\n", n.c_str());
    std::printf("Report: %s\n", report.reportPath.c_str());
}

int runRender(const RenderOptions& o) {
    try {
        core::Session session = core::openSessionOrFolder(o.input);
        core::applyRenderOverrides(session, o.overrides);
        std::vector<dsp::PlaybackSystem> systems;
        for (const auto& name : o.simulate) {
            dsp::PlaybackSystem s{};
            if (dsp::playbackSystemFromName(name, s)) systems.push_back(s);
        }
        // Everything this command writes, previews included, is checked before the first byte: a preview
        // refused after the masters were written would already have changed the output folder.
        core::WritePlan plan = core::renderWritePlan(session, o.outDir, systems);
        if (!std::filesystem::is_directory(o.input)) plan.sources.files.push_back(o.input);
        core::checkWritePlan(plan);
        // The HTML report may go anywhere but into the client's folders or over a source.
        if (!o.html.empty()) core::checkWritePlan({std::string(), {o.html}, plan.sources});

        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        ProgressBar bar("Rendering " + session.song, o.quiet);
        core::RenderControl control;
        control.progress = [&bar](double f) { bar.update(f); };
        control.cancel = &gCancel;
        const core::RenderReport report = core::renderSession(session, o.outDir, control);
        bar.finish();
        if (!systems.empty()) {
            for (const auto& d : report.deliverables)
                if (!d.wavPath.empty())
                    for (const auto& p : core::writePlaybackPreviews(d.wavPath, systems))
                        if (!o.json)
                            std::fprintf(stderr, "preview %s: %s%s\n", dsp::playbackSystemName(p.system),
                                         p.path.c_str(),
                                         p.gainDb < 0.0
                                             ? (" (lowered " + std::to_string(-p.gainDb).substr(0, 4) +
                                                " dB so it does not clip)")
                                                   .c_str()
                                             : "");
        }
        if (!o.html.empty()) core::writeRenderHtmlReport(o.html, report);
        if (o.json)
            std::printf("%s\n", core::toJson(report).dump(2).c_str());
        else
            printReport(report);
        bool ok = true;
        for (const auto& d : report.deliverables)
            ok = ok && d.withinCeiling;
        if (!ok) {
            printError("a deliverable exceeds the true-peak ceiling; see " + report.reportPath);
            return kExitFailed;
        }
        if (o.strict && !report.warnings.empty()) {
            printError("--strict: the render produced warnings (listed above); treating them as errors");
            return kExitFailed;
        }
        return kExitOk;
    } catch (const core::RenderCancelled&) {
        printError("render cancelled; no deliverable was written");
        return kExitFailed;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addRenderCommand(CLI::App& app) {
    auto o = std::make_shared<RenderOptions>();
    CLI::App* cmd = app.add_subcommand(
        "render",
        "Master a client folder or session: <song>_stereo_master.wav / <song>_stem_master.wav (24-bit, "
        "dithered), MP3 references and report.json");
    cmd->add_option("INPUT", o->input, "Client folder or SESSION.lathe")->required();
    cmd->add_option("--out", o->outDir, "Output folder (created if needed; never inside the client folder)")
        ->required();
    cmd->add_option("--mode", o->overrides.mode,
                    "What to master: stereo (the mix), stem (from the stems) or both")
        ->check(CLI::IsMember({"stereo", "stem", "both"}));
    cmd->add_option("--target-lufs", o->overrides.targetLufs,
                    "Integrated loudness target in LUFS (default -14)")
        ->transform(numberIn(-40, -3, "LUFS"));
    cmd->add_option("--ceiling-dbtp", o->overrides.ceilingDbtp, "True-peak ceiling in dBTP (default -1.0)")
        ->transform(numberIn(-20, 0, "dBTP"));
    cmd->add_option("--rate", o->overrides.sampleRate, "Output sample rate in Hz (default: the session's)")
        ->transform(wholeNumberIn(8000, 384000, "Hz"));
    cmd->add_flag("--no-mp3", o->overrides.noMp3, "Do not write MP3 references");
    addDeliverableOptions(*cmd, o->overrides);
    cmd->add_option("--set", o->overrides.sets,
                    "Override any session value: PATH=VALUE, e.g. stems.lead_vocal.gain_db=1.5 "
                    "(see core/model/SESSION.md)")
        ->check(sessionAssignment())
        ->allow_extra_args(false);
    cmd->add_option("--simulate", o->simulate,
                    "Also write <song>_<mode>_master_<SYSTEM>.wav: the master through a playback-system "
                    "simulation (repeatable)")
        ->check(CLI::IsMember({"phone", "laptop", "earbuds", "car"}))
        ->allow_extra_args(false);
    cmd->add_option("--html", o->html,
                    "Also write the loudness report as an HTML page (files, codec checks, streaming "
                    "normalization per platform)");
    cmd->add_flag("--json", o->json, "Print the report as JSON (the same as report.json)");
    cmd->add_flag("--quiet", o->quiet, "No progress bar");
    cmd->add_flag("--strict", o->strict,
                  "Fail (exit 1) when the render has warnings: resampled, mono, lossy or "
                  "shorter stems, a missed target");
    cmd->callback([o] { exitCode() = runRender(*o); });
}

const CommandRegistration kRegistration{30, &addRenderCommand};

} // namespace
} // namespace lathe::cli
