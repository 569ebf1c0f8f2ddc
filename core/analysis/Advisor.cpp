#include "core/analysis/Advisor.h"

#include "core/text/FormatText.h"

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
    }
    return "stereo_mastering";
}

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return -1e9;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Advice decide(const ValidationReport& validation, const ElementAnalysis& elements) {
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
            n.text = formatText("lead vocal %+.1f dB in the hook", nudge);
            n.setAssignment = formatText("stems.lead_vocal.gain_db=%.1f", nudge);
            advice.nudges.push_back(n);
            advice.reasons.push_back(
                {formatText(
                     "The lead vocal is buried in the hook: %+.1f dB against the band there, %.1f dB below "
                     "where it should sit.",
                     loud->vocalToRestDb, deficit),
                 "vocal_to_rest", loud->vocalToRestDb});
        }
    }
    // A vocal pushed further forward in a quieter section than in the hook jumps out there: the hook's
    // balance is the reference (it passed the check above), and the worst section past the tolerance gets the
    // nudge.
    if (loud && advice.nudges.empty()) {
        const SectionVocalBalance* worst = nullptr;
        for (const auto& b : elements.vocalBalance)
            if (b.vocalPresent && &b != loud && (!worst || b.vocalToRestDb > worst->vocalToRestDb))
                worst = &b;
        const double excess = worst ? worst->vocalToRestDb - loud->vocalToRestDb : 0.0;
        if (worst && excess > kVocalBalanceToleranceDb) {
            const double nudge = -std::round(excess * 2.0) / 2.0;
            StemNudge n;
            n.stemId = "lead_vocal";
            n.section = worst->section.label;
            n.startSeconds = worst->section.startSeconds;
            n.endSeconds = worst->section.endSeconds;
            n.gainDb = nudge;
            n.text = formatText("lead vocal %+.1f dB in the %s", nudge, worst->section.label.c_str());
            n.setAssignment = formatText("stems.lead_vocal.gain_db=%.1f", nudge);
            advice.nudges.push_back(n);
            advice.reasons.push_back(
                {formatText("The lead vocal is too loud in the %s (from %.1f s): %+.1f dB "
                            "against the band there, %.1f "
                            "dB more forward than in the hook.",
                            worst->section.label.c_str(), worst->section.startSeconds, worst->vocalToRestDb,
                            excess),
                 "vocal_to_rest", worst->vocalToRestDb});
        }
    }

    // Kick against 808: at most kicks the 808 is as loud as the kick in the same band, so the kick's punch is
    // lost in it. Bringing the 808 down to 3 dB under the kick's hits lets the kick through.
    if (elements.hasKickAndBass && elements.kickHits >= 4 && elements.lowEndMasking >= 0.5 &&
        elements.bassOverKickDb) {
        const double nudge = -std::round((*elements.bassOverKickDb + 3.0) * 2.0) / 2.0;
        StemNudge n;
        n.stemId = "bass";
        n.section = "song";
        n.endSeconds = elements.sections.empty() ? 0.0 : elements.sections.back().endSeconds;
        n.gainDb = nudge;
        n.text = formatText("bass/808 %+.1f dB so the kick comes through", nudge);
        n.setAssignment = formatText("stems.bass.gain_db=%.1f", nudge);
        advice.nudges.push_back(n);
        advice.reasons.push_back(
            {formatText(
                 "Kick and 808 collide in 30-120 Hz: at %.0f %% of the kicks the 808 is as loud as the kick "
                 "(median %+.1f dB against it), so the kick's punch is lost.",
                 100.0 * elements.lowEndMasking, *elements.bassOverKickDb),
             "low_end_masking", elements.lowEndMasking});
    }

    // One bass/808 note louder than the line around it: a cut on that note (clip gain or a dynamic EQ on the
    // stem) evens the line out, which the stereo master cannot do without touching everything else down
    // there. Named by its onset and the loudest jump; half-dB steps as above.
    if (!elements.bassNoteJumps.empty()) {
        const BassNoteJump& j = elements.bassNoteJumps.front();
        const double cut = std::round(j.overNeighboursDb * 2.0) / 2.0;
        const auto minutes = static_cast<int>(j.timeSeconds / 60.0);
        const double seconds = j.timeSeconds - 60.0 * minutes;
        StemNudge n;
        n.stemId = "bass";
        n.section = "note";
        n.startSeconds = j.timeSeconds;
        n.endSeconds = j.timeSeconds;
        n.gainDb = -cut;
        n.adviceOnly = true;
        n.text = formatText("bass/808: tame the note at %d:%04.1f by %.1f dB (dynamic EQ or clip gain)",
                            minutes, seconds, cut);
        advice.nudges.push_back(n);
        const std::size_t others = elements.bassNoteJumps.size() - 1;
        advice.reasons.push_back(
            {formatText(
                 "One bass/808 note jumps out: the note at %d:%04.1f is %.1f dB louder in 30-120 Hz than "
                 "the notes around it%s.",
                 minutes, seconds, j.overNeighboursDb,
                 others ? formatText(" (and %zu more note%s over %.0f dB)", others, others > 1 ? "s" : "",
                                     kBassNoteJumpDb)
                              .c_str()
                        : ""),
             "bass_note_jump", j.overNeighboursDb});
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
                {formatText("The lead vocal sits %+.1f dB against the band in the hook, within "
                            "%.1f dB of where it should.",
                            b.vocalToRestDb, kVocalBalanceToleranceDb),
                 "vocal_to_rest", b.vocalToRestDb});
    advice.reasons.push_back(
        {"No element needs its own balance change: the song's issues, if any, are whole-song "
         "ones (tone, loudness, width, glue) that a stereo master addresses.",
         "elements", 0.0});
    return advice;
}

} // namespace

Advice advise(const ValidationReport& validation, const ElementAnalysis& elements,
              const TranslationReport* translation) {
    Advice advice = decide(validation, elements);
    if (translation && advice.recommendation != Recommendation::MixRevision)
        for (const auto& t : translation->systems)
            if (t.vocalDisappears && t.vocalToRestDb && t.flatVocalToRestDb && !t.notes.empty())
                advice.reasons.push_back({t.notes.front(),
                                          std::string("translation_") + dsp::playbackSystemName(t.system),
                                          *t.vocalToRestDb - *t.flatVocalToRestDb});
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
                          {"set", n.adviceOnly ? nlohmann::json() : nlohmann::json(n.setAssignment)},
                          {"advice_only", n.adviceOnly}});
        if (!n.adviceOnly) sets.push_back(n.setAssignment);
    }
    return {{"recommendation", recommendationName(advice.recommendation)},
            {"reasons", reasons},
            {"nudges", nudges},
            {"set", sets}};
}

} // namespace lathe::core
