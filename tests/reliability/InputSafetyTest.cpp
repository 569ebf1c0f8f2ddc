// Issue 14, the inputs: what a client folder may hold (links, hard links, pipes, devices, damaged or
// inaudible files, a manifest from Windows) meets the answer a working engineer expects: each file counted
// once, never a hang, a refusal naming the file rather than a wrong master, and `validate`, `advise` and
// `render` agreeing on what can be mastered. Run through the real lathe-cli where the user meets it.
#include "core/Error.h"
#include "core/batch/BatchRunner.h"
#include "core/batch/JobManifest.h"
#include "core/demo/DemoFolder.h"

#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <regex>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace lathe;
using namespace lathe::test;
using nlohmann::json;

namespace {

constexpr int kRate = 48000;
constexpr int kPcm24 = SF_FORMAT_WAV | SF_FORMAT_PCM_24;

// A five-second demo delivery: six stems, the printed mix, a rough master.
void writeDemo(const fs::path& dir) {
    core::DemoOptions options;
    options.seconds = 5.0;
    core::writeDemoFolder(dir.string(), options);
}

PlanarAudio constant(int channels, int64_t frames, float value) {
    return PlanarAudio(static_cast<size_t>(channels), std::vector<float>(static_cast<size_t>(frames), value));
}

// Four stems of steady tones (above 400 Hz, so no flat tops at the file's own peak), no mix: a delivery every
// check passes but "mix_present", and a render masters.
void writeToneStems(const fs::path& dir) {
    fs::create_directories(dir);
    const std::pair<const char*, double> stems[] = {
        {"Drums.wav", 440.0}, {"Bass.wav", 660.0}, {"Keys.wav", 880.0}, {"Lead Vocal.wav", 1320.0}};
    for (const auto& [name, hz] : stems)
        writeTestAudio((dir / name).string(), makeSine(2, 5 * kRate, kRate, hz, 0.1), kRate, kPcm24);
}

json scanJson(const fs::path& dir, int* exitCode = nullptr) {
    const CliResult r = runCli({"scan", dir.string(), "--json"}, "timeout 60 ");
    if (exitCode) *exitCode = r.exitCode;
    return json::parse(r.out);
}

const json* findByPath(const json& list, const fs::path& path) {
    for (const auto& entry : list)
        if (entry.at("path").get<std::string>() == path.string()) return &entry;
    return nullptr;
}

std::vector<std::string> wavsUnder(const fs::path& dir) {
    std::vector<std::string> wavs;
    if (!fs::exists(dir)) return wavs;
    for (const auto& f : filesUnder(dir.string()))
        if (f.find(".wav") != std::string::npos) wavs.push_back(f);
    return wavs;
}

const json* check(const json& validation, const std::string& name) {
    for (const auto& c : validation.at("checks"))
        if (c.at("name") == name) return &c;
    return nullptr;
}

bool listsFile(const json& c, const std::string& fileName) {
    for (const auto& f : c.at("files"))
        if (fs::path(f.get<std::string>()).filename() == fileName) return true;
    return false;
}

} // namespace

// --- 6. Links and hard links: every real file is scanned and summed once. ---------------------------------

TEST(InputSafety, DirectorySymlinkLoopScansEachStemOnce) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeDemo(song);
    const CliResult before = runCli(
        {"render", song.string(), "--out", tmp.file("before"), "--mode", "stem", "--no-mp3", "--quiet"});
    ASSERT_EQ(before.exitCode, 0) << before.err;

    fs::create_directory_symlink(".", song / "Alt"); // the issue's case: a link back to the folder itself
    int exitCode = -1;
    const json scan = scanJson(song, &exitCode);
    EXPECT_EQ(exitCode, 0) << scan.dump(2);
    ASSERT_EQ(scan["stems"].size(), 6u) << "each of the six stems once, not once per way to reach it";
    for (const auto& stem : scan["stems"])
        EXPECT_EQ(stem["path"].get<std::string>().find("/Alt/"), std::string::npos) << stem["path"];
    EXPECT_TRUE(scan["problems"].empty()) << scan["problems"].dump(2);
    ASSERT_TRUE(scan.contains("skipped"));
    const json* alt = findByPath(scan["skipped"], song / "Alt");
    ASSERT_NE(alt, nullptr) << scan["skipped"].dump(2);
    EXPECT_NE(alt->at("reason").get<std::string>().find("already scanned"), std::string::npos) << *alt;

    // Summed once: the stem master is the one rendered before the link existed, sample for sample.
    const CliResult after = runCli(
        {"render", song.string(), "--out", tmp.file("after"), "--mode", "stem", "--no-mp3", "--quiet"});
    ASSERT_EQ(after.exitCode, 0) << after.err;
    EXPECT_EQ(readTestAudio(tmp.file("after/Song_stem_master.wav")),
              readTestAudio(tmp.file("before/Song_stem_master.wav")));
}

TEST(InputSafety, DirectorySymlinkToAParentFolderBringsInNoOtherSong) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeDemo(song);
    fs::create_directory(tmp.file("Other Song"));
    writeTestAudio(tmp.file("Other Song/Kick.wav"), makeSine(2, kRate, kRate, 60.0, 0.5), kRate, kPcm24);
    fs::create_directory_symlink("..", song / "Up");
    const json scan = scanJson(song);
    ASSERT_EQ(scan["stems"].size(), 6u) << scan["stems"].dump(2);
    for (const auto& stem : scan["stems"])
        EXPECT_EQ(stem["path"].get<std::string>().find("Other Song"), std::string::npos) << stem["path"];
    const json* up = findByPath(scan["skipped"], song / "Up");
    ASSERT_NE(up, nullptr) << scan["skipped"].dump(2);
    EXPECT_NE(up->at("reason").get<std::string>().find("holds the client folder"), std::string::npos) << *up;
}

TEST(InputSafety, HardLinkFileLinkAndFolderLinkToAStemAreUsedOnceUnderTheirOwnName) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeDemo(song);
    fs::create_hard_link(song / "01_Drums.wav", song / "Drums copy.wav");
    fs::create_symlink("01_Drums.wav", song / "Drums link.wav");
    fs::create_directory(song / "Stems");
    writeTestAudio((song / "Stems" / "Pad.wav").string(), makeSine(2, 5 * kRate, kRate, 500.0, 0.1), kRate,
                   kPcm24);
    fs::create_directory_symlink("Stems", song / "A Stems"); // sorts before the real folder

    const json scan = scanJson(song);
    ASSERT_EQ(scan["stems"].size(), 7u) << scan["stems"].dump(2);
    EXPECT_NE(findByPath(scan["stems"], song / "Stems" / "Pad.wav"), nullptr)
        << "the real folder's name is kept, not the link's";
    EXPECT_NE(findByPath(scan["stems"], song / "01_Drums.wav"), nullptr);
    const json* hard = findByPath(scan["skipped"], song / "Drums copy.wav");
    const json* link = findByPath(scan["skipped"], song / "Drums link.wav");
    const json* folderLink = findByPath(scan["skipped"], song / "A Stems");
    ASSERT_NE(hard, nullptr) << scan["skipped"].dump(2);
    ASSERT_NE(link, nullptr) << scan["skipped"].dump(2);
    ASSERT_NE(folderLink, nullptr) << scan["skipped"].dump(2);
    EXPECT_NE(hard->at("reason").get<std::string>().find("same file as 01_Drums.wav (a hard link)"),
              std::string::npos)
        << *hard;
    EXPECT_NE(link->at("reason").get<std::string>().find("same file as 01_Drums.wav (a link to it)"),
              std::string::npos)
        << *link;
    EXPECT_NE(folderLink->at("reason").get<std::string>().find("already scanned (Stems)"), std::string::npos)
        << *folderLink;
}

TEST(InputSafety, BatchTreatsTwoSpellingsOfOneFolderAsOneJob) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeDemo(song);
    fs::create_directory_symlink(song, tmp.file("Link to Song"));
    fs::create_directory(tmp.file("sub"));
    const std::vector<core::BatchJob> jobs =
        core::planBatch({tmp.file("Link to Song"), song.string(), tmp.file("sub/../Song/"), tmp.file("Song")},
                        tmp.file("out"));
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].input, song.string()) << "the real path is kept over a link to it";
    EXPECT_EQ(jobs[0].name, "Song");
}

// --- 8. DC and sub-audible sources, absurd loudness gain: refused, named, nothing written.
// ------------------

TEST(InputSafety, DcOnlyStemIsRefusedByNameNotGainedUp) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "DC Song";
    fs::create_directories(song);
    writeTestAudio((song / "Bass.wav").string(), constant(2, 5 * kRate, 0.25f), kRate, kPcm24);
    const fs::path out = fs::path(tmp.path()) / "out";
    const CliResult r = runCli({"render", song.string(), "--out", out.string(), "--quiet"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("Bass.wav"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("DC or sub-audible only"), std::string::npos) << r.err;
    EXPECT_TRUE(wavsUnder(out).empty()) << "no master may be written";

    const CliResult v = runCli({"validate", song.string(), "--json"});
    EXPECT_EQ(v.exitCode, 1) << v.out;
    const json validation = json::parse(v.out);
    const json* c = check(validation, "sub_audible");
    ASSERT_NE(c, nullptr) << v.out;
    EXPECT_EQ(c->at("status"), "fail");
    EXPECT_TRUE(listsFile(*c, "Bass.wav")) << *c;
}

TEST(InputSafety, DcOnlyStemAmongAudibleStemsIsNamedAndMutingItRenders) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeDemo(song);
    // A bounce of nothing but a constant offset, in place of the FX returns.
    writeTestAudio((song / "06_FX_Returns.wav").string(), constant(2, 5 * kRate, 0.1f), kRate, kPcm24);
    const CliResult r =
        runCli({"render", song.string(), "--out", tmp.file("out"), "--mode", "stem", "--no-mp3", "--quiet"});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("06_FX_Returns.wav"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("stems.fx.mute=true"), std::string::npos) << "the way out is named: " << r.err;
    EXPECT_TRUE(wavsUnder(tmp.file("out")).empty());

    const CliResult muted = runCli({"render", song.string(), "--out", tmp.file("muted"), "--mode", "stem",
                                    "--no-mp3", "--quiet", "--set", "stems.fx.mute=true"});
    EXPECT_EQ(muted.exitCode, 0) << muted.err;
}

TEST(InputSafety, SubAudibleRumbleStemIsRefusedByName) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Rumble Song";
    fs::create_directories(song);
    // 5 Hz: K-weighting hears it 35 dB down, so loudness targeting would raise it towards full scale.
    writeTestAudio((song / "Sub Rumble.wav").string(), makeSine(2, 5 * kRate, kRate, 5.0, 0.5), kRate,
                   kPcm24);
    const CliResult r = runCli({"render", song.string(), "--out", tmp.file("out"), "--no-mp3", "--quiet"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("Sub Rumble.wav"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("sub-audible"), std::string::npos) << r.err;
    EXPECT_TRUE(wavsUnder(tmp.file("out")).empty());

    const CliResult v = runCli({"validate", song.string(), "--json"});
    EXPECT_EQ(v.exitCode, 1);
    const json validation = json::parse(v.out);
    const json* c = check(validation, "sub_audible");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->at("status"), "fail");
    EXPECT_TRUE(listsFile(*c, "Sub Rumble.wav")) << *c;
}

TEST(InputSafety, LoudnessTargetingRefusesAbsurdGainWithTheFigureAndTheDeliverable) {
    TempDir tmp;
    // A 1 kHz tone at the same level in both channels reads its peak level in LUFS (BS.1770: 0 dBFS in one
    // channel is -3.01 LUFS; K-weighting is 0.0 dB at 1 kHz within 0.1 dB).
    const auto quietMix = [&](const std::string& name, double amplitudeDb) {
        const fs::path song = fs::path(tmp.path()) / name;
        PlanarAudio tone = makeSine(1, 5 * kRate, kRate, 1000.0, std::pow(10.0, amplitudeDb / 20.0));
        tone.push_back(tone[0]);
        fs::create_directories(song);
        writeTestAudio((song / "Song Mix.wav").string(), tone, kRate, kPcm24);
        return song;
    };
    const fs::path tooQuiet = quietMix("Too Quiet", -60.0); // needs +46 dB to reach -14 LUFS
    const CliResult r = runCli({"render", tooQuiet.string(), "--out", tmp.file("out"), "--quiet"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("the stereo master"), std::string::npos) << r.err;
    std::smatch figure;
    ASSERT_TRUE(std::regex_search(r.err, figure, std::regex(R"(\+([0-9]+\.[0-9]) dB)"))) << r.err;
    EXPECT_NEAR(std::stod(figure[1]), 46.0, 0.3) << r.err;
    EXPECT_TRUE(wavsUnder(tmp.file("out")).empty());

    // Quiet material inside the limit is mastered: +36 dB to the target.
    const fs::path quiet = quietMix("Quiet", -50.0);
    const CliResult ok = runCli({"render", quiet.string(), "--out", tmp.file("ok"), "--quiet", "--json"});
    ASSERT_EQ(ok.exitCode, 0) << ok.err;
    const json report = json::parse(ok.out);
    EXPECT_NEAR(report["deliverables"][0]["loudness_gain_db"].get<double>(), 36.0, 0.3);
    EXPECT_TRUE(report["deliverables"][0]["meets_target"].get<bool>());
}

TEST(InputSafety, LoudnessTargetingStopsAtTheGainLimitWhenTheLimiterTakesTheGainAway) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeDemo(song); // the mix: -17 LUFS, peaks at -4 dBFS
    // -3 LUFS under a -1 dBTP ceiling is out of this mix's reach: allowed up to 40 dB of limiting, the search
    // would climb into +40 dB and more of gain, nearly all of it taken back by the limiter. (With the default
    // 12 dB it stops there and warns: RenderTest.UnreachableTargetSaysHowMuchLimitingItWouldTake.)
    const CliResult r =
        runCli({"render", song.string(), "--out", tmp.file("out"), "--mode", "stereo", "--no-mp3", "--quiet",
                "--target-lufs", "-3", "--set", "loudness.max_limiting_db=40"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("the stereo master reaches only"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("+40 dB of gain"), std::string::npos) << r.err;
    EXPECT_TRUE(wavsUnder(tmp.file("out")).empty());

    // A loud target within reach is still made.
    const CliResult loud = runCli({"render", song.string(), "--out", tmp.file("loud"), "--mode", "stereo",
                                   "--no-mp3", "--quiet", "--target-lufs", "-9", "--json"});
    ASSERT_EQ(loud.exitCode, 0) << loud.err;
    EXPECT_TRUE(json::parse(loud.out)["deliverables"][0]["meets_target"].get<bool>()) << loud.out;
}

// --- 9. advise names an unreadable stem and fails, as render does (its verdict: re-export it). ------------

TEST(InputSafety, AdviseNamesAnUnreadableStemAndFails) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeDemo(song);
    writeBytes((song / "03_Music.wav").string(), "RIFF\x10\x00\x00\x00WAVEjunk that is not audio");
    const CliResult r = runCli({"advise", song.string()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("03_Music.wav"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("not an audio file"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("missing"), std::string::npos) << "no verdict on a folder read in part: " << r.out;
    // The only verdict is the delivery's: re-export that file (issue 17).
    EXPECT_NE(r.out.find("fix_delivery"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("03_Music.wav"), std::string::npos) << r.out;
    const CliResult render = runCli({"render", song.string(), "--out", tmp.file("out"), "--quiet"});
    EXPECT_EQ(render.exitCode, 1);
    EXPECT_NE(render.err.find("03_Music.wav"), std::string::npos) << render.err;
}

// --- 10. validate fails what render refuses. --------------------------------------------------------------

enum class Refused {
    Nothing,
    AllSilent,
    EightBitStem,
    ThreeChannelStem,
    EmptyStem,
    NanStem,
    CorruptStem,
    DcStem
};

struct AgreementCase {
    const char* name;
    Refused defect;
};

class ValidateAgreesWithRender : public ::testing::TestWithParam<AgreementCase> {};

TEST_P(ValidateAgreesWithRender, OnWhetherTheDeliveryCanBeMastered) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeToneStems(song);
    const std::string keys = (song / "Keys.wav").string();
    const int64_t frames = 5 * kRate;
    switch (GetParam().defect) {
    case Refused::Nothing:
        break;
    case Refused::AllSilent:
        for (const char* name : {"Drums.wav", "Bass.wav", "Keys.wav", "Lead Vocal.wav"})
            writeTestAudio((song / name).string(), constant(2, frames, 0.0f), kRate, kPcm24);
        break;
    case Refused::EightBitStem:
        writeTestAudio(keys, makeSine(2, frames, kRate, 880.0, 0.1), kRate, SF_FORMAT_WAV | SF_FORMAT_PCM_U8);
        break;
    case Refused::ThreeChannelStem:
        writeTestAudio(keys, makeSine(3, frames, kRate, 880.0, 0.1), kRate, kPcm24);
        break;
    case Refused::EmptyStem:
        writeTestAudio(keys, PlanarAudio(2), kRate, kPcm24);
        break;
    case Refused::NanStem: {
        PlanarAudio audio = makeSine(2, frames, kRate, 880.0, 0.1);
        audio[0][12345] = std::numeric_limits<float>::quiet_NaN();
        writeTestAudio(keys, audio, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
        break;
    }
    case Refused::CorruptStem:
        writeBytes(keys, "RIFF\x10\x00\x00\x00WAVEjunk that is not audio");
        break;
    case Refused::DcStem:
        writeTestAudio(keys, constant(2, frames, 0.2f), kRate, kPcm24);
        break;
    }
    const CliResult render =
        runCli({"render", song.string(), "--out", tmp.file("out"), "--no-mp3", "--quiet"});
    const CliResult validate = runCli({"validate", song.string()});
    const bool refused = GetParam().defect != Refused::Nothing;
    EXPECT_EQ(render.exitCode, refused ? 1 : 0) << render.err;
    EXPECT_EQ(validate.exitCode, render.exitCode)
        << "validate must fail exactly what render refuses\nrender: " << render.err
        << "\nvalidate: " << validate.out << validate.err;
    if (refused && GetParam().defect != Refused::AllSilent) {
        EXPECT_NE((validate.out + validate.err).find("Keys.wav"), std::string::npos)
            << "validate names the file: " << validate.out << validate.err;
    }
}

INSTANTIATE_TEST_SUITE_P(InputSafety, ValidateAgreesWithRender,
                         ::testing::Values(AgreementCase{"Clean", Refused::Nothing},
                                           AgreementCase{"AllSilent", Refused::AllSilent},
                                           AgreementCase{"EightBitStem", Refused::EightBitStem},
                                           AgreementCase{"ThreeChannelStem", Refused::ThreeChannelStem},
                                           AgreementCase{"EmptyStem", Refused::EmptyStem},
                                           AgreementCase{"NanStem", Refused::NanStem},
                                           AgreementCase{"CorruptStem", Refused::CorruptStem},
                                           AgreementCase{"DcStem", Refused::DcStem}),
                         [](const auto& info) { return std::string(info.param.name); });

// --- 12. A manifest saved with a byte order mark; pipes, sockets and devices in a client folder.
// ------------

TEST(InputSafety, ManifestWithByteOrderMarkKeepsItsFirstEntry) {
    TempDir tmp;
    const std::string manifest = tmp.file("catalogue.txt");
    writeBytes(manifest, "\xEF\xBB\xBFSong A\r\nSong B\r\n");
    EXPECT_EQ(core::readJobManifest(manifest),
              (std::vector<std::string>{tmp.file("Song A"), tmp.file("Song B")}));

    writeBytes(manifest, std::string("\xFF\xFES\0o\0n\0g\0", 10));
    try {
        core::readJobManifest(manifest);
        FAIL() << "a UTF-16 manifest was read";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), manifest);
        EXPECT_NE(e.problem().find("UTF-16"), std::string::npos) << e.what();
    }
}

TEST(InputSafety, PipesSocketsDevicesAndDanglingLinksAreListedAndNeverOpened) {
    TempDir tmp;
    const fs::path song = fs::path(tmp.path()) / "Song";
    writeToneStems(song);
    ASSERT_EQ(::mkfifo((song / "Pad.wav").c_str(), 0644), 0); // a pipe with an audio name: a part not there
    ASSERT_EQ(::mkfifo((song / "session-pipe").c_str(), 0644), 0);
    const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(sock, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string socketPath = (song / "daw.sock").string();
    ASSERT_LT(socketPath.size(), sizeof address.sun_path);
    std::copy(socketPath.begin(), socketPath.end(), address.sun_path);
    ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    fs::create_symlink("/dev/null", song / "Strings.wav"); // a character device behind an audio name
    fs::create_symlink("/dev/zero", song / "zero");
    fs::create_symlink("Guitar take 3.wav", song / "Guitar.wav"); // a link to nothing

    // "timeout" turns a hang on a pipe into exit 124, which fails the test instead of stalling the suite.
    int exitCode = -1;
    const json scan = scanJson(song, &exitCode);
    ::close(sock);
    EXPECT_EQ(exitCode, 1) << "the unreadable audio names are problems";
    EXPECT_EQ(scan["stems"].size(), 4u);
    const auto reasonIn = [&](const char* list, const char* name, const char* key) {
        const json* entry = scan.contains(list) ? findByPath(scan[list], song / name) : nullptr;
        return entry ? entry->at(key).get<std::string>() : std::string("(not listed in ") + list + ")";
    };
    EXPECT_NE(reasonIn("problems", "Pad.wav", "problem").find("named pipe"), std::string::npos)
        << scan.dump(2);
    EXPECT_NE(reasonIn("problems", "Strings.wav", "problem").find("character device"), std::string::npos);
    EXPECT_NE(reasonIn("problems", "Guitar.wav", "problem").find("does not exist"), std::string::npos);
    EXPECT_NE(reasonIn("skipped", "session-pipe", "reason").find("named pipe"), std::string::npos);
    EXPECT_NE(reasonIn("skipped", "daw.sock", "reason").find("socket"), std::string::npos);
    EXPECT_NE(reasonIn("skipped", "zero", "reason").find("character device"), std::string::npos);

    const CliResult render =
        runCli({"render", song.string(), "--out", tmp.file("out"), "--quiet"}, "timeout 60 ");
    EXPECT_EQ(render.exitCode, 1) << render.err;
    EXPECT_NE(render.err.find("Pad.wav"), std::string::npos) << render.err;
    const CliResult analyze = runCli({"analyze", (song / "Pad.wav").string()}, "timeout 60 ");
    EXPECT_EQ(analyze.exitCode, 1) << analyze.out << analyze.err;
}
