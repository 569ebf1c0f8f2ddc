// The stem tools' session keys (core/model/StemToolsJson): automation lanes, dynamic EQ bands, peak control,
// sidechain keys and the EQ band channel; how they read, write, refuse bad input (naming the file and key)
// and how --set reaches them, JSON lists and objects included.
#include "core/Error.h"
#include "core/model/Session.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "core/model/SessionOverride.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace lathe::core {
namespace {

using nlohmann::json;

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no Error thrown)";
}

Session twoStems() {
    Session s;
    StemSettings kick;
    kick.id = "kick";
    kick.path = "Kick.wav";
    kick.role = "drums";
    StemSettings bass;
    bass.id = "bass";
    bass.path = "Bass.wav";
    bass.role = "bass";
    s.stems = {kick, bass};
    return s;
}

// Every new key away from its default, so a round trip that drops or swaps one fails.
Session stemToolsSession() {
    Session s = twoStems();
    StemSettings& bass = s.stems[1];
    bass.automation.gain_db = {{28, 0}, {28.2, 1.5}, {48, 1.5}, {48.2, 0}};
    bass.automation.width = {{0, 1}, {10, 0.5}};
    DynamicEqBandSettings duck;
    duck.shape = "low_shelf";
    duck.frequency_hz = 120;
    duck.q = 0.8;
    duck.threshold_db = -30;
    duck.ratio = 4;
    duck.attack_ms = 2;
    duck.release_ms = 80;
    duck.range_db = 9;
    duck.channel = "mid";
    duck.key = "kick";
    DynamicEqBandSettings lift = duck;
    lift.shape = "bell";
    lift.mode = "boost_below";
    lift.channel = "side";
    lift.listen = true;
    lift.key = "self";
    bass.dynamic_eq = {duck, lift};
    bass.compressor.enabled = true;
    bass.compressor.key = "kick";
    s.stems[0].peak_control = {true, -6.5, 8};
    s.stems[0].eq.push_back({});
    s.stems[0].eq[0].channel = "side";
    s.master.automation.gain_db = {{1, -1}, {2, 0}};
    s.master.dynamic_eq = {lift};
    s.master.dynamic_eq[0].listen = false;
    s.master.multiband.bands = defaultMultibandBands(4); // as a loaded session holds them
    return s;
}

} // namespace

TEST(StemToolsJson, RoundTripKeepsEveryKey) {
    const Session s = stemToolsSession();
    const json j = toJson(s);
    EXPECT_EQ(j["stems"][1]["automation"]["gain_db"][1], json::array({28.2, 1.5}));
    EXPECT_EQ(j["stems"][1]["dynamic_eq"][0]["key"], "kick");
    EXPECT_EQ(j["stems"][1]["dynamic_eq"][0]["shape"], "low_shelf");
    EXPECT_EQ(j["stems"][1]["compressor"]["key"], "kick");
    EXPECT_EQ(j["stems"][0]["peak_control"]["oversampling"], 8);
    EXPECT_EQ(j["stems"][0]["eq"][0]["channel"], "side");
    EXPECT_EQ(j["master"]["automation"]["gain_db"][0], json::array({1, -1}));
    // The master's detectors hear the master: its bands and compressors carry no key.
    EXPECT_FALSE(j["master"]["dynamic_eq"][0].contains("key"));
    EXPECT_FALSE(j["master"]["compressor"].contains("key"));
    EXPECT_EQ(sessionFromJson(j, "t"), s);
    EXPECT_EQ(sessionFromJson(json::parse(j.dump(2)), "t"), s);
}

TEST(StemToolsJson, OldSessionsLoadWithTheToolsOff) {
    const json old = {{"version", 1},
                      {"stems", {{{"id", "drums"}, {"path", "D.wav"}, {"eq", {{{"gain_db", 2}}}}}}},
                      {"master", {{"eq", {{{"gain_db", 1}}}}}}};
    const Session s = sessionFromJson(old, "old.lathe");
    ASSERT_EQ(s.stems.size(), 1u);
    EXPECT_TRUE(s.stems[0].automation.gain_db.empty());
    EXPECT_TRUE(s.stems[0].automation.width.empty());
    EXPECT_TRUE(s.stems[0].dynamic_eq.empty());
    EXPECT_FALSE(s.stems[0].peak_control.enabled);
    EXPECT_EQ(s.stems[0].compressor.key, "self");
    EXPECT_EQ(s.stems[0].eq[0].channel, "stereo");
    EXPECT_EQ(s.master.eq[0].channel, "stereo");
    EXPECT_TRUE(s.master.dynamic_eq.empty());
    EXPECT_TRUE(s.master.automation.gain_db.empty());
}

TEST(StemToolsJson, BadValuesNameTheFileAndKey) {
    const json good = toJson(stemToolsSession());
    struct Case {
        std::string pointer;
        json value;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"/stems/1/automation/gain_db/1", json::array({28.2}),
         "s.lathe: stems.bass.automation.gain_db.1: expected a point [time_s, value], found a list of 1"},
        {"/stems/1/automation/gain_db/2/0", 10,
         "s.lathe: stems.bass.automation.gain_db.2: time 10 s comes before the previous point's 28.2 s; "
         "points "
         "go in time order (two at one time make a step)"},
        {"/stems/1/automation/gain_db/0/0", -1,
         "s.lathe: stems.bass.automation.gain_db.0: time -1 s is out of range; use 0 or more seconds from "
         "the "
         "song's start"},
        {"/stems/1/automation/width/1/1", 3,
         "s.lathe: stems.bass.automation.width.1: 3 is out of range; use 0 to 2"},
        {"/stems/1/automation/gain_db/0/1", "loud",
         "s.lathe: stems.bass.automation.gain_db.0.1: expected a number, found a string"},
        {"/stems/1/automation/volume", json::array(),
         "s.lathe: stems.bass.automation.volume: unknown key \"volume\"; keys here: gain_db, width"},
        {"/master/automation/width", json::array(),
         "s.lathe: master.automation.width: unknown key \"width\"; keys here: gain_db"},
        {"/stems/1/dynamic_eq/0/shape", "notch",
         "s.lathe: stems.bass.dynamic_eq.0.shape: \"notch\" is not one of bell, low_shelf, high_shelf"},
        {"/stems/1/dynamic_eq/0/mode", "cut",
         "s.lathe: stems.bass.dynamic_eq.0.mode: \"cut\" is not one of cut_above, boost_below"},
        {"/stems/1/dynamic_eq/0/channel", "left",
         "s.lathe: stems.bass.dynamic_eq.0.channel: \"left\" is not one of stereo, mid, side"},
        {"/stems/1/dynamic_eq/0/ratio", 0.5,
         "s.lathe: stems.bass.dynamic_eq.0.ratio: 0.5 is out of range; use 1 to 100"},
        {"/stems/1/dynamic_eq/0/key", "kik",
         "s.lathe: stems.bass.dynamic_eq.0.key: no stem with id \"kik\" (did you mean \"kick\"?); use "
         "\"self\" "
         "or one of: kick, bass"},
        {"/stems/1/dynamic_eq/0/key", "bass",
         "s.lathe: stems.bass.dynamic_eq.0.key: \"bass\" is this stem; write \"self\" for its own signal"},
        {"/stems/1/compressor/key", "nobody",
         "s.lathe: stems.bass.compressor.key: no stem with id \"nobody\"; use \"self\" or one of: kick, "
         "bass"},
        {"/master/dynamic_eq/0/key", "kick",
         "s.lathe: master.dynamic_eq.0.key: unknown key \"key\"; keys here: enabled, shape, frequency_hz, q, "
         "threshold_db, ratio, attack_ms, release_ms, range_db, mode, channel, listen, advisor"},
        {"/stems/0/peak_control/oversampling", 3,
         "s.lathe: stems.kick.peak_control.oversampling: 3 is not 1, 2, 4 or 8"},
        {"/stems/0/peak_control/ceiling_dbtp", 1,
         "s.lathe: stems.kick.peak_control.ceiling_dbtp: 1 is out of range; use -40 to 0 dBTP"},
        {"/stems/0/eq/0/channel", "both",
         "s.lathe: stems.kick.eq.0.channel: \"both\" is not one of stereo, mid, side"},
    };
    for (const Case& c : cases) {
        json j = good;
        j[json::json_pointer(c.pointer)] = c.value;
        EXPECT_EQ(errorOf([&] { sessionFromJson(j, "s.lathe"); }), c.expected) << c.pointer;
    }
}

TEST(StemToolsJson, AStemIsKeyedByOneOtherStemAtMost) {
    Session s = stemToolsSession();
    StemSettings vocal;
    vocal.id = "vocal";
    vocal.path = "Vocal.wav";
    s.stems.push_back(vocal);
    json j = toJson(s);
    j["stems"][1]["dynamic_eq"][1]["key"] = "vocal"; // the compressor and band 0 hear the kick
    EXPECT_EQ(errorOf([&] { sessionFromJson(j, "s.lathe"); }),
              "s.lathe: stems.bass.dynamic_eq.1.key: \"vocal\" differs from \"kick\", which another detector "
              "of this stem already hears; a stem is keyed by one other stem at most");
    // A disabled band's key does not count.
    j["stems"][1]["dynamic_eq"][1]["enabled"] = false;
    EXPECT_NO_THROW(sessionFromJson(j, "s.lathe"));
}

TEST(StemToolsJson, SetTakesJsonListsAndObjects) {
    Session s = twoStems();
    applyOverride(s, "stems.bass.automation.gain_db=[[28,0],[28.2,1.5],[48,1.5],[48.2,0]]");
    ASSERT_EQ(s.stems[1].automation.gain_db.size(), 4u);
    EXPECT_EQ(s.stems[1].automation.gain_db[1], (AutomationPointSettings{28.2, 1.5}));
    applyOverride(s, "stems.bass.dynamic_eq=[{\"frequency_hz\":60,\"threshold_db\":-20,\"key\":\"kick\"}]");
    ASSERT_EQ(s.stems[1].dynamic_eq.size(), 1u);
    EXPECT_EQ(s.stems[1].dynamic_eq[0].frequency_hz, 60);
    EXPECT_EQ(s.stems[1].dynamic_eq[0].key, "kick");
    EXPECT_EQ(s.stems[1].dynamic_eq[0].ratio, DynamicEqBandSettings{}.ratio); // left out: the default
    applyOverride(s, "stems.bass.dynamic_eq.0.range_db=9");
    EXPECT_EQ(s.stems[1].dynamic_eq[0].range_db, 9);
    applyOverride(s, "stems.kick.peak_control={\"enabled\":true,\"ceiling_dbtp\":-6}");
    EXPECT_EQ(s.stems[0].peak_control, (PeakControlSettings{true, -6, 4}));
    applyOverride(s, "stems.kick.peak_control.oversampling=8");
    EXPECT_EQ(s.stems[0].peak_control.oversampling, 8);
    applyOverride(s, "master.automation.gain_db=[]");
    EXPECT_TRUE(s.master.automation.gain_db.empty());
    applyOverride(s, "stems.bass.compressor.key=kick");
    EXPECT_EQ(s.stems[1].compressor.key, "kick");

    // Refused whole, the session unchanged.
    const Session before = s;
    EXPECT_EQ(
        errorOf([&] { applyOverride(s, "stems.bass.automation.gain_db=[[2,0],[1,1]]"); }),
        "--set: stems.bass.automation.gain_db.1: time 1 s comes before the previous point's 2 s; points "
        "go in time order (two at one time make a step)");
    EXPECT_EQ(errorOf([&] { applyOverride(s, "stems.bass.automation.gain_db=[[1,0]"); }),
              "--set: stems.bass.automation.gain_db: \"[[1,0]\" is not valid JSON");
    EXPECT_EQ(errorOf([&] { applyOverride(s, "stems.bass.automation.gain_db={\"t\":1}"); }),
              "--set: stems.bass.automation.gain_db: this is a list; give it whole as JSON (e.g. "
              "stems.bass.automation.gain_db=[[28,0],[28.2,1.5]] for a lane) or set one entry by its index, "
              "e.g. stems.bass.automation.gain_db.0");
    EXPECT_EQ(
        errorOf([&] { applyOverride(s, "stems.kick.peak_control=[1]"); }),
        "--set: stems.kick.peak_control: this is a group of settings; set one of its keys (ceiling_dbtp, "
        "enabled, oversampling) or give it whole as a JSON object, e.g. "
        "stems.kick.peak_control={\"enabled\":true}");
    EXPECT_EQ(errorOf([&] { applyOverride(s, "stems.bass.dynamic_eq.0.key=snare"); }),
              "--set: stems.bass.dynamic_eq.0.key: no stem with id \"snare\"; use \"self\" or one of: kick, "
              "bass");
    EXPECT_EQ(s, before);
}

TEST(StemToolsJson, CheckOverrideJudgesTheFormatAlone) {
    // Valid for the format: any stem id, any key (only a session knows its stems).
    EXPECT_NO_THROW(
        checkOverride("stems.lead_vocal.automation.gain_db=[[28,0],[28.2,1.5],[48,1.5],[48.2,0]]"));
    EXPECT_NO_THROW(checkOverride("stems.bass.dynamic_eq.0.key=kick"));
    EXPECT_NO_THROW(checkOverride("stems.bass.dynamic_eq=[{\"key\":\"kick\",\"frequency_hz\":70}]"));
    EXPECT_NO_THROW(checkOverride("stems.snare.peak_control.enabled=on"));
    EXPECT_NO_THROW(checkOverride("master.eq.0.channel=mid"));
    EXPECT_NO_THROW(checkOverride("master.dynamic_eq.0.threshold_db=-30"));
    EXPECT_NO_THROW(checkOverride("stems.pad.automation.width=[[0,1],[30,1.6]]"));
    // Refused at parse time, naming the key as written.
    EXPECT_EQ(errorOf([] { checkOverride("stems.lead_vocal.automation.gain_db=[[28,0],[27,1.5]]"); }),
              "--set: stems.lead_vocal.automation.gain_db: time 27 s comes before the previous point's 28 s; "
              "points go in time order (two at one time make a step)");
    EXPECT_EQ(errorOf([] { checkOverride("stems.lead_vocal.automation.gain_db=[[28,40]]"); }),
              "--set: stems.lead_vocal.automation.gain_db: 40 is out of range; use -120 to 24 dB");
    EXPECT_EQ(errorOf([] { checkOverride("stems.bass.dynamic_eq.0.mode=duck"); }),
              "--set: stems.bass.dynamic_eq.0.mode: \"duck\" is not one of cut_above, boost_below");
    EXPECT_EQ(errorOf([] { checkOverride("stems.bass.peak_control.oversampling=5"); }),
              "--set: stems.bass.peak_control.oversampling: 5 is not 1, 2, 4 or 8");
    EXPECT_EQ(errorOf([] {
                  checkOverride("master.dynamic_eq.0.key=kick");
              }).rfind("--set: master.dynamic_eq.0.key: unknown key \"key\"", 0),
              0u);
}

} // namespace lathe::core
