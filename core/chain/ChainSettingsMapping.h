#pragma once

#include "core/model/Session.h"

#include "dsp/AutomationEnvelope.h"
#include "dsp/Compressor.h"
#include "dsp/DynamicEq.h"
#include "dsp/ParametricEq.h"
#include "dsp/PeakControl.h"
#include "dsp/Saturation.h"
#include "dsp/TruePeakLimiter.h"

#include <string>
#include <vector>

namespace lathe::core {

// Session settings (JSON-facing, snake_case, strings for enums) to DSP parameters (natural units, enums):
// every enumeration the session spells as a string is mapped here, once. sessionFromJson has already refused
// unknown names; a caller that skipped it gets the default (a disabled band, peak detection, soft clip).
// All RT safe (no allocation): the engine's audio thread applies new settings with them.

dsp::EqBand toEqBand(const EqBandSettings& settings);
dsp::DetectionMode toDetectionMode(const std::string& detection); // "peak", "rms"
dsp::CompressorParameters toCompressorParameters(const CompressorSettings& settings);
dsp::SaturationMode toSaturationMode(const std::string& mode); // "soft_clip", "tape"
// The limiter's structural part (what prepare() allocates for) from its style and switches; LimiterStage
// prepares with it and compares it to know when a change needs a new prepare.
dsp::TruePeakLimiter::Config toLimiterConfig(const LimiterSettings& settings);
// The depth-adaptive onset of "transparent" and "punchy" (none for "safe"): overloads up to shallowDb ramp in
// over shortAttackMs and release with shallowReleaseScale * fast_release_ms, from deepDb on they ramp over
// the whole lookahead and release with fast_release_ms, blended between (dsp/TruePeakLimiter.h).
struct LimiterOnset {
    double shortAttackMs = 0; // 0 = one ramp over the lookahead
    double shallowDb = 0;
    double deepDb = 0;
    double shallowReleaseScale = 1; // the short pipeline's fast release over fast_release_ms
};
LimiterOnset limiterOnset(const LimiterSettings& settings);

dsp::BandChannels toBandChannels(const std::string& channel); // "stereo", "mid", "side"
// A band whose key is not "self" is keyed (it hears the chain's key input).
dsp::DynamicEqBand toDynamicEqBand(const DynamicEqBandSettings& settings);
dsp::PeakControlParameters toPeakControlParameters(const PeakControlSettings& settings);

// Sets an EQ's bands from the session's (at most dsp::ParametricEq::kMaxBands).
void configureEq(dsp::ParametricEq& eq, const std::vector<EqBandSettings>& bands);
// Sets a dynamic EQ's bands from the session's; the bands past them are disabled. Returns whether any band is
// enabled (a chain skips the unit otherwise, so a session without dynamic EQ sounds as it did before).
bool configureDynamicEq(dsp::DynamicEq& eq, const std::vector<DynamicEqBandSettings>& bands);
// Converts a lane into `scratch` (room for kMaxAutomationPoints) and hands it to `unit` (AutomatedGain or
// AutomatedWidth). Returns whether the lane has points.
template <typename AutomatedUnit>
bool configureLane(AutomatedUnit& unit, const AutomationLane& lane,
                   std::vector<dsp::AutomationPoint>& scratch) {
    const std::size_t n = std::min(lane.size(), scratch.size());
    for (std::size_t i = 0; i < n; ++i)
        scratch[i] = {lane[i].time_s, lane[i].value};
    if (n == 0 || !unit.setPoints(std::span<const dsp::AutomationPoint>(scratch.data(), n))) unit.clear();
    return unit.isActive();
}

} // namespace lathe::core
