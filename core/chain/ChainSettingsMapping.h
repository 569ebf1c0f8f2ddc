#pragma once

#include "core/model/Session.h"

#include "dsp/Compressor.h"
#include "dsp/ParametricEq.h"
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

// Sets an EQ's bands from the session's (at most dsp::ParametricEq::kMaxBands).
void configureEq(dsp::ParametricEq& eq, const std::vector<EqBandSettings>& bands);

} // namespace lathe::core
