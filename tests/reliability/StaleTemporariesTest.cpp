// Issue 14, classes 11 and 12: Lathe's hidden temporaries. Their names are short whatever the final name (a
// long song name must not make the temporary the name that is too long), and a plain `render` removes the
// ones a killed run left in its output folder, as `batch --resume` does: only Lathe's own names, matched
// exactly, only files, and never those of a process still running.

#include "ClientFolderFixture.h"

#include "core/io/AtomicFile.h"
#include "core/io/AudioFileWriter.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace lathe;
using namespace lathe::reliability;

namespace {

// A pid that belonged to a process that has ended (its child, reaped).
pid_t deadPid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

} // namespace

TEST(StaleTemporaries, TemporaryNamesAreShortHiddenAndBesideTheFinalFile) {
    test::TempDir dir;
    const std::string longName = std::string(251, 'n') + ".wav"; // 255 bytes: the longest allowed
    core::AudioFileWriter writer(dir.file(longName), {});
    const fs::path temp(writer.tempPath());
    EXPECT_EQ(temp.parent_path(), fs::path(dir.path()));
    EXPECT_EQ(temp.filename().string().rfind(".lathe-", 0), 0u) << temp;
    EXPECT_LE(temp.filename().string().size(), 40u) << temp;
    EXPECT_TRUE(fs::exists(temp));

    const std::string other = core::detail::temporaryPathBeside(dir.file("report.json"));
    EXPECT_NE(fs::path(other).filename(), temp.filename()) << "two temporaries of one process share a name";
}

TEST(StaleTemporaries, PlainRenderRemovesAKilledRunsTemporaries) {
    test::TempDir dir;
    const std::string song = writeClientFolder(dir.path());
    const std::string out = dir.file("out");
    fs::create_directories(out);
    const std::string dead = std::to_string(deadPid());
    const std::string live = std::to_string(::getpid());

    const std::vector<std::string> stale = {
        ".lathe-" + dead + "-0.partial",                  // this Lathe's names
        ".lathe-" + dead + "-17.partial",                 //
        ".Song_stereo_master.wav.partial-" + dead + "-3", // an older Lathe's names
    };
    const std::vector<std::string> kept = {
        ".lathe-" + live + "-0.partial",                        // a process still running
        ".lathe-" + dead + "-0.partial.wav",                    // not exactly our name
        ".lathe-" + dead + "-x.partial",                        //
        ".lathe--0.partial",                                    //
        "lathe-" + dead + "-0.partial",                         // not hidden
        ".notes.partial-abc",                                   // someone else's
        ".Song_stereo_master.wav.partial-" + dead + "-3-final", //
        "Song.partial-" + dead + "-1",                          //
    };
    for (const auto& name : stale)
        test::writeBytes(out + "/" + name, "half a file");
    for (const auto& name : kept)
        test::writeBytes(out + "/" + name, "not debris");
    fs::create_directories(out + "/.lathe-" + dead + "-5.partial"); // a folder is never a temporary of ours

    const auto r = test::runCli({"render", song, "--out", out, "--quiet", "--no-mp3"});

    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const auto& name : stale)
        EXPECT_FALSE(fs::exists(out + "/" + name)) << name;
    for (const auto& name : kept)
        EXPECT_EQ(test::readBytes(out + "/" + name), "not debris") << name;
    EXPECT_TRUE(fs::is_directory(out + "/.lathe-" + dead + "-5.partial"));
    EXPECT_TRUE(fs::is_regular_file(out + "/Song_stem_master.wav"));
}

TEST(StaleTemporaries, BatchResumeRemovesTheShortNamesToo) {
    test::TempDir dir;
    const std::string song = writeClientFolder(dir.path());
    const std::string out = dir.file("out");
    ASSERT_EQ(test::runCli({"batch", song, "--out", out, "--quiet", "--no-mp3"}).exitCode, 0);
    const std::string debris = out + "/Song/.lathe-" + std::to_string(deadPid()) + "-2.partial";
    const std::string foreign = out + "/Song/.notes.partial-abc";
    test::writeBytes(debris, "half a file");
    test::writeBytes(foreign, "not debris");

    const auto r = test::runCli({"batch", song, "--out", out, "--quiet", "--no-mp3", "--resume"});

    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_FALSE(fs::exists(debris));
    EXPECT_EQ(test::readBytes(foreign), "not debris");
}
