#pragma once

#include <vector>

namespace lathe::core {

// One point of the loudness search: a drive into the limiter and the integrated loudness that came out.
struct LoudnessTrial {
    double gainDb = 0;
    double lufs = 0;
};

// The next drive for the loudness search to try (render/LoudnessSearch.cpp), from every point measured so
// far (at least one), towards `targetLufs`, never above maxGainDb. Pure: the search's steps are tested on
// their own against analytic loudness curves.
double nextLoudnessGain(const std::vector<LoudnessTrial>& trials, double targetLufs, double maxGainDb);

} // namespace lathe::core
