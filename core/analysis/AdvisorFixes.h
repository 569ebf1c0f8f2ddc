#pragma once

#include "core/model/Session.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

struct Advice;
struct ElementAnalysis;

// A ride's ramps: 0.2 s centred on each section boundary, short enough to keep the ride inside the section
// and long enough that a 2 dB move is heard as a fader move, not a step.
constexpr double kRideRampSeconds = 0.2;
// A dynamic EQ band or peak control acts on the one note or transient only, not on the element's balance: it
// may take that moment down this far (a balance ride stays within kMaxNudgeDb).
constexpr double kMaxMomentCutDb = 12.0;
// A limiter-driving moment this short is a transient (a snare crack, an accent), which a stem's peak control
// tames; a longer passage is a phrase that wants clip gain or a mix revision.
constexpr double kMaxTransientSeconds = 0.25;

// One finding turned into a session change of the tool that fixes it. Applied with applyFixes; in a session
// of its own with `setAssignment`.
struct SessionFix {
    std::string finding; // the finding kind it fixes: "vocal_buried", "bass_note_jump", ...
    std::string stemId;  // the stem it changes (makeDefaultSession's id: the role name)
    std::string file;    // that stem's file, which finds the stem in a session whose ids differ
    // "section_ride" (automation.gain_db), "width_ride" (automation.width), "dynamic_eq" (a band keyed by the
    // stem itself), "sidechain_duck" (a band keyed by keyStemId), "peak_control"
    std::string tool;
    std::string keyStemId;                   // sidechain_duck: the stem whose source keys the band
    std::string text;                        // what it does, with its figures
    double startSeconds = 0, endSeconds = 0; // the finding's time range
    // section_ride: gainDb held from rideFrom + kRideRampSeconds to rideTo - kRideRampSeconds; the points in
    // [rideFrom, rideTo] are the advisor's. width_ride: the same window, the width multiplied by widthFactor.
    double rideFromSeconds = 0, rideToSeconds = 0, gainDb = 0, widthFactor = 1;
    DynamicEqBandSettings band;      // dynamic_eq, sidechain_duck (band.advisor is set)
    PeakControlSettings peakControl; // peak_control (advisor is set)
    std::string setAssignment;       // the --set that writes it into a session without other settings
};

// The fixes for the advice's findings that a session can make: a ride for a lead vocal off its balance in one
// section, a width ride for a stem too wide in its sections, a self-keyed dynamic EQ band for one bass note
// that jumps out, a bass band keyed by the drums for kick/808 masking, peak control for a stem whose
// transient drives the limiter. None for a delivery to fix, nor for a balance change beyond a nudge.
std::vector<SessionFix> sessionFixes(const Advice& advice, const ElementAnalysis& elements);

// Sets the fixes in the session, replacing what the advisor set before and nothing else: its own dynamic EQ
// bands (advisor: true) and peak control (advisor: true) on every stem, and the points of each ride's window.
// Points of a lane outside the window stay; the ride is drawn on top of what the lane does at its edges. A
// user's own peak control is kept (the fix is skipped), as is a stem with no room for one more band. Applying
// the same fixes twice gives the same session. Returns what it skipped, as sentences.
std::vector<std::string> applyFixes(Session& session, const std::vector<SessionFix>& fixes);

nlohmann::json toJson(const SessionFix& fix);

} // namespace lathe::core
