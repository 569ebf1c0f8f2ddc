#pragma once

#include "core/model/Session.h"
#include "core/render/Renderer.h"

namespace lathe::core {

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

} // namespace lathe::core
