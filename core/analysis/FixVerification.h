#pragma once

#include "core/analysis/AdvisorFixes.h"
#include "core/io/ClientFolder.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

struct ElementAnalysis;

// One fix measured: the finding's figure on the delivered stems (before) and on the stems through the chains
// the fix sets (after).
struct VerifiedFix {
    std::string finding, stemId, tool;
    // What was measured: "vocal_to_rest_db" (the lead vocal against the rest in the fixed section),
    // "note_over_neighbours_db" (the fixed note against the other notes of its section), "bass_over_kick_db"
    // (808 against kick at the kick's hits, 30-120 Hz), "side_over_mid_db" (the ridden stem's side over its
    // mid in its widest section within the ride), "limiter_max_gain_reduction_db" (the master limiter over
    // the stems' sum, LimiterDrive).
    std::string measure;
    double before = 0, after = 0;
    std::string unit = "dB";
    bool improved = false; // moved the way the fix aims, by at least kVerifiedMoveDb
    std::string text;      // "lead vocal against the rest in the hook: -4.0 -> -1.2 dB"
};

// Less than this is within what the measurements move between two renders of near-identical audio.
constexpr double kVerifiedMoveDb = 0.5;

// Masters the stems in memory (nothing is written): the folder's default session (makeDefaultSession) with
// the fixes applied, each stem through its StemChain (the render's and the engine's, keyed stems hearing
// their key's source) and aligned as the render aligns them, then the element analysis again on what comes
// out, against the mix's sections. One entry per fix, in order.
std::vector<VerifiedFix> verifyFixes(const FolderScan& scan, const ElementAnalysis& before,
                                     const std::vector<SessionFix>& fixes);

nlohmann::json toJson(const VerifiedFix& verified);

} // namespace lathe::core
