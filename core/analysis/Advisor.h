#pragma once

#include "core/analysis/AdvisorFixes.h"
#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/ElementAnalysis.h"
#include "core/analysis/Finding.h"
#include "core/analysis/FixVerification.h"
#include "core/analysis/PlaybackTranslation.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

struct AdviceReason {
    std::string text;  // a sentence with its figure in it
    std::string check; // the validation check or measurement it comes from
    double figure = 0; // the measured figure
    double confidence = 1;
};

// A change on one stem, for one section, note or transient: a balance nudge (a ride over the section), or a
// cut of one moment (a dynamic EQ band, peak control). Its session change is the matching SessionFix.
struct StemNudge {
    std::string finding; // the kind of the finding it answers
    std::string stemId;  // the session id (makeDefaultSession: the role name)
    std::string section;
    double startSeconds = 0, endSeconds = 0;
    double gainDb = 0;
    // A width ride (stem_too_wide): the stem's side scaled by this over the section; 1 for a level change.
    double widthFactor = 1;
    std::string text; // "lead vocal +3.0 dB in the hook"
    // Its SessionFix's --set ("stems.lead_vocal.automation.gain_db=[[27.9,0],...]"); empty when adviceOnly
    // or beyondNudge.
    std::string setAssignment;
    // No session tool does it (a phrase that drives the limiter wants clip gain): shown as advice, never
    // applied, no --set assignment.
    bool adviceOnly = false;
    // More than kMaxNudgeDb (kMaxMomentCutDb for one note or transient): a change that size is the mix
    // engineer's, not stem mastering's. Shown, never applied.
    bool beyondNudge = false;
};

struct Advice {
    Recommendation recommendation = Recommendation::StereoMastering;
    // How sure the verdict is (0.5-1): the strongest finding that calls for it, or, for a stereo master, how
    // much of the delivery could be checked (a mix that nulls with its stems: 0.9; no mix or no stems: 0.7).
    double confidence = 1;
    std::vector<AdviceReason> reasons;
    std::vector<StemNudge> nudges;
    // Everything measured, delivery and elements, most decisive first: what issue 16's session fixes map
    // from.
    std::vector<Finding> findings;
    // The session changes that fix the nudges within reach (sessionFixes), which `advise --apply-to` sets.
    std::vector<SessionFix> fixes;
    // Each fix measured on the stem master it makes (verifyFixes); empty until verified.
    std::vector<VerifiedFix> verified;
};

// In the loudest section a lead vocal is expected to sit about level with the band (pop, hip-hop, R&B:
// vocal against everything else, the median of its sung 0.1 s hops), and never lower against the band than
// it sits in the quieter sections. The reference is the higher of the two; a hook vocal more than the
// tolerance below it, and below the target, is called buried. With the hook in balance (within the tolerance
// of the target), a quieter section where the vocal sits more than the tolerance further forward than in the
// hook is called too loud there. The tolerance is the seed's smallest nudge (1 dB): a 1.5 dB imbalance is
// exactly what stem mastering is for, and must be found.
constexpr double kHookVocalToRestTargetDb = -1.0;
constexpr double kVocalBalanceToleranceDb = 1.0;
// The seed article's line: stem mastering is for "one specific element you wish you could nudge up or down
// by 1-2 dB". A larger change is a mix revision.
constexpr double kMaxNudgeDb = 2.0;

// A stem is too wide in a section when its side sits more than kStemTooWideDb over its mid there (its
// phase correlation under -0.33: more of it cancels than adds when the song is summed to mono; a stereo
// pad of decorrelated voices sits within a dB or two of 0 dB), at least
// kStemWiderThanRestDb wider than the rest of the song, and loud enough to matter (within kStemAudibleDb of
// the rest). A width ride brings its side to kStemWidthTargetDb over its mid (correlation 0); a stem
// that needs its side cut by more than half (width under kMinStemWidthFactor) is out of phase in the mix,
// which is the mix engineer's to fix.
constexpr double kStemTooWideDb = 3.0;
constexpr double kStemWiderThanRestDb = 6.0;
constexpr double kStemAudibleDb = -20.0;
constexpr double kStemWidthTargetDb = 0.0;
constexpr double kMinStemWidthFactor = 0.5;

// The decision framework, in order:
//  1. fix_delivery: the files are wrong (rates, lengths, alignment, polarity, a stem at another level than
//     in the mix, missing or extra stems, lossy or clipped bounces, silent or unreadable files): re-export
//     them before anyone judges the mix, with what to re-export and how.
//  2. mix_revision: what stem mastering cannot fix (clipping at the source, limiting or clipping printed on
//     the mix, baked-in reverb, a phrase far out of balance, any balance change over kMaxNudgeDb, a note or
//     transient more than kMaxMomentCutDb over its neighbours).
//  3. stem_mastering: one element to nudge by at most kMaxNudgeDb (the vocal in a section, the 808 under the
//     kick, one note), or a stem too wide against the rest, with the nudges.
//  4. stereo_mastering: the mix is balanced; a stereo master serves it.
// With a translation report, a lead vocal that gets lost on a playback system is named among the reasons (it
// does not change the recommendation by itself: the flat balance decides that).
Advice advise(const ValidationReport& validation, const ElementAnalysis& elements,
              const TranslationReport* translation = nullptr);

// The findings the element analysis makes (vocal balance, kick and 808, one loud note, the limiter's
// drivers, a stem too wide, reverb printed on the vocal), each with the nudge that would fix it.
std::vector<Finding> elementFindings(const ElementAnalysis& elements, std::vector<StemNudge>& nudges);

nlohmann::json toJson(const Advice& advice);

} // namespace lathe::core
