#pragma once

#include "core/io/OutputGuard.h"
#include "core/model/Session.h"

#include "dsp/PlaybackSimulation.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lathe::core {

// What one rendered master measured like, as written to report.json.
struct DeliverableReport {
    std::string kind; // "stereo_master" or "stem_master"
    std::string wavPath;
    std::string mp3Path; // empty when no MP3 was made
    int sampleRate = 0;
    int bitDepth = 24;
    double durationSeconds = 0;
    double integratedLufs = 0;
    double loudnessRangeLu = 0;
    double truePeakDbtp = 0; // 8x oversampled, of the file as written
    double samplePeakDbfs = 0;
    double plrDb = 0; // peak-to-loudness ratio: true peak - integrated loudness
    double maxMomentaryLufs = 0;
    double maxShortTermLufs = 0;
    double loudnessGainDb = 0;     // gain into the limiter chosen by loudness targeting
    double maxGainReductionDb = 0; // limiter
    double averageGainReductionDb = 0;
    double limitedPercent = 0; // share of frames the limiter touched
    int passes = 0;
    bool meetsTarget = false;              // within +-0.2 LU of the target
    bool withinCeiling = false;            // 8x true peak <= ceiling
    std::optional<double> mp3TruePeakDbtp; // of the decoded MP3, 8x
    std::optional<double> mp3IntegratedLufs;
    bool mp3ExceedsCeiling = false;
};

struct RenderReport {
    std::string song;
    std::string folder;
    int sessionSampleRate = 0;
    int outputSampleRate = 0;
    double targetLufs = 0;
    double ceilingDbtp = 0;
    std::vector<DeliverableReport> deliverables;
    std::vector<std::string> warnings;
    std::string reportPath;
};

struct RenderControl {
    // Called from render threads with overall progress 0..1; must be thread-safe.
    std::function<void(double fraction)> progress;
    const std::atomic<bool>* cancel = nullptr;
    // Threads one deliverable may use (stems in parallel, limiting alongside measuring and writing); 0 = one
    // per core. The output is bit-identical whatever the count.
    int threads = 0;
};

class RenderCancelled : public std::runtime_error {
public:
    RenderCancelled() : std::runtime_error("render cancelled") {}
};

// Renders the session's deliverables into outDir (created if needed): <song>_stereo_master.wav and/or
// <song>_stem_master.wav, matching .mp3 files and report.json. Before anything is written (the folder
// included) it runs checkWritePlan(renderWritePlan(session, outDir)), then removes stale temporaries a killed
// render left in outDir. Every file is written under a temporary name and renamed only when complete; sources
// are only read. Throws core::Error naming the file on bad input, a refused output or a failed write,
// RenderCancelled on cancel; in all cases no file appears under a final name.
RenderReport renderSession(const Session& session, const std::string& outDir,
                           const RenderControl& control = {});

// What renderSession writes into outDir (the masters, their MP3s, report.json) plus, for each of `previews`,
// the playback previews writePlaybackPreviews makes beside the masters; and what it must leave alone (the
// session's folder and sources). Callers that also read a session file or write beside the render add those
// and run checkWritePlan before rendering. Throws Error when the song cannot name the files: not one plain
// file name, or a name too long for the file system (the message says to use --set song=NAME).
WritePlan renderWritePlan(const Session& session, const std::string& outDir,
                          const std::vector<dsp::PlaybackSystem>& previews = {});

nlohmann::json toJson(const RenderReport& report);

// The loudness targeting of one deliverable without writing anything: the gain into the limiter that
// renderSession would choose (same passes, same dither), and the loudness of that pass. The live engine uses
// it so the masters it plays are the masters that get rendered. Throws like renderSession.
struct LoudnessGainResult {
    double gainDb = 0;
    double integratedLufs = 0;
    int passes = 0;
};
LoudnessGainResult findLoudnessGain(const Session& session, bool stemMaster,
                                    const RenderControl& control = {});

// Which deliverables a session can make, given its sources and output.mode; warnings say what was dropped.
struct RenderPlan {
    bool stereo = false;
    bool stem = false;
    std::vector<std::string> warnings;
};
RenderPlan planRender(const Session& session);

} // namespace lathe::core
