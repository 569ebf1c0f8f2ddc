// Bad input through the real lathe-cli: each case must give a clear message naming the file, a non-zero exit,
// no output under a final name (no partial files at all) and an untouched client folder.
#include "support/AudioProbe.h"
#include "support/CliRunner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sndfile.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace lathe::test;

namespace {

class BadInputTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::temp_directory_path() / ("lathe-bad-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(root_);
        client_ = root_ / "Client Song";
        out_ = root_ / "out";
        fs::create_directories(client_);
        writeAudio((client_ / "01_Drums.wav").string(), makeTone(48000, 3.0, 100.0, 0.3));
        writeAudio((client_ / "02_Bass.wav").string(), makeTone(48000, 3.0, 55.0, 0.3));
        writeAudio((client_ / "03_Music.wav").string(), makeTone(48000, 3.0, 440.0, 0.2));
    }
    void TearDown() override {
        runShell("chmod -R u+rwX " + shellQuote(root_.string()));
        fs::remove_all(root_);
    }

    // Renders and checks everything every bad-input case must satisfy; returns stderr for case-specific
    // checks.
    std::string expectCleanFailure(const std::string& fileNamed, const std::string& problemWords,
                                   const std::string& prefix = {}) {
        const auto before = folderChecksums(client_.string());
        const CliResult r = runCli({"render", client_.string(), "--out", out_.string(), "--quiet"}, prefix);
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_NE(r.err.find(fileNamed), std::string::npos)
            << "message does not name " << fileNamed << ": " << r.err;
        EXPECT_NE(r.err.find(problemWords), std::string::npos)
            << "message does not say '" << problemWords << "': " << r.err;
        EXPECT_TRUE(filesUnder(out_.string()).empty()) << "output left behind";
        EXPECT_EQ(before, folderChecksums(client_.string())) << "client folder changed";
        return r.err;
    }

    void writeText(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

    fs::path root_, client_, out_;
};

bool isRoot() {
    return ::geteuid() == 0;
}

} // namespace

TEST_F(BadInputTest, EmptyFolder) {
    fs::remove_all(client_);
    fs::create_directories(client_);
    expectCleanFailure("Client Song", "no audio");
}

TEST_F(BadInputTest, MissingFolder) {
    fs::remove_all(client_);
    const CliResult r = runCli({"render", client_.string(), "--out", out_.string(), "--quiet"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("Client Song"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(BadInputTest, NonAudioWav) {
    writeText(client_ / "04_Lead_Vocal.wav", "These are the lyrics, not audio.\n");
    expectCleanFailure("04_Lead_Vocal.wav", "not an audio file");
}

TEST_F(BadInputTest, TruncatedWav) {
    const fs::path p = client_ / "04_Lead_Vocal.wav";
    writeAudio(p.string(), makeTone(48000, 3.0, 1000.0, 0.3));
    fs::resize_file(p, fs::file_size(p) / 2);
    expectCleanFailure("04_Lead_Vocal.wav", "truncated");
}

TEST_F(BadInputTest, ZeroLengthFile) {
    writeText(client_ / "04_Lead_Vocal.wav", "");
    expectCleanFailure("04_Lead_Vocal.wav", "empty");
}

TEST_F(BadInputTest, EightBitWav) {
    writeAudio((client_ / "04_Lead_Vocal.wav").string(), makeTone(48000, 3.0, 1000.0, 0.3),
               SF_FORMAT_WAV | SF_FORMAT_PCM_U8);
    expectCleanFailure("04_Lead_Vocal.wav", "8-bit");
}

TEST_F(BadInputTest, FloatWithNaNAndInf) {
    auto tone = makeTone(48000, 3.0, 1000.0, 0.3);
    tone.channels[0][50000] = std::numeric_limits<float>::quiet_NaN();
    tone.channels[1][70000] = std::numeric_limits<float>::infinity();
    writeAudio((client_ / "04_Lead_Vocal.wav").string(), tone, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    expectCleanFailure("04_Lead_Vocal.wav", "NaN");
}

TEST_F(BadInputTest, SixChannelFile) {
    writeAudio((client_ / "04_Lead_Vocal.wav").string(), makeTone(48000, 3.0, 1000.0, 0.3, 6));
    expectCleanFailure("04_Lead_Vocal.wav", "6-channel");
}

TEST_F(BadInputTest, UnreadableFile) {
    const fs::path p = client_ / "04_Lead_Vocal.wav";
    writeAudio(p.string(), makeTone(48000, 3.0, 1000.0, 0.3));
    fs::permissions(p, fs::perms::none);
    // Root reads anything, so as root the CLI runs as nobody (setpriv) for this case.
    std::string prefix;
    if (isRoot()) {
        fs::permissions(root_, fs::perms::all);
        fs::permissions(client_, fs::perms::all);
        for (const auto& e : fs::directory_iterator(client_))
            if (e.path() != p)
                fs::permissions(e.path(),
                                fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
        prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
    }
    expectCleanFailure("04_Lead_Vocal.wav", "permission denied", prefix);
}

TEST_F(BadInputTest, StemsOfDifferentRatesAreResampledAndReported) {
    writeAudio((client_ / "04_Lead_Vocal.wav").string(), makeTone(44100, 3.0, 1000.0, 0.3));
    const CliResult r = runCli({"render", client_.string(), "--out", out_.string(), "--quiet", "--no-mp3"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("04_Lead_Vocal.wav is at 44100 Hz; resampled to 48000 Hz"), std::string::npos)
        << r.out;
    const LoadedAudio master = loadAudio((out_ / "Client Song_stem_master.wav").string());
    EXPECT_EQ(master.sampleRate, 48000);
    EXPECT_EQ(master.frames(), 3u * 48000u);
    // --strict turns the mismatch into a failure for pipelines that must not accept it.
    fs::remove_all(out_);
    const CliResult strict =
        runCli({"render", client_.string(), "--out", out_.string(), "--quiet", "--strict"});
    EXPECT_EQ(strict.exitCode, 1);
    EXPECT_NE(strict.err.find("--strict"), std::string::npos) << strict.err;
}

TEST_F(BadInputTest, StemsOfDifferentLengthsArePaddedAndReported) {
    writeAudio((client_ / "04_Lead_Vocal.wav").string(), makeTone(48000, 2.0, 1000.0, 0.3));
    const CliResult r = runCli({"render", client_.string(), "--out", out_.string(), "--quiet", "--no-mp3"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("04_Lead_Vocal.wav is 1.000 s shorter"), std::string::npos) << r.out;
    EXPECT_EQ(loadAudio((out_ / "Client Song_stem_master.wav").string()).frames(), 3u * 48000u);
}

TEST_F(BadInputTest, OutputFolderNotWritable) {
    // A path below a regular file can never be created, whoever runs the test.
    writeText(root_ / "not-a-folder", "x");
    const auto before = folderChecksums(client_.string());
    const CliResult r =
        runCli({"render", client_.string(), "--out", (root_ / "not-a-folder" / "out").string(), "--quiet"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("not-a-folder"), std::string::npos) << r.err;
    EXPECT_EQ(before, folderChecksums(client_.string()));
}

TEST_F(BadInputTest, DiskFullLeavesNoPartialFile) {
    // A 200 KiB tmpfs as the output folder: the 3 s 24-bit masters (~860 KiB each) cannot fit. As root the
    // mount is made directly; otherwise in a private user+mount namespace.
    fs::create_directories(out_);
    const std::string mountAndRun =
        "mount -t tmpfs -o size=200k tmpfs " + shellQuote(out_.string()) + " && { " +
        shellQuote(LATHE_CLI_PATH) + " render " + shellQuote(client_.string()) + " --out " +
        shellQuote(out_.string()) + " --quiet; echo \"EXIT=$?\"; echo LISTING; ls -A " +
        shellQuote(out_.string()) + "; umount " + shellQuote(out_.string()) + "; }";
    const std::string cmd =
        isRoot() ? "sh -c " + shellQuote(mountAndRun) : "unshare -rm sh -c " + shellQuote(mountAndRun);
    const auto before = folderChecksums(client_.string());
    const CliResult r = runShell(cmd);
    ASSERT_NE(r.out.find("LISTING"), std::string::npos) << "could not mount a tmpfs: " << r.out;
    EXPECT_NE(r.out.find("EXIT=1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("disk full"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Client Song_st"), std::string::npos)
        << "message should name the deliverable: " << r.out;
    const std::string listing = r.out.substr(r.out.find("LISTING") + 8);
    EXPECT_TRUE(listing.find_first_not_of(" \n") == std::string::npos) << "left in output: " << listing;
    EXPECT_EQ(before, folderChecksums(client_.string()));
}
