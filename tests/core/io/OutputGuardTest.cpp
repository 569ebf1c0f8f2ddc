// core/io/OutputGuard: the path rules every writer shares, checked against the file system's own answers
// (realpath, stat) on small trees of folders, symlinks and hard links.

#include "core/io/OutputGuard.h"
#include "core/Error.h"

#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace lathe;

namespace {

std::string realPath(const std::string& path) {
    char buffer[PATH_MAX];
    return ::realpath(path.c_str(), buffer) ? std::string(buffer) : std::string();
}

// Expects checkWritePlan to throw a core::Error whose message holds every one of `words`.
void expectRefused(const core::WritePlan& plan, const std::vector<std::string>& words) {
    try {
        core::checkWritePlan(plan);
        ADD_FAILURE() << "accepted";
    } catch (const core::Error& e) {
        for (const auto& w : words)
            EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what() << " lacks " << w;
    }
}

} // namespace

TEST(OutputGuard, FileNameProblemRefusesWhatCannotBeOneName) {
    for (const std::string& bad :
         std::vector<std::string>{"", ".", "..", "a/b", "/abs", "a\\b", "tab\t", std::string("nul\x01"),
                                  "del\x7f", std::string(256, 'x')})
        EXPECT_NE(core::fileNameProblem(bad), "") << core::quotedName(bad);
    for (const std::string& good : std::vector<std::string>{"Song", "Song: Part 1 (feat. Ünïcødé) #2", "...",
                                                            ".hidden", "a..b", std::string(255, 'x')})
        EXPECT_EQ(core::fileNameProblem(good), "") << good;
    EXPECT_NE(core::fileNameProblem(std::string(144, 'x'), 143), "");
    EXPECT_EQ(core::quotedName("a\x1b[2Jb"), "\"a\\u001b[2Jb\"");
}

TEST(OutputGuard, ResolvedPathAgreesWithRealpathThroughSymlinksAndDotDot) {
    test::TempDir dir;
    const std::string root = realPath(dir.path());
    fs::create_directories(root + "/client/sub/deep");
    fs::create_directories(root + "/other");
    fs::create_directory_symlink(root + "/client/sub", root + "/abs-link");
    fs::create_directory_symlink("client/sub/deep", root + "/rel-link");
    fs::create_directory_symlink("../client", root + "/other/up-link");
    fs::create_directory_symlink(root + "/rel-link", root + "/chain");
    test::writeBytes(root + "/client/sub/file", "x");

    // ".." after a symlink goes to the parent of its target, as the kernel walks it (not lexically).
    for (const std::string& path : std::vector<std::string>{
             "client", "client/sub/../sub/./deep", "abs-link", "abs-link/..", "abs-link/deep/../../sub/file",
             "rel-link", "rel-link/..", "other/up-link/sub", "other/up-link/..", "chain/../..", "chain"}) {
        SCOPED_TRACE(path);
        EXPECT_EQ(core::resolvedPath(root + "/" + path).string(), realPath(root + "/" + path));
    }
    // A part that does not exist yet is appended as written, below what does exist resolved.
    EXPECT_EQ(core::resolvedPath(root + "/abs-link/new/x.wav").string(), root + "/client/sub/new/x.wav");
    // A relative path is taken from the current folder.
    const fs::path cwd = fs::current_path();
    fs::current_path(root + "/other");
    EXPECT_EQ(core::resolvedPath("up-link/sub/file").string(), root + "/client/sub/file");
    fs::current_path(cwd);
}

TEST(OutputGuard, TheLastComponentIsFollowedOnlyWhenAsked) {
    test::TempDir dir;
    const std::string root = realPath(dir.path());
    test::writeBytes(root + "/target.wav", "x");
    fs::create_symlink(root + "/target.wav", root + "/link.wav");
    EXPECT_EQ(core::resolvedPath(root + "/link.wav", false).string(), root + "/link.wav");
    EXPECT_EQ(core::resolvedPath(root + "/link.wav", true).string(), root + "/target.wav");
}

TEST(OutputGuard, ADanglingSymlinkIsFollowedAsAMkdirThroughItWould) {
    test::TempDir dir;
    const std::string root = realPath(dir.path());
    fs::create_directories(root + "/client");
    fs::create_directory_symlink(root + "/client/Masters", root + "/out"); // Masters does not exist yet
    EXPECT_EQ(core::resolvedPath(root + "/out/x.wav").string(), root + "/client/Masters/x.wav");

    core::WritePlan plan;
    plan.outDir = root + "/out";
    plan.sources.folders = {root + "/client"};
    expectRefused(plan, {root + "/out", "inside the client folder", root + "/client"});
}

TEST(OutputGuard, IsInsideFolderComparesWholeComponents) {
    EXPECT_TRUE(core::isInsideFolder("/a/b", "/a/b"));
    EXPECT_TRUE(core::isInsideFolder("/a/b/c", "/a/b"));
    EXPECT_TRUE(core::isInsideFolder("/a/b/c", "/a/b/"));
    EXPECT_FALSE(core::isInsideFolder("/a/bc", "/a/b"));
    EXPECT_FALSE(core::isInsideFolder("/a", "/a/b"));
    EXPECT_TRUE(core::isInsideFolder("/a", "/"));
}

TEST(OutputGuard, IsSameFileSeesPathsSymlinksAndHardLinks) {
    test::TempDir dir;
    const std::string root = realPath(dir.path());
    test::writeBytes(root + "/stem.wav", "x");
    test::writeBytes(root + "/other.wav", "x"); // same bytes, another file
    ASSERT_EQ(::link((root + "/stem.wav").c_str(), (root + "/hard.wav").c_str()), 0);
    fs::create_symlink(root + "/stem.wav", root + "/soft.wav");

    EXPECT_TRUE(core::isSameFile(root + "/stem.wav", root + "/./stem.wav"));
    EXPECT_TRUE(core::isSameFile(root + "/hard.wav", root + "/stem.wav"));
    EXPECT_TRUE(
        core::isSameFile(root + "/stem.wav", root + "/soft.wav")); // the input is a link to the output
    EXPECT_TRUE(
        core::isSameFile(root + "/soft.wav", root + "/stem.wav")); // the output is a link to the input
    EXPECT_FALSE(core::isSameFile(root + "/other.wav", root + "/stem.wav"));
    EXPECT_FALSE(core::isSameFile(root + "/new.wav", root + "/stem.wav"));
}

TEST(OutputGuard, CheckWritePlanNamesWhatItRefuses) {
    test::TempDir dir;
    const std::string root = dir.path();
    fs::create_directories(root + "/client");
    test::writeBytes(root + "/client/stem.wav", "x");
    test::writeBytes(root + "/input.wav", "x");

    core::WritePlan ok;
    ok.outDir = root + "/out";
    ok.outputs = {root + "/out/a.wav", root + "/out/b.wav"};
    ok.sources.folders = {root + "/client"};
    ok.sources.files = {root + "/input.wav"};
    EXPECT_NO_THROW(core::checkWritePlan(ok));
    EXPECT_FALSE(fs::exists(root + "/out")) << "checking must not create anything";

    core::WritePlan twice = ok;
    twice.outputs = {root + "/out/a.wav", root + "/out/../out/a.wav"};
    expectRefused(twice, {"a.wav", "same file as the output"});

    core::WritePlan escape = ok;
    escape.outputs = {root + "/out/../a.wav"};
    expectRefused(escape, {root + "/out/../a.wav", "outside the output folder"});

    core::WritePlan overInput = ok;
    overInput.outDir.clear();
    overInput.outputs = {root + "/input.wav"};
    expectRefused(overInput, {root + "/input.wav", "would replace the input"});

    core::WritePlan intoClient = ok;
    intoClient.outDir.clear();
    intoClient.outputs = {root + "/client/report.html"};
    expectRefused(intoClient, {root + "/client/report.html", "inside the client folder " + root + "/client"});

    core::WritePlan longName = ok;
    longName.outputs = {root + "/out/" + std::string(256, 'n')};
    expectRefused(longName, {"too long"});
}
