#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

// The four verdicts, in the order the advisor weighs them: a delivery that is wrong is re-exported before
// anyone judges the mix; a mix stem mastering cannot fix goes back to the mix engineer; one element to nudge
// by 1-2 dB is stem mastering; otherwise a stereo master.
enum class Recommendation { StereoMastering, StemMastering, MixRevision, FixDelivery };
// "stereo_mastering", "stem_mastering", "mix_revision", "fix_delivery"
const char* recommendationName(Recommendation r);
// Higher is decided first: FixDelivery > MixRevision > StemMastering > StereoMastering.
int recommendationPriority(Recommendation r);

// One thing the diagnosis measured, as data a fix can be mapped from: what kind of problem, on which file
// and element, where in the song, the measured figure, how sure the measurement is and what it calls for.
struct Finding {
    std::string kind;    // stable key: "sample_rate", "stem_gain", "printed_limiting", "limiter_drive", ...
    std::string file;    // full path of the file that has the problem; empty for the delivery as a whole
    std::string element; // what the file is: a stem role name ("lead_vocal", "bass") or "mix"
    double startSeconds = 0, endSeconds = 0; // where in the song; both 0 for the whole file
    double figure = 0;                       // the measured figure, in `unit`
    std::string unit;                        // "dB", "Hz", "s", "samples", "files", ...
    // How far the measurement is past what would make it a finding, mapped to 0.5 (at the threshold) .. 1
    // (well past it); a finding drawn from file headers or exact comparisons is 1.
    double confidence = 1;
    Recommendation calls = Recommendation::StereoMastering; // the verdict this finding alone calls for
    std::string text;                                       // a sentence with the file and the figure in it
    std::string fix; // what to do about it: "re-export at 48000 Hz, as long as the mix (10.000 s)"
};

// 0.5 at the threshold, rising to 1 where the figure is `span` past it (on the side that makes it a finding).
double confidencePast(double figure, double threshold, double span);

nlohmann::json toJson(const Finding& finding);
nlohmann::json toJson(const std::vector<Finding>& findings);

} // namespace lathe::core
