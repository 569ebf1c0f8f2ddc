#include "core/model/Session.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"
#include "core/model/StemRole.h"
#include "core/text/DecimalNumber.h"
#include "core/text/NearestName.h"

#include "dsp/BiquadCoefficients.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace lathe::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormatMarker = "lathe-session";

std::string formatNumber(double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", v);
    return buffer;
}

std::string describeType(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::boolean:
        return "true/false";
    case json::value_t::string:
        return "a string";
    case json::value_t::array:
        return "a list";
    case json::value_t::object:
        return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "a number";
    default:
        return "something else";
    }
}

std::string joinPath(const std::string& base, std::string_view key) {
    return base.empty() ? std::string(key) : base + "." + std::string(key);
}

// "unknown key "gain_bd" (did you mean "gain_db"?); keys here: gain_db, mute, ..."
std::string unknownKeyProblem(std::string_view key, const std::vector<std::string>& valid) {
    std::string message = "unknown key \"" + std::string(key) + "\"" + didYouMean(key, valid);
    if (!valid.empty()) message += "; keys here: " + joinNames(valid);
    return message;
}

// Reads one JSON object, remembering which keys were asked for so the rest can be refused as unknown: a typo
// in a hand-edited session must not be silently ignored.
class Fields {
public:
    Fields(const json& object, std::string path, const std::string& source)
        : object_(object), path_(std::move(path)), source_(source) {
        if (!object_.is_object())
            throw Error(source_, (path_.empty() ? std::string("session") : path_) +
                                     ": expected an object, found " + describeType(object_));
    }

    const std::string& path() const { return path_; }
    void setPath(std::string path) { path_ = std::move(path); }
    std::string pathOf(std::string_view key) const { return joinPath(path_, key); }

    [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
        throw Error(source_, pathOf(key) + ": " + problem);
    }

    const json* find(std::string_view key) {
        known_.emplace_back(key);
        const auto it = object_.find(std::string(key));
        return it == object_.end() ? nullptr : &*it;
    }

    void get(std::string_view key, bool& out) {
        if (const json* v = find(key)) {
            if (!v->is_boolean()) fail(key, "expected true or false, found " + describeType(*v));
            out = v->get<bool>();
        }
    }

    void get(std::string_view key, double& out) {
        if (const json* v = find(key)) out = number(*v, pathOf(key));
    }

    void get(std::string_view key, int& out) {
        if (const json* v = find(key)) out = wholeNumber(*v, pathOf(key));
    }

    void get(std::string_view key, std::string& out) {
        if (const json* v = find(key)) {
            if (!v->is_string()) fail(key, "expected a string, found " + describeType(*v));
            out = v->get<std::string>();
        }
    }

    const json* array(std::string_view key) {
        const json* v = find(key);
        if (v && !v->is_array()) fail(key, "expected a list, found " + describeType(*v));
        return v;
    }

    void rejectUnknownKeys(const std::vector<std::string>& alsoKnown = {}) const {
        for (const auto& [key, value] : object_.items()) {
            const bool isKnown = std::find(known_.begin(), known_.end(), key) != known_.end() ||
                                 std::find(alsoKnown.begin(), alsoKnown.end(), key) != alsoKnown.end();
            if (!isKnown) {
                std::vector<std::string> valid = alsoKnown;
                valid.insert(valid.end(), known_.begin(), known_.end());
                fail(key, unknownKeyProblem(key, valid));
            }
        }
    }

    double number(const json& v, const std::string& keyPath) const {
        if (!v.is_number()) throw Error(source_, keyPath + ": expected a number, found " + describeType(v));
        const double d = v.get<double>();
        if (!std::isfinite(d)) throw Error(source_, keyPath + ": expected a finite number");
        return d;
    }

    int wholeNumber(const json& v, const std::string& keyPath) const {
        const double d = number(v, keyPath);
        if (std::floor(d) != d || std::fabs(d) > 2e9)
            throw Error(source_, keyPath + ": expected a whole number, found " + formatNumber(d));
        return static_cast<int>(d);
    }

    void range(std::string_view key, double value, double lo, double hi, std::string_view unit = {}) const {
        if (!(value >= lo && value <= hi))
            fail(key, formatNumber(value) + " is out of range; use " + formatNumber(lo) + " to " +
                          formatNumber(hi) + (unit.empty() ? "" : " " + std::string(unit)));
    }

    void above(std::string_view key, double value, double lo, double hi, std::string_view unit = {}) const {
        if (!(value > lo && value <= hi))
            fail(key, formatNumber(value) + " is out of range; use more than " + formatNumber(lo) +
                          ", up to " + formatNumber(hi) + (unit.empty() ? "" : " " + std::string(unit)));
    }

    void oneOf(std::string_view key, const std::string& value,
               std::initializer_list<std::string_view> allowed) const {
        if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
        std::string list;
        for (auto a : allowed)
            list += (list.empty() ? "" : ", ") + std::string(a);
        fail(key, "\"" + value + "\" is not one of " + list);
    }

    const std::string& source() const { return source_; }

private:
    const json& object_;
    std::string path_;
    const std::string& source_;
    std::vector<std::string> known_;
};

// ---- writing ----

json toJson(const EqBandSettings& b) {
    return {{"enabled", b.enabled},
            {"type", b.type},
            {"frequency_hz", b.frequency_hz},
            {"q", b.q},
            {"gain_db", b.gain_db}};
}

json toJson(const std::vector<EqBandSettings>& bands) {
    json a = json::array();
    for (const auto& b : bands)
        a.push_back(toJson(b));
    return a;
}

json toJson(const CompressorSettings& c) {
    return {{"enabled", c.enabled},
            {"threshold_db", c.threshold_db},
            {"ratio", c.ratio},
            {"knee_db", c.knee_db},
            {"attack_ms", c.attack_ms},
            {"release_ms", c.release_ms},
            {"makeup_db", c.makeup_db},
            {"stereo_link", c.stereo_link},
            {"sidechain_hpf_hz", c.sidechain_hpf_hz},
            {"detection", c.detection}};
}

json toJson(const MultibandSettings& m) {
    json bands = json::array();
    for (const auto& b : m.bands)
        bands.push_back(toJson(b));
    return {{"enabled", m.enabled}, {"crossovers_hz", m.crossovers_hz}, {"bands", std::move(bands)}};
}

json toJson(const SaturationSettings& s) {
    return {{"enabled", s.enabled},
            {"mode", s.mode},
            {"drive_db", s.drive_db},
            {"mix", s.mix},
            {"oversampling", s.oversampling}};
}

json toJson(const LimiterSettings& l) {
    return {{"enabled", l.enabled},
            {"ceiling_dbtp", l.ceiling_dbtp},
            {"release_ms", l.release_ms},
            {"lookahead_ms", l.lookahead_ms}};
}

json toJson(const StemSettings& s) {
    return {{"id", s.id},
            {"path", s.path},
            {"role", s.role},
            {"gain_db", s.gain_db},
            {"mute", s.mute},
            {"solo", s.solo},
            {"polarity_inverted", s.polarity_inverted},
            {"eq", toJson(s.eq)},
            {"compressor", toJson(s.compressor)},
            {"width", s.width}};
}

json toJson(const MasterSettings& m) {
    return {{"eq", toJson(m.eq)},
            {"compressor", toJson(m.compressor)},
            {"multiband", toJson(m.multiband)},
            {"saturation", toJson(m.saturation)},
            {"width", m.width},
            {"balance", m.balance},
            {"limiter", toJson(m.limiter)}};
}

json toJson(const LoudnessSettings& l) {
    return {{"target_lufs", l.target_lufs},
            {"normalize", l.normalize},
            {"max_passes", l.max_passes},
            {"tolerance_lu", l.tolerance_lu}};
}

json toJson(const OutputSettings& o) {
    return {{"mode", o.mode},
            {"sample_rate", o.sample_rate},
            {"bit_depth", o.bit_depth},
            {"dither", o.dither},
            {"noise_shaping", o.noise_shaping},
            {"mp3", o.mp3},
            {"mp3_bitrate_kbps", o.mp3_bitrate_kbps},
            {"title", o.title},
            {"artist", o.artist}};
}

// ---- reading ----

bool isValidSampleRate(int rate) {
    return rate >= 8000 && rate <= 384000;
}

EqBandSettings readEqBand(const json& j, const std::string& path, const std::string& source) {
    Fields f(j, path, source);
    EqBandSettings b;
    f.get("enabled", b.enabled);
    f.get("type", b.type);
    f.get("frequency_hz", b.frequency_hz);
    f.get("q", b.q);
    f.get("gain_db", b.gain_db);
    f.rejectUnknownKeys();
    dsp::FilterType type;
    if (!dsp::filterTypeFromName(b.type.c_str(), type))
        f.fail("type", "\"" + b.type +
                           "\" is not a filter type; use bell, low_shelf, high_shelf, low_pass, high_pass, "
                           "band_pass or notch");
    f.above("frequency_hz", b.frequency_hz, 0, 192000, "Hz");
    f.above("q", b.q, 0, 100);
    f.range("gain_db", b.gain_db, -48, 48, "dB");
    return b;
}

std::vector<EqBandSettings> readEq(Fields& parent, const std::string& source) {
    std::vector<EqBandSettings> bands;
    const json* a = parent.array("eq");
    if (!a) return bands;
    if (a->size() > static_cast<std::size_t>(kMaxEqBands))
        parent.fail("eq",
                    std::to_string(a->size()) + " bands; an EQ has at most " + std::to_string(kMaxEqBands));
    for (std::size_t i = 0; i < a->size(); ++i)
        bands.push_back(readEqBand((*a)[i], parent.pathOf("eq") + "." + std::to_string(i), source));
    return bands;
}

CompressorSettings readCompressor(const json& j, const std::string& path, const std::string& source) {
    Fields f(j, path, source);
    CompressorSettings c;
    f.get("enabled", c.enabled);
    f.get("threshold_db", c.threshold_db);
    f.get("ratio", c.ratio);
    f.get("knee_db", c.knee_db);
    f.get("attack_ms", c.attack_ms);
    f.get("release_ms", c.release_ms);
    f.get("makeup_db", c.makeup_db);
    f.get("stereo_link", c.stereo_link);
    f.get("sidechain_hpf_hz", c.sidechain_hpf_hz);
    f.get("detection", c.detection);
    f.rejectUnknownKeys();
    f.range("threshold_db", c.threshold_db, -96, 0, "dB");
    f.range("ratio", c.ratio, 1, 100);
    f.range("knee_db", c.knee_db, 0, 48, "dB");
    f.range("attack_ms", c.attack_ms, 0, 1000, "ms");
    f.range("release_ms", c.release_ms, 1, 10000, "ms");
    f.range("makeup_db", c.makeup_db, -48, 48, "dB");
    f.range("stereo_link", c.stereo_link, 0, 1);
    f.range("sidechain_hpf_hz", c.sidechain_hpf_hz, 0, 20000, "Hz");
    f.oneOf("detection", c.detection, {"peak", "rms"});
    return c;
}

CompressorSettings readCompressorIn(Fields& parent, std::string_view key, const std::string& source) {
    if (const json* j = parent.find(key)) return readCompressor(*j, parent.pathOf(key), source);
    return {};
}

MultibandSettings readMultiband(const json& j, const std::string& path, const std::string& source) {
    Fields f(j, path, source);
    MultibandSettings m;
    f.get("enabled", m.enabled);
    if (const json* a = f.array("crossovers_hz")) {
        m.crossovers_hz.clear();
        for (std::size_t i = 0; i < a->size(); ++i)
            m.crossovers_hz.push_back(f.number((*a)[i], f.pathOf("crossovers_hz") + "." + std::to_string(i)));
    }
    if (m.crossovers_hz.empty() || m.crossovers_hz.size() > 3)
        f.fail("crossovers_hz", std::to_string(m.crossovers_hz.size()) +
                                    " crossovers; a multiband compressor has 2 to 4 bands, so give 1 to 3");
    for (std::size_t i = 0; i < m.crossovers_hz.size(); ++i) {
        const std::string key = "crossovers_hz." + std::to_string(i);
        f.range(key, m.crossovers_hz[i], 20, 20000, "Hz");
        if (i > 0 && m.crossovers_hz[i] <= m.crossovers_hz[i - 1])
            f.fail(key, "crossovers must rise from low to high");
    }
    const std::size_t bandCount = m.crossovers_hz.size() + 1;
    if (const json* a = f.array("bands"); a && !a->empty()) {
        if (a->size() != bandCount)
            f.fail("bands", std::to_string(a->size()) + " bands for " +
                                std::to_string(m.crossovers_hz.size()) + " crossovers; give " +
                                std::to_string(bandCount) + " (one more than crossovers)");
        for (std::size_t i = 0; i < a->size(); ++i)
            m.bands.push_back(readCompressor((*a)[i], f.pathOf("bands") + "." + std::to_string(i), source));
    } else {
        m.bands = defaultMultibandBands(static_cast<int>(bandCount));
    }
    f.rejectUnknownKeys();
    return m;
}

SaturationSettings readSaturation(const json& j, const std::string& path, const std::string& source) {
    Fields f(j, path, source);
    SaturationSettings s;
    f.get("enabled", s.enabled);
    f.get("mode", s.mode);
    f.get("drive_db", s.drive_db);
    f.get("mix", s.mix);
    f.get("oversampling", s.oversampling);
    f.rejectUnknownKeys();
    f.oneOf("mode", s.mode, {"soft_clip", "tape"});
    f.range("drive_db", s.drive_db, 0, 36, "dB");
    f.range("mix", s.mix, 0, 1);
    if (s.oversampling != 1 && s.oversampling != 2 && s.oversampling != 4 && s.oversampling != 8)
        f.fail("oversampling", std::to_string(s.oversampling) + " is not 1, 2, 4 or 8");
    return s;
}

LimiterSettings readLimiter(const json& j, const std::string& path, const std::string& source) {
    Fields f(j, path, source);
    LimiterSettings l;
    f.get("enabled", l.enabled);
    f.get("ceiling_dbtp", l.ceiling_dbtp);
    f.get("release_ms", l.release_ms);
    f.get("lookahead_ms", l.lookahead_ms);
    f.rejectUnknownKeys();
    f.range("ceiling_dbtp", l.ceiling_dbtp, -20, 0, "dBTP");
    f.range("release_ms", l.release_ms, 1, 10000, "ms");
    f.range("lookahead_ms", l.lookahead_ms, 0, 20, "ms");
    return l;
}

bool isAllDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

StemSettings readStem(const json& j, std::size_t index, const std::string& source) {
    Fields f(j, "stems." + std::to_string(index), source);
    StemSettings s;
    f.get("id", s.id);
    if (s.id.empty()) f.fail("id", "every stem needs an id (the name --set uses, such as \"drums\")");
    if (isAllDigits(s.id))
        f.fail("id", "\"" + s.id + "\" is only digits; in --set a number means a stem's position");
    for (char c : s.id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
            f.fail("id", "\"" + s.id + "\" may only hold letters, digits, _ and -");
    f.setPath("stems." + s.id);

    f.get("path", s.path);
    if (s.path.empty()) f.fail("path", "every stem needs the path of its audio file");
    f.get("role", s.role);
    StemRole role;
    if (!stemRoleFromName(s.role, role))
        f.fail("role",
               "\"" + s.role +
                   "\" is not a role; use drums, bass, music, lead_vocal, backing_vocals, fx or other");
    f.get("gain_db", s.gain_db);
    f.range("gain_db", s.gain_db, -120, 24, "dB");
    f.get("mute", s.mute);
    f.get("solo", s.solo);
    f.get("polarity_inverted", s.polarity_inverted);
    s.eq = readEq(f, source);
    s.compressor = readCompressorIn(f, "compressor", source);
    f.get("width", s.width);
    f.range("width", s.width, 0, 2);
    f.rejectUnknownKeys();
    return s;
}

MasterSettings readMaster(const json& j, const std::string& source) {
    Fields f(j, "master", source);
    MasterSettings m;
    m.eq = readEq(f, source);
    m.compressor = readCompressorIn(f, "compressor", source);
    if (const json* v = f.find("multiband"))
        m.multiband = readMultiband(*v, f.pathOf("multiband"), source);
    else
        m.multiband.bands = defaultMultibandBands(static_cast<int>(m.multiband.crossovers_hz.size()) + 1);
    if (const json* v = f.find("saturation"))
        m.saturation = readSaturation(*v, f.pathOf("saturation"), source);
    f.get("width", m.width);
    f.range("width", m.width, 0, 2);
    f.get("balance", m.balance);
    f.range("balance", m.balance, -1, 1);
    if (const json* v = f.find("limiter")) m.limiter = readLimiter(*v, f.pathOf("limiter"), source);
    f.rejectUnknownKeys();
    return m;
}

LoudnessSettings readLoudness(const json& j, const std::string& source) {
    Fields f(j, "loudness", source);
    LoudnessSettings l;
    f.get("target_lufs", l.target_lufs);
    f.get("normalize", l.normalize);
    f.get("max_passes", l.max_passes);
    f.get("tolerance_lu", l.tolerance_lu);
    f.rejectUnknownKeys();
    f.range("target_lufs", l.target_lufs, -40, 0, "LUFS");
    f.range("max_passes", l.max_passes, 1, 10);
    f.above("tolerance_lu", l.tolerance_lu, 0, 3, "LU");
    return l;
}

OutputSettings readOutput(const json& j, const std::string& source) {
    Fields f(j, "output", source);
    OutputSettings o;
    f.get("mode", o.mode);
    f.get("sample_rate", o.sample_rate);
    f.get("bit_depth", o.bit_depth);
    f.get("dither", o.dither);
    f.get("noise_shaping", o.noise_shaping);
    f.get("mp3", o.mp3);
    f.get("mp3_bitrate_kbps", o.mp3_bitrate_kbps);
    f.get("title", o.title);
    f.get("artist", o.artist);
    f.rejectUnknownKeys();
    f.oneOf("mode", o.mode, {"stereo", "stem", "both"});
    if (o.sample_rate != 0 && !isValidSampleRate(o.sample_rate))
        f.fail("sample_rate", std::to_string(o.sample_rate) +
                                  " is out of range; use 0 (the session's rate) or 8000 to 384000 Hz");
    if (o.bit_depth != 16 && o.bit_depth != 24 && o.bit_depth != 32)
        f.fail("bit_depth", std::to_string(o.bit_depth) + " is not 16, 24 or 32 (float)");
    f.range("mp3_bitrate_kbps", o.mp3_bitrate_kbps, 32, 320, "kbit/s");
    return o;
}

// ---- paths ----

fs::path normalised(const fs::path& p) {
    fs::path n = p.lexically_normal();
    if (!n.has_filename() && n.has_relative_path()) n = n.parent_path(); // "/a/b/" and "/a/b/." -> "/a/b"
    return n;
}

// p relative to base if p lies inside base (or is base), else p unchanged. Both absolute.
std::string relativeIfInside(const fs::path& p, const fs::path& base) {
    const fs::path rel = normalised(p).lexically_relative(normalised(base));
    if (rel.empty() || *rel.begin() == "..") return p.string();
    return rel.string();
}

std::string resolveAgainst(const std::string& p, const fs::path& base) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return normalised(base / p).string();
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> objectKeys(const json& j, bool topLevel) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items())
        if (!topLevel || (key != "format" && key != "version")) keys.push_back(key);
    return keys;
}

// Follows the JSON parser (as its callback) to know the key path of the value it is reading, in --set syntax:
// "master.eq.1.q", "stems.bass.gain_db" (a stem by its id once read, else by its index).
class ParsePosition {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            levels_.push_back(Level{});
            break;
        case json::parse_event_t::array_start:
            levels_.emplace_back().isArray = true;
            break;
        case json::parse_event_t::key:
            if (!levels_.empty()) levels_.back().key = parsed.get<std::string>();
            break;
        case json::parse_event_t::value:
            if (levels_.size() == 3 && levels_[0].key == "stems" && levels_[1].isArray &&
                levels_[2].key == "id" && parsed.is_string())
                levels_[2].stemId = parsed.get<std::string>();
            elementDone();
            break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            if (!levels_.empty()) levels_.pop_back();
            elementDone();
            break;
        }
        return true; // keep everything: the callback only watches
    }

    std::string keyPath() const {
        std::string path;
        for (std::size_t i = 0; i < levels_.size(); ++i) {
            const Level& l = levels_[i];
            std::string element = l.key;
            if (l.isArray) {
                element = std::to_string(l.done);
                const bool isStems = i == 1 && levels_[0].key == "stems";
                if (isStems && i + 1 < levels_.size() && !levels_[i + 1].stemId.empty())
                    element = levels_[i + 1].stemId;
            }
            path = joinPath(path, element);
        }
        return path.empty() ? "session" : path;
    }

private:
    struct Level {
        bool isArray = false;
        std::string key;      // in an object: the key whose value is being read
        std::size_t done = 0; // in a list: the entries read so far, so the index of the one being read
        std::string stemId;   // in an entry of "stems": its id, once read
    };

    void elementDone() {
        if (!levels_.empty() && levels_.back().isArray) ++levels_.back().done;
    }

    std::vector<Level> levels_;
};

// "-1e400" from the parser's "... number overflow parsing '-1e400'", else "a number".
std::string overflowingNumber(const std::string& message) {
    const auto open = message.find("parsing '");
    if (open == std::string::npos) return "a number";
    const auto begin = open + 9;
    const auto close = message.find('\'', begin);
    if (close == std::string::npos || close - begin > 40) return "a number";
    return message.substr(begin, close - begin);
}

} // namespace

json toJson(const Session& s) {
    json stems = json::array();
    for (const auto& stem : s.stems)
        stems.push_back(toJson(stem));
    return {{"format", kFormatMarker},      {"version", s.version},
            {"folder", s.folder},           {"song", s.song},
            {"sample_rate", s.sample_rate}, {"mix", s.mix},
            {"reference", s.reference},     {"stems", std::move(stems)},
            {"master", toJson(s.master)},   {"loudness", toJson(s.loudness)},
            {"output", toJson(s.output)}};
}

Session sessionFromJson(const json& j, const std::string& sourceName) {
    if (!j.is_object())
        throw Error(sourceName,
                    "not a Lathe session (expected a JSON object, found " + describeType(j) + ")");
    Fields f(j, "", sourceName);
    Session s;
    if (const json* format = f.find("format")) {
        if (!format->is_string() || format->get<std::string>() != kFormatMarker)
            throw Error(sourceName, "not a Lathe session (\"format\" is " + format->dump() + ", not \"" +
                                        kFormatMarker + "\")");
    }
    // The version decides how to read everything else, so it is checked before any other key.
    f.get("version", s.version);
    if (s.version > kSessionVersion)
        throw Error(sourceName, "this session was saved by a newer Lathe (format version " +
                                    std::to_string(s.version) + "); this Lathe reads version " +
                                    std::to_string(kSessionVersion));
    if (s.version < 1)
        f.fail("version", std::to_string(s.version) + " is not a session format version (they start at 1)");

    f.get("folder", s.folder);
    f.get("song", s.song);
    f.get("sample_rate", s.sample_rate);
    if (!isValidSampleRate(s.sample_rate))
        f.fail("sample_rate", std::to_string(s.sample_rate) + " is out of range; use 8000 to 384000 Hz");
    f.get("mix", s.mix);
    f.get("reference", s.reference);
    if (const json* stems = f.array("stems")) {
        std::set<std::string> ids;
        for (std::size_t i = 0; i < stems->size(); ++i) {
            StemSettings stem = readStem((*stems)[i], i, sourceName);
            if (!ids.insert(stem.id).second)
                throw Error(sourceName, "stems." + std::to_string(i) + ".id: \"" + stem.id +
                                            "\" is used by an earlier stem; ids must be unique");
            s.stems.push_back(std::move(stem));
        }
    }
    if (const json* v = f.find("master"))
        s.master = readMaster(*v, sourceName);
    else
        s.master.multiband.bands =
            defaultMultibandBands(static_cast<int>(s.master.multiband.crossovers_hz.size()) + 1);
    if (const json* v = f.find("loudness")) s.loudness = readLoudness(*v, sourceName);
    if (const json* v = f.find("output")) s.output = readOutput(*v, sourceName);
    f.rejectUnknownKeys();
    return s;
}

void saveSession(const Session& session, const std::string& path) {
    json j = toJson(session);
    const fs::path sessionDir = normalised(fs::absolute(fs::path(path)).parent_path());
    if (!session.folder.empty()) {
        const fs::path folder = normalised(fs::absolute(fs::path(session.folder)));
        j["folder"] = relativeIfInside(folder, sessionDir);
        const auto store = [&](const std::string& p) -> std::string {
            if (p.empty()) return p;
            const fs::path abs = fs::path(p).is_absolute() ? fs::path(p) : folder / p;
            return relativeIfInside(normalised(abs), folder);
        };
        j["mix"] = store(session.mix);
        j["reference"] = store(session.reference);
        for (std::size_t i = 0; i < session.stems.size(); ++i)
            j["stems"][i]["path"] = store(session.stems[i].path);
    }
    std::string text;
    try {
        text = j.dump(2) + "\n";
    } catch (const json::type_error&) {
        // JSON holds UTF-8 only; replacing the bad bytes would store a path that no longer names the file.
        throw Error(path, "a file name in this session is not valid UTF-8 text; rename the file (for example "
                          "to plain letters and digits) and try again");
    }
    writeFileAtomically(path, text);
}

Session loadSession(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path, "this session file does not exist");
    if (fs::is_directory(path, ec)) throw Error(path, "this is a folder, not a session file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open this session file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    if (trim(text).empty()) throw Error(path, "the session file is empty");

    json j;
    ParsePosition position;
    try {
        j = json::parse(text, std::ref(position));
    } catch (const json::out_of_range& e) {
        // The parser refuses a number beyond a double's range (406 "number overflow parsing '-1e400'")
        // without saying where; name the key, as every other session error does.
        throw Error(path, position.keyPath() + ": expected a finite number, found " +
                              overflowingNumber(e.what()) + " (beyond the range of numbers, about 1.8e308)");
    } catch (const json::parse_error& e) {
        if (e.byte >= text.size())
            throw Error(path,
                        "the session file ends too early; it is probably truncated (the JSON stops at byte " +
                            std::to_string(text.size()) + ")");
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
        throw Error(path, "the session file is not valid JSON (error on line " + std::to_string(line) + ")");
    }
    Session s = sessionFromJson(j, path);

    const fs::path sessionDir = normalised(fs::absolute(fs::path(path)).parent_path());
    if (!s.folder.empty()) s.folder = resolveAgainst(s.folder, sessionDir);
    const fs::path base = s.folder.empty() ? sessionDir : fs::path(s.folder);
    s.mix = resolveAgainst(s.mix, base);
    s.reference = resolveAgainst(s.reference, base);
    for (auto& stem : s.stems)
        stem.path = resolveAgainst(stem.path, base);
    return s;
}

std::vector<CompressorSettings> defaultMultibandBands(int count) {
    std::vector<CompressorSettings> bands;
    for (int i = 0; i < count; ++i) {
        // Low bands get slower time constants: a fast attack on bass distorts each cycle of a 50 Hz wave.
        const double position = count > 1 ? static_cast<double>(i) / (count - 1) : 0.5;
        CompressorSettings c;
        c.enabled = true;
        c.threshold_db = -20;
        c.ratio = 1.5;
        c.knee_db = 6;
        c.attack_ms = 30 - 25 * position;
        c.release_ms = 250 - 150 * position;
        bands.push_back(c);
    }
    return bands;
}

Session makeDefaultSession(const FolderScan& scan) {
    Session s;
    s.folder = scan.folder;
    s.song = scan.songName;
    s.mix = scan.mix ? scan.mix->path : std::string();
    s.reference = scan.reference ? scan.reference->path : std::string();

    std::map<std::string, int> roleCounts;
    for (const ScannedFile& file : scan.stems) {
        StemSettings stem;
        stem.role = stemRoleName(file.role);
        const int n = ++roleCounts[stem.role];
        stem.id = n == 1 ? stem.role : stem.role + "_" + std::to_string(n);
        stem.path = file.path;
        s.stems.push_back(std::move(stem));
    }

    if (scan.mix) {
        s.sample_rate = scan.mix->info.sampleRate;
    } else if (!scan.stems.empty()) {
        std::map<int, int> rateCounts;
        for (const ScannedFile& file : scan.stems)
            ++rateCounts[file.info.sampleRate];
        int best = 0, bestCount = 0;
        for (const auto& [rate, count] : rateCounts) // ascending rate, so >= lets a tie go to the higher rate
            if (count >= bestCount) {
                best = rate;
                bestCount = count;
            }
        s.sample_rate = best;
    }

    // Gentle glue: 1.5:1 from -20 dB with a soft knee and slow attack, so transients pass and nothing pumps.
    s.master.compressor.enabled = true;
    s.master.compressor.threshold_db = -20;
    s.master.compressor.ratio = 1.5;
    s.master.compressor.knee_db = 6;
    s.master.compressor.attack_ms = 30;
    s.master.compressor.release_ms = 200;
    s.master.multiband.enabled = false;
    s.master.multiband.crossovers_hz = {150, 2500};
    s.master.multiband.bands = defaultMultibandBands(3);
    s.master.limiter = LimiterSettings{true, -1.0, 100, 2};
    return s;
}

namespace {

const std::string kOverrideSource = "--set";

struct Assignment {
    std::string keyPath;
    std::string text;
};

Assignment splitAssignment(std::string_view assignment) {
    const auto equals = assignment.find('=');
    if (equals == std::string_view::npos)
        throw Error(kOverrideSource,
                    "\"" + std::string(assignment) +
                        "\" is not an assignment; write key.path=value, e.g. master.limiter.ceiling_dbtp=-1");
    Assignment a{trim(assignment.substr(0, equals)), trim(assignment.substr(equals + 1))};
    if (a.keyPath.empty())
        throw Error(kOverrideSource, "\"" + std::string(assignment) + "\" has no key path before '='");
    return a;
}

// The value keyPath names in root (a session's JSON). With anyEntry (checking against the format alone), any
// stem id or list index stands for the list's first entry.
json& overrideTarget(json& root, const std::string& keyPath, bool anyEntry) {
    std::vector<std::string> elements;
    for (std::size_t start = 0;;) {
        const auto dot = keyPath.find('.', start);
        elements.push_back(keyPath.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }

    json* node = &root;
    std::string walked;
    for (const std::string& element : elements) {
        const std::string here = joinPath(walked, element);
        if (element.empty())
            throw Error(kOverrideSource, keyPath + ": empty key (two dots in a row, or a dot at an end)");
        if (node->is_object()) {
            const std::vector<std::string> keys = objectKeys(*node, node == &root);
            if (std::find(keys.begin(), keys.end(), element) == keys.end())
                throw Error(kOverrideSource, here + ": " + unknownKeyProblem(element, keys));
            node = &(*node)[element];
        } else if (node->is_array()) {
            json* next = nullptr;
            if (anyEntry && !node->empty() && (walked == "stems" || isAllDigits(element)))
                next = &node->front();
            if (walked == "stems")
                for (auto& stem : *node)
                    if (!next && stem["id"] == element) next = &stem;
            if (!next && isAllDigits(element) && element.size() < 6 && std::stoul(element) < node->size())
                next = &(*node)[std::stoul(element)];
            if (!next) {
                std::string problem;
                if (walked == "stems") {
                    std::vector<std::string> ids;
                    for (const auto& stem : *node)
                        ids.push_back(stem["id"].get<std::string>());
                    problem = "no stem with id \"" + element + "\"" + didYouMean(element, ids) +
                              (ids.empty() ? "; this session has no stems"
                                           : "; stems: " + joinNames(ids) + " (or an index from 0 to " +
                                                 std::to_string(ids.size() - 1) + ")");
                } else {
                    problem = node->empty() ? "this list is empty"
                                            : "no entry " + element + "; use an index from 0 to " +
                                                  std::to_string(node->size() - 1);
                }
                throw Error(kOverrideSource, here + ": " + problem);
            }
            node = next;
        } else {
            throw Error(kOverrideSource,
                        here + ": " + walked + " is a single value and has no key \"" + element + "\"");
        }
        walked = here;
    }

    if (node->is_object())
        throw Error(kOverrideSource, keyPath + ": this is a group of settings; set one of its keys: " +
                                         joinNames(objectKeys(*node, node == &root)));
    if (node->is_array())
        throw Error(kOverrideSource,
                    keyPath + ": this is a list; set one entry by its index, e.g. " + keyPath + ".0.<key>");
    return *node;
}

// Parses text by the type of the value it replaces.
void assignOverride(json& node, const std::string& keyPath, const std::string& text) {
    if (node.is_boolean()) {
        std::string lower = text;
        for (char& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "true" || lower == "1" || lower == "on" || lower == "yes")
            node = true;
        else if (lower == "false" || lower == "0" || lower == "off" || lower == "no")
            node = false;
        else
            throw Error(kOverrideSource, keyPath +
                                             ": expected true or false (or on/off, yes/no, 1/0), found \"" +
                                             text + "\"");
    } else if (node.is_number()) {
        const std::optional<double> value = parseDecimalNumber(text);
        if (!value) throw Error(kOverrideSource, keyPath + ": expected a number, found \"" + text + "\"");
        if (node.is_number_integer() || node.is_number_unsigned()) {
            if (std::floor(*value) != *value || std::fabs(*value) > 2e9)
                throw Error(kOverrideSource, keyPath + ": expected a whole number, found \"" + text + "\"");
            node = static_cast<int64_t>(*value);
        } else {
            node = *value;
        }
    } else if (node.is_string()) {
        node = text;
    }
}

// A session holding one entry in every list, each valid on its own (a single crossover can take any allowed
// frequency), for checking an assignment against the format alone.
Session overrideFormatSession() {
    Session s;
    StemSettings stem;
    stem.id = "stem";
    stem.path = "stem.wav";
    stem.eq.emplace_back();
    s.stems.push_back(stem);
    s.master.eq.emplace_back();
    s.master.multiband.crossovers_hz = {1000};
    s.master.multiband.bands = defaultMultibandBands(2);
    return s;
}

} // namespace

void applyOverride(Session& session, std::string_view assignment) {
    const Assignment a = splitAssignment(assignment);
    json root = toJson(session);
    assignOverride(overrideTarget(root, a.keyPath, false), a.keyPath, a.text);
    session = sessionFromJson(root, kOverrideSource);
}

void checkOverride(std::string_view assignment) {
    const Assignment a = splitAssignment(assignment);
    json root = toJson(overrideFormatSession());
    assignOverride(overrideTarget(root, a.keyPath, true), a.keyPath, a.text);
    try {
        sessionFromJson(root, kOverrideSource);
    } catch (const Error& e) {
        // Only the assigned value changed, so the problem is about it; the message names the key as the user
        // wrote it, not as it sits in the stand-in session ("stems.stem.gain_db", "master.eq.0.q").
        const std::string& problem = e.problem();
        const auto colon = problem.find(": ");
        throw Error(kOverrideSource,
                    a.keyPath + (colon == std::string::npos ? ": " + problem : problem.substr(colon)));
    }
}

} // namespace lathe::core
