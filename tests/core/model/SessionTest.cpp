#include "core/model/Session.h"
#include "core/Error.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "core/model/SessionOverride.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace lathe::core;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = fs::temp_directory_path() /
                ("lathe-session-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

ScannedFile scanned(const std::string& path, StemRole role, int sampleRate, FileKind kind = FileKind::Stem) {
    ScannedFile f;
    f.path = path;
    f.kind = kind;
    f.role = role;
    f.roleRecognised = role != StemRole::Other;
    f.info.path = path;
    f.info.sampleRate = sampleRate;
    f.info.channels = 2;
    f.info.frames = 48000;
    f.info.bitDepth = 24;
    return f;
}

// A session that differs from the defaults almost everywhere, so a round trip that drops or swaps a field
// fails.
Session richSession() {
    FolderScan scan;
    scan.folder = "/clients/Night Drive";
    scan.songName = "Night Drive";
    scan.mix = scanned("/clients/Night Drive/Mix.wav", StemRole::Other, 44100, FileKind::Mix);
    scan.stems = {scanned("/clients/Night Drive/Kick.wav", StemRole::Drums, 44100),
                  scanned("/clients/Night Drive/Vox.wav", StemRole::LeadVocal, 44100)};
    Session s = makeDefaultSession(scan);
    s.reference = "/clients/Night Drive/Ref.wav";
    s.stems[0].gain_db = -2.5;
    s.stems[0].mute = true;
    s.stems[0].polarity_inverted = true;
    s.stems[0].eq = {EqBandSettings{true, "high_pass", 30, 0.707, 0},
                     EqBandSettings{false, "bell", 250, 1.4, -3}};
    s.stems[0].compressor = CompressorSettings{true, -24, 4, 3, 5, 80, 2, 0.5, 90, "rms"};
    s.stems[1].solo = true;
    s.stems[1].width = 0.8;
    s.master.eq = {EqBandSettings{true, "high_shelf", 9000, 0.7, 1.5}};
    s.master.multiband.enabled = true;
    s.master.multiband.bands[1].ratio = 2.5;
    s.master.saturation = SaturationSettings{true, "tape", 3, 0.4, 8};
    s.master.width = 1.2;
    s.master.balance = -0.1;
    s.master.limiter = LimiterSettings{true, -0.3, 50, 1.5};
    s.loudness = LoudnessSettings{-9, false, 6, 0.2};
    s.output =
        OutputSettings{"stem", 44100, 16, false, true, false, 192, {}, false, "Night Drive", "The Client"};
    return s;
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no Error thrown)";
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST(Session, DefaultSessionFromScan) {
    FolderScan scan;
    scan.folder = "/c/Song";
    scan.songName = "Song";
    scan.stems = {scanned("/c/Song/Kick.wav", StemRole::Drums, 44100),
                  scanned("/c/Song/Snare.wav", StemRole::Drums, 48000),
                  scanned("/c/Song/Bass.wav", StemRole::Bass, 48000),
                  scanned("/c/Song/Hats.wav", StemRole::Drums, 48000),
                  scanned("/c/Song/Track 7.wav", StemRole::Other, 44100)};
    const Session s = makeDefaultSession(scan);
    EXPECT_EQ(s.folder, "/c/Song");
    EXPECT_EQ(s.song, "Song");
    EXPECT_EQ(s.mix, "");
    EXPECT_EQ(s.reference, "");
    EXPECT_EQ(s.sample_rate, 48000); // three stems at 48k, two at 44.1k
    ASSERT_EQ(s.stems.size(), 5u);
    const char* ids[] = {"drums", "drums_2", "bass", "drums_3", "other"};
    const char* roles[] = {"drums", "drums", "bass", "drums", "other"};
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(s.stems[i].id, ids[i]);
        EXPECT_EQ(s.stems[i].role, roles[i]);
        EXPECT_EQ(s.stems[i].path, scan.stems[i].path);
        EXPECT_EQ(s.stems[i].gain_db, 0);
        EXPECT_TRUE(s.stems[i].eq.empty());
        EXPECT_FALSE(s.stems[i].compressor.enabled);
        EXPECT_EQ(s.stems[i].width, 1);
    }
    EXPECT_TRUE(s.master.eq.empty());
    EXPECT_TRUE(s.master.compressor.enabled);
    EXPECT_EQ(s.master.compressor.threshold_db, -20);
    EXPECT_EQ(s.master.compressor.ratio, 1.5);
    EXPECT_EQ(s.master.compressor.knee_db, 6);
    EXPECT_EQ(s.master.compressor.attack_ms, 30);
    EXPECT_EQ(s.master.compressor.release_ms, 200);
    EXPECT_FALSE(s.master.multiband.enabled);
    EXPECT_EQ(s.master.multiband.bands.size(), 3u);
    EXPECT_EQ(s.master.multiband.crossovers_hz.size(), 2u);
    EXPECT_FALSE(s.master.saturation.enabled);
    EXPECT_TRUE(s.master.limiter.enabled);
    EXPECT_EQ(s.master.limiter.ceiling_dbtp, -1.0);
    EXPECT_EQ(s.master.limiter, LimiterSettings{}); // the measured defaults (style transparent)
    EXPECT_EQ(s.master.limiter.style, "transparent");
    EXPECT_EQ(s.loudness.target_lufs, -14);
    EXPECT_EQ(s.output, OutputSettings{});
    // A default session is valid by the same rules a loaded one must meet.
    EXPECT_EQ(sessionFromJson(toJson(s), "test"), s);
}

TEST(Session, SampleRateRules) {
    FolderScan scan;
    scan.folder = "/c/S";
    scan.stems = {scanned("/c/S/a.wav", StemRole::Drums, 44100),
                  scanned("/c/S/b.wav", StemRole::Bass, 48000)};
    EXPECT_EQ(makeDefaultSession(scan).sample_rate, 48000); // tie: the higher rate
    scan.mix = scanned("/c/S/Mix.wav", StemRole::Other, 96000, FileKind::Mix);
    EXPECT_EQ(makeDefaultSession(scan).sample_rate, 96000); // the mix decides
    EXPECT_EQ(makeDefaultSession(scan).mix, "/c/S/Mix.wav");
    EXPECT_EQ(makeDefaultSession(FolderScan{}).sample_rate, 48000);
}

TEST(Session, JsonKeysAreTheFieldNames) {
    const json j = toJson(richSession());
    EXPECT_EQ(j["format"], "lathe-session");
    EXPECT_EQ(j["version"], kSessionVersion);
    EXPECT_EQ(j["stems"][0]["id"], "drums");
    EXPECT_EQ(j["stems"][0]["gain_db"], -2.5);
    EXPECT_EQ(j["stems"][0]["polarity_inverted"], true);
    EXPECT_EQ(j["stems"][0]["eq"][0]["type"], "high_pass");
    EXPECT_EQ(j["stems"][0]["eq"][1]["frequency_hz"], 250);
    EXPECT_EQ(j["stems"][0]["compressor"]["sidechain_hpf_hz"], 90);
    EXPECT_EQ(j["stems"][0]["compressor"]["detection"], "rms");
    EXPECT_EQ(j["master"]["multiband"]["bands"][1]["ratio"], 2.5);
    EXPECT_EQ(j["master"]["saturation"]["oversampling"], 8);
    EXPECT_EQ(j["master"]["limiter"]["ceiling_dbtp"], -0.3);
    EXPECT_EQ(j["loudness"]["target_lufs"], -9);
    EXPECT_EQ(j["output"]["mp3_bitrate_kbps"], 192);
    EXPECT_EQ(j["output"]["artist"], "The Client");
    EXPECT_EQ(
        j.size(),
        11u); // format, version, folder, song, sample_rate, mix, reference, stems, master, loudness, output
}

TEST(Session, JsonRoundTrip) {
    const Session s = richSession();
    EXPECT_EQ(sessionFromJson(toJson(s), "test"), s);
    // Through text too, as the file goes.
    EXPECT_EQ(sessionFromJson(json::parse(toJson(s).dump(2)), "test"), s);
}

TEST(Session, MissingKeysTakeDefaults) {
    const Session s = sessionFromJson(json::object(), "test");
    Session expected;
    expected.master.multiband.bands = defaultMultibandBands(4);
    EXPECT_EQ(s, expected);

    const Session partial = sessionFromJson(
        json{{"stems", {{{"id", "drums"}, {"path", "Drums.wav"}, {"compressor", {{"ratio", 3}}}}}},
             {"master", {{"limiter", {{"ceiling_dbtp", -2}}}}}},
        "test");
    ASSERT_EQ(partial.stems.size(), 1u);
    EXPECT_EQ(partial.stems[0].role, "other");
    EXPECT_EQ(partial.stems[0].compressor.ratio, 3);
    EXPECT_EQ(partial.stems[0].compressor.attack_ms, CompressorSettings{}.attack_ms);
    EXPECT_EQ(partial.master.limiter.ceiling_dbtp, -2);
    EXPECT_EQ(partial.master.limiter.release_ms, LimiterSettings{}.release_ms);
}

TEST(Session, NewerVersionIsRefused) {
    json j = toJson(richSession());
    j["version"] = 3;
    j["something_new"] = 1; // a newer file may have keys we do not know; the version message must come first
    EXPECT_EQ(
        errorOf([&] { sessionFromJson(j, "a.lathe"); }),
        "a.lathe: this session was saved by a newer Lathe (format version 3); this Lathe reads version 2");
}

// Version 1 had no limiter style: its sessions keep the limiter they were mastered with ("safe", the one
// release time) and are saved as version 2 with that written out, so they render the same master as before.
TEST(Session, VersionOneKeepsItsLimiter) {
    const json v1 = {{"version", 1}, {"master", {{"limiter", {{"ceiling_dbtp", -0.5}, {"release_ms", 60}}}}}};
    const Session s = sessionFromJson(v1, "old.lathe");
    EXPECT_EQ(s.master.limiter.style, "safe");
    EXPECT_EQ(s.master.limiter.ceiling_dbtp, -0.5);
    EXPECT_EQ(s.master.limiter.release_ms, 60);
    EXPECT_FALSE(s.master.limiter.soft_clip);
    EXPECT_FALSE(s.master.limiter.low_frequency_aware);
    EXPECT_EQ(s.master.limiter.stereo_link, 1);
    EXPECT_EQ(s.version, kSessionVersion);
    const json saved = toJson(s);
    EXPECT_EQ(saved["version"], kSessionVersion);
    EXPECT_EQ(saved["master"]["limiter"]["style"], "safe");
    EXPECT_EQ(sessionFromJson(saved, "new.lathe"), s);
    // Without a master block at all, too.
    EXPECT_EQ(sessionFromJson(json{{"version", 1}}, "old.lathe").master.limiter, legacyLimiterSettings());
    // A version-2 file without the keys gets today's defaults.
    EXPECT_EQ(sessionFromJson(json{{"version", 2}}, "new.lathe").master.limiter, LimiterSettings{});
}

TEST(Session, LimiterKeysAreChecked) {
    Session s;
    applyOverride(s, "master.limiter.style=punchy");
    EXPECT_EQ(s.master.limiter.style, "punchy");
    applyOverride(s, "master.limiter.soft_clip=on");
    EXPECT_TRUE(s.master.limiter.soft_clip);
    applyOverride(s, "master.limiter.stereo_link=0.5");
    EXPECT_EQ(s.master.limiter.stereo_link, 0.5);
    EXPECT_EQ(errorOf([&] {
                  applyOverride(s, "master.limiter.style=loud");
              }).rfind("--set: master.limiter.style:", 0),
              0u);
    EXPECT_EQ(errorOf([&] { applyOverride(s, "master.limiter.stereo_link=2"); }),
              "--set: master.limiter.stereo_link: 2 is out of range; use 0 to 1");
    EXPECT_EQ(errorOf([&] { applyOverride(s, "master.limiter.low_frequency_hz=5"); }),
              "--set: master.limiter.low_frequency_hz: 5 is out of range; use 20 to 500 Hz");
}

TEST(Session, NotASession) {
    EXPECT_NE(errorOf([] { sessionFromJson(json::array(), "x"); }).find("not a Lathe session"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  sessionFromJson(json{{"format", "lathe-report"}}, "x");
              }).find("not a Lathe session"),
              std::string::npos);
}

TEST(Session, WrongTypesNameTheKeyPath) {
    const json good = toJson(richSession());
    struct Case {
        std::string pointer;
        json value;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"/master/limiter/ceiling_dbtp", "loud",
         "x: master.limiter.ceiling_dbtp: expected a number, found a string"},
        {"/stems/0/gain_db", true, "x: stems.drums.gain_db: expected a number, found true/false"},
        {"/stems/1/solo", 1, "x: stems.lead_vocal.solo: expected true or false, found a number"},
        {"/master/eq/0/type", 3, "x: master.eq.0.type: expected a string, found a number"},
        {"/output/bit_depth", 24.5, "x: output.bit_depth: expected a whole number, found 24.5"},
        {"/master/multiband/crossovers_hz/1", "2k",
         "x: master.multiband.crossovers_hz.1: expected a number, found a string"},
        {"/master/eq", json::object(), "x: master.eq: expected a list, found an object"},
        {"/loudness", 5, "x: loudness: expected an object, found a number"},
    };
    for (const Case& c : cases) {
        json j = good;
        j[json::json_pointer(c.pointer)] = c.value;
        EXPECT_EQ(errorOf([&] { sessionFromJson(j, "x"); }), c.expected);
    }
}

TEST(Session, OutOfRangeValuesAreRefused) {
    const json good = toJson(richSession());
    struct Case {
        std::string pointer;
        json value;
        std::string keyPath;
    };
    const std::vector<Case> cases{
        {"/stems/0/compressor/ratio", 0.5, "stems.drums.compressor.ratio"},
        {"/master/compressor/ratio", 0.99, "master.compressor.ratio"},
        {"/stems/0/eq/0/q", 0, "stems.drums.eq.0.q"},
        {"/stems/0/eq/0/frequency_hz", -10, "stems.drums.eq.0.frequency_hz"},
        {"/stems/0/eq/0/type", "wobble", "stems.drums.eq.0.type"},
        {"/output/bit_depth", 20, "output.bit_depth"},
        {"/output/sample_rate", 1000, "output.sample_rate"},
        {"/output/mode", "mono", "output.mode"},
        {"/sample_rate", 0, "sample_rate"},
        {"/master/width", 2.5, "master.width"},
        {"/stems/1/width", -0.1, "stems.lead_vocal.width"},
        {"/output/mp3_bitrate_kbps", 400, "output.mp3_bitrate_kbps"},
        {"/output/mp3_bitrate_kbps", 16, "output.mp3_bitrate_kbps"},
        {"/master/multiband/crossovers_hz", {100, 500, 2000, 8000}, "master.multiband.crossovers_hz"},
        {"/master/multiband/crossovers_hz", {2000, 500}, "master.multiband.crossovers_hz.1"},
        {"/master/saturation/oversampling", 3, "master.saturation.oversampling"},
        {"/master/limiter/ceiling_dbtp", 0.5, "master.limiter.ceiling_dbtp"},
        {"/stems/0/role", "vocals", "stems.drums.role"},
        {"/stems/1/id", "drums", "stems.1.id"},
        {"/stems/1/id", "lead.vocal", "stems.1.id"},
        {"/stems/1/id", "7", "stems.1.id"},
        {"/master/limiter/ceiling", -1, "master.limiter.ceiling"},
    };
    for (const Case& c : cases) {
        json j = good;
        j[json::json_pointer(c.pointer)] = c.value;
        const std::string message = errorOf([&] { sessionFromJson(j, "x"); });
        EXPECT_EQ(message.rfind("x: " + c.keyPath + ": ", 0), 0u) << c.pointer << " -> " << message;
    }

    json nineBands = good;
    nineBands["master"]["eq"] = json::array();
    for (int i = 0; i < 9; ++i)
        nineBands["master"]["eq"].push_back(toJson(richSession())["master"]["eq"][0]);
    EXPECT_EQ(errorOf([&] { sessionFromJson(nineBands, "x"); }).rfind("x: master.eq: 9 bands", 0), 0u);

    json wrongBands = good;
    wrongBands["master"]["multiband"]["bands"].erase(0);
    EXPECT_NE(errorOf([&] {
                  sessionFromJson(wrongBands, "x");
              }).find("master.multiband.bands: 2 bands for 2 crossovers"),
              std::string::npos);
}

TEST(Session, UnknownKeySuggestsTheNearest) {
    json j = toJson(richSession());
    j["master"]["limter"] = j["master"]["limiter"];
    const std::string message = errorOf([&] { sessionFromJson(j, "x"); });
    EXPECT_EQ(message.rfind("x: master.limter: unknown key \"limter\" (did you mean \"limiter\"?)", 0), 0u)
        << message;
}

TEST(SessionOverride, SetsValuesByPath) {
    Session s = richSession();
    applyOverride(s, "stems.drums.gain_db=6");
    EXPECT_EQ(s.stems[0].gain_db, 6);
    applyOverride(s, "master.limiter.ceiling_dbtp=-0.5");
    EXPECT_EQ(s.master.limiter.ceiling_dbtp, -0.5);
    applyOverride(s, "loudness.target_lufs=-9.5");
    EXPECT_EQ(s.loudness.target_lufs, -9.5);
    applyOverride(s, "master.eq.0.gain_db=1");
    EXPECT_EQ(s.master.eq[0].gain_db, 1);
    applyOverride(s, "stems.drums.eq.1.frequency_hz=+300");
    EXPECT_EQ(s.stems[0].eq[1].frequency_hz, 300);
    applyOverride(s, "stems.1.width=1.5"); // a stem by position
    EXPECT_EQ(s.stems[1].width, 1.5);
    applyOverride(s, " output.bit_depth = 24 ");
    EXPECT_EQ(s.output.bit_depth, 24);
    applyOverride(s, "output.title=Night Drive (Extended)");
    EXPECT_EQ(s.output.title, "Night Drive (Extended)");
    applyOverride(s, "master.saturation.mode=soft_clip");
    EXPECT_EQ(s.master.saturation.mode, "soft_clip");
    applyOverride(s, "master.multiband.crossovers_hz.0=200");
    EXPECT_EQ(s.master.multiband.crossovers_hz[0], 200);

    const std::pair<const char*, bool> bools[] = {{"false", false}, {"on", true},  {"OFF", false},
                                                  {"1", true},      {"no", false}, {"Yes", true},
                                                  {"0", false},     {"true", true}};
    for (const auto& [text, value] : bools) {
        applyOverride(s, std::string("output.mp3=") + text);
        EXPECT_EQ(s.output.mp3, value) << text;
    }
}

TEST(SessionOverride, ErrorsNameThePathAndLeaveTheSessionAlone) {
    const Session original = richSession();
    Session s = original;
    const auto message = [&](const std::string& assignment) {
        return errorOf([&] { applyOverride(s, assignment); });
    };
    EXPECT_EQ(message("stems.drums.gain_bd=1"),
              "--set: stems.drums.gain_bd: unknown key \"gain_bd\" (did you mean \"gain_db\"?); keys here: "
              "automation, compressor, dynamic_eq, eq, gain_db, id, mute, path, peak_control, "
              "polarity_inverted, role, solo, width");
    EXPECT_EQ(message("stems.drum.gain_db=1"), "--set: stems.drum: no stem with id \"drum\" (did you mean "
                                               "\"drums\"?); stems: drums, lead_vocal (or an "
                                               "index from 0 to 1)");
    EXPECT_EQ(message("master.eq.3.gain_db=1"), "--set: master.eq.3: no entry 3; use an index from 0 to 0");
    EXPECT_EQ(message("stems.drums.gain_db=loud"),
              "--set: stems.drums.gain_db: expected a number, found \"loud\"");
    EXPECT_EQ(message("output.mp3=maybe"),
              "--set: output.mp3: expected true or false (or on/off, yes/no, 1/0), found \"maybe\"");
    EXPECT_EQ(message("output.bit_depth=24.5"),
              "--set: output.bit_depth: expected a whole number, found \"24.5\"");
    EXPECT_EQ(message("master.limiter.ceiling_dbtp=3"),
              "--set: master.limiter.ceiling_dbtp: 3 is out of range; use -20 to 0 dBTP");
    EXPECT_EQ(message("output.mode=mono").rfind("--set: output.mode: \"mono\" is not one of", 0), 0u);
    EXPECT_EQ(message("master.limiter=1").rfind("--set: master.limiter: this is a group of settings", 0), 0u);
    EXPECT_EQ(message("master.eq=1").rfind("--set: master.eq: this is a list", 0), 0u);
    EXPECT_EQ(message("master.width.x=1").rfind("--set: master.width.x: master.width is a single value", 0),
              0u);
    EXPECT_EQ(message("master.limiter.ceiling_dbtp")
                  .rfind("--set: \"master.limiter.ceiling_dbtp\" is not an assignment", 0),
              0u);
    EXPECT_EQ(message("version=2").rfind("--set: version: unknown key", 0), 0u);
    EXPECT_EQ(message("master..width=1").rfind("--set: master..width: empty key", 0), 0u);
    EXPECT_EQ(message("stems.drums.gain_db=nan"),
              "--set: stems.drums.gain_db: expected a number, found \"nan\"");
    EXPECT_EQ(s, original);
}

TEST(SessionFile, SaveIsAtomicPortableAndReloadsIdentically) {
    TempDir dir;
    // The usual layout: the session beside the client folder, never inside it (Lathe does not write there).
    const fs::path project = dir.path() / "project";
    const fs::path folder = project / "Night Drive";
    fs::create_directories(folder);
    Session s = richSession();
    s.folder = folder.string();
    s.mix = (folder / "Mix.wav").string();
    s.reference = "/elsewhere/Ref.wav"; // outside the folder: stays absolute
    s.stems[0].path = (folder / "stems" / "Kick.wav").string();
    s.stems[1].path = (folder / "Vox.wav").string();

    const fs::path file = project / "Night Drive.lathe";
    saveSession(s, file.string());
    std::set<std::string> entries;
    for (const auto& e : fs::directory_iterator(project))
        entries.insert(e.path().filename().string());
    EXPECT_EQ(entries,
              (std::set<std::string>{"Night Drive", "Night Drive.lathe"})); // no temporary left behind
    EXPECT_TRUE(fs::is_empty(folder));

    const json written = json::parse(readFile(file));
    EXPECT_EQ(written["folder"], "Night Drive");
    EXPECT_EQ(written["mix"], "Mix.wav");
    EXPECT_EQ(written["reference"], "/elsewhere/Ref.wav");
    EXPECT_EQ(written["stems"][0]["path"], "stems/Kick.wav");
    EXPECT_EQ(readFile(file).back(), '\n');

    EXPECT_EQ(loadSession(file.string()), s);

    // Moving the project keeps the session working: paths resolve against the new place.
    const fs::path moved = dir.path() / "moved";
    fs::rename(project, moved);
    const Session reloaded = loadSession((moved / "Night Drive.lathe").string());
    EXPECT_EQ(reloaded.folder, (moved / "Night Drive").string());
    EXPECT_EQ(reloaded.stems[0].path, (moved / "Night Drive" / "stems" / "Kick.wav").string());
    EXPECT_EQ(reloaded.mix, (moved / "Night Drive" / "Mix.wav").string());

    // A session saved inside the folder refers to it as ".".
    saveSession(reloaded, (moved / "Night Drive" / "inside.lathe").string());
    EXPECT_EQ(json::parse(readFile(moved / "Night Drive" / "inside.lathe"))["folder"], ".");
    EXPECT_EQ(loadSession((moved / "Night Drive" / "inside.lathe").string()), reloaded);

    // Saving over an existing session replaces it whole.
    s.loudness.target_lufs = -11;
    saveSession(s, (dir.path() / "copy.lathe").string());
    saveSession(richSession(), (dir.path() / "copy.lathe").string());
    EXPECT_EQ(loadSession((dir.path() / "copy.lathe").string()).loudness.target_lufs, -9);
}

TEST(SessionFile, BrokenFilesGiveClearErrors) {
    TempDir dir;
    const fs::path file = dir.path() / "s.lathe";
    saveSession(richSession(), file.string());
    const std::string text = readFile(file);

    std::ofstream(file, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() / 2);
    const std::string truncated = errorOf([&] { loadSession(file.string()); });
    EXPECT_EQ(truncated.rfind(file.string() + ": ", 0), 0u) << truncated;
    EXPECT_NE(truncated.find("truncated"), std::string::npos) << truncated;

    std::ofstream(file, std::ios::binary | std::ios::trunc) << "";
    EXPECT_EQ(errorOf([&] { loadSession(file.string()); }), file.string() + ": the session file is empty");

    std::ofstream(file, std::ios::binary | std::ios::trunc) << "{\n  \"song\": \"x\",\n  oops\n}\n";
    EXPECT_EQ(errorOf([&] { loadSession(file.string()); }),
              file.string() + ": the session file is not valid JSON (error on line 3)");

    std::ofstream(file, std::ios::binary | std::ios::trunc) << R"({"version": 1, "sample_rate": "fast"})";
    EXPECT_EQ(errorOf([&] { loadSession(file.string()); }),
              file.string() + ": sample_rate: expected a number, found a string");

    EXPECT_EQ(errorOf([&] { loadSession((dir.path() / "missing.lathe").string()); }),
              (dir.path() / "missing.lathe").string() + ": this session file does not exist");
    EXPECT_NE(errorOf([&] { loadSession(dir.path().string()); }).find("is a folder"), std::string::npos);
}

TEST(SessionFile, NonUtf8FileNameGivesAClearErrorNotACrash) {
    TempDir dir;
    Session s;
    s.folder = dir.path().string();
    s.song = "Song";
    s.mix = s.folder + "/Caf\xE9 Mix.wav"; // Latin-1 e-acute: not UTF-8
    const std::string path = (dir.path() / "s.lathe").string();
    try {
        saveSession(s, path);
        FAIL() << "a non-UTF-8 path was saved";
    } catch (const Error& e) {
        EXPECT_EQ(e.path(), path);
        EXPECT_NE(e.problem().find("UTF-8"), std::string::npos) << e.problem();
    }
    EXPECT_FALSE(fs::exists(path));
}

TEST(SessionMatch, DefaultsOffAndOlderFilesLoadWithoutIt) {
    const Session s = richSession();
    EXPECT_FALSE(s.master.match.enabled);
    nlohmann::json j = toJson(s);
    ASSERT_TRUE(j["master"].contains("match"));
    j["master"].erase("match"); // a file written before issue 18
    EXPECT_EQ(sessionFromJson(j, "old.lathe").master.match, MatchSettings{});
}

TEST(SessionMatch, SetReachesEveryKeyAndRangesAreChecked) {
    Session s = richSession();
    applyOverride(s, "master.match.enabled=yes");
    applyOverride(s, "master.match.reference=ref.wav");
    applyOverride(s, "master.match.tone=off");
    applyOverride(s, "master.match.loudness=false");
    applyOverride(s, "master.match.width=0");
    applyOverride(s, "master.match.dynamics_hint=on");
    applyOverride(s, "master.match.tone_amount_pct=50");
    applyOverride(s, "master.match.max_correction_db=6");
    applyOverride(s, "master.match.range_start_s=45");
    applyOverride(s, "master.match.range_end_s=75.5");
    const MatchSettings& m = s.master.match;
    EXPECT_TRUE(m.enabled);
    EXPECT_EQ(m.reference, "ref.wav");
    EXPECT_FALSE(m.tone);
    EXPECT_FALSE(m.loudness);
    EXPECT_FALSE(m.width);
    EXPECT_TRUE(m.dynamics_hint);
    EXPECT_DOUBLE_EQ(m.tone_amount_pct, 50);
    EXPECT_DOUBLE_EQ(m.max_correction_db, 6);
    EXPECT_DOUBLE_EQ(m.range_start_s, 45);
    EXPECT_DOUBLE_EQ(m.range_end_s, 75.5);
    EXPECT_EQ(sessionFromJson(toJson(s), "x"), s);

    const auto message = [&](const std::string& assignment) {
        return errorOf([&] { applyOverride(s, assignment); });
    };
    EXPECT_EQ(message("master.match.tone_amount_pct=150"),
              "--set: master.match.tone_amount_pct: 150 is out of range; use 0 to 100 %");
    EXPECT_EQ(message("master.match.max_correction_db=-1"),
              "--set: master.match.max_correction_db: -1 is out of range; use 0 to 24 dB");
    EXPECT_EQ(message("master.match.range_end_s=30"),
              "--set: master.match.range_end_s: 30 s is not after range_start_s (45 s); use 0 for the end of "
              "the reference");
    EXPECT_NE(message("master.match.amount=1").find("master.match.amount: unknown key \"amount\""),
              std::string::npos);
    EXPECT_DOUBLE_EQ(s.master.match.tone_amount_pct, 50) << "a refused assignment leaves the session alone";
}

TEST(SessionMatch, TheMatchReferenceIsStoredRelativeToTheFolderAndProtected) {
    TempDir dir;
    const fs::path folder = dir.path() / "Song";
    fs::create_directories(folder);
    Session s = richSession();
    s.folder = folder.string();
    s.master.match.enabled = true;
    s.master.match.reference = (folder / "refs" / "Chorus.wav").string();
    const fs::path file = dir.path() / "Song.lathe";
    saveSession(s, file.string());
    std::ifstream in(file);
    const nlohmann::json j = nlohmann::json::parse(in);
    EXPECT_EQ(j["master"]["match"]["reference"], "refs/Chorus.wav");
    EXPECT_EQ(loadSession(file.string()).master.match.reference, s.master.match.reference);
}
