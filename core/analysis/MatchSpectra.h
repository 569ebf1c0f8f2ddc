#pragma once

#include "core/analysis/MatchSession.h"

#include <vector>

namespace lathe::core {

// The three spectra a match is judged by (issue 18): the source's and the reference's average mid spectra
// over their loud passages (dsp::MatchAnalysis::midDb, dBFS/Hz, smoothed) and the matched result predicted
// from them: the source through the tone curve, raised by the loudness part's gain when that part is on (the
// limiter then reaches that loudness; with it off the result keeps the source's level). On the analysis
// grid; points where either analysis has no energy (at or above Nyquist) are left out.
struct MatchSpectra {
    std::vector<double> frequencyHz;
    std::vector<double> sourceDb;
    std::vector<double> referenceDb;
    std::vector<double> matchedDb;

    bool empty() const { return frequencyHz.empty(); }
};

// Not RT safe (allocates). Empty for an inactive plan.
MatchSpectra matchSpectra(const MasterMatch& plan, bool loudnessPart);

} // namespace lathe::core
