#pragma once

#include "core/model/DeliverableSpec.h"

#include <string>
#include <string_view>
#include <vector>

namespace lathe::core {

// The session model: everything a render needs, as plain structs whose field names are the JSON keys of the
// .lathe file (see core/model/SESSION.md for every key, its unit, range and default). Enumerations are
// strings so the file stays readable and diffable; sessionFromJson checks them (model/SessionJson.h) and
// chain/ChainSettingsMapping.h turns them into DSP parameters. Defaults for a new folder:
// model/SessionDefaults.h; --set: model/SessionOverride.h.

struct EqBandSettings {
    bool enabled = true;
    std::string type = "bell"; // bell, low_shelf, high_shelf, low_pass, high_pass, band_pass, notch
    double frequency_hz = 1000;
    double q = 0.707;
    double gain_db = 0;
    std::string channel = "stereo"; // stereo, mid or side: the part of the stereo signal the band filters
    friend bool operator==(const EqBandSettings&, const EqBandSettings&) = default;
};

struct CompressorSettings {
    bool enabled = false;
    double threshold_db = -18;
    double ratio = 2;
    double knee_db = 6;
    double attack_ms = 10;
    double release_ms = 150;
    double makeup_db = 0;
    double stereo_link = 1;         // 0 = channels independent, 1 = fully linked
    double sidechain_hpf_hz = 0;    // 0 = off
    std::string detection = "peak"; // or "rms"
    // A stem's compressor only (the master's have no key): "self", or the id of the stem whose source the
    // detector hears (cross-stem sidechain; see chain/StemChain.h for which signal that is).
    std::string key = "self";
    friend bool operator==(const CompressorSettings&, const CompressorSettings&) = default;
};

struct MultibandSettings {
    bool enabled = false;
    std::vector<double> crossovers_hz{120, 1000, 5000};
    std::vector<CompressorSettings> bands; // crossovers_hz.size() + 1 entries once loaded (filled if absent)
    friend bool operator==(const MultibandSettings&, const MultibandSettings&) = default;
};

struct SaturationSettings {
    bool enabled = false;
    std::string mode = "soft_clip"; // or "tape"
    double drive_db = 0;
    double mix = 1;
    int oversampling = 4;
    friend bool operator==(const SaturationSettings&, const SaturationSettings&) = default;
};

// The true-peak limiter (see core/model/SESSION.md for what each style and switch does). The defaults are the
// measured choice of tests/bench/limiter-vs-peers.sh (README); a version-1 session lacks every key below
// lookahead_ms and reads as legacyLimiterSettings(), the limiter it was made with.
struct LimiterSettings {
    bool enabled = true;
    double ceiling_dbtp = -1;
    double release_ms = 40; // "safe": the release; otherwise the slow stage's, after sustained overload
    double lookahead_ms = 9;
    std::string style = "transparent"; // "transparent", "punchy" or "safe"
    double fast_release_ms = 15;       // release after overloads shorter than sustain_ms (not "safe")
    double sustain_ms = 10000;         // how long an overload lasts before the slow release takes over
    bool soft_clip = false;            // oversampled soft clipper before the limiter
    double soft_clip_db = 1;           // most it takes off a peak
    bool low_frequency_aware = false;  // sub-driven overloads released slowly
    double low_frequency_hz = 120;     // where "sub" ends, for that detection
    double stereo_link = 1;            // 0 = channels independent, 1 = one gain
    friend bool operator==(const LimiterSettings&, const LimiterSettings&) = default;
};

// One breakpoint of an automation lane, written [time_s, value] in the file.
struct AutomationPointSettings {
    double time_s = 0; // seconds from the start of the song
    double value = 0;  // in the lane's unit (dB for gain_db, a factor for width)
    friend bool operator==(const AutomationPointSettings&, const AutomationPointSettings&) = default;
};
using AutomationLane = std::vector<AutomationPointSettings>; // empty = no automation

struct StemAutomationSettings {
    AutomationLane gain_db; // a ride added to the stem's gain_db
    AutomationLane width;   // multiplies the stem's width
    friend bool operator==(const StemAutomationSettings&, const StemAutomationSettings&) = default;
};

struct MasterAutomationSettings {
    AutomationLane gain_db; // a ride of the master's input level
    friend bool operator==(const MasterAutomationSettings&, const MasterAutomationSettings&) = default;
};

struct DynamicEqBandSettings {
    bool enabled = true;
    std::string shape = "bell"; // bell, low_shelf or high_shelf
    double frequency_hz = 1000;
    double q = 1;
    double threshold_db = -24;
    double ratio = 2;
    double attack_ms = 5;
    double release_ms = 120;
    double range_db = 6;            // most cut (cut_above) or boost (boost_below)
    std::string mode = "cut_above"; // or boost_below
    std::string channel = "stereo"; // stereo, mid or side
    bool listen = false;            // solo what the band's detector hears
    std::string key = "self";       // or, on a stem, the id of the stem whose source the detector hears
    // Written by `advise --apply-to`: the advisor replaces only its own bands (SESSION.md, Advisor fixes).
    bool advisor = false;
    friend bool operator==(const DynamicEqBandSettings&, const DynamicEqBandSettings&) = default;
};

struct PeakControlSettings {
    bool enabled = false;
    double ceiling_dbtp = -3; // the stem's highest true peak
    int oversampling = 4;     // 1, 2, 4 or 8
    bool advisor = false;     // set by `advise --apply-to`, which only ever changes peak control it set
    friend bool operator==(const PeakControlSettings&, const PeakControlSettings&) = default;
};

struct StemSettings {
    std::string id;             // unique key used in --set: the role name, "drums_2" for a second drums stem
    std::string path;           // absolute, or relative to Session::folder
    std::string role = "other"; // a stemRoleName()
    double gain_db = 0;
    bool mute = false;
    bool solo = false;
    bool polarity_inverted = false;
    std::vector<EqBandSettings> eq;
    CompressorSettings compressor;
    double width = 1;
    std::vector<DynamicEqBandSettings> dynamic_eq;
    PeakControlSettings peak_control;
    StemAutomationSettings automation;
    friend bool operator==(const StemSettings&, const StemSettings&) = default;
};

// Matching the master to a reference (issue 18): a tone curve (linear-phase FIR), the side's gain per band
// (width) and the loudness target, all from the analyses of the master's input and the reference
// (core/analysis/MatchSession.h). The match stage runs first in the master chain.
struct MatchSettings {
    bool enabled = false;
    std::string reference;         // "" = the session's reference; absolute or relative to folder
    bool tone = true;              // the tone curve
    bool loudness = true;          // the reference's integrated loudness becomes the loudness target
    bool width = true;             // the side's gain per band
    bool dynamics_hint = false;    // report the reference's PLR against the master's (never forced)
    double tone_amount_pct = 100;  // scales the tone curve in dB
    double max_correction_db = 12; // the tone curve's limit either way
    double range_start_s = 0;      // the part of the reference matched to (a chorus)
    double range_end_s = 0;        // 0 = to its end
    friend bool operator==(const MatchSettings&, const MatchSettings&) = default;
};

struct MasterSettings {
    std::vector<EqBandSettings> eq;
    std::vector<DynamicEqBandSettings> dynamic_eq; // keys are "self" only: the master has no other input
    CompressorSettings compressor;
    MultibandSettings multiband;
    SaturationSettings saturation;
    double width = 1;
    double balance = 0; // -1 = left only .. +1 = right only
    LimiterSettings limiter;
    MatchSettings match;
    MasterAutomationSettings automation;
    friend bool operator==(const MasterSettings&, const MasterSettings&) = default;
};

struct LoudnessSettings {
    double target_lufs = -14;
    bool normalize = true;
    int max_passes = 4;
    double tolerance_lu = 0.1;
    double max_limiting_db = 12; // most loudness (dB) the limiter may take away to reach the target
    friend bool operator==(const LoudnessSettings&, const LoudnessSettings&) = default;
};

// The largest max_limiting_db accepted: the most gain loudness targeting ever puts into the limiter
// (kMaxLoudnessGainDb, core/render/RenderRefusal.h), which bounds what the limiter can take away.
constexpr double kMaxLimitingDb = 40;

struct OutputSettings {
    std::string mode = "both"; // "stereo" (master the mix), "stem" (master from the stems) or "both"
    int sample_rate = 0;       // 0 = session rate
    int bit_depth = 24;        // 16, 24 or 32 (float)
    bool dither = true;
    bool noise_shaping = false;
    bool mp3 = true;
    int mp3_bitrate_kbps = 320;
    // The files each master ships as; empty = 24-bit (bit_depth) WAV at sample_rate plus the MP3 above, the
    // files renders made before deliverable sets. A non-empty list replaces both (mp3 no longer applies).
    std::vector<DeliverableSpec> deliverables;
    // Release metadata, written as tags (ID3v2.4, Vorbis comments, MP4 atoms, BWF bext + RIFF INFO) when
    // `tags` is on or a deliverable set is given. title "" = the song name.
    bool tags = false;
    std::string title;
    std::string artist;
    std::string album;
    int track = 0;       // 0 = none
    int track_total = 0; // 0 = unknown
    int year = 0;        // 0 = none
    std::string genre;
    std::string isrc; // CC-XXX-YY-NNNNN, dashes optional
    std::string comment;
    // Where the GUI's render dialog puts this song's masters ("" = "<folder> masters" beside the client
    // folder); remembered per song so one song's masters never land in another's folder. The CLI takes its
    // output folder on the command line and ignores this.
    std::string folder;
    friend bool operator==(const OutputSettings&, const OutputSettings&) = default;
};

struct Session {
    int version = 2;    // kSessionVersion; sessionFromJson upgrades what it reads to it
    std::string folder; // the client folder; absolute, or relative to the session file's directory
    std::string song;
    int sample_rate = 48000;
    std::string mix;       // empty = none; absolute or relative to folder
    std::string reference; // empty = none; absolute or relative to folder
    std::vector<StemSettings> stems;
    MasterSettings master;
    LoudnessSettings loudness;
    OutputSettings output;
    friend bool operator==(const Session&, const Session&) = default;
};

constexpr int kSessionVersion = 2;
constexpr int kMaxEqBands = 8;
constexpr int kMaxDynamicEqBands = 8;
// Per lane: the chains prepare room for this many points, so any valid session applies without allocation.
constexpr int kMaxAutomationPoints = 1024;

} // namespace lathe::core
