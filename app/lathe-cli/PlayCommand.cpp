#include "Commands.h"
#include "NumberOptions.h"
#include "StdoutToStderr.h"

#include "core/Error.h"
#include "core/engine/AudioEngine.h"
#include "core/model/DeliverableSpec.h"
#include "core/model/SessionOverride.h"
#include "core/model/SessionSource.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

namespace lathe::cli {
namespace {

struct PlayOptions {
    std::string input;
    std::string device;
    int buffer = 256;
    std::string source = "mix";
    std::string simulate = "flat";
    std::string codec = "mp3:320";
    std::optional<double> seconds;
    std::optional<double> switchEvery;
    bool stats = false;
    bool match = false;
    bool loop = false;
    std::vector<std::string> sets;
};

std::atomic<bool> gStop{false};

void onSignal(int) {
    gStop.store(true);
}

int runPlay(const PlayOptions& o) {
    try {
        core::Session session = core::openSessionOrFolder(o.input);
        for (const auto& assignment : o.sets)
            core::applyOverride(session, assignment);
        core::MonitorSource source;
        if (!core::monitorSourceFromName(o.source, source)) {
            printError("--source must be mix, stereo, stem, reference, delta or codec");
            return kExitUsage;
        }
        dsp::PlaybackSystem simulation = dsp::PlaybackSystem::Flat;
        if (!dsp::playbackSystemFromName(o.simulate, simulation)) {
            printError("--simulate must be flat, phone, laptop, earbuds or car");
            return kExitUsage;
        }
        StdoutToStderr quiet; // until the stream is closed: --stats output must stay readable
        core::AudioEngine engine;
        engine.setCodecPreview(core::parseDeliverableSpec(o.codec)); // checked by the option's validator
        engine.load(session);
        if (!engine.sourceAvailable(source)) {
            printError(std::string("the session has no ") + core::monitorSourceName(source) + " source");
            return kExitFailed;
        }
        std::string error;
        if (!engine.open(o.device, o.buffer, 0, error)) {
            printError(error);
            return kExitFailed;
        }
        if (const std::string note = engine.takeError(); !note.empty()) printError(note);
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        engine.setSource(source);
        engine.setLoudnessMatch(o.match);
        engine.setPlaybackSimulation(simulation);
        if (o.loop) engine.setLoop(0, engine.length(), true);
        engine.play();
        const std::string heard =
            source == core::MonitorSource::Codec
                ? std::string("codec ") + core::deliverableSpecText(engine.codecPreview())
                : core::monitorSourceName(source);
        std::fprintf(stderr, "Playing %s (%s%s%s) on %s, %d frames at %d Hz\n", session.song.c_str(),
                     heard.c_str(), simulation == dsp::PlaybackSystem::Flat ? "" : ", as on ",
                     simulation == dsp::PlaybackSystem::Flat ? "" : dsp::playbackSystemName(simulation),
                     engine.deviceName().c_str(), engine.bufferFrames(), engine.deviceSampleRate());

        std::vector<core::MonitorSource> cycle;
        for (int i = 0; i < core::kMonitorSourceCount; ++i)
            if (engine.sourceAvailable(static_cast<core::MonitorSource>(i)))
                cycle.push_back(static_cast<core::MonitorSource>(i));
        size_t cycleIndex = 0;
        for (size_t i = 0; i < cycle.size(); ++i)
            if (cycle[i] == source) cycleIndex = i;

        using Clock = std::chrono::steady_clock;
        const auto start = Clock::now();
        auto nextSwitch = start;
        int result = kExitOk;
        while (!gStop.load() && engine.playing()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            if (o.seconds && elapsed >= *o.seconds) break;
            if (o.switchEvery && *o.switchEvery > 0 && Clock::now() >= nextSwitch) {
                if (Clock::now() > start) {
                    cycleIndex = (cycleIndex + 1) % cycle.size();
                    engine.setSource(cycle[cycleIndex]);
                }
                nextSwitch += std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(*o.switchEvery));
            }
            if (const std::string e = engine.takeError(); !e.empty()) {
                printError(e);
                result = kExitFailed;
                break;
            }
        }
        // A device lost while playing ends the loop through playing(); the message says which and why.
        if (const std::string e = engine.takeError(); !e.empty()) {
            printError(e);
            result = kExitFailed;
        }
        engine.pause();
        // Let the fade-out reach the device before the stream closes.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        engine.close();
        quiet.restore();
        if (o.stats) {
            const auto s = engine.stats();
            std::printf("callbacks %lld\nxruns %lld\nlate_callbacks %lld\ncallback_percent mean %.2f p99 "
                        "%.2f max %.2f\ndisk_underruns %lld\n",
                        s.callbacks, s.xruns, s.lateCallbacks, s.meanPercent, s.p99Percent, s.maxPercent,
                        s.diskUnderruns);
        }
        return result;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addPlayCommand(CLI::App& app) {
    auto o = std::make_shared<PlayOptions>();
    CLI::App* cmd = app.add_subcommand("play", "Play a client folder or session through an audio device");
    cmd->add_option("INPUT", o->input, "Client folder or SESSION.lathe")->required();
    cmd->add_option("--device", o->device, "Output device name (see `devices`; default: the default device)");
    cmd->add_option("--buffer", o->buffer, "Buffer size in frames (32..2048, default 256)")
        ->transform(wholeNumberIn(32, 2048, "frames"));
    cmd->add_option(
           "--source", o->source,
           "What to play: mix, stereo, stem, reference, delta or codec (the stereo master after a lossy "
           "codec's round trip, see --codec)")
        ->check(CLI::IsMember({"mix", "stereo", "stem", "reference", "delta", "codec"}));
    cmd->add_option("--codec", o->codec,
                    "The codec the codec source previews, as the render makes that deliverable: mp3[:KBPS], "
                    "aac[:KBPS], opus[:KBPS] or vorbis[:QUALITY] (default mp3:320)")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                try {
                    if (!core::isLossyFormat(core::parseDeliverableSpec(text).format))
                        return "\"" + text +
                               "\": not a codec; use mp3[:KBPS], aac[:KBPS], opus[:KBPS] or "
                               "vorbis[:QUALITY]";
                    return {};
                } catch (const core::Error& e) {
                    return e.problem();
                }
            },
            "SPEC"));
    cmd->add_option("--simulate", o->simulate,
                    "Hear it as on a playback system: flat (default), phone, laptop, earbuds or car")
        ->check(CLI::IsMember({"flat", "phone", "laptop", "earbuds", "car"}));
    // At most a week: far beyond any listening or soak test, and small enough to stay exact as a clock
    // duration (1e300 s would overflow the nanosecond clock).
    cmd->add_option("--seconds", o->seconds, "Stop after this many seconds (default: the whole song)")
        ->transform(numberAbove(0, 604800, "s"));
    cmd->add_option("--switch-every", o->switchEvery, "Cycle through the available sources every S seconds")
        ->transform(numberAbove(0, 3600, "s"));
    cmd->add_flag("--match", o->match, "Loudness-matched monitoring");
    cmd->add_flag("--loop", o->loop, "Loop the whole song (until --seconds or Ctrl-C)");
    cmd->add_flag("--stats", o->stats, "Print xruns, callbacks and callback time as % of the buffer period");
    cmd->add_option("--set", o->sets, "Override any session value: PATH=VALUE (see core/model/SESSION.md)")
        ->check(sessionAssignment())
        ->allow_extra_args(false);
    cmd->callback([o] { exitCode() = runPlay(*o); });
}

const CommandRegistration kRegistration{70, &addPlayCommand};

} // namespace
} // namespace lathe::cli
