#include "core/analysis/MatchSpectra.h"

#include "dsp/Decibels.h"

#include <algorithm>

namespace lathe::core {

MatchSpectra matchSpectra(const MasterMatch& plan, bool loudnessPart) {
    MatchSpectra out;
    if (!plan.active) return out;
    const auto& src = plan.source;
    const auto& ref = plan.reference;
    const std::size_t n =
        std::min({src.frequencyHz.size(), src.midDb.size(), ref.frequencyHz.size(), ref.midDb.size()});
    const double gainDb = loudnessPart ? plan.curve.loudnessGainDb : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double hz = src.frequencyHz[i];
        // kSilenceDb marks "nothing here" (Nyquist and above, no loud audio): not a level to draw.
        if (ref.frequencyHz[i] != hz) continue; // both are analysed at the session rate: one grid
        if (src.midDb[i] <= dsp::kSilenceDb || ref.midDb[i] <= dsp::kSilenceDb) continue;
        out.frequencyHz.push_back(hz);
        out.sourceDb.push_back(src.midDb[i]);
        out.referenceDb.push_back(ref.midDb[i]);
        out.matchedDb.push_back(src.midDb[i] + plan.curve.tone.gainDbAt(hz) + gainDb);
    }
    return out;
}

} // namespace lathe::core
