#pragma once

#include "core/render/RenderReport.h"

#include <string>

namespace lathe::core {

// The HTML report's "Against the reference" section: the tone curve a match would apply (an inline SVG on a
// log-frequency axis, +-12 dB, third-octave points), the side's gain per width band, and the loudness and PLR
// of the mix and the reference.
std::string matchSectionHtml(const MatchReport& match);

} // namespace lathe::core
