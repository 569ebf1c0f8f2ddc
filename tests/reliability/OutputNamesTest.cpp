// Issue 14, class 1: a name that becomes a file name (the song) must be one safe path component, and every
// output must lie inside the output folder once joined and resolved. A hostile or careless song name never
// writes into the client folder or anywhere else, through render or batch.

#include "ClientFolderFixture.h"

#include <gtest/gtest.h>

using namespace lathe;
using namespace lathe::reliability;

namespace {

bool isDeliverable(const std::string& path) {
    const std::string ext = fs::path(path).extension().string();
    return ext == ".wav" || ext == ".mp3" || fs::path(path).filename() == "report.json";
}

// Deliverables anywhere under root but inside `except` (the client's own WAVs are not deliverables: only
// files that were not there before count, so the caller passes the listing from before).
std::vector<std::string> newFiles(const std::vector<std::string>& before, const std::string& root) {
    std::vector<std::string> added;
    for (const auto& f : test::filesUnder(root))
        if (std::find(before.begin(), before.end(), f) == before.end() && isDeliverable(f))
            added.push_back(f);
    return added;
}

// Song names that must never become file names, each with what it would do if taken as one.
std::vector<std::string> unsafeSongNames(const std::string& root) {
    return {"..",
            ".",
            "",
            root + "/evil",         // absolute: the masters would land in root
            "../Song/evil",         // out of the output folder and into the client folder
            "a/b",                  // a sub-folder
            "..\\Song\\evil",       // a Windows separator (a file share or a zip made from this on Windows)
            "tab\there",            // control characters: invisible in a listing, break scripts
            "line\nbreak",          //
            "\x1b[2Jclear",         // a terminal escape
            std::string(300, 'x')}; // longer than any file name may be
}

} // namespace

TEST(OutputNames, SongNameWithDotDotCannotEscapeTheOutputFolder) {
    test::TempDir dir;
    const std::string song = writeClientFolder(dir.path());
    const auto before = folderPicture(dir.path());

    const auto r = test::runCli(
        {"render", song, "--out", dir.file("out"), "--set", "song=../Song/evil", "--quiet", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, "song")) << r.err;
    EXPECT_TRUE(mentions(r.err, "../Song/evil")) << r.err;
    EXPECT_EQ(folderPicture(dir.path()), before) << "the client folder or its surroundings changed";
}

TEST(OutputNames, EverySpellingOfAnUnsafeSongIsRefusedByRender) {
    test::TempDir dir;
    const std::string song = writeClientFolder(dir.path());
    const auto before = folderPicture(dir.path());
    const auto filesBefore = test::filesUnder(dir.path());

    for (const auto& name : unsafeSongNames(dir.path())) {
        SCOPED_TRACE("song \"" + name + "\"");
        const auto r = test::runCli(
            {"render", song, "--out", dir.file("out"), "--set", "song=" + name, "--quiet", "--no-mp3"});
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_TRUE(mentions(r.err, "song")) << r.err;
        EXPECT_EQ(newFiles(filesBefore, dir.path()), std::vector<std::string>{});
        EXPECT_EQ(folderPicture(dir.path()), before);
    }
}

TEST(OutputNames, EverySpellingOfAnUnsafeSongInASessionIsRefusedByRenderAndBatch) {
    test::TempDir dir;
    const std::string song = writeClientFolder(dir.path());
    const std::string session = dir.file("song.lathe");
    writeSession(song, session, [](nlohmann::json&) {});
    const auto clientBefore = folderPicture(song);
    const auto filesBefore = test::filesUnder(dir.path());

    for (const auto& name : unsafeSongNames(dir.path())) {
        SCOPED_TRACE("song \"" + name + "\"");
        writeSession(song, session, [&](nlohmann::json& j) { j["song"] = name; });
        const auto render =
            test::runCli({"render", session, "--out", dir.file("out"), "--quiet", "--no-mp3"});
        EXPECT_EQ(render.exitCode, 1) << render.err;
        EXPECT_TRUE(mentions(render.err, "song")) << render.err;

        const auto batch = test::runCli({"batch", session, "--out", dir.file("batch"), "--json", "--no-mp3"});
        EXPECT_EQ(batch.exitCode, 1) << batch.err;
        EXPECT_TRUE(mentions(batch.out, "song")) << batch.out;

        EXPECT_EQ(newFiles(filesBefore, dir.path()), std::vector<std::string>{});
        EXPECT_EQ(folderPicture(song), clientBefore);
    }
}

TEST(OutputNames, UnusualButSafeSongNamesStillRender) {
    // The rule refuses what cannot be one file name, nothing more: punctuation, spaces and non-ASCII letters
    // are ordinary song titles.
    test::TempDir dir;
    const std::string song = writeClientFolder(dir.path());
    const std::string name = "Song: Part 1 (feat. Ünïcødé) #2 ...";
    const auto r = test::runCli({"render", song, "--out", dir.file("out"), "--set", "song=" + name, "--quiet",
                                 "--no-mp3", "--mode", "stereo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::is_regular_file(dir.file("out/" + name + "_stereo_master.wav")));
}
