// Issue 14, class 4: `demo` writes a new client folder; it never replaces the files of a folder that already
// holds something (a client's delivery, or anything else), unless --force says so, and even then it replaces
// only its own eight files.

#include "ClientFolderFixture.h"

#include <gtest/gtest.h>

using namespace lathe;
using namespace lathe::reliability;

TEST(DemoTarget, AFolderThatHoldsFilesIsRefused) {
    test::TempDir dir;
    const std::string folder = writeClientFolder(dir.path()); // has 01_Drums.wav and 03_Music.wav: demo names
    test::writeBytes(folder + "/notes.txt", "client's notes");
    const auto before = folderPicture(dir.path());

    const auto r = test::runCli({"demo", folder, "--seconds", "5"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, folder)) << r.err;
    EXPECT_TRUE(mentions(r.err, "--force")) << r.err;
    EXPECT_EQ(folderPicture(dir.path()), before);
}

TEST(DemoTarget, AFolderWithOnlyAHiddenFileIsNotEmpty) {
    test::TempDir dir;
    fs::create_directories(dir.file("target"));
    test::writeBytes(dir.file("target/.keep"), "");
    const auto before = folderPicture(dir.path());

    const auto r = test::runCli({"demo", dir.file("target"), "--seconds", "5"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_EQ(folderPicture(dir.path()), before);
}

TEST(DemoTarget, AFileIsNotAFolder) {
    test::TempDir dir;
    test::writeBytes(dir.file("target"), "not a folder");
    const auto before = folderPicture(dir.path());

    const auto r = test::runCli({"demo", dir.file("target"), "--seconds", "5"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, dir.file("target"))) << r.err;
    EXPECT_EQ(folderPicture(dir.path()), before);
}

TEST(DemoTarget, AnEmptyOrNewFolderIsWritten) {
    test::TempDir dir;
    fs::create_directories(dir.file("empty"));
    for (const auto& target : {dir.file("empty"), dir.file("new/nested")}) {
        const auto r = test::runCli({"demo", target, "--seconds", "5"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_EQ(test::filesUnder(target).size(), 8u);
    }
}

TEST(DemoTarget, ForceReplacesOnlyTheDemosOwnFiles) {
    test::TempDir dir;
    const std::string folder = writeClientFolder(dir.path());
    test::writeBytes(folder + "/notes.txt", "client's notes");
    const auto notes = test::sha256File(folder + "/notes.txt");
    const auto mix = test::sha256File(folder + "/Song Mix.wav");

    const auto r = test::runCli({"demo", folder, "--seconds", "5", "--force"});

    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(test::sha256File(folder + "/notes.txt"), notes);
    EXPECT_EQ(test::sha256File(folder + "/Song Mix.wav"), mix);
    EXPECT_TRUE(fs::is_regular_file(folder + "/Demo Song Mix.wav"));
    int rate = 0;
    EXPECT_EQ(test::readTestAudio(folder + "/01_Drums.wav", &rate).at(0).size(), 5u * 48000u);
    EXPECT_EQ(rate, 48000);
}
