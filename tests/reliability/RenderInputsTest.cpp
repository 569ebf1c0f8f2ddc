// Issue 14, class 2: a render never replaces one of its own inputs. Whatever the session names as stem, mix,
// reference or is itself, if it is (by path, through a symlink or as a hard link) a file the render would
// write, the render refuses before writing anything and names both paths.

#include "ClientFolderFixture.h"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace lathe;
using namespace lathe::reliability;

namespace {

struct Workspace {
    test::TempDir dir;
    std::string song;
    std::string out;
    Workspace() : song(writeClientFolder(dir.path())), out(dir.file("out")) { fs::create_directories(out); }
};

} // namespace

TEST(RenderInputs, AStemThatIsADeliverablePathIsRefused) {
    Workspace s;
    const std::string stem = s.out + "/Song_stem_master.wav";
    fs::copy_file(s.song + "/04_Lead_Vocal.wav", stem);
    const std::string session =
        writeSession(s.song, s.dir.file("s.lathe"), [&](nlohmann::json& j) { j["stems"][2]["path"] = stem; });
    const auto before = folderPicture(s.dir.path());

    const auto r = test::runCli({"render", session, "--out", s.out, "--quiet", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, stem)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before) << "the stem was replaced or a master written";
}

TEST(RenderInputs, AMixThatIsADeliverablePathIsRefused) {
    Workspace s;
    const std::string mix = s.out + "/Song_stereo_master.wav";
    fs::copy_file(s.song + "/Song Mix.wav", mix);
    const std::string session =
        writeSession(s.song, s.dir.file("s.lathe"), [&](nlohmann::json& j) { j["mix"] = mix; });
    const auto before = folderPicture(s.dir.path());

    const auto r = test::runCli({"render", session, "--out", s.out, "--quiet", "--mode", "stereo"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, mix)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before);
}

TEST(RenderInputs, LastRendersMp3AsTheReferenceIsRefused) {
    // The everyday way in: master once, then compare the next render against the last one.
    Workspace s;
    ASSERT_EQ(test::runCli({"render", s.song, "--out", s.out, "--quiet", "--mode", "stereo"}).exitCode, 0);
    const std::string reference = s.out + "/Song_stereo_master.mp3";
    ASSERT_TRUE(fs::exists(reference));
    const std::string session =
        writeSession(s.song, s.dir.file("s.lathe"), [&](nlohmann::json& j) { j["reference"] = reference; });
    const auto before = folderPicture(s.dir.path());

    const auto r = test::runCli({"render", session, "--out", s.out, "--quiet", "--mode", "stereo"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, reference)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before);
}

TEST(RenderInputs, AHardLinkToAStemUnderADeliverableNameIsRefused) {
    Workspace s;
    const std::string stem = s.song + "/03_Music.wav";
    const std::string link = s.out + "/Song_stem_master.wav";
    ASSERT_EQ(::link(stem.c_str(), link.c_str()), 0);
    const auto before = folderPicture(s.dir.path());

    const auto r = test::runCli({"render", s.song, "--out", s.out, "--quiet", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, link)) << r.err;
    EXPECT_TRUE(mentions(r.err, stem)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before);
}

TEST(RenderInputs, AStemSymlinkPointingAtADeliverableIsRefused) {
    Workspace s;
    const std::string target = s.out + "/Song_stem_master.wav";
    fs::copy_file(s.song + "/01_Drums.wav", target);
    const std::string link = s.dir.file("drums-link.wav");
    fs::create_symlink(target, link);
    const std::string session =
        writeSession(s.song, s.dir.file("s.lathe"), [&](nlohmann::json& j) { j["stems"][0]["path"] = link; });
    const auto before = folderPicture(s.dir.path());

    const auto r = test::runCli({"render", session, "--out", s.out, "--quiet", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, target)) << r.err;
    EXPECT_TRUE(mentions(r.err, link)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before);
}

TEST(RenderInputs, TheSessionFileItselfIsNeverReplaced) {
    Workspace s;
    const std::string session = writeSession(s.song, s.out + "/report.json", [](nlohmann::json&) {});
    const auto before = folderPicture(s.dir.path());

    const auto r = test::runCli({"render", session, "--out", s.out, "--quiet", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, session)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before);
}

TEST(RenderInputs, APlaybackPreviewOverAStemIsRefusedBeforeTheMasters) {
    Workspace s;
    const std::string stem = s.out + "/Song_stem_master_phone.wav";
    fs::copy_file(s.song + "/03_Music.wav", stem);
    const std::string session =
        writeSession(s.song, s.dir.file("s.lathe"), [&](nlohmann::json& j) { j["stems"][1]["path"] = stem; });
    const auto before = folderPicture(s.dir.path());

    const auto r =
        test::runCli({"render", session, "--out", s.out, "--quiet", "--no-mp3", "--simulate", "phone"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, stem)) << r.err;
    EXPECT_EQ(folderPicture(s.dir.path()), before) << "masters were written before the preview was refused";
}

TEST(RenderInputs, ABatchJobWhoseStemIsItsOwnDeliverableIsRefused) {
    Workspace s;
    const std::string batchOut = s.dir.file("batch");
    const std::string stem = batchOut + "/s/Song_stem_master.wav";
    fs::create_directories(batchOut + "/s");
    fs::copy_file(s.song + "/04_Lead_Vocal.wav", stem);
    const std::string session =
        writeSession(s.song, s.dir.file("s.lathe"), [&](nlohmann::json& j) { j["stems"][2]["path"] = stem; });
    const auto stemBefore = folderPicture(batchOut + "/s");
    const auto clientBefore = folderPicture(s.song);

    const auto r = test::runCli({"batch", session, "--out", batchOut, "--json", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.out, stem)) << r.out;
    EXPECT_EQ(folderPicture(batchOut + "/s"), stemBefore);
    EXPECT_EQ(folderPicture(s.song), clientBefore);
}
