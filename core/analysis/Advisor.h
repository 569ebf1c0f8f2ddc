#pragma once

#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/ElementAnalysis.h"
#include "core/analysis/PlaybackTranslation.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

enum class Recommendation { StereoMastering, StemMastering, MixRevision };
const char* recommendationName(Recommendation r); // "stereo_mastering", "stem_mastering", "mix_revision"

struct AdviceReason {
    std::string text;  // a sentence with its figure in it
    std::string check; // the validation check or measurement it comes from
    double figure = 0; // the measured figure
};

// A gain change on one stem, for one section. Sessions have no automation yet, so the --set assignment
// applies it to the whole stem: in a song whose vocal is only buried in the hook that lifts the verse too,
// which is why the section is named.
struct StemNudge {
    std::string stemId; // the session id (makeDefaultSession: the role name)
    std::string section;
    double startSeconds = 0, endSeconds = 0;
    double gainDb = 0;
    std::string text;          // "lead vocal +3.0 dB in the hook"
    std::string setAssignment; // "stems.lead_vocal.gain_db=3.0"; empty when adviceOnly
    // No session parameter does it (a cut on one note wants clip gain or a dynamic EQ, which sessions do not
    // have): it is shown as advice, never applied, and has no --set assignment.
    bool adviceOnly = false;
};

struct Advice {
    Recommendation recommendation = Recommendation::StereoMastering;
    std::vector<AdviceReason> reasons;
    std::vector<StemNudge> nudges;
};

// In the loudest section a lead vocal is expected to sit about level with the band (pop, hip-hop, R&B:
// vocal RMS over its sung passages against the RMS of everything else), and never lower against the band
// than it sits in the quieter sections. The reference is the higher of the two; a hook vocal more than the
// tolerance below it is called buried. With the hook in balance, a quieter section where the vocal sits more
// than the tolerance further forward than in the hook is called too loud there.
constexpr double kHookVocalToRestTargetDb = -1.0;
constexpr double kVocalBalanceToleranceDb = 2.0;

// The decision framework: problems at the source that stems cannot fix (a failed delivery check: clipping,
// lossy source, phase, offsets, a mix that does not null) -> mix revision first; element-specific balance
// problems with a sound delivery -> stem mastering, with nudges; otherwise the mix is balanced and a stereo
// master serves it.
// With a translation report, a lead vocal that gets lost on a playback system is named among the reasons (it
// does not change the recommendation by itself: the flat balance decides that).
Advice advise(const ValidationReport& validation, const ElementAnalysis& elements,
              const TranslationReport* translation = nullptr);

nlohmann::json toJson(const Advice& advice);

} // namespace lathe::core
