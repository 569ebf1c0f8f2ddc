// The mix and the master of a client folder are decided by their mix/master words, the song's title and the
// stems' naming pattern before any role word (issue 19): "Keys Song Mix.wav" beside the stems of "Keys Song"
// was scanned as a keys stem and summed into the stem master with the stems it already holds.
#include "core/io/ClientFolder.h"

#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace lathe::core;
namespace fs = std::filesystem;

namespace {

struct FolderCase {
    std::string song;
    std::vector<std::string> files; // stereo unless listed in mono
    std::vector<std::string> mono;
    std::string mix, reference; // expected, "" for none
    std::vector<std::pair<std::string, StemRole>> stems;
};

void writeStereoOrMono(const std::string& path, int channels) {
    lathe::test::writeTestAudio(path, lathe::test::makeSine(channels, 4800, 48000, 440, 0.25), 48000,
                                SF_FORMAT_WAV | SF_FORMAT_PCM_24);
}

std::string nameOf(const std::optional<ScannedFile>& f) {
    return f ? fs::path(f->path).filename().string() : std::string();
}

void checkScan(const FolderCase& c) {
    SCOPED_TRACE("song \"" + c.song + "\"");
    lathe::test::TempDir tmp;
    const fs::path dir = fs::path(tmp.path()) / c.song;
    fs::create_directories(dir);
    for (const std::string& f : c.files)
        writeStereoOrMono((dir / f).string(),
                          std::find(c.mono.begin(), c.mono.end(), f) != c.mono.end() ? 1 : 2);
    const FolderScan scan = scanClientFolder(dir.string());
    EXPECT_EQ(nameOf(scan.mix), c.mix);
    EXPECT_EQ(nameOf(scan.reference), c.reference);
    std::vector<std::pair<std::string, StemRole>> stems;
    for (const ScannedFile& s : scan.stems)
        stems.emplace_back(fs::path(s.path).filename().string(), s.role);
    EXPECT_EQ(stems, c.stems);
    EXPECT_TRUE(scan.problems.empty()) << scan.problems.front().path << ": " << scan.problems.front().problem;
}

} // namespace

TEST(FolderClassification, ARoleWordInTheSongsTitleDoesNotMakeItsMixAStem) {
    // Numbered stems, the song's mix named after it.
    checkScan({"Keys Song",
               {"01_Keys.wav", "02_Drums.wav", "03_Bass.wav", "Keys Song Mix.wav"},
               {},
               "Keys Song Mix.wav",
               "",
               {{"01_Keys.wav", StemRole::Music},
                {"02_Drums.wav", StemRole::Drums},
                {"03_Bass.wav", StemRole::Bass}}});
    // The master is a reference, the title-only file the mix, and a stem named "<title> - <role>" takes its
    // role from the part after the title (before: "Drum Machine Blues - Bass" was drums).
    checkScan({"Drum Machine Blues",
               {"Drum Machine Blues (Master).wav", "Drum Machine Blues.wav", "Drum Machine Blues - Bass.wav",
                "Drum Machine Blues - Vocals.wav", "Drum Machine Blues - Drums.wav"},
               {},
               "Drum Machine Blues.wav",
               "Drum Machine Blues (Master).wav",
               {{"Drum Machine Blues - Bass.wav", StemRole::Bass},
                {"Drum Machine Blues - Drums.wav", StemRole::Drums},
                {"Drum Machine Blues - Vocals.wav", StemRole::LeadVocal}}});
    // A dated folder: its numbers are not part of the title; a version after the title is still the mix.
    checkScan({"2026-05-01 Keys Song",
               {"Keys Song v3 final.wav", "Keys.wav", "Vocals.wav"},
               {},
               "Keys Song v3 final.wav",
               "",
               {{"Keys.wav", StemRole::Music}, {"Vocals.wav", StemRole::LeadVocal}}});
}

TEST(FolderClassification, TheStemsNamingPatternTellsTheMixFromASubmix) {
    // The folder's name says nothing (no title): a mix-worded file that breaks the stems' numbering is the
    // mix.
    checkScan({"Client upload",
               {"01_Kick.wav", "02_Snare.wav", "03_Bass.wav", "Drum Machine Blues Mix.wav"},
               {},
               "Drum Machine Blues Mix.wav",
               "",
               {{"01_Kick.wav", StemRole::Drums},
                {"02_Snare.wav", StemRole::Drums},
                {"03_Bass.wav", StemRole::Bass}}});
    checkScan({"Client upload",
               {"01_Kick.wav", "02_Snare.wav", "03_Bass.wav", "Drum Mix.wav"},
               {},
               "Drum Mix.wav",
               "",
               {{"01_Kick.wav", StemRole::Drums},
                {"02_Snare.wav", StemRole::Drums},
                {"03_Bass.wav", StemRole::Bass}}});
    // A common first word is a pattern too.
    checkScan({"Client upload",
               {"KSM_Keys.wav", "KSM_Drums.wav", "Keys Mix.wav"},
               {},
               "Keys Mix.wav",
               "",
               {{"KSM_Drums.wav", StemRole::Drums}, {"KSM_Keys.wav", StemRole::Music}}});
    // Negative: a submix that follows the numbering stays a stem, and with a mix present a pattern-breaking
    // "Drum Mix" is not taken for a second mix (it would leave the stem master without its drums).
    checkScan({"Client upload",
               {"01_Keys.wav", "02_Bass.wav", "03_Drum Mix.wav", "Mix.wav"},
               {},
               "Mix.wav",
               "",
               {{"01_Keys.wav", StemRole::Music},
                {"02_Bass.wav", StemRole::Bass},
                {"03_Drum Mix.wav", StemRole::Drums}}});
    checkScan({"Client upload",
               {"01_Keys.wav", "02_Bass.wav", "Drum Mix.wav", "Mix.wav"},
               {},
               "Mix.wav",
               "",
               {{"01_Keys.wav", StemRole::Music},
                {"02_Bass.wav", StemRole::Bass},
                {"Drum Mix.wav", StemRole::Drums}}});
    // Stems without a pattern (their first words are role words): "Drum Mix" stays the drums' submix.
    checkScan({"Client upload",
               {"Drums.wav", "Drums 2.wav", "Bass.wav", "Drum Mix.wav"},
               {},
               "",
               "",
               {{"Bass.wav", StemRole::Bass},
                {"Drum Mix.wav", StemRole::Drums},
                {"Drums 2.wav", StemRole::Drums},
                {"Drums.wav", StemRole::Drums}}});
}

TEST(FolderClassification, ATitledStereoFileAloneInAFolderIsTheMix) {
    checkScan({"Client upload", {"Drum Machine Blues.wav"}, {}, "Drum Machine Blues.wav", "", {}});
    checkScan({"Client upload", {"Keys Song.wav"}, {}, "Keys Song.wav", "", {}});
    // Negative: a file that is only a role, a numbered stem or a mono file alone stays a stem.
    checkScan({"Client upload", {"01_Keys.wav"}, {}, "", "", {{"01_Keys.wav", StemRole::Music}}});
    checkScan({"Client upload", {"Drums.wav"}, {}, "", "", {{"Drums.wav", StemRole::Drums}}});
    checkScan({"Client upload",
               {"Bass Guitar DI.wav"},
               {"Bass Guitar DI.wav"},
               "",
               "",
               {{"Bass Guitar DI.wav", StemRole::Bass}}});
}

TEST(FolderClassification, NamesAloneKeepARoleWordOfTheTitleOutOfTheStems) {
    const FileKind S = FileKind::Stem, M = FileKind::Mix, R = FileKind::Reference;
    const std::vector<std::tuple<std::string, FileKind, StemRole>> table{
        {"Keys Song Mix.wav", M, StemRole::Other},
        {"Drum Machine Blues Mix.wav", M, StemRole::Other},
        {"Drum Machine Blues (Master).wav", R, StemRole::Other},
        {"Bass Heavy Tune Mixdown.wav", M, StemRole::Other},
        // Submixes: the role right before the mix word (versions between) or after it.
        {"Drum Mix.wav", S, StemRole::Drums},
        {"Drums Final Mix.wav", S, StemRole::Drums},
        {"Drums v2 Mix.wav", S, StemRole::Drums},
        {"Lead Vocal Mixdown.wav", S, StemRole::LeadVocal},
        {"Mix - Drums.wav", S, StemRole::Drums},
        {"Keys Song Mix - Vocals.wav", S, StemRole::LeadVocal},
        {"01_Keys.wav", S, StemRole::Music},
    };
    for (const auto& [name, kind, role] : table) {
        const NameClassification c = classifyFileName(name);
        EXPECT_EQ(fileKindName(c.kind), std::string(fileKindName(kind))) << name;
        EXPECT_EQ(stemRoleName(c.role), std::string(stemRoleName(role))) << name;
    }
}
