#include "core/render/MatchReporting.h"

#include <algorithm>

namespace lathe::core {

MatchReport describeMatch(const MatchSettings& m, const MasterMatch& plan, double loudnessTargetLufs) {
    MatchReport r;
    r.referencePath = plan.referencePath;
    r.tone = m.tone;
    r.loudness = m.loudness;
    r.width = m.width;
    r.dynamicsHint = m.dynamics_hint;
    r.toneAmountPct = m.tone_amount_pct;
    r.maxCorrectionDb = m.max_correction_db;
    r.rangeStartSeconds = m.range_start_s;
    r.rangeEndSeconds = m.range_end_s;
    for (const auto& p : dsp::curveAtThirdOctaves(plan.curve.tone))
        r.toneCurve.push_back({p.frequencyHz, p.gainDb});
    const std::size_t bands =
        std::min({plan.curve.width.size(), plan.source.widthBands.size(), plan.reference.widthBands.size()});
    for (std::size_t b = 0; b < bands; ++b)
        r.widthBands.push_back({plan.curve.width[b].lowHz, plan.curve.width[b].highHz,
                                plan.curve.width[b].sideGainDb, plan.source.widthBands[b].sideToMidDb,
                                plan.reference.widthBands[b].sideToMidDb});
    r.sourceLufs = plan.source.integratedLufs;
    r.referenceLufs = plan.reference.integratedLufs;
    r.sourcePlrDb = plan.source.plrDb;
    r.referencePlrDb = plan.reference.plrDb;
    r.sourceTruePeakDbtp = plan.source.truePeakDbtp;
    r.referenceTruePeakDbtp = plan.reference.truePeakDbtp;
    r.loudnessTargetLufs = loudnessTargetLufs;
    return r;
}

} // namespace lathe::core
