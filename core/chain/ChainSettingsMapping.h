#pragma once

#include "core/model/Session.h"

#include "dsp/Compressor.h"
#include "dsp/ParametricEq.h"

namespace lathe::core {

// Session settings (JSON-facing, snake_case, strings for enums) to DSP parameters (natural units, enums).
dsp::EqBand toEqBand(const EqBandSettings& settings);
dsp::CompressorParameters toCompressorParameters(const CompressorSettings& settings);

} // namespace lathe::core
