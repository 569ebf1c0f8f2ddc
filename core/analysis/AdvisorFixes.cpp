#include "core/analysis/AdvisorFixes.h"

#include "core/analysis/Advisor.h"
#include "core/model/StemToolsJson.h"
#include "core/text/FormatText.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

namespace {

double halfDb(double db) {
    return std::round(db * 2.0) / 2.0;
}

std::string fileNameOf(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

const Finding* findingOf(const Advice& advice, const StemNudge& n) {
    for (const auto& f : advice.findings)
        if (f.kind == n.finding && f.startSeconds == n.startSeconds) return &f;
    return nullptr;
}

std::string laneJson(const AutomationLane& lane) {
    return toJson(lane).dump();
}

// The lane's value at t: linear between points, held before the first and after the last, `none` when empty
// (SESSION.md, Automation: no gain_db points is 0 dB, no width points a width of 1).
double laneValueAt(const AutomationLane& lane, double t, double none) {
    if (lane.empty()) return none;
    if (t <= lane.front().time_s) return lane.front().value;
    if (t >= lane.back().time_s) return lane.back().value;
    for (std::size_t i = 1; i < lane.size(); ++i)
        if (t < lane[i].time_s) {
            const auto& a = lane[i - 1];
            const auto& b = lane[i];
            const double span = b.time_s - a.time_s;
            return span > 0 ? a.value + (b.value - a.value) * (t - a.time_s) / span : b.value;
        }
    return lane.back().value;
}

// The ride's four points drawn over what `lane` does at the window's edges once the window is cleared: a gain
// ride adds its dB, a width ride multiplies the width.
AutomationLane withRide(AutomationLane lane, const SessionFix& fix) {
    const double from = fix.rideFromSeconds, to = fix.rideToSeconds;
    std::erase_if(lane, [&](const AutomationPointSettings& p) { return p.time_s >= from && p.time_s <= to; });
    const double in = from + kRideRampSeconds, out = to - kRideRampSeconds;
    const bool width = fix.tool == "width_ride";
    const auto at = [&](double t) { return laneValueAt(lane, t, width ? 1.0 : 0.0); };
    const auto ridden = [&](double t) { return width ? at(t) * fix.widthFactor : at(t) + fix.gainDb; };
    const AutomationLane ride = {{from, at(from)}, {in, ridden(in)}, {out, ridden(out)}, {to, at(to)}};
    lane.insert(lane.end(), ride.begin(), ride.end());
    std::stable_sort(lane.begin(), lane.end(),
                     [](const auto& a, const auto& b) { return a.time_s < b.time_s; });
    return lane;
}

// A ride's window, level or width alike: the section plus half a ramp on each side, never before the song.
void setRideWindow(SessionFix& fix, const StemNudge& n) {
    fix.rideFromSeconds = std::max(0.0, n.startSeconds - 0.5 * kRideRampSeconds);
    fix.rideToSeconds = n.endSeconds + 0.5 * kRideRampSeconds;
}

SessionFix sectionRide(const StemNudge& n) {
    SessionFix fix;
    fix.tool = "section_ride";
    fix.gainDb = n.gainDb;
    setRideWindow(fix, n);
    fix.text = formatText("%s ride %+.1f dB over the %s (%.1f-%.1f s, %.1f s ramps)", n.stemId.c_str(),
                          n.gainDb, n.section.c_str(), n.startSeconds, n.endSeconds, kRideRampSeconds);
    fix.setAssignment =
        formatText("stems.%s.automation.gain_db=%s", n.stemId.c_str(), laneJson(withRide({}, fix)).c_str());
    return fix;
}

// A stem too wide in its sections: its width ridden down over them (automation.width, the same window and
// ramps as a level ride), the rest of the song left as it is.
SessionFix widthRide(const StemNudge& n) {
    SessionFix fix;
    fix.tool = "width_ride";
    fix.widthFactor = n.widthFactor;
    setRideWindow(fix, n);
    fix.text = formatText("%s width ride to %.2f over the %s (%.1f-%.1f s, %.1f s ramps)", n.stemId.c_str(),
                          n.widthFactor, n.section.c_str(), n.startSeconds, n.endSeconds, kRideRampSeconds);
    fix.setAssignment =
        formatText("stems.%s.automation.width=%s", n.stemId.c_str(), laneJson(withRide({}, fix)).c_str());
    return fix;
}

// One bass note over its neighbours: a band over the 808's fundamentals (30-120 Hz) that starts cutting half
// a dB above the neighbours' peak (a sine peaks 3 dB over its RMS) and takes the note down to them.
SessionFix noteBand(const ElementAnalysis& e, const StemNudge& n) {
    SessionFix fix;
    fix.tool = "dynamic_eq";
    const BassNoteJump& j = e.bassNoteJumps.front();
    DynamicEqBandSettings& b = fix.band;
    b.frequency_hz = 60;
    b.q = 0.5;
    b.threshold_db = std::clamp(halfDb(j.levelDb - j.overNeighboursDb + 3.0 + 0.5), -96.0, 0.0);
    b.ratio = 20;
    b.attack_ms = 5;
    b.release_ms = 80;
    // A dB more than the jump: the band's detector and its cut fall off for notes off its centre.
    b.range_db = std::min(kMaxMomentCutDb, halfDb(j.overNeighboursDb + 1.0));
    b.advisor = true;
    fix.text = formatText("%s: dynamic EQ band at 60 Hz, cutting above %.1f dB by up to %.1f dB (the note at "
                          "%.1f s)",
                          n.stemId.c_str(), b.threshold_db, b.range_db, j.timeSeconds);
    return fix;
}

// Kick/808 masking: the bass's 40-120 Hz band (69 Hz, Q 0.9) ducks while the drums' kick sounds, by what
// takes the 808 past the masking line plus the band's shortfall at the edges of the range.
SessionFix sidechainDuck(const ElementAnalysis& e, const StemNudge& n, const std::string& keyStemId) {
    SessionFix fix;
    fix.tool = "sidechain_duck";
    fix.keyStemId = keyStemId;
    double kickLow = -30.0;
    for (const auto& s : e.stems)
        if (s.role == StemRole::Drums) kickLow = s.lowBandDb;
    DynamicEqBandSettings& b = fix.band;
    b.frequency_hz = 69;
    b.q = 0.9;
    b.threshold_db = std::clamp(halfDb(kickLow), -96.0, 0.0);
    b.ratio = 10;
    b.attack_ms = 1;
    b.release_ms = 80;
    b.range_db = std::clamp(halfDb(-n.gainDb + 1.5), 3.0, kMaxMomentCutDb);
    b.key = keyStemId;
    b.advisor = true;
    fix.text =
        formatText("%s: 40-120 Hz ducked up to %.1f dB when the %s's kick hits (dynamic EQ keyed by %s, "
                   "above %.1f dB)",
                   n.stemId.c_str(), b.range_db, keyStemId.c_str(), keyStemId.c_str(), b.threshold_db);
    return fix;
}

// The stem's transient over the limiter: its peak control one dB above where its peaks usually sit.
SessionFix peakControl(const ElementAnalysis& e, const StemNudge& n) {
    SessionFix fix;
    fix.tool = "peak_control";
    for (const auto& d : e.limiterDrive.events)
        if (stemRoleName(d.role) == n.stemId && d.startSeconds == n.startSeconds) {
            fix.peakControl.ceiling_dbtp = std::clamp(
                halfDb(d.stemPeakDbfs - std::min(d.stemExcessDb, kMaxMomentCutDb) + 1.0), -40.0, 0.0);
        }
    fix.peakControl.enabled = true;
    fix.peakControl.advisor = true;
    fix.text = formatText("%s: peak control at %.1f dBTP (the transient at %.1f s)", n.stemId.c_str(),
                          fix.peakControl.ceiling_dbtp, n.startSeconds);
    fix.setAssignment =
        formatText("stems.%s.peak_control=%s", n.stemId.c_str(), toJson(fix.peakControl).dump().c_str());
    return fix;
}

StemSettings* stemOf(Session& session, const SessionFix& fix) {
    for (auto& s : session.stems)
        if (!fix.file.empty() && fileNameOf(s.path) == fileNameOf(fix.file)) return &s;
    for (auto& s : session.stems)
        if (s.id == fix.stemId) return &s;
    return nullptr;
}

} // namespace

std::vector<SessionFix> sessionFixes(const Advice& advice, const ElementAnalysis& elements) {
    std::vector<SessionFix> fixes;
    if (advice.recommendation == Recommendation::FixDelivery) return fixes;
    for (const auto& n : advice.nudges) {
        if (n.beyondNudge) continue;
        const Finding* f = findingOf(advice, n);
        const std::string file = f ? f->file : std::string();
        SessionFix fix;
        if (n.finding == "vocal_buried" || n.finding == "vocal_loud") {
            fix = sectionRide(n);
        } else if (n.finding == "stem_too_wide") {
            fix = widthRide(n);
        } else if (n.finding == "bass_note_jump" && !elements.bassNoteJumps.empty()) {
            fix = noteBand(elements, n);
        } else if (n.finding == "low_end_masking") {
            fix = sidechainDuck(elements, n, stemRoleName(StemRole::Drums));
        } else if (n.finding == "limiter_drive" && n.endSeconds - n.startSeconds <= kMaxTransientSeconds) {
            fix = peakControl(elements, n);
        } else {
            continue;
        }
        fix.finding = n.finding;
        fix.stemId = n.stemId;
        fix.file = file;
        fix.startSeconds = n.startSeconds;
        fix.endSeconds = n.endSeconds;
        fixes.push_back(fix);
    }
    // A stem's bands are set as one list: each band fix's --set carries all the advisor's bands on its stem.
    for (auto& fix : fixes) {
        if (fix.tool != "dynamic_eq" && fix.tool != "sidechain_duck") continue;
        std::vector<DynamicEqBandSettings> bands;
        for (const auto& other : fixes)
            if ((other.tool == "dynamic_eq" || other.tool == "sidechain_duck") && other.stemId == fix.stemId)
                bands.push_back(other.band);
        fix.setAssignment =
            formatText("stems.%s.dynamic_eq=%s", fix.stemId.c_str(), toJson(bands, true).dump().c_str());
    }
    return fixes;
}

std::vector<std::string> applyFixes(Session& session, const std::vector<SessionFix>& fixes) {
    std::vector<std::string> skipped;
    // What the advisor set before goes first, so a finding that no longer stands leaves nothing behind.
    for (auto& s : session.stems) {
        std::erase_if(s.dynamic_eq, [](const DynamicEqBandSettings& b) { return b.advisor; });
        if (s.peak_control.advisor) s.peak_control = PeakControlSettings{};
    }
    for (const auto& fix : fixes) {
        StemSettings* stem = stemOf(session, fix);
        if (!stem) {
            skipped.push_back("no stem " + fix.stemId + " in the session for: " + fix.text);
            continue;
        }
        if (fix.tool == "section_ride") {
            stem->automation.gain_db = withRide(stem->automation.gain_db, fix);
        } else if (fix.tool == "width_ride") {
            stem->automation.width = withRide(stem->automation.width, fix);
        } else if (fix.tool == "dynamic_eq" || fix.tool == "sidechain_duck") {
            if (static_cast<int>(stem->dynamic_eq.size()) >= kMaxDynamicEqBands) {
                skipped.push_back(stem->id + " has no room for another dynamic EQ band: " + fix.text);
                continue;
            }
            DynamicEqBandSettings band = fix.band;
            if (fix.tool == "sidechain_duck") {
                const auto key = std::find_if(session.stems.begin(), session.stems.end(),
                                              [&](const StemSettings& s) { return s.id == fix.keyStemId; });
                if (key == session.stems.end() || &*key == stem) {
                    skipped.push_back("no stem " + fix.keyStemId + " to key: " + fix.text);
                    continue;
                }
                // A stem listens to one key stem at most (checkStemKeys).
                const std::string& current = stemKey(*stem);
                if (current != "self" && current != fix.keyStemId) {
                    skipped.push_back(stem->id + " is already keyed by " + current + ": " + fix.text);
                    continue;
                }
            }
            stem->dynamic_eq.push_back(band);
        } else if (fix.tool == "peak_control") {
            if (stem->peak_control.enabled) {
                skipped.push_back(stem->id + " keeps its own peak control: " + fix.text);
                continue;
            }
            stem->peak_control = fix.peakControl;
        }
    }
    return skipped;
}

nlohmann::json toJson(const SessionFix& fix) {
    nlohmann::json j = {{"finding", fix.finding},
                        {"stem", fix.stemId},
                        {"tool", fix.tool},
                        {"text", fix.text},
                        {"start_seconds", fix.startSeconds},
                        {"end_seconds", fix.endSeconds},
                        {"set", fix.setAssignment}};
    if (fix.tool == "section_ride") j["gain_db"] = fix.gainDb;
    if (fix.tool == "width_ride") j["width"] = fix.widthFactor;
    if (fix.tool == "dynamic_eq" || fix.tool == "sidechain_duck")
        j["band"] = toJson(std::vector<DynamicEqBandSettings>{fix.band}, true)[0];
    if (fix.tool == "peak_control") j["peak_control"] = toJson(fix.peakControl);
    return j;
}

} // namespace lathe::core
