#include "core/model/StemToolsJson.h"

#include "core/Error.h"
#include "core/text/NearestName.h"

#include "dsp/AutomationEnvelope.h"

namespace lathe::core {

using nlohmann::json;

namespace {

const std::string kSelf = "self";

AutomationLane readLane(JsonFields& f, std::string_view key, double lo, double hi,
                        std::string_view unit = {}) {
    AutomationLane lane;
    const json* a = f.array(key);
    if (!a) return lane;
    const std::string path = f.pathOf(key);
    if (a->size() > static_cast<std::size_t>(kMaxAutomationPoints))
        f.fail(key, std::to_string(a->size()) + " points; a lane holds at most " +
                        std::to_string(kMaxAutomationPoints));
    for (std::size_t i = 0; i < a->size(); ++i) {
        const json& p = (*a)[i];
        const std::string at = path + "." + std::to_string(i);
        if (!p.is_array() || p.size() != 2)
            throw Error(f.source(),
                        at + ": expected a point [time_s, value], found " +
                            (p.is_array() ? "a list of " + std::to_string(p.size()) : describeType(p)));
        AutomationPointSettings point{f.number(p[0], at + ".0"), f.number(p[1], at + ".1")};
        if (point.time_s < 0 || point.time_s > dsp::kMaxAutomationSeconds)
            throw Error(f.source(), at + ": time " + formatNumber(point.time_s) +
                                        " s is out of range; use 0 or more seconds from the song's start");
        if (!(point.value >= lo && point.value <= hi))
            throw Error(f.source(), at + ": " + formatNumber(point.value) + " is out of range; use " +
                                        formatNumber(lo) + " to " + formatNumber(hi) +
                                        (unit.empty() ? "" : " " + std::string(unit)));
        if (!lane.empty() && point.time_s < lane.back().time_s)
            throw Error(f.source(), at + ": time " + formatNumber(point.time_s) + " s comes before the " +
                                        "previous point's " + formatNumber(lane.back().time_s) +
                                        " s; points go in time order (two at one time make a step)");
        lane.push_back(point);
    }
    return lane;
}

DynamicEqBandSettings readBand(const json& j, const std::string& path, const std::string& source,
                               bool withKeys) {
    JsonFields f(j, path, source);
    DynamicEqBandSettings b;
    f.get("enabled", b.enabled);
    f.get("shape", b.shape);
    f.get("frequency_hz", b.frequency_hz);
    f.get("q", b.q);
    f.get("threshold_db", b.threshold_db);
    f.get("ratio", b.ratio);
    f.get("attack_ms", b.attack_ms);
    f.get("release_ms", b.release_ms);
    f.get("range_db", b.range_db);
    f.get("mode", b.mode);
    f.get("channel", b.channel);
    f.get("listen", b.listen);
    if (withKeys) f.get("key", b.key);
    f.get("advisor", b.advisor);
    f.rejectUnknownKeys();
    f.oneOf("shape", b.shape, {"bell", "low_shelf", "high_shelf"});
    f.range("frequency_hz", b.frequency_hz, 10, 20000, "Hz");
    f.range("q", b.q, 0.1, 40);
    f.range("threshold_db", b.threshold_db, -96, 0, "dB");
    f.range("ratio", b.ratio, 1, 100);
    f.range("attack_ms", b.attack_ms, 0.01, 1000, "ms");
    f.range("release_ms", b.release_ms, 1, 10000, "ms");
    f.range("range_db", b.range_db, 0, 48, "dB");
    f.oneOf("mode", b.mode, {"cut_above", "boost_below"});
    f.oneOf("channel", b.channel, {"stereo", "mid", "side"});
    if (b.key.empty()) f.fail("key", "empty; use \"self\" or the id of another stem");
    return b;
}

void checkKey(const std::string& key, const std::string& keyPath, const StemSettings& stem,
              const std::vector<std::string>& ids, const std::string& source) {
    if (key == kSelf) return;
    if (key == stem.id)
        throw Error(source, keyPath + ": \"" + key + "\" is this stem; write \"self\" for its own signal");
    if (std::find(ids.begin(), ids.end(), key) == ids.end())
        throw Error(source, keyPath + ": no stem with id \"" + key + "\"" + didYouMean(key, ids) +
                                "; use \"self\" or one of: " + joinNames(ids));
}

} // namespace

json toJson(const AutomationLane& lane) {
    json a = json::array();
    for (const auto& p : lane)
        a.push_back(json::array({p.time_s, p.value}));
    return a;
}

json toJson(const StemAutomationSettings& a) {
    return {{"gain_db", toJson(a.gain_db)}, {"width", toJson(a.width)}};
}

json toJson(const MasterAutomationSettings& a) {
    return {{"gain_db", toJson(a.gain_db)}};
}

json toJson(const std::vector<DynamicEqBandSettings>& bands, bool withKeys) {
    json a = json::array();
    for (const auto& b : bands) {
        json j = {{"enabled", b.enabled},           {"shape", b.shape},
                  {"frequency_hz", b.frequency_hz}, {"q", b.q},
                  {"threshold_db", b.threshold_db}, {"ratio", b.ratio},
                  {"attack_ms", b.attack_ms},       {"release_ms", b.release_ms},
                  {"range_db", b.range_db},         {"mode", b.mode},
                  {"channel", b.channel},           {"listen", b.listen}};
        if (withKeys) j["key"] = b.key;
        if (b.advisor) j["advisor"] = true; // only the advisor's bands carry the mark
        a.push_back(std::move(j));
    }
    return a;
}

json toJson(const PeakControlSettings& p) {
    json j = {{"enabled", p.enabled}, {"ceiling_dbtp", p.ceiling_dbtp}, {"oversampling", p.oversampling}};
    if (p.advisor) j["advisor"] = true;
    return j;
}

StemAutomationSettings readStemAutomation(JsonFields& parent) {
    StemAutomationSettings a;
    const json* j = parent.find("automation");
    if (!j) return a;
    JsonFields f(*j, parent.pathOf("automation"), parent.source());
    a.gain_db = readLane(f, "gain_db", -120, 24, "dB");
    a.width = readLane(f, "width", 0, 2);
    f.rejectUnknownKeys();
    return a;
}

MasterAutomationSettings readMasterAutomation(JsonFields& parent) {
    MasterAutomationSettings a;
    const json* j = parent.find("automation");
    if (!j) return a;
    JsonFields f(*j, parent.pathOf("automation"), parent.source());
    a.gain_db = readLane(f, "gain_db", -120, 24, "dB");
    f.rejectUnknownKeys();
    return a;
}

std::vector<DynamicEqBandSettings> readDynamicEq(JsonFields& parent, bool withKeys) {
    std::vector<DynamicEqBandSettings> bands;
    const json* a = parent.array("dynamic_eq");
    if (!a) return bands;
    if (a->size() > static_cast<std::size_t>(kMaxDynamicEqBands))
        parent.fail("dynamic_eq", std::to_string(a->size()) + " bands; a dynamic EQ has at most " +
                                      std::to_string(kMaxDynamicEqBands));
    for (std::size_t i = 0; i < a->size(); ++i)
        bands.push_back(readBand((*a)[i], parent.pathOf("dynamic_eq") + "." + std::to_string(i),
                                 parent.source(), withKeys));
    return bands;
}

PeakControlSettings readPeakControl(JsonFields& parent) {
    PeakControlSettings p;
    const json* j = parent.find("peak_control");
    if (!j) return p;
    JsonFields f(*j, parent.pathOf("peak_control"), parent.source());
    f.get("enabled", p.enabled);
    f.get("ceiling_dbtp", p.ceiling_dbtp);
    f.get("oversampling", p.oversampling);
    f.get("advisor", p.advisor);
    f.rejectUnknownKeys();
    f.range("ceiling_dbtp", p.ceiling_dbtp, -40, 0, "dBTP");
    if (p.oversampling != 1 && p.oversampling != 2 && p.oversampling != 4 && p.oversampling != 8)
        f.fail("oversampling", std::to_string(p.oversampling) + " is not 1, 2, 4 or 8");
    return p;
}

const std::string& stemKey(const StemSettings& stem) {
    if (stem.compressor.enabled && stem.compressor.key != kSelf) return stem.compressor.key;
    for (const auto& band : stem.dynamic_eq)
        if (band.enabled && band.key != kSelf) return band.key;
    return kSelf;
}

void checkStemKeys(const std::vector<StemSettings>& stems, const std::string& source) {
    std::vector<std::string> ids;
    for (const auto& stem : stems)
        ids.push_back(stem.id);
    for (const auto& stem : stems) {
        const std::string base = "stems." + stem.id;
        checkKey(stem.compressor.key, base + ".compressor.key", stem, ids, source);
        for (std::size_t i = 0; i < stem.dynamic_eq.size(); ++i)
            checkKey(stem.dynamic_eq[i].key, base + ".dynamic_eq." + std::to_string(i) + ".key", stem, ids,
                     source);
        // One key input per stem: the detectors of a stem hear its own signal or one other stem's.
        const std::string& key = stemKey(stem);
        const auto clash = [&](const std::string& other, const std::string& path) {
            if (other != kSelf && other != key)
                throw Error(source, path + ": \"" + other + "\" differs from \"" + key +
                                        "\", which another detector of this stem already hears; a stem " +
                                        "is keyed by one other stem at most");
        };
        if (stem.compressor.enabled) clash(stem.compressor.key, base + ".compressor.key");
        for (std::size_t i = 0; i < stem.dynamic_eq.size(); ++i)
            if (stem.dynamic_eq[i].enabled)
                clash(stem.dynamic_eq[i].key, base + ".dynamic_eq." + std::to_string(i) + ".key");
    }
}

} // namespace lathe::core
