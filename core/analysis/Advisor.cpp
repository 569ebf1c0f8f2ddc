#include "core/analysis/Advisor.h"

#include "core/text/FormatText.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return -1e9;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Half-dB steps: finer nudges are below what anyone will hear as a decision.
double halfDb(double db) {
    return std::round(db * 2.0) / 2.0;
}

std::string clock(double seconds) {
    const auto minutes = static_cast<int>(seconds / 60.0);
    return formatText("%d:%04.1f", minutes, seconds - 60.0 * minutes);
}

std::string pathOf(const ElementAnalysis& e, StemRole role) {
    for (const auto& s : e.stems)
        if (s.role == role) return s.path;
    return "";
}

std::string fileNameOf(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

const char* kBeyond = " - beyond a stem-mastering nudge: consider a mix revision";

// A balance change on one element: a nudge within kMaxNudgeDb (stem mastering), beyond it a mix revision.
struct ElementProblem {
    std::string kind, stemId, section, text, nudgeText, unit = "dB";
    StemRole role = StemRole::Other;
    double start = 0, end = 0, figure = 0, gainDb = 0, confidence = 1;
    double widthFactor = 0; // a width ride's factor; 0 for a level change
    bool adviceOnly = false;
};

// A cut of one moment (a note, a transient) leaves the element's balance alone: it may go further than a
// balance nudge.
bool isMomentCut(const ElementProblem& p) {
    return p.kind == "bass_note_jump" ||
           (p.kind == "limiter_drive" && p.end - p.start <= kMaxTransientSeconds);
}

void addProblem(const ElementAnalysis& e, const ElementProblem& p, std::vector<Finding>& findings,
                std::vector<StemNudge>& nudges) {
    const bool beyond = p.widthFactor > 0
                            ? p.widthFactor < kMinStemWidthFactor
                            : std::abs(p.gainDb) > (isMomentCut(p) ? kMaxMomentCutDb : kMaxNudgeDb);
    StemNudge n;
    n.finding = p.kind;
    n.stemId = p.stemId;
    n.section = p.section;
    n.startSeconds = p.start;
    n.endSeconds = p.end;
    n.gainDb = p.gainDb;
    n.widthFactor = p.widthFactor > 0 ? p.widthFactor : 1.0;
    n.adviceOnly = p.adviceOnly;
    n.beyondNudge = beyond;
    n.text = p.nudgeText + (beyond ? kBeyond : "");
    nudges.push_back(n);
    Finding f;
    f.kind = p.kind;
    f.file = pathOf(e, p.role);
    f.element = stemRoleName(p.role);
    f.startSeconds = p.start;
    f.endSeconds = p.end;
    f.figure = p.figure;
    f.unit = p.unit;
    f.confidence = p.confidence;
    f.calls = beyond ? Recommendation::MixRevision : Recommendation::StemMastering;
    f.text = f.file.empty() || p.text.find(fileNameOf(f.file)) != std::string::npos
                 ? p.text
                 : fileNameOf(f.file) + ": " + p.text;
    const std::string change = p.widthFactor > 0
                                   ? formatText("%s width %.2f in the %s (a width ride)", p.stemId.c_str(),
                                                p.widthFactor, p.section.c_str())
                                   : formatText("%s %+.1f dB", p.stemId.c_str(), p.gainDb);
    f.fix = change +
            (p.kind == "vocal_buried" || p.kind == "vocal_loud" ? " in the " + p.section + " (a ride)" : "") +
            (p.kind == "bass_note_jump" ? " on that note (a dynamic EQ band)" : "") +
            (p.kind == "low_end_masking" ? " under the kick (a sidechain duck)" : "") +
            (p.kind == "limiter_drive" ? (p.adviceOnly ? " on that passage (clip gain)" : " (peak control)")
                                       : "") +
            (beyond ? " is a mix change: ask the mix engineer" : "");
    findings.push_back(f);
}

// The lead vocal off its balance in one section by `offDb` (past the tolerance), and the gain that restores
// it.
ElementProblem vocalProblem(const char* kind, const SongSection& section, double offDb, double gainDb) {
    ElementProblem p;
    p.kind = kind;
    p.stemId = "lead_vocal";
    p.role = StemRole::LeadVocal;
    p.section = section.label;
    p.start = section.startSeconds;
    p.end = section.endSeconds;
    p.figure = offDb;
    p.gainDb = gainDb;
    p.confidence = confidencePast(offDb, kVocalBalanceToleranceDb, 2.0);
    return p;
}

void vocalFindings(const ElementAnalysis& e, std::vector<Finding>& findings, std::vector<StemNudge>& nudges) {
    // Lead vocal in the loudest section against the other sections it sings in.
    const SectionVocalBalance* loud = nullptr;
    std::vector<double> others;
    for (const auto& b : e.vocalBalance) {
        if (!b.vocalPresent) continue;
        if (b.section.label == "hook" && !loud)
            loud = &b;
        else
            others.push_back(b.vocalToRestDb);
    }
    if (!loud) return;
    const double reference = std::max(median(others), kHookVocalToRestTargetDb);
    const double deficit = reference - loud->vocalToRestDb;
    // A hook vocal within the tolerance of where a hook vocal sits is in balance, however far forward the
    // other sections have it: then those sections are what is off (the check below).
    if (deficit > kVocalBalanceToleranceDb &&
        kHookVocalToRestTargetDb - loud->vocalToRestDb > kVocalBalanceToleranceDb) {
        ElementProblem p = vocalProblem("vocal_buried", loud->section, deficit, halfDb(deficit));
        p.text = formatText("The lead vocal is buried in the hook: %+.1f dB against the band there, %.1f dB "
                            "below where it should sit.",
                            loud->vocalToRestDb, deficit);
        p.nudgeText = formatText("lead vocal %+.1f dB in the hook", p.gainDb);
        addProblem(e, p, findings, nudges);
        return;
    }
    // A vocal pushed further forward in a quieter section than in the hook jumps out there: the hook's
    // balance is the reference (it passed the check above), and the worst section past the tolerance gets
    // the nudge.
    const SectionVocalBalance* worst = nullptr;
    for (const auto& b : e.vocalBalance)
        if (b.vocalPresent && &b != loud && (!worst || b.vocalToRestDb > worst->vocalToRestDb)) worst = &b;
    const double excess = worst ? worst->vocalToRestDb - loud->vocalToRestDb : 0.0;
    if (worst && excess > kVocalBalanceToleranceDb) {
        ElementProblem p = vocalProblem("vocal_loud", worst->section, excess, -halfDb(excess));
        p.text = formatText("The lead vocal is too loud in the %s (from %.1f s): %+.1f dB against the band "
                            "there, %.1f dB more forward than in the hook.",
                            worst->section.label.c_str(), worst->section.startSeconds, worst->vocalToRestDb,
                            excess);
        p.nudgeText = formatText("lead vocal %+.1f dB in the %s", p.gainDb, worst->section.label.c_str());
        addProblem(e, p, findings, nudges);
    }
}

void lowEndFindings(const ElementAnalysis& e, std::vector<Finding>& findings,
                    std::vector<StemNudge>& nudges) {
    // Kick against 808: at most kicks the 808 is as loud as the kick in the same band, so the kick's punch
    // is lost in it. Bringing the 808 to half a dB past the masking line under the kick's hits lets it
    // through.
    if (e.hasKickAndBass && e.kickHits >= 4 && e.lowEndMasking >= 0.5 && e.bassOverKickDb) {
        ElementProblem p;
        p.kind = "low_end_masking";
        p.stemId = "bass";
        p.role = StemRole::Bass;
        p.section = "song";
        p.end = e.sections.empty() ? 0.0 : e.sections.back().endSeconds;
        p.figure = e.lowEndMasking;
        p.unit = "share of kicks";
        p.gainDb = -halfDb(*e.bassOverKickDb + kKickMaskingDb + 0.5);
        p.confidence = confidencePast(e.lowEndMasking, 0.5, 0.5);
        p.text =
            formatText("Kick and 808 collide in 30-120 Hz: at %.0f %% of the kicks the 808 is as loud as "
                       "the kick (median %+.1f dB against it), so the kick's punch is lost.",
                       100.0 * e.lowEndMasking, *e.bassOverKickDb);
        p.nudgeText = formatText("bass/808 %+.1f dB so the kick comes through", p.gainDb);
        addProblem(e, p, findings, nudges);
    }
    // One bass/808 note louder than the line around it: a cut on that note (clip gain or a dynamic EQ on the
    // stem) evens the line out, which the stereo master cannot do without touching everything else down
    // there.
    if (!e.bassNoteJumps.empty()) {
        const BassNoteJump& j = e.bassNoteJumps.front();
        ElementProblem p;
        p.kind = "bass_note_jump";
        p.stemId = "bass";
        p.role = StemRole::Bass;
        p.section = "note";
        p.start = p.end = j.timeSeconds;
        p.figure = j.overNeighboursDb;
        p.gainDb = -halfDb(j.overNeighboursDb);
        p.confidence = confidencePast(j.overNeighboursDb, kBassNoteJumpDb, 2.0);
        const std::size_t more = e.bassNoteJumps.size() - 1;
        p.text = formatText("One bass/808 note jumps out: the note at %s is %.1f dB louder than the other "
                            "notes of its section%s.",
                            clock(j.timeSeconds).c_str(), j.overNeighboursDb,
                            more ? formatText(" (and %zu more note%s over %.0f dB)", more,
                                              more > 1 ? "s" : "", kBassNoteJumpDb)
                                       .c_str()
                                 : "");
        p.nudgeText = formatText("bass/808: tame the note at %s by %.1f dB (a dynamic EQ band)",
                                 clock(j.timeSeconds).c_str(), -p.gainDb);
        addProblem(e, p, findings, nudges);
    }
}

void limiterFindings(const ElementAnalysis& e, std::vector<Finding>& findings,
                     std::vector<StemNudge>& nudges) {
    for (const auto& d : e.limiterDrive.events) {
        // The bass note finding already names a loud note; the limiter's reading is added to it.
        if (d.role == StemRole::Bass && !e.bassNoteJumps.empty() &&
            std::abs(e.bassNoteJumps.front().timeSeconds - d.startSeconds) < 0.3) {
            for (auto& f : findings)
                if (f.kind == "bass_note_jump")
                    f.text += formatText(" It drives the master limiter %.1f dB.", d.gainReductionDb);
            continue;
        }
        const std::string name = d.path.substr(d.path.find_last_of('/') + 1);
        ElementProblem p;
        p.kind = "limiter_drive";
        p.stemId = stemRoleName(d.role);
        p.role = d.role;
        p.section = "phrase";
        p.start = d.startSeconds;
        p.end = d.endSeconds;
        p.figure = d.gainReductionDb;
        p.gainDb = -halfDb(d.stemExcessDb);
        // A transient is peak control's; a longer passage wants clip gain, which sessions do not have.
        p.adviceOnly = d.endSeconds - d.startSeconds > kMaxTransientSeconds;
        p.confidence = confidencePast(d.gainReductionDb - d.typicalGainReductionDb, kLimiterDriveDb, 3.0);
        p.text =
            formatText("%s drives the master limiter at %s-%s: %.1f dB of gain reduction (%.1f dB around "
                       "it), the %s %.1f dB above its own level there.",
                       name.c_str(), clock(d.startSeconds).c_str(), clock(d.endSeconds).c_str(),
                       d.gainReductionDb, d.typicalGainReductionDb, stemRoleName(d.role), d.stemExcessDb);
        p.nudgeText = p.adviceOnly
                          ? formatText("%s: bring the passage at %s down %.1f dB (clip gain)",
                                       stemRoleName(d.role), clock(d.startSeconds).c_str(), -p.gainDb)
                          : formatText("%s: hold the transient at %s down %.1f dB (peak control)",
                                       stemRoleName(d.role), clock(d.startSeconds).c_str(), -p.gainDb);
        addProblem(e, p, findings, nudges);
    }
}

// Each stem too wide against the rest in a run of sections (kStemTooWideDb and after): one width ride over
// the run, sized for its widest section.
void widthFindings(const ElementAnalysis& e, std::vector<Finding>& findings, std::vector<StemNudge>& nudges) {
    for (const auto& stem : e.stems) {
        const auto tooWide = [&](std::size_t j) {
            if (j >= stem.sectionWidths.size() || j >= e.sections.size()) return false;
            const SectionWidth& w = stem.sectionWidths[j];
            // A stem with no mid at all (one channel the other inverted) is the delivery checks' `phase`
            // finding, not a width to ride.
            return w.stemOverRestDb > kStemAudibleDb && w.sideOverMidDb > kStemTooWideDb &&
                   w.sideOverMidDb < 100.0 && w.sideOverMidDb - w.restSideOverMidDb >= kStemWiderThanRestDb;
        };
        for (std::size_t j = 0; j < e.sections.size(); ++j) {
            if (!tooWide(j)) continue;
            std::size_t last = j, widest = j;
            while (tooWide(last + 1)) {
                ++last;
                if (stem.sectionWidths[last].sideOverMidDb > stem.sectionWidths[widest].sideOverMidDb)
                    widest = last;
            }
            const SectionWidth& w = stem.sectionWidths[widest];
            std::string where = e.sections[j].label;
            for (std::size_t k = j + 1; k <= last; ++k)
                where += (k == last ? " and " : ", ") + e.sections[k].label;
            ElementProblem p;
            p.kind = "stem_too_wide";
            p.stemId = stemRoleName(stem.role);
            p.role = stem.role;
            p.section = where;
            p.start = e.sections[j].startSeconds;
            p.end = e.sections[last].endSeconds;
            p.figure = w.sideOverMidDb;
            // Twentieths: a finer width step is not a decision anyone hears.
            p.widthFactor =
                std::max(0.05, std::round(20.0 * widthFactorFor(w.sideOverMidDb, kStemWidthTargetDb)) / 20.0);
            p.gainDb = 0.0;
            p.confidence = confidencePast(w.sideOverMidDb, kStemTooWideDb, 3.0);
            const std::string name = fileNameOf(stem.path);
            const std::string rest = w.restSideOverMidDb <= -100.0
                                         ? std::string("mono")
                                         : formatText("%+.1f dB", w.restSideOverMidDb);
            p.text = formatText("%s is too wide in the %s (%.1f-%.1f s): its side sits %+.1f dB over its mid "
                                "(the rest of the song %s), so it partly cancels in mono.",
                                name.c_str(), where.c_str(), p.start, p.end, w.sideOverMidDb, rest.c_str());
            p.nudgeText = formatText("%s width %.2f in the %s (side %+.1f dB)", stemRoleName(stem.role),
                                     p.widthFactor, where.c_str(), 20.0 * std::log10(p.widthFactor));
            // addProblem finds the file by role: a second stem of the same role is named by its own path.
            const std::size_t before = findings.size();
            addProblem(e, p, findings, nudges);
            if (findings.size() > before) {
                findings.back().file = stem.path;
                findings.back().text = p.text;
            }
            j = last;
        }
    }
}

void reverbFinding(const ElementAnalysis& e, std::vector<Finding>& findings) {
    if (!e.vocalGapFloorDb || *e.vocalGapFloorDb <= kBakedReverbGapFloorDb) return;
    Finding f;
    f.kind = "baked_reverb";
    f.file = pathOf(e, StemRole::LeadVocal);
    f.element = "lead_vocal";
    f.figure = *e.vocalGapFloorDb;
    f.unit = "dB";
    f.confidence = confidencePast(*e.vocalGapFloorDb, kBakedReverbGapFloorDb, 15.0);
    f.calls = Recommendation::MixRevision;
    f.text = formatText("%s: the lead vocal never falls silent between its phrases (the gaps sit %.1f dB "
                        "under the phrases): reverb is printed on it, and stem mastering cannot take it out.",
                        fileNameOf(f.file).c_str(), *e.vocalGapFloorDb);
    f.fix = "ask for the lead vocal dry, with its reverb on the effects stem";
    findings.push_back(f);
}

std::string checkOf(const Finding& f) {
    if (f.kind == "vocal_buried" || f.kind == "vocal_loud") return "vocal_to_rest";
    return f.kind;
}

} // namespace

std::vector<Finding> elementFindings(const ElementAnalysis& elements, std::vector<StemNudge>& nudges) {
    std::vector<Finding> findings;
    vocalFindings(elements, findings, nudges);
    lowEndFindings(elements, findings, nudges);
    limiterFindings(elements, findings, nudges);
    widthFindings(elements, findings, nudges);
    reverbFinding(elements, findings);
    return findings;
}

Advice advise(const ValidationReport& validation, const ElementAnalysis& elements,
              const TranslationReport* translation) {
    Advice advice;
    advice.findings = validation.findings;
    // A delivery to re-export is not judged as a mix: its element figures come from the wrong files.
    const bool fixDelivery =
        std::any_of(validation.findings.begin(), validation.findings.end(),
                    [](const Finding& f) { return f.calls == Recommendation::FixDelivery; });
    if (!fixDelivery) {
        std::vector<Finding> more = elementFindings(elements, advice.nudges);
        advice.findings.insert(advice.findings.end(), more.begin(), more.end());
    }
    for (const auto& f : advice.findings)
        if (recommendationPriority(f.calls) > recommendationPriority(advice.recommendation))
            advice.recommendation = f.calls;
    // Most decisive first, the verdict's own findings leading.
    std::stable_sort(advice.findings.begin(), advice.findings.end(), [](const Finding& a, const Finding& b) {
        return recommendationPriority(a.calls) > recommendationPriority(b.calls);
    });

    if (advice.recommendation == Recommendation::StereoMastering) {
        const auto* n = validation.find("null");
        advice.confidence = n && n->status == CheckStatus::Pass ? 0.9 : 0.7;
        if (n)
            advice.reasons.push_back(
                {"The stems and the mix agree, so the mix is the reference to master: " + n->message, "null",
                 n->value.value_or(0.0), advice.confidence});
        for (const auto& b : elements.vocalBalance)
            if (b.vocalPresent && b.section.label == "hook")
                advice.reasons.push_back(
                    {formatText("The lead vocal sits %+.1f dB against the band in the hook, "
                                "within %.1f dB of where it should.",
                                b.vocalToRestDb, kVocalBalanceToleranceDb),
                     "vocal_to_rest", b.vocalToRestDb, advice.confidence});
        advice.reasons.push_back(
            {"No element needs its own balance change: the song's issues, if any, are "
             "whole-song ones (tone, loudness, width, glue) that a stereo master addresses.",
             "elements", 0.0, advice.confidence});
    } else {
        advice.confidence = 0.5;
        for (const auto& f : advice.findings)
            if (f.calls == advice.recommendation)
                advice.confidence = std::max(advice.confidence, f.confidence);
    }
    for (const auto& f : advice.findings)
        advice.reasons.push_back(
            {f.text + (f.calls == Recommendation::FixDelivery ? " Re-export: " + f.fix + "." : ""),
             checkOf(f), f.figure, f.confidence});
    // Nudges only stand where the verdict is about the mix's balance.
    if (advice.recommendation == Recommendation::FixDelivery) advice.nudges.clear();
    advice.fixes = sessionFixes(advice, elements);
    for (auto& n : advice.nudges)
        for (const auto& fix : advice.fixes)
            if (fix.finding == n.finding && fix.startSeconds == n.startSeconds)
                n.setAssignment = fix.setAssignment;

    if (translation && advice.recommendation != Recommendation::MixRevision &&
        advice.recommendation != Recommendation::FixDelivery)
        for (const auto& t : translation->systems)
            if (t.vocalDisappears && t.vocalToRestDb && t.flatVocalToRestDb && !t.notes.empty())
                advice.reasons.push_back({t.notes.front(),
                                          std::string("translation_") + dsp::playbackSystemName(t.system),
                                          *t.vocalToRestDb - *t.flatVocalToRestDb, 1.0});
    return advice;
}

nlohmann::json toJson(const Advice& advice) {
    nlohmann::json reasons = nlohmann::json::array(), nudges = nlohmann::json::array(),
                   sets = nlohmann::json::array(), reExport = nlohmann::json::array();
    for (const auto& r : advice.reasons)
        reasons.push_back(
            {{"text", r.text}, {"check", r.check}, {"figure", r.figure}, {"confidence", r.confidence}});
    for (const auto& n : advice.nudges) {
        const bool applied = !n.setAssignment.empty();
        nudges.push_back({{"stem", n.stemId},
                          {"section", n.section},
                          {"start_seconds", n.startSeconds},
                          {"end_seconds", n.endSeconds},
                          {"gain_db", n.gainDb},
                          {"width", n.widthFactor},
                          {"text", n.text},
                          {"set", applied ? nlohmann::json(n.setAssignment) : nlohmann::json()},
                          {"advice_only", n.adviceOnly},
                          {"beyond_nudge", n.beyondNudge}});
        if (applied) sets.push_back(n.setAssignment);
    }
    nlohmann::json fixes = nlohmann::json::array(), verified = nlohmann::json::array();
    for (const auto& fix : advice.fixes)
        fixes.push_back(toJson(fix));
    for (const auto& v : advice.verified)
        verified.push_back(toJson(v));
    for (const auto& f : advice.findings)
        if (f.calls == Recommendation::FixDelivery)
            reExport.push_back(
                {{"file", f.file}, {"element", f.element}, {"problem", f.text}, {"fix", f.fix}});
    return {{"recommendation", recommendationName(advice.recommendation)},
            {"confidence", advice.confidence},
            {"reasons", reasons},
            {"nudges", nudges},
            {"set", sets},
            {"findings", toJson(advice.findings)},
            {"re_export", reExport},
            {"fixes", fixes},
            {"verified", verified}};
}

} // namespace lathe::core
