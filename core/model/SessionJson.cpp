#include "core/model/SessionJson.h"

#include "core/Error.h"
#include "core/model/JsonFields.h"
#include "core/model/SessionDefaults.h"
#include "core/model/StemRole.h"
#include "core/model/StemToolsJson.h"

#include "dsp/BiquadCoefficients.h"

#include <cctype>
#include <set>

namespace lathe::core {

using nlohmann::json;

namespace {

constexpr const char* kFormatMarker = "lathe-session";

// ---- writing ----

json toJson(const EqBandSettings& b) {
    return {{"enabled", b.enabled}, {"type", b.type},      {"frequency_hz", b.frequency_hz}, {"q", b.q},
            {"gain_db", b.gain_db}, {"channel", b.channel}};
}

json toJson(const std::vector<EqBandSettings>& bands) {
    json a = json::array();
    for (const auto& b : bands)
        a.push_back(toJson(b));
    return a;
}

json toJson(const CompressorSettings& c, bool withKey = false) {
    json j = {{"enabled", c.enabled},
              {"threshold_db", c.threshold_db},
              {"ratio", c.ratio},
              {"knee_db", c.knee_db},
              {"attack_ms", c.attack_ms},
              {"release_ms", c.release_ms},
              {"makeup_db", c.makeup_db},
              {"stereo_link", c.stereo_link},
              {"sidechain_hpf_hz", c.sidechain_hpf_hz},
              {"detection", c.detection}};
    if (withKey) j["key"] = c.key;
    return j;
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
            {"lookahead_ms", l.lookahead_ms},
            {"style", l.style},
            {"fast_release_ms", l.fast_release_ms},
            {"sustain_ms", l.sustain_ms},
            {"soft_clip", l.soft_clip},
            {"soft_clip_db", l.soft_clip_db},
            {"low_frequency_aware", l.low_frequency_aware},
            {"low_frequency_hz", l.low_frequency_hz},
            {"stereo_link", l.stereo_link}};
}

json toJson(const MatchSettings& m) {
    return {{"enabled", m.enabled},
            {"reference", m.reference},
            {"tone", m.tone},
            {"loudness", m.loudness},
            {"width", m.width},
            {"dynamics_hint", m.dynamics_hint},
            {"tone_amount_pct", m.tone_amount_pct},
            {"max_correction_db", m.max_correction_db},
            {"range_start_s", m.range_start_s},
            {"range_end_s", m.range_end_s}};
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
            {"compressor", toJson(s.compressor, true)},
            {"width", s.width},
            {"dynamic_eq", toJson(s.dynamic_eq, true)},
            {"peak_control", toJson(s.peak_control)},
            {"automation", toJson(s.automation)}};
}

json toJson(const MasterSettings& m) {
    return {{"eq", toJson(m.eq)},
            {"dynamic_eq", toJson(m.dynamic_eq, false)},
            {"compressor", toJson(m.compressor)},
            {"multiband", toJson(m.multiband)},
            {"saturation", toJson(m.saturation)},
            {"width", m.width},
            {"balance", m.balance},
            {"limiter", toJson(m.limiter)},
            {"match", toJson(m.match)},
            {"automation", toJson(m.automation)}};
}

json toJson(const LoudnessSettings& l) {
    return {{"target_lufs", l.target_lufs},
            {"normalize", l.normalize},
            {"max_passes", l.max_passes},
            {"tolerance_lu", l.tolerance_lu},
            {"max_limiting_db", l.max_limiting_db}};
}

json toJson(const std::vector<DeliverableSpec>& deliverables) {
    json a = json::array();
    for (const auto& d : deliverables) {
        json j{{"format", d.format}};
        if (!isLossyFormat(d.format)) j["bit_depth"] = d.bit_depth;
        if (d.sample_rate != 0 || !isLossyFormat(d.format)) j["sample_rate"] = d.sample_rate;
        if (d.format == "vorbis")
            j["quality"] = d.quality;
        else if (isLossyFormat(d.format))
            j["kbps"] = d.kbps;
        if (!d.name.empty()) j["name"] = d.name;
        a.push_back(std::move(j));
    }
    return a;
}

json toJson(const OutputSettings& o) {
    return {{"mode", o.mode},
            {"sample_rate", o.sample_rate},
            {"bit_depth", o.bit_depth},
            {"dither", o.dither},
            {"noise_shaping", o.noise_shaping},
            {"mp3", o.mp3},
            {"mp3_bitrate_kbps", o.mp3_bitrate_kbps},
            {"deliverables", toJson(o.deliverables)},
            {"tags", o.tags},
            {"title", o.title},
            {"artist", o.artist},
            {"album", o.album},
            {"track", o.track},
            {"track_total", o.track_total},
            {"year", o.year},
            {"genre", o.genre},
            {"isrc", o.isrc},
            {"comment", o.comment},
            {"folder", o.folder}};
}
// ---- reading ----

bool isValidSampleRate(int rate) {
    return rate >= 8000 && rate <= 384000;
}

EqBandSettings readEqBand(const json& j, const std::string& path, const std::string& source) {
    JsonFields f(j, path, source);
    EqBandSettings b;
    f.get("enabled", b.enabled);
    f.get("type", b.type);
    f.get("frequency_hz", b.frequency_hz);
    f.get("q", b.q);
    f.get("gain_db", b.gain_db);
    f.get("channel", b.channel);
    f.rejectUnknownKeys();
    dsp::FilterType type;
    if (!dsp::filterTypeFromName(b.type.c_str(), type))
        f.fail("type", "\"" + b.type +
                           "\" is not a filter type; use bell, low_shelf, high_shelf, low_pass, high_pass, "
                           "band_pass or notch");
    f.above("frequency_hz", b.frequency_hz, 0, 192000, "Hz");
    f.above("q", b.q, 0, 100);
    f.range("gain_db", b.gain_db, -48, 48, "dB");
    f.oneOf("channel", b.channel, {"stereo", "mid", "side"});
    return b;
}

std::vector<EqBandSettings> readEq(JsonFields& parent, const std::string& source) {
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

CompressorSettings readCompressor(const json& j, const std::string& path, const std::string& source,
                                  bool withKey = false) {
    JsonFields f(j, path, source);
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
    if (withKey) f.get("key", c.key);
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
    if (c.key.empty()) f.fail("key", "empty; use \"self\" or the id of another stem");
    return c;
}

CompressorSettings readCompressorIn(JsonFields& parent, std::string_view key, const std::string& source,
                                    bool withKey = false) {
    if (const json* j = parent.find(key)) return readCompressor(*j, parent.pathOf(key), source, withKey);
    return {};
}

MultibandSettings readMultiband(const json& j, const std::string& path, const std::string& source) {
    JsonFields f(j, path, source);
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
    JsonFields f(j, path, source);
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

LimiterSettings readLimiter(const json& j, const std::string& path, const std::string& source, int version) {
    JsonFields f(j, path, source);
    LimiterSettings l = version < 2 ? legacyLimiterSettings() : LimiterSettings{};
    f.get("enabled", l.enabled);
    f.get("ceiling_dbtp", l.ceiling_dbtp);
    f.get("release_ms", l.release_ms);
    f.get("lookahead_ms", l.lookahead_ms);
    f.get("style", l.style);
    f.get("fast_release_ms", l.fast_release_ms);
    f.get("sustain_ms", l.sustain_ms);
    f.get("soft_clip", l.soft_clip);
    f.get("soft_clip_db", l.soft_clip_db);
    f.get("low_frequency_aware", l.low_frequency_aware);
    f.get("low_frequency_hz", l.low_frequency_hz);
    f.get("stereo_link", l.stereo_link);
    f.rejectUnknownKeys();
    f.range("ceiling_dbtp", l.ceiling_dbtp, -20, 0, "dBTP");
    f.range("release_ms", l.release_ms, 1, 10000, "ms");
    f.range("lookahead_ms", l.lookahead_ms, 0, 20, "ms");
    f.oneOf("style", l.style, {"transparent", "punchy", "safe"});
    f.range("fast_release_ms", l.fast_release_ms, 1, 10000, "ms");
    f.range("sustain_ms", l.sustain_ms, 1, 10000, "ms");
    f.range("soft_clip_db", l.soft_clip_db, 0, 6, "dB");
    f.range("low_frequency_hz", l.low_frequency_hz, 20, 500, "Hz");
    f.range("stereo_link", l.stereo_link, 0, 1);
    return l;
}

MatchSettings readMatch(const json& j, const std::string& path, const std::string& source) {
    JsonFields f(j, path, source);
    MatchSettings m;
    f.get("enabled", m.enabled);
    f.get("reference", m.reference);
    f.get("tone", m.tone);
    f.get("loudness", m.loudness);
    f.get("width", m.width);
    f.get("dynamics_hint", m.dynamics_hint);
    f.get("tone_amount_pct", m.tone_amount_pct);
    f.get("max_correction_db", m.max_correction_db);
    f.get("range_start_s", m.range_start_s);
    f.get("range_end_s", m.range_end_s);
    f.rejectUnknownKeys();
    f.range("tone_amount_pct", m.tone_amount_pct, 0, 100, "%");
    f.range("max_correction_db", m.max_correction_db, 0, 24, "dB");
    f.range("range_start_s", m.range_start_s, 0, 86400, "s");
    f.range("range_end_s", m.range_end_s, 0, 86400, "s");
    if (m.range_end_s > 0 && m.range_end_s <= m.range_start_s)
        f.fail("range_end_s", formatNumber(m.range_end_s) + " s is not after range_start_s (" +
                                  formatNumber(m.range_start_s) + " s); use 0 for the end of the reference");
    return m;
}

StemSettings readStem(const json& j, std::size_t index, const std::string& source) {
    JsonFields f(j, "stems." + std::to_string(index), source);
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
    s.compressor = readCompressorIn(f, "compressor", source, true);
    f.get("width", s.width);
    f.range("width", s.width, 0, 2);
    s.dynamic_eq = readDynamicEq(f, true);
    s.peak_control = readPeakControl(f);
    s.automation = readStemAutomation(f);
    f.rejectUnknownKeys();
    return s;
}

MasterSettings readMaster(const json& j, const std::string& source, int version) {
    JsonFields f(j, "master", source);
    MasterSettings m;
    if (version < 2) m.limiter = legacyLimiterSettings();
    m.eq = readEq(f, source);
    m.dynamic_eq = readDynamicEq(f, false);
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
    if (const json* v = f.find("limiter")) m.limiter = readLimiter(*v, f.pathOf("limiter"), source, version);
    if (const json* v = f.find("match")) m.match = readMatch(*v, f.pathOf("match"), source);
    m.automation = readMasterAutomation(f);
    f.rejectUnknownKeys();
    return m;
}

LoudnessSettings readLoudness(const json& j, const std::string& source) {
    JsonFields f(j, "loudness", source);
    LoudnessSettings l;
    f.get("target_lufs", l.target_lufs);
    f.get("normalize", l.normalize);
    f.get("max_passes", l.max_passes);
    f.get("tolerance_lu", l.tolerance_lu);
    f.get("max_limiting_db", l.max_limiting_db);
    f.rejectUnknownKeys();
    f.range("target_lufs", l.target_lufs, -40, 0, "LUFS");
    f.range("max_passes", l.max_passes, 1, 10);
    f.above("tolerance_lu", l.tolerance_lu, 0, 3, "LU");
    f.range("max_limiting_db", l.max_limiting_db, 0, kMaxLimitingDb, "dB");
    return l;
}

DeliverableSpec readDeliverable(const json& j, const std::string& path, const std::string& source) {
    JsonFields f(j, path, source);
    DeliverableSpec d;
    f.get("format", d.format);
    f.get("bit_depth", d.bit_depth);
    f.get("sample_rate", d.sample_rate);
    f.get("kbps", d.kbps);
    f.get("quality", d.quality);
    f.get("name", d.name);
    f.rejectUnknownKeys();
    if (const std::string problem = deliverableSpecProblem(d); !problem.empty()) f.fail("format", problem);
    return d;
}

// ISO 3901: country (2 letters), registrant (3 alphanumerics), year (2 digits), designation (5 digits).
bool isValidIsrc(const std::string& text) {
    std::string s;
    for (char c : text)
        if (c != '-') s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s.size() != 12) return false;
    for (int i = 0; i < 12; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[static_cast<size_t>(i)]);
        if (i < 2 && !std::isalpha(c)) return false;
        if (i >= 2 && i < 5 && !std::isalnum(c)) return false;
        if (i >= 5 && !std::isdigit(c)) return false;
    }
    return true;
}

OutputSettings readOutput(const json& j, const std::string& source) {
    JsonFields f(j, "output", source);
    OutputSettings o;
    f.get("mode", o.mode);
    f.get("sample_rate", o.sample_rate);
    f.get("bit_depth", o.bit_depth);
    f.get("dither", o.dither);
    f.get("noise_shaping", o.noise_shaping);
    f.get("mp3", o.mp3);
    f.get("mp3_bitrate_kbps", o.mp3_bitrate_kbps);
    if (const json* list = f.array("deliverables"))
        for (std::size_t i = 0; i < list->size(); ++i)
            o.deliverables.push_back(
                readDeliverable((*list)[i], f.pathOf("deliverables." + std::to_string(i)), source));
    f.get("tags", o.tags);
    f.get("title", o.title);
    f.get("artist", o.artist);
    f.get("album", o.album);
    f.get("track", o.track);
    f.get("track_total", o.track_total);
    f.get("year", o.year);
    f.get("genre", o.genre);
    f.get("isrc", o.isrc);
    f.get("comment", o.comment);
    f.get("folder", o.folder);
    f.rejectUnknownKeys();
    f.oneOf("mode", o.mode, {"stereo", "stem", "both"});
    f.range("track", o.track, 0, 999);
    f.range("track_total", o.track_total, 0, 999);
    f.range("year", o.year, 0, 9999);
    if (!o.isrc.empty() && !isValidIsrc(o.isrc))
        f.fail("isrc", "\"" + o.isrc +
                           "\" is not an ISRC (CC-XXX-YY-NNNNN: 2 letters, 3 letters or digits, 7 digits)");
    if (o.sample_rate != 0 && !isValidSampleRate(o.sample_rate))
        f.fail("sample_rate", std::to_string(o.sample_rate) +
                                  " is out of range; use 0 (the session's rate) or 8000 to 384000 Hz");
    if (o.bit_depth != 16 && o.bit_depth != 24 && o.bit_depth != 32)
        f.fail("bit_depth", std::to_string(o.bit_depth) + " is not 16, 24 or 32 (float)");
    f.range("mp3_bitrate_kbps", o.mp3_bitrate_kbps, 32, 320, "kbit/s");
    return o;
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
    return sessionFromJson(j, sourceName, true);
}

Session sessionFromJson(const json& j, const std::string& sourceName, bool checkStemReferences) {
    if (!j.is_object())
        throw Error(sourceName,
                    "not a Lathe session (expected a JSON object, found " + describeType(j) + ")");
    JsonFields f(j, "", sourceName);
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
        if (checkStemReferences) checkStemKeys(s.stems, sourceName);
    }
    if (const json* v = f.find("master")) {
        s.master = readMaster(*v, sourceName, s.version);
    } else {
        s.master.multiband.bands =
            defaultMultibandBands(static_cast<int>(s.master.multiband.crossovers_hz.size()) + 1);
        if (s.version < 2) s.master.limiter = legacyLimiterSettings();
    }
    if (const json* v = f.find("loudness")) s.loudness = readLoudness(*v, sourceName);
    if (const json* v = f.find("output")) s.output = readOutput(*v, sourceName);
    f.rejectUnknownKeys();
    // Every value is now explicit (an older version's missing keys were read as what it meant), so the
    // session is the current version: saved, it says so.
    s.version = kSessionVersion;
    return s;
}

} // namespace lathe::core
