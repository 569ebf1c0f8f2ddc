#include "Commands.h"
#include "DeliverableOptions.h"
#include "NumberOptions.h"
#include "ProgressBar.h"

#include "core/batch/Album.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

namespace lathe::cli {
namespace {

struct AlbumOptions {
    std::string input;
    std::string outDir;
    core::RenderOverrides overrides;
    bool json = false;
    bool quiet = false;
};

std::atomic<bool> gAlbumCancel{false};

void onAlbumSignal(int) {
    gAlbumCancel.store(true);
}

int runAlbum(const AlbumOptions& o) {
    try {
        const core::AlbumManifest album = core::readAlbumManifest(o.input);
        std::signal(SIGINT, onAlbumSignal);
        std::signal(SIGTERM, onAlbumSignal);
        ProgressBar bar("Rendering " + album.title, o.quiet);
        core::RenderControl control;
        control.progress = [&bar](double f) { bar.update(f); };
        control.cancel = &gAlbumCancel;
        const core::AlbumReport report = core::renderAlbum(album, o.outDir, o.overrides, control);
        bar.finish();
        if (o.json) {
            std::printf("%s\n", core::toJson(report).dump(2).c_str());
        } else {
            std::printf("%s: %zu tracks, target %.1f LUFS (loudest track), ceiling %.1f dBTP\n",
                        report.title.c_str(), report.tracks.size(), report.targetLufs, report.ceilingDbtp);
            for (const auto& t : report.tracks) {
                const auto& d = t.report.deliverables.front();
                std::printf(
                    "  %02d %-28s %7.2f LUFS  LRA %4.1f LU  TP %6.2f dBTP  at %s\n", t.number, t.song.c_str(),
                    d.integratedLufs, d.loudnessRangeLu, d.truePeakDbtp,
                    core::toJson(report)["tracks"][t.number - 1]["cue_index"].get<std::string>().c_str());
            }
            std::printf("  album %7.2f LUFS  LRA %4.1f LU  TP %6.2f dBTP\n  %s\n  %s\n",
                        report.integratedLufs, report.loudnessRangeLu, report.truePeakDbtp,
                        report.albumWav.c_str(), report.cuePath.c_str());
            for (const auto& w : report.warnings)
                std::printf("  warning: %s\n", w.c_str());
            std::printf("Report: %s\n", report.reportPath.c_str());
        }
        return kExitOk;
    } catch (const core::RenderCancelled&) {
        printError("album render cancelled; the songs finished before stay, nothing partial was written");
        return kExitFailed;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addAlbumCommand(CLI::App& app) {
    auto o = std::make_shared<AlbumOptions>();
    CLI::App* cmd = app.add_subcommand(
        "album",
        "Master several songs as a release: album loudness (relative loudness kept, the loudest at the "
        "target), per-track deliverables tagged with track numbers, one album WAV, a CUE sheet, "
        "album.json");
    cmd->add_option(
           "ALBUM", o->input,
           "Album folder (numbered song folders or sessions, or an album.lathe manifest) or album.lathe")
        ->required();
    cmd->add_option("--out", o->outDir, "Output folder (created if needed; never inside a client folder)")
        ->required();
    cmd->add_option("--mode", o->overrides.mode, "What to master: stereo, stem or both")
        ->check(CLI::IsMember({"stereo", "stem", "both"}));
    cmd->add_option("--target-lufs", o->overrides.targetLufs, "The loudest track's integrated loudness")
        ->transform(numberIn(-40, -3, "LUFS"));
    cmd->add_option("--ceiling-dbtp", o->overrides.ceilingDbtp, "True-peak ceiling in dBTP (default -1.0)")
        ->transform(numberIn(-20, 0, "dBTP"));
    cmd->add_option("--rate", o->overrides.sampleRate, "Output sample rate in Hz (one rate for the album)")
        ->transform(wholeNumberIn(8000, 384000, "Hz"));
    cmd->add_flag("--no-mp3", o->overrides.noMp3, "Do not write MP3 references");
    addDeliverableOptions(*cmd, o->overrides);
    cmd->add_option("--set", o->overrides.sets, "Override a session value in every song: PATH=VALUE")
        ->check(sessionAssignment())
        ->allow_extra_args(false);
    cmd->add_flag("--json", o->json, "Print album.json");
    cmd->add_flag("--quiet", o->quiet, "No progress bar");
    cmd->callback([o] { exitCode() = runAlbum(*o); });
}

const CommandRegistration kRegistration{37, &addAlbumCommand};

} // namespace
} // namespace lathe::cli
