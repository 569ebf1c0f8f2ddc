#include "core/io/ClientFolder.h"
#include "core/Error.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace lathe::core;
namespace fs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = fs::temp_directory_path() /
                ("lathe-clientfolder-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)) /
                "My Song";
        fs::remove_all(path_.parent_path());
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_.parent_path()); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Written with libsndfile directly so the scan is checked against what we know the files hold.
void writeWav(const fs::path& path, int sampleRate, int channels, int frames,
              int format = SF_FORMAT_WAV | SF_FORMAT_PCM_24) {
    fs::create_directories(path.parent_path());
    SF_INFO info{};
    info.samplerate = sampleRate;
    info.channels = channels;
    info.format = format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
    std::vector<float> interleaved(static_cast<size_t>(frames) * channels);
    for (int i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c)
            interleaved[static_cast<size_t>(i) * channels + c] = 0.25f * std::sin(0.05f * i);
    EXPECT_EQ(sf_writef_float(file, interleaved.data(), frames), frames);
    sf_close(file);
}

void writeText(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

struct Expected {
    const char* name;
    FileKind kind;
    StemRole role;
};

} // namespace

TEST(StemRole, NamesRoundTrip) {
    for (StemRole r : {StemRole::Drums, StemRole::Bass, StemRole::Music, StemRole::LeadVocal,
                       StemRole::BackingVocals, StemRole::Fx, StemRole::Other}) {
        StemRole back = StemRole::Other;
        ASSERT_TRUE(stemRoleFromName(stemRoleName(r), back)) << stemRoleName(r);
        EXPECT_EQ(back, r);
    }
    EXPECT_STREQ(stemRoleName(StemRole::LeadVocal), "lead_vocal");
    EXPECT_STREQ(stemRoleName(StemRole::BackingVocals), "backing_vocals");
    StemRole r;
    EXPECT_FALSE(stemRoleFromName("Drums", r)); // session files use the exact lower-case spelling
    EXPECT_FALSE(stemRoleFromName("vocals", r));
}

TEST(ClientFolderNames, SplitsOnSeparatorsDigitsAndCamelCase) {
    using V = std::vector<std::string>;
    EXPECT_EQ(fileNameWords("02_BASS_808.wav"), (V{"02", "bass", "808"}));
    EXPECT_EQ(fileNameWords("Song - Rough Master REF.wav"), (V{"song", "rough", "master", "ref"}));
    EXPECT_EQ(fileNameWords("LeadVocal.aiff"), (V{"lead", "vocal"}));
    EXPECT_EQ(fileNameWords("BGVAdlibs.WAV"), (V{"bgv", "adlibs"}));
    EXPECT_EQ(fileNameWords("Snare05.flac"), (V{"snare", "05"}));
    EXPECT_EQ(fileNameWords("2-Track"), (V{"2", "track"})); // no audio extension: nothing dropped
    EXPECT_EQ(fileNameWords("Lead.Vocal"), (V{"lead", "vocal"}));
    EXPECT_EQ(fileNameWords("dir/sub/Kick.wav"), (V{"kick"}));
}

TEST(ClientFolderNames, ClassificationTable) {
    const FileKind S = FileKind::Stem, M = FileKind::Mix, R = FileKind::Reference;
    const std::vector<Expected> table{
        // The brief's examples.
        {"01_DRUMS.wav", S, StemRole::Drums},
        {"02_BASS_808.wav", S, StemRole::Bass},
        {"03_MUSIC.wav", S, StemRole::Music},
        {"04_LEAD_VOCAL.wav", S, StemRole::LeadVocal},
        {"05_BGV_ADLIBS.wav", S, StemRole::BackingVocals},
        {"06_FX_RETURNS.wav", S, StemRole::Fx},
        {"mix.wav", M, StemRole::Other},
        {"Song - Rough Master REF.wav", R, StemRole::Other},
        {"Kick.wav", S, StemRole::Drums},
        {"Snare 05.wav", S, StemRole::Drums},
        {"Hats.wav", S, StemRole::Drums},
        {"808.wav", S, StemRole::Bass},
        {"Sub Bass.wav", S, StemRole::Bass},
        {"Keys.wav", S, StemRole::Music},
        {"Pads.wav", S, StemRole::Music},
        {"Synth.wav", S, StemRole::Music},
        {"Guitar.wav", S, StemRole::Music},
        {"Piano.wav", S, StemRole::Music},
        {"Strings.wav", S, StemRole::Music},
        {"Vox.wav", S, StemRole::LeadVocal},
        {"Lead Vox.wav", S, StemRole::LeadVocal},
        {"Main Vocal.wav", S, StemRole::LeadVocal},
        {"BV.wav", S, StemRole::BackingVocals},
        {"Backing Vocals.wav", S, StemRole::BackingVocals},
        {"Harmonies.wav", S, StemRole::BackingVocals},
        {"Ad-libs.wav", S, StemRole::BackingVocals},
        {"Adlibs.wav", S, StemRole::BackingVocals},
        {"Doubles.wav", S, StemRole::BackingVocals},
        {"FX.wav", S, StemRole::Fx},
        {"Reverb.wav", S, StemRole::Fx},
        {"Delay.wav", S, StemRole::Fx},
        {"Risers.wav", S, StemRole::Fx},
        {"Returns.wav", S, StemRole::Fx},
        {"Mix.wav", M, StemRole::Other},
        {"Full Mix.wav", M, StemRole::Other},
        {"Stereo Mix.wav", M, StemRole::Other},
        {"Bounce.wav", M, StemRole::Other},
        {"2track.wav", M, StemRole::Other},
        {"2-Track.wav", M, StemRole::Other},
        {"Master.wav", R, StemRole::Other},
        {"Rough Master.wav", R, StemRole::Other},
        {"Ref.wav", R, StemRole::Other},
        {"Reference.wav", R, StemRole::Other},
        {"Mastered.wav", R, StemRole::Other},
        // Case, separators and camelCase.
        {"DRUMS.WAV", S, StemRole::Drums},
        {"lead-vocal.flac", S, StemRole::LeadVocal},
        {"LeadVocal.aiff", S, StemRole::LeadVocal},
        {"HiHat.wav", S, StemRole::Drums},
        {"hi_hat_open.wav", S, StemRole::Drums},
        {"BGVAdlibs.wav", S, StemRole::BackingVocals},
        {"Song.FullMix.v3.wav", M, StemRole::Other},
        // Whole words only: no substring matches.
        {"Bassoon.wav", S, StemRole::Music},
        {"Subway Announcement.wav", S, StemRole::Other},
        {"Drumroll Intro Speech.wav", S, StemRole::Other},
        {"Kickstarter Jingle.wav", S, StemRole::Other},
        // Precedence between roles.
        {"Lead Vocal FX.wav", S, StemRole::Fx},
        {"Vocal Reverb Return.wav", S, StemRole::Fx},
        {"Lead Vocal Doubles.wav", S, StemRole::BackingVocals},
        {"Bass Drum.wav", S, StemRole::Drums},
        {"Kick 808.wav", S, StemRole::Drums},
        {"Synth Bass.wav", S, StemRole::Bass},
        {"Bass Guitar.wav", S, StemRole::Bass},
        {"Synth Lead.wav", S, StemRole::Music},
        // Mix against reference against stems.
        {"Song Mix (Master).wav", R, StemRole::Other},
        {"Mix for Mastering.wav", M, StemRole::Other},
        {"Song Premaster.wav", M, StemRole::Other},
        {"Pre-Master v2.wav", M, StemRole::Other},
        {"Mixdown.wav", M, StemRole::Other},
        {"Drum Mix.wav", S, StemRole::Drums},
        {"Vocal Mixdown.wav", S, StemRole::LeadVocal},
        {"Song Remix.wav", S, StemRole::Other},
        {"Song Remix - Drums.wav", S, StemRole::Drums},
        {"Instrumental.wav", S, StemRole::Music},
        // Unknown.
        {"Track 7.wav", S, StemRole::Other},
        {"Audio 1_03.wav", S, StemRole::Other},
    };
    ASSERT_GE(table.size(), 40u);
    for (const Expected& e : table) {
        const NameClassification c = classifyFileName(e.name);
        EXPECT_EQ(fileKindName(c.kind), std::string(fileKindName(e.kind))) << e.name;
        EXPECT_EQ(stemRoleName(c.role), std::string(stemRoleName(e.role))) << e.name;
        const bool shouldBeRecognised = e.kind != FileKind::Stem || e.role != StemRole::Other;
        EXPECT_EQ(c.recognised, shouldBeRecognised) << e.name;
    }
}

TEST(ClientFolderScan, FindsStemsMixReferenceAndProblems) {
    TempDir dir;
    const fs::path& d = dir.path();
    writeWav(d / "01_DRUMS.wav", 48000, 2, 4800);
    writeWav(d / "02_BASS_808.wav", 44100, 1, 2205, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    writeWav(d / "Vocals" / "Lead Vox.flac", 48000, 2, 1000, SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
    writeWav(d / "Track 7.aif", 48000, 2, 960, SF_FORMAT_AIFF | SF_FORMAT_PCM_24);
    writeWav(d / "Mix v9.wav", 48000, 2, 4800);
    writeWav(d / "Mix v10.wav", 48000, 2, 4800);
    writeWav(d / "old" / "Mix v11.wav", 48000, 2, 4800); // newer name, but deeper: the top-level v10 wins
    writeWav(d / "Song - Rough Master REF.wav", 44100, 2, 4410, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    writeWav(d / "a" / "b" / "c" / "Deep Keys.wav", 48000, 2, 480);      // depth 3: scanned
    writeWav(d / "a" / "b" / "c" / "d" / "Too Deep.wav", 48000, 2, 480); // depth 4: not scanned
    writeText(d / "README.txt", "notes from the client");
    writeText(d / "x.wav", "this is not audio at all");
    writeText(d / ".DS_Store", "junk");
    writeWav(d / ".hidden.wav", 48000, 2, 480);
    writeWav(d / "My Song_stereo_master.wav", 48000, 2, 480);
    writeWav(d / "out" / "My Song_stem_master.wav", 48000, 2, 480);
    writeText(d / "report.json", "{}");
    writeText(d / "My Song.lathe", "{}");

    const FolderScan scan = scanClientFolder(d.string());
    EXPECT_EQ(scan.folder, d.string());
    EXPECT_EQ(scan.songName, "My Song");

    ASSERT_TRUE(scan.mix.has_value());
    EXPECT_EQ(scan.mix->path, (d / "Mix v10.wav").string());
    EXPECT_EQ(scan.mix->kind, FileKind::Mix);
    ASSERT_TRUE(scan.reference.has_value());
    EXPECT_EQ(scan.reference->path, (d / "Song - Rough Master REF.wav").string());
    EXPECT_EQ(scan.reference->info.sampleRate, 44100);
    EXPECT_EQ(scan.reference->info.frames, 4410);

    std::vector<std::string> stemPaths;
    for (const auto& s : scan.stems)
        stemPaths.push_back(s.path);
    const std::vector<std::string> expectedStems{
        (d / "01_DRUMS.wav").string(), (d / "02_BASS_808.wav").string(), (d / "Track 7.aif").string(),
        (d / "Vocals" / "Lead Vox.flac").string(), (d / "a" / "b" / "c" / "Deep Keys.wav").string()};
    std::vector<std::string> sortedExpected = expectedStems;
    std::sort(sortedExpected.begin(), sortedExpected.end());
    EXPECT_EQ(stemPaths, sortedExpected);

    for (const auto& s : scan.stems) {
        const std::string name = fs::path(s.path).filename().string();
        if (name == "02_BASS_808.wav") {
            EXPECT_EQ(s.role, StemRole::Bass);
            EXPECT_TRUE(s.roleRecognised);
            EXPECT_EQ(s.info.sampleRate, 44100);
            EXPECT_EQ(s.info.channels, 1);
            EXPECT_EQ(s.info.frames, 2205);
            EXPECT_EQ(s.info.bitDepth, 16);
        } else if (name == "Lead Vox.flac") {
            EXPECT_EQ(s.role, StemRole::LeadVocal);
            EXPECT_EQ(s.info.frames, 1000);
        } else if (name == "Track 7.aif") {
            EXPECT_EQ(s.role, StemRole::Other);
            EXPECT_FALSE(s.roleRecognised);
        }
    }

    EXPECT_EQ(scan.ignored, std::vector<std::string>{(d / "README.txt").string()});

    std::set<std::string> problemPaths;
    for (const auto& p : scan.problems) {
        problemPaths.insert(p.path);
        EXPECT_FALSE(p.problem.empty()) << p.path;
    }
    EXPECT_EQ(problemPaths,
              (std::set<std::string>{(d / "Mix v9.wav").string(), (d / "old" / "Mix v11.wav").string(),
                                     (d / "x.wav").string()}));
    for (const auto& p : scan.problems)
        if (p.path != (d / "x.wav").string()) {
            EXPECT_NE(p.problem.find("second mix candidate"), std::string::npos) << p.problem;
            EXPECT_NE(p.problem.find("Mix v10.wav"), std::string::npos) << p.problem;
        }
    EXPECT_TRUE(std::is_sorted(scan.problems.begin(), scan.problems.end(),
                               [](const FileProblem& a, const FileProblem& b) { return a.path < b.path; }));
}

TEST(ClientFolderScan, HigherResolutionMixWinsAndEightBitIsAProblem) {
    TempDir dir;
    writeWav(dir.path() / "Mix.wav", 44100, 2, 441, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    writeWav(dir.path() / "Mix 2.wav", 48000, 2, 480,
             SF_FORMAT_WAV | SF_FORMAT_PCM_24); // higher resolution wins
    writeWav(dir.path() / "Pad.wav", 48000, 2, 480, SF_FORMAT_WAV | SF_FORMAT_PCM_U8);
    const FolderScan scan = scanClientFolder(dir.path().string());
    ASSERT_TRUE(scan.mix.has_value());
    EXPECT_EQ(fs::path(scan.mix->path).filename(), "Mix 2.wav");
    EXPECT_FALSE(scan.reference.has_value());
    EXPECT_TRUE(scan.stems.empty());
    ASSERT_EQ(scan.problems.size(), 2u);
    EXPECT_EQ(fs::path(scan.problems[0].path).filename(), "Mix.wav");
    EXPECT_EQ(fs::path(scan.problems[1].path).filename(), "Pad.wav"); // validateSource refuses 8-bit
}

TEST(ClientFolderScan, EmptyFolderGivesAnEmptyScan) {
    TempDir dir;
    const FolderScan scan = scanClientFolder(dir.path().string() + "/");
    EXPECT_EQ(scan.folder, dir.path().string()); // trailing separator dropped
    EXPECT_EQ(scan.songName, "My Song");
    EXPECT_FALSE(scan.mix.has_value());
    EXPECT_FALSE(scan.reference.has_value());
    EXPECT_TRUE(scan.stems.empty());
    EXPECT_TRUE(scan.ignored.empty());
    EXPECT_TRUE(scan.problems.empty());
}

TEST(ClientFolderScan, MissingFolderOrFileThrowsNamingIt) {
    TempDir dir;
    const std::string missing = (dir.path() / "nope").string();
    try {
        scanClientFolder(missing);
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_EQ(e.path(), missing);
        EXPECT_NE(e.problem().find("does not exist"), std::string::npos) << e.what();
    }
    writeText(dir.path() / "file.txt", "x");
    try {
        scanClientFolder((dir.path() / "file.txt").string());
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_NE(e.problem().find("not a folder"), std::string::npos) << e.what();
    }
    EXPECT_THROW(scanClientFolder(""), Error);
}

TEST(ClientFolderScan, UnreadableFolderThrows) {
    TempDir dir;
    writeWav(dir.path() / "Kick.wav", 48000, 2, 480);
    fs::permissions(dir.path(), fs::perms::none);
    if (::geteuid() != 0) {
        EXPECT_THROW(scanClientFolder(dir.path().string()), Error);
    } else {
        // Root reads any folder, so the scan runs in a child that has dropped to "nobody".
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
            try {
                scanClientFolder(dir.path().string());
            } catch (const Error& e) {
                ::_exit(e.problem().find("cannot read") != std::string::npos ? 0 : 3);
            }
            ::_exit(1);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no error; 2: could not drop privileges; 3: wrong message";
    }
    fs::permissions(dir.path(), fs::perms::owner_all);
}

TEST(ClientFolderScan, JsonHasExactlyTheContractKeys) {
    TempDir dir;
    writeWav(dir.path() / "Drums.wav", 48000, 2, 480);
    writeWav(dir.path() / "Mix.wav", 44100, 2, 441, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    writeText(dir.path() / "notes.txt", "x");
    const nlohmann::json j = toJson(scanClientFolder(dir.path().string()));

    const auto keysOf = [](const nlohmann::json& o) {
        std::set<std::string> keys;
        for (const auto& [k, v] : o.items())
            keys.insert(k);
        return keys;
    };
    EXPECT_EQ(keysOf(j), (std::set<std::string>{"folder", "song", "mix", "reference", "stems", "ignored",
                                                "problems", "skipped"}));
    EXPECT_EQ(j["folder"], dir.path().string());
    EXPECT_EQ(j["song"], "My Song");
    EXPECT_TRUE(j["reference"].is_null());
    ASSERT_TRUE(j["mix"].is_object());
    EXPECT_EQ(keysOf(j["mix"]),
              (std::set<std::string>{"path", "sample_rate", "channels", "frames", "bit_depth", "format"}));
    EXPECT_EQ(j["mix"]["sample_rate"], 44100);
    EXPECT_EQ(j["mix"]["bit_depth"], 16);
    EXPECT_EQ(j["mix"]["format"], "pcm_16");
    ASSERT_EQ(j["stems"].size(), 1u);
    const auto& stem = j["stems"][0];
    EXPECT_EQ(keysOf(stem), (std::set<std::string>{"path", "role", "recognised", "sample_rate", "channels",
                                                   "frames", "bit_depth", "format"}));
    EXPECT_EQ(stem["path"], (dir.path() / "Drums.wav").string());
    EXPECT_EQ(stem["role"], "drums");
    EXPECT_EQ(stem["recognised"], true);
    EXPECT_EQ(stem["sample_rate"], 48000);
    EXPECT_EQ(stem["channels"], 2);
    EXPECT_EQ(stem["frames"], 480);
    EXPECT_EQ(stem["bit_depth"], 24);
    EXPECT_EQ(stem["format"], "pcm_24");
    EXPECT_EQ(j["ignored"], nlohmann::json::array({(dir.path() / "notes.txt").string()}));
    EXPECT_TRUE(j["problems"].is_array());
    EXPECT_TRUE(j["problems"].empty());
    EXPECT_EQ(j["skipped"], nlohmann::json::array());
}
