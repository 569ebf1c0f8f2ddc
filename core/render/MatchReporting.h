#pragma once

#include "core/analysis/MatchSession.h"
#include "core/render/RenderReport.h"

namespace lathe::core {

// What report.json and `match --json` say about a match: the curve at the third-octave centres, the width
// per band, the loudness and PLR of source and reference, and the loudness target the search aimed at.
MatchReport describeMatch(const MatchSettings& settings, const MasterMatch& plan, double loudnessTargetLufs);

} // namespace lathe::core
