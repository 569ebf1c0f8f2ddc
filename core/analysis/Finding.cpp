#include "core/analysis/Finding.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

const char* recommendationName(Recommendation r) {
    switch (r) {
    case Recommendation::StereoMastering:
        return "stereo_mastering";
    case Recommendation::StemMastering:
        return "stem_mastering";
    case Recommendation::MixRevision:
        return "mix_revision";
    case Recommendation::FixDelivery:
        return "fix_delivery";
    }
    return "stereo_mastering";
}

int recommendationPriority(Recommendation r) {
    switch (r) {
    case Recommendation::StereoMastering:
        return 0;
    case Recommendation::StemMastering:
        return 1;
    case Recommendation::MixRevision:
        return 2;
    case Recommendation::FixDelivery:
        return 3;
    }
    return 0;
}

double confidencePast(double figure, double threshold, double span) {
    if (span == 0.0) return 1.0;
    const double past = (figure - threshold) / span;
    // Rounded to a hundredth: more digits would claim a precision the heuristics do not have.
    return std::round(100.0 * std::clamp(0.5 + 0.5 * past, 0.5, 1.0)) / 100.0;
}

nlohmann::json toJson(const Finding& f) {
    return {{"kind", f.kind},
            {"file", f.file},
            {"element", f.element},
            {"start_seconds", f.startSeconds},
            {"end_seconds", f.endSeconds},
            {"figure", f.figure},
            {"unit", f.unit},
            {"confidence", f.confidence},
            {"calls_for", recommendationName(f.calls)},
            {"text", f.text},
            {"fix", f.fix}};
}

nlohmann::json toJson(const std::vector<Finding>& findings) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : findings)
        out.push_back(toJson(f));
    return out;
}

} // namespace lathe::core
