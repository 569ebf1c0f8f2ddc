// Issue 14, class 5: a batch writes nothing inside any of its inputs' client folders. Every job's output (and
// OUTDIR itself, which holds the summary) lies outside every input folder of the batch and outside every
// session's client folder, whichever job, shard or manifest line the folder belongs to.

#include "ClientFolderFixture.h"

#include <gtest/gtest.h>

using namespace lathe;
using namespace lathe::reliability;

namespace {

struct TwoSongs {
    test::TempDir dir;
    std::string a, b;
    TwoSongs() : a(writeClientFolder(dir.path(), "Alpha")), b(writeClientFolder(dir.path(), "Bravo")) {}
};

void expectRefusedAndUntouched(const test::CliResult& r, const std::string& out, const test::TempDir& dir,
                               const std::vector<std::string>& before) {
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, out)) << r.err;
    EXPECT_EQ(folderPicture(dir.path()), before) << "a client folder changed or the output was created";
}

} // namespace

TEST(BatchFolders, OutInsideAnotherJobsClientFolderIsRefused) {
    TwoSongs s;
    const auto before = folderPicture(s.dir.path());
    for (const auto& out : {s.a + "/masters", s.b + "/masters"}) {
        SCOPED_TRACE(out);
        expectRefusedAndUntouched(test::runCli({"batch", s.a, s.b, "--out", out, "--quiet", "--no-mp3"}), out,
                                  s.dir, before);
    }
}

TEST(BatchFolders, AClientFolderInAnotherShardIsStillProtected) {
    TwoSongs s;
    const auto before = folderPicture(s.dir.path());
    // Sorted by path, Alpha is job 0 (shard 1/2) and Bravo job 1 (shard 2/2): shard 1 renders only Alpha.
    const std::string out = s.b + "/masters";
    expectRefusedAndUntouched(
        test::runCli({"batch", s.a, s.b, "--shard", "1/2", "--out", out, "--quiet", "--no-mp3"}), out, s.dir,
        before);
}

TEST(BatchFolders, AManifestsFoldersAreProtectedToo) {
    TwoSongs s;
    const std::string manifest = s.dir.file("list.txt");
    test::writeBytes(manifest, "Bravo\n");
    const auto before = folderPicture(s.dir.path());
    const std::string out = s.b + "/masters";
    expectRefusedAndUntouched(
        test::runCli({"batch", s.a, "--manifest", manifest, "--out", out, "--quiet", "--no-mp3"}), out, s.dir,
        before);
}

TEST(BatchFolders, OutInsideASessionsClientFolderIsRefused) {
    TwoSongs s;
    const std::string session = writeSession(s.b, s.dir.file("bravo.lathe"), [](nlohmann::json&) {});
    const auto before = folderPicture(s.dir.path());
    const std::string out = s.b + "/masters";
    expectRefusedAndUntouched(test::runCli({"batch", s.a, session, "--out", out, "--quiet", "--no-mp3"}), out,
                              s.dir, before);
}

TEST(BatchFolders, AJobsOutputFolderThatIsAClientFolderIsRefused) {
    // OUTDIR/<name>/ for the job "Alpha" is the client folder Alpha itself when OUTDIR is its parent.
    TwoSongs s;
    const auto before = folderPicture(s.dir.path());
    const auto r = test::runCli({"batch", s.a, "--out", s.dir.path(), "--quiet", "--no-mp3"});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err + r.out, s.a)) << r.err << r.out;
    // OUTDIR is an ordinary folder here (it may get the batch summary); only the client folders must not
    // change.
    for (const auto& line : folderPicture(s.dir.path())) {
        if (line.rfind("Alpha", 0) != 0 && line.rfind("Bravo", 0) != 0) continue;
        EXPECT_NE(std::find(before.begin(), before.end(), line), before.end()) << "new or changed: " << line;
    }
}

TEST(BatchFolders, OutsideEveryClientFolderTheBatchRuns) {
    TwoSongs s;
    const auto before = folderPicture(s.a);
    const auto r = test::runCli({"batch", s.a, s.b, "--out", s.dir.file("out"), "--quiet", "--no-mp3"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::is_regular_file(s.dir.file("out/Alpha/Alpha_stereo_master.wav")));
    EXPECT_TRUE(fs::is_regular_file(s.dir.file("out/Bravo/Bravo_stem_master.wav")));
    EXPECT_EQ(folderPicture(s.a), before);
}
