#pragma once

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
    double lookahead_ms = 6.5;
    std::string style = "transparent"; // "transparent", "punchy" or "safe"
    double fast_release_ms = 10;       // release after overloads shorter than sustain_ms (not "safe")
    double sustain_ms = 150;           // how long an overload lasts before the slow release takes over
    bool soft_clip = false;            // oversampled soft clipper before the limiter
    double soft_clip_db = 1;           // most it takes off a peak
    bool low_frequency_aware = false;  // sub-driven overloads released slowly
    double low_frequency_hz = 120;     // where "sub" ends, for that detection
    double stereo_link = 1;            // 0 = channels independent, 1 = one gain
    friend bool operator==(const LimiterSettings&, const LimiterSettings&) = default;
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
    friend bool operator==(const StemSettings&, const StemSettings&) = default;
};

struct MasterSettings {
    std::vector<EqBandSettings> eq;
    CompressorSettings compressor;
    MultibandSettings multiband;
    SaturationSettings saturation;
    double width = 1;
    double balance = 0; // -1 = left only .. +1 = right only
    LimiterSettings limiter;
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
    std::string title;
    std::string artist;
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

} // namespace lathe::core
