// Issue 14, class 3: no command writes inside a client folder or over a source. The rule `session new` first
// followed holds for every writer (render and its previews, batch, advise --html / --apply-to, session new),
// whatever the spelling of the path: the folder itself, "DIR/.", "DIR/../DIR", a sub-folder to be created,
// or a symlink that leads into it.

#include "ClientFolderFixture.h"

#include <gtest/gtest.h>

using namespace lathe;
using namespace lathe::reliability;

namespace {

struct Workspace {
    test::TempDir dir;
    std::string song;
    std::string link; // dir/link -> the client folder
    Workspace() : song(writeClientFolder(dir.path())), link(dir.file("link")) {
        fs::create_directory_symlink(song, link);
    }

    // Ways of naming a place inside the client folder.
    std::vector<std::string> insideSpellings() const {
        return {song,          song + "/", song + "/.",      song + "/../Song", song + "/masters",
                song + "/a/b", link,       link + "/masters"};
    }
};

} // namespace

TEST(ClientFolderWriters, AdviseHtmlOverAStemIsRefused) {
    Workspace s;
    const auto before = folderPicture(s.dir.path());
    const std::string stem = s.song + "/03_Music.wav";

    const auto r = test::runCli({"advise", s.song, "--html", stem});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, stem)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before) << "the stem was replaced with HTML";
}

TEST(ClientFolderWriters, AdviseNeverWritesInsideTheClientFolder) {
    Workspace s;
    const auto before = folderPicture(s.dir.path());
    for (const auto& place : s.insideSpellings()) {
        for (const char* option : {"--html", "--apply-to"}) {
            const std::string file =
                place + (option == std::string("--html") ? "/report.html" : "/song.lathe");
            SCOPED_TRACE(std::string(option) + " " + file);
            const auto r = test::runCli({"advise", s.song, option, file});
            EXPECT_EQ(r.exitCode, 1) << r.err;
            EXPECT_TRUE(mentions(r.err, file)) << r.err;
            EXPECT_EQ(folderPicture(s.dir.path()), before);
        }
    }
}

TEST(ClientFolderWriters, AdviseHtmlAndApplyToCannotBeTheSameFile) {
    Workspace s;
    const std::string file = s.dir.file("advice");
    const auto r = test::runCli({"advise", s.song, "--html", file, "--apply-to", file});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, file)) << r.err;
    EXPECT_FALSE(fs::exists(file));
}

TEST(ClientFolderWriters, AdviseWritesWhereItIsAllowedTo) {
    Workspace s;
    const auto before = folderPicture(s.song);
    const auto r = test::runCli(
        {"advise", s.song, "--html", s.dir.file("report.html"), "--apply-to", s.dir.file("song.lathe")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::is_regular_file(s.dir.file("report.html")));
    EXPECT_TRUE(fs::is_regular_file(s.dir.file("song.lathe")));
    EXPECT_EQ(folderPicture(s.song), before);
}

TEST(ClientFolderWriters, RenderNeverWritesInsideTheClientFolder) {
    Workspace s;
    const auto before = folderPicture(s.dir.path());
    for (const auto& place : s.insideSpellings()) {
        SCOPED_TRACE("--out " + place);
        const auto r =
            test::runCli({"render", s.song, "--out", place, "--quiet", "--no-mp3", "--simulate", "car"});
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_TRUE(mentions(r.err, place)) << r.err;
        EXPECT_EQ(folderPicture(s.dir.path()), before);
    }
}

TEST(ClientFolderWriters, AnOutputSymlinkIntoTheClientFolderIsFollowedAndRefused) {
    // The output folder exists and looks harmless, but is a link into the client's delivery.
    Workspace s;
    fs::create_directories(s.song + "/Masters");
    const std::string out = s.dir.file("out");
    fs::create_directory_symlink(s.song + "/Masters", out);
    const auto before = folderPicture(s.dir.path());

    const auto r = test::runCli({"render", s.song, "--out", out, "--quiet", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, out)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before);
}

TEST(ClientFolderWriters, SessionNewNeverWritesInsideTheClientFolder) {
    Workspace s;
    const auto before = folderPicture(s.dir.path());
    std::vector<std::string> files;
    for (const auto& place : s.insideSpellings())
        files.push_back(place + "/song.lathe");
    files.push_back(s.song + "/03_Music.wav"); // over a stem
    for (const auto& file : files) {
        SCOPED_TRACE("-o " + file);
        const auto r = test::runCli({"session", "new", s.song, "-o", file});
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_TRUE(mentions(r.err, file)) << r.err;
        EXPECT_EQ(folderPicture(s.dir.path()), before);
    }
}

TEST(ClientFolderWriters, BatchNeverWritesInsideTheClientFolder) {
    Workspace s;
    const auto before = folderPicture(s.dir.path());
    for (const auto& place : s.insideSpellings()) {
        SCOPED_TRACE("--out " + place);
        const auto r = test::runCli({"batch", s.song, "--out", place, "--quiet", "--no-mp3"});
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_TRUE(mentions(r.err, place)) << r.err;
        EXPECT_EQ(folderPicture(s.dir.path()), before);
    }
}
