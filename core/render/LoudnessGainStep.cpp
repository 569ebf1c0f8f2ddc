#include "core/render/LoudnessGainStep.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

// clang-format off
// Output loudness L(g) rises with the drive g, never faster than g (limiting only takes loudness away), so
// each point bounds the answer g*: one below the target at (g, L) gives g* >= g + (target - L), one above
// gives g* <= g - (L - target). Within those bounds:
//   bracketed   the secant between the nearest point below and the nearest above;
//   otherwise   the secant through the two points nearest the target (the first pass and its probe to
//               begin with: a measured slope, where a slope-1 first step crawls when limiting has flattened
//               L(g) to 0.25 — the old search ended 0.11-0.21 LU short at -8 LUFS after 4 passes);
//   one point   a slope-1 step (only without a probe: the limiter off, or a single pass allowed).
// At most 24 dB from the last drive below the target, and never above maxGainDb.
// clang-format on
double nextLoudnessGain(const std::vector<LoudnessTrial>& trials, double targetLufs, double maxGainDb) {
    double lowest = -1e9, highest = 1e9; // bounds on g*
    const LoudnessTrial* below = nullptr;
    const LoudnessTrial* above = nullptr;
    for (const auto& t : trials) {
        if (t.lufs < targetLufs) {
            lowest = std::max(lowest, t.gainDb + (targetLufs - t.lufs));
            if (!below || t.gainDb > below->gainDb) below = &t;
        } else {
            highest = std::min(highest, t.gainDb - (t.lufs - targetLufs));
            if (!above || t.gainDb < above->gainDb) above = &t;
        }
    }
    double guess;
    if (below && above && above->lufs - below->lufs > 1e-6) {
        guess = below->gainDb +
                (targetLufs - below->lufs) * (above->gainDb - below->gainDb) / (above->lufs - below->lufs);
    } else {
        std::vector<const LoudnessTrial*> nearest;
        for (const auto& t : trials)
            nearest.push_back(&t);
        std::sort(nearest.begin(), nearest.end(), [&](const auto* a, const auto* b) {
            return std::abs(a->lufs - targetLufs) < std::abs(b->lufs - targetLufs);
        });
        const LoudnessTrial& t = *nearest[0];
        double slope = 1.0;
        if (nearest.size() >= 2 && std::abs(nearest[1]->gainDb - t.gainDb) > 1e-6)
            slope = (nearest[1]->lufs - t.lufs) / (nearest[1]->gainDb - t.gainDb);
        guess = t.gainDb + (targetLufs - t.lufs) / std::clamp(slope, 0.02, 1.0);
    }
    const double from = below ? below->gainDb : above->gainDb;
    return std::min({std::clamp(guess, lowest, highest), from + 24.0, maxGainDb});
}

} // namespace lathe::core
