#pragma once

#include "core/io/ClientFolder.h"
#include "core/model/Session.h"

#include <vector>

namespace lathe::core {

// role_3 in scan order), each with a flat chain; a gentle master (compressor 1.5:1 at -20 dB, limiter at
// -1 dBTP, multiband and saturation off); sample_rate = the mix's rate, else the most common stem rate
// (ties go to the higher rate), else 48000.
Session makeDefaultSession(const FolderScan& scan);

// Default bands for a multiband compressor with count bands (low to high): enabled, gentle, slower at the
// bottom.
std::vector<CompressorSettings> defaultMultibandBands(int count);

// What a version-1 session's limiter was: one release time, a linear attack, fully linked, no clipper
// (style "safe", release 100 ms, lookahead 2 ms). A version-1 file reads its limiter over this.
LimiterSettings legacyLimiterSettings();

// Sets one value by its key path, as the CLI's --set does: "stems.lead_vocal.gain_db=1.5",
} // namespace lathe::core
