#include "Advisor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lathe::core {

const char* recommendationName(Recommendation r) {
    switch (r) {
    case Recommendation::StereoMastering:
        return "stereo_mastering";
    case Recommendation::StemMastering:
        return "stem_mastering";
    case Recommendation::MixRevision:
        return "mix_revision";
    }
    return "stereo_mastering";
}

namespace {

std::string printf2(const char* fmt, double a, double b = 0.0) {
    char text[256];
    std::snprintf(text, sizeof text, fmt, a, b);
    return text;
}

double median(std::vector<double> v) {
    if (v.empty()) return -1e9;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace

Advice advise(const ValidationReport& validation, const ElementAnalysis& elements) {
    Advice advice;
    for (const auto& c : validation.checks)
        if (c.status == CheckStatus::Fail)
            advice.reasons.push_back({c.message, c.name, c.value.value_or(0.0)});
    if (!advice.reasons.empty()) {
        advice.recommendation = Recommendation::MixRevision;
        return advice;
    }

    // Lead vocal in the loudest section against the other sections it sings in.
    const SectionVocalBalance* loud = nullptr;
    std::vector<double> others;
    for (const auto& b : elements.vocalBalance) {
        if (!b.vocalPresent) continue;
        if (b.section.label == "hook" && !loud)
            loud = &b;
        else
            others.push_back(b.vocalToRestDb);
    }
    if (loud) {
        const double reference = std::max(median(others), kHookVocalToRestTargetDb);
        const double deficit = reference - loud->vocalToRestDb;
        if (deficit > kVocalBalanceToleranceDb) {
            // Half-dB steps: finer nudges are below what anyone will hear as a decision.
            const double nudge = std::round(deficit * 2.0) / 2.0;
            StemNudge n;
            n.stemId = "lead_vocal";
            n.section = loud->section.label;
            n.startSeconds = loud->section.startSeconds;
            n.endSeconds = loud->section.endSeconds;
            n.gainDb = nudge;
            n.text = printf2("lead vocal %+.1f dB in the hook", nudge);
            n.setAssignment = printf2("stems.lead_vocal.gain_db=%.1f", nudge);
            advice.nudges.push_back(n);
            advice.reasons.push_back(
                {printf2(
                     "The lead vocal is buried in the hook: %+.1f dB against the band there, %.1f dB below "
                     "where it should sit.",
                     loud->vocalToRestDb, deficit),
                 "vocal_to_rest", loud->vocalToRestDb});
        }
    }
    if (!advice.nudges.empty()) {
        advice.recommendation = Recommendation::StemMastering;
        return advice;
    }

    advice.recommendation = Recommendation::StereoMastering;
    if (const auto* n = validation.find("null"))
        advice.reasons.push_back(
            {"The stems and the mix agree, so the mix is the reference to master: " + n->message, "null",
             n->value.value_or(0.0)});
    for (const auto& b : elements.vocalBalance)
        if (b.vocalPresent && b.section.label == "hook")
            advice.reasons.push_back(
                {printf2("The lead vocal sits %+.1f dB against the band in the hook, within "
                         "%.1f dB of where it should.",
                         b.vocalToRestDb, kVocalBalanceToleranceDb),
                 "vocal_to_rest", b.vocalToRestDb});
    advice.reasons.push_back(
        {"No element needs its own balance change: the song's issues, if any, are whole-song "
         "ones (tone, loudness, width, glue) that a stereo master addresses.",
         "elements", 0.0});
    return advice;
}

nlohmann::json toJson(const Advice& advice) {
    nlohmann::json reasons = nlohmann::json::array(), nudges = nlohmann::json::array(),
                   sets = nlohmann::json::array();
    for (const auto& r : advice.reasons)
        reasons.push_back({{"text", r.text}, {"check", r.check}, {"figure", r.figure}});
    for (const auto& n : advice.nudges) {
        nudges.push_back({{"stem", n.stemId},
                          {"section", n.section},
                          {"start_seconds", n.startSeconds},
                          {"end_seconds", n.endSeconds},
                          {"gain_db", n.gainDb},
                          {"text", n.text},
                          {"set", n.setAssignment}});
        sets.push_back(n.setAssignment);
    }
    return {{"recommendation", recommendationName(advice.recommendation)},
            {"reasons", reasons},
            {"nudges", nudges},
            {"set", sets}};
}

} // namespace lathe::core
