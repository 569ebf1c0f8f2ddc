#pragma once

#include "core/io/OutputGuard.h"
#include "core/model/Session.h"
#include "core/render/RenderReport.h"

#include "dsp/PlaybackSimulation.h"

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lathe::core {

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

// Which deliverables a session can make, given its sources and output.mode; warnings say what was dropped.
struct RenderPlan {
    bool stereo = false;
    bool stem = false;
    std::vector<std::string> warnings;
};
RenderPlan planRender(const Session& session);

} // namespace lathe::core
