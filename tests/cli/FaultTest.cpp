// Faults a user meets in real life, through the real lathe-cli: a full disk, an output folder that vanishes,
// a deleted source, a killed process, a damaged session. Each must leave the client's files untouched, no
// partial file under a final name, and a message naming the file.

#include "core/demo/DemoFolder.h"
#include "core/io/AudioFileReader.h"

#include "support/AudioProbe.h"
#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace lathe;
using nlohmann::json;

namespace {

std::string makeDemo(const test::TempDir& dir, const std::string& name, std::uint32_t seed = 1) {
    core::DemoOptions options;
    options.seconds = 6.0;
    options.seed = seed;
    return core::writeDemoFolder(dir.file(name), options).folder;
}

bool isHidden(const std::string& path) {
    return fs::path(path).filename().string().rfind('.', 0) == 0;
}

// Every audio file under a final (non-hidden) name opens and reads to the end: nothing partial is visible.
std::string partialFinalFile(const std::string& dir) {
    if (!fs::exists(dir)) return {};
    for (const auto& path : test::filesUnder(dir)) {
        if (isHidden(path)) continue;
        const std::string ext = fs::path(path).extension().string();
        if (ext != ".wav" && ext != ".mp3" && ext != ".flac" && ext != ".ogg") continue;
        try {
            core::AudioFileReader reader(path);
            std::vector<float> l(65536), r(65536);
            float* channels[2] = {l.data(), r.data()};
            int64_t total = 0;
            for (int64_t n; (n = reader.read(channels, 65536)) > 0;)
                total += n;
            // Every deliverable here is a 6 s master at 48 kHz; an MP3 may carry encoder padding.
            if (ext == ".wav" ? total != 6 * 48000 : std::abs(total - 6 * 48000) > 4800)
                return path + " holds " + std::to_string(total) + " frames";
        } catch (const std::exception& e) {
            return e.what();
        }
    }
    return {};
}

std::vector<std::string> hiddenFilesUnder(const std::string& dir) {
    std::vector<std::string> hidden;
    if (!fs::exists(dir)) return hidden;
    for (const auto& path : test::filesUnder(dir))
        if (isHidden(path)) hidden.push_back(path);
    return hidden;
}

// lathe-cli in the background, output to files, so a test can act while it runs.
struct BackgroundCli {
    pid_t pid = -1;
    std::string outPath, errPath;

    BackgroundCli(const std::vector<std::string>& args, const test::TempDir& dir) {
        outPath = dir.file("cli.out");
        errPath = dir.file("cli.err");
        pid = ::fork();
        if (pid == 0) {
            const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, 1);
            ::dup2(err, 2);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(LATHE_CLI_PATH));
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(LATHE_CLI_PATH, argv.data());
            ::_exit(127);
        }
    }
    // Exit code, or 128 + signal.
    int wait() {
        int status = 0;
        ::waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    bool running() const { return ::kill(pid, 0) == 0 && ::waitpid(pid, nullptr, WNOHANG) == 0; }
};

// Polls (every 2 ms, up to 60 s) until `ready` holds; false if the process ended or time ran out first.
template <typename Predicate>
bool waitFor(const BackgroundCli& cli, Predicate ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (ready()) return true;
        if (!cli.running()) return ready();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

} // namespace

TEST(Fault, OutputDiskFullMidRender) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string b = makeDemo(dir, "Bravo", 2);
    const auto sourcesBefore = test::folderChecksums(a);
    const std::string mount = dir.file("disk");
    fs::create_directories(mount);
    // 1 MiB holds the 2 KB summary but not one 6 s 24-bit stereo WAV (1.73 MB): the render fills the disk
    // part-way through writing.
    const test::IsolatedResult result = test::runOnTinyTmpfs(mount, 1 << 20, false, [&]() -> std::string {
        const auto r = test::runCli({"batch", a, b, "--out", mount + "/out", "--mode", "stereo", "--no-mp3",
                                     "--jobs", "1", "--json"});
        if (r.exitCode != 1) return "exit code " + std::to_string(r.exitCode) + ", expected 1: " + r.err;
        json j;
        try {
            j = json::parse(r.out);
        } catch (const std::exception&) {
            return "summary is not JSON: " + r.out;
        }
        for (const auto& job : j["jobs"]) {
            if (job["status"] != "failed") return "a job did not fail on a full disk: " + job.dump();
            const std::string error = job["error"].get<std::string>();
            if (error.find("disk full") == std::string::npos || error.find(mount) == std::string::npos)
                return "unclear error: " + error;
        }
        for (const auto& path : test::filesUnder(mount)) {
            const std::string name = fs::path(path).filename().string();
            if (name != "batch-summary.json") return "left on the full disk: " + path;
        }
        return {};
    });
    if (!result.skipReason.empty()) GTEST_SKIP() << "cannot mount a private tmpfs: " << result.skipReason;
    EXPECT_EQ(result.failure, "");
    EXPECT_EQ(test::folderChecksums(a), sourcesBefore);
}

TEST(Fault, OutputFolderRemovedMidBatch) {
    test::TempDir dir;
    std::vector<std::string> songs;
    for (std::uint32_t i = 0; i < 3; ++i)
        songs.push_back(makeDemo(dir, "Song" + std::to_string(i), i + 1));
    std::vector<decltype(test::folderChecksums(""))> before;
    for (const auto& s : songs)
        before.push_back(test::folderChecksums(s));
    const std::string out = dir.file("out");

    // The batch stops itself after its first job (a test hook), so the removal lands exactly between the
    // first and the second job whatever the machine's load.
    ::setenv("LATHE_TEST_STOP_AFTER_JOBS", "1", 1);
    BackgroundCli cli({"batch", songs[0], songs[1], songs[2], "--out", out, "--jobs", "1", "--json"}, dir);
    ::unsetenv("LATHE_TEST_STOP_AFTER_JOBS");
    int status = 0;
    ASSERT_EQ(::waitpid(cli.pid, &status, WUNTRACED), cli.pid);
    ASSERT_TRUE(WIFSTOPPED(status)) << "the batch ended before stopping after its first job";
    ASSERT_TRUE(fs::exists(out + "/Song0/batch-session.json")) << "the first job did not finish";
    std::error_code ec;
    fs::remove_all(out, ec);
    ASSERT_FALSE(ec) << ec.message();
    ::kill(cli.pid, SIGCONT);
    const int exitCode = cli.wait();
    const std::string stdoutText = test::readBytes(cli.outPath);
    const std::string stderrText = test::readBytes(cli.errPath);
    EXPECT_EQ(exitCode, 1) << stderrText;

    const json j = json::parse(stdoutText);
    ASSERT_EQ(j["jobs"].size(), 3u);
    EXPECT_EQ(j["jobs"][0]["status"], "ok");
    for (size_t i = 1; i < 3; ++i) {
        EXPECT_EQ(j["jobs"][i]["status"], "failed") << i;
        const std::string error = j["jobs"][i]["error"].get<std::string>();
        EXPECT_NE(error.find(out), std::string::npos) << error;
        EXPECT_NE(error.find("output folder is gone"), std::string::npos) << error;
    }
    // Never recreated behind the user's back (it may have been an unmounted disk).
    EXPECT_FALSE(fs::exists(out)) << "the batch recreated the removed output folder";
    EXPECT_EQ(partialFinalFile(out), "");
    for (size_t i = 0; i < songs.size(); ++i)
        EXPECT_EQ(test::folderChecksums(songs[i]), before[i]) << songs[i];
}

TEST(Fault, SourceDeletedFromASavedSession) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string b = makeDemo(dir, "Bravo", 2);
    const std::string session = dir.file("Alpha.lathe");
    ASSERT_EQ(test::runCli({"session", "new", a, "-o", session}).exitCode, 0);
    const std::string deleted = a + "/04_Lead_Vocal.wav";
    fs::remove(deleted);
    const auto before = test::folderChecksums(a);

    const auto render = test::runCli({"render", session, "--out", dir.file("out-render"), "--quiet"});
    EXPECT_EQ(render.exitCode, 1);
    EXPECT_NE(render.err.find(deleted), std::string::npos) << render.err;
    EXPECT_TRUE(!fs::exists(dir.file("out-render")) || test::filesUnder(dir.file("out-render")).empty());

    const std::string out = dir.file("out");
    // Both masters: a stereo-only render needs no stems, so it would rightly succeed without the vocal.
    const auto batch = test::runCli({"batch", session, b, "--out", out, "--no-mp3", "--json"});
    EXPECT_EQ(batch.exitCode, 1);
    const json j = json::parse(batch.out);
    ASSERT_EQ(j["jobs"].size(), 2u);
    // Sorted by path: .../Alpha.lathe before .../Bravo.
    EXPECT_EQ(j["jobs"][0]["status"], "failed");
    EXPECT_NE(j["jobs"][0]["error"].get<std::string>().find(deleted), std::string::npos) << j.dump(2);
    EXPECT_EQ(j["jobs"][1]["status"], "ok") << "one bad session stopped another job";
    EXPECT_TRUE(!fs::exists(out + "/Alpha") || test::filesUnder(out + "/Alpha").empty());
    EXPECT_EQ(test::folderChecksums(a), before);
}

TEST(Fault, KilledRenderThenResume) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string b = makeDemo(dir, "Bravo", 2);
    const auto beforeA = test::folderChecksums(a);
    const auto beforeB = test::folderChecksums(b);
    const std::string out = dir.file("out");

    // Both masters and MP3s: the longest render, so the kill lands while temporaries are being written.
    BackgroundCli cli({"batch", a, b, "--out", out, "--jobs", "1", "--quiet"}, dir);
    ASSERT_TRUE(waitFor(cli, [&] { return !hiddenFilesUnder(out).empty(); })) << "no temporary ever appeared";
    ::kill(cli.pid, SIGKILL);
    EXPECT_EQ(cli.wait(), 128 + SIGKILL);
    const auto debris = hiddenFilesUnder(out);
    EXPECT_FALSE(debris.empty());
    EXPECT_EQ(partialFinalFile(out), "") << "a partial file under a final name after SIGKILL";

    const auto r = test::runCli({"batch", a, b, "--out", out, "--resume", "--json", "--jobs", "1"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["jobs"].size(), 2u);
    for (const auto& job : j["jobs"]) {
        EXPECT_TRUE(job["status"] == "ok" || job["status"] == "skipped") << job.dump();
        ASSERT_EQ(job["deliverables"].size(), 2u);
        for (const auto& d : job["deliverables"]) {
            const test::LoadedAudio audio = test::loadAudio(d["wav"].get<std::string>());
            EXPECT_EQ(audio.frames(), 6u * 48000u);
            EXPECT_NEAR(test::integratedLufs(audio), -14.0, 0.3);
            EXPECT_TRUE(fs::exists(d["mp3"].get<std::string>()));
        }
    }
    EXPECT_EQ(j["jobs"][0]["status"], "ok") << "the killed job was taken as complete";
    EXPECT_EQ(hiddenFilesUnder(out), std::vector<std::string>{}) << "temporaries of the killed render remain";
    EXPECT_EQ(partialFinalFile(out), "");
    EXPECT_EQ(test::folderChecksums(a), beforeA);
    EXPECT_EQ(test::folderChecksums(b), beforeB);
}

// A deliverable set: PCM files written during the limiter pass, then the lossy encoders (libsndfile's FLAC,
// libavcodec's AAC / Opus / Vorbis) writing their temporaries; killed or cancelled while they do, no final
// name may appear.
TEST(Fault, KilledOrCancelledDeliverableSetLeavesNoFinalName) {
    test::TempDir dir;
    const std::string song = makeDemo(dir, "Song");
    const std::vector<std::string> set{"--deliverable", "wav:24",   "--deliverable", "flac:24",
                                       "--deliverable", "aac:256",  "--deliverable", "opus:160",
                                       "--deliverable", "vorbis:6", "--deliverable", "mp3:320"};
    const auto finalNames = [](const std::string& out) {
        std::vector<std::string> names;
        if (!fs::exists(out)) return names;
        for (const auto& path : test::filesUnder(out))
            if (!isHidden(path)) names.push_back(path);
        return names;
    };
    for (const int signal : {SIGKILL, SIGINT}) {
        SCOPED_TRACE(signal == SIGKILL ? "SIGKILL" : "SIGINT");
        const std::string out = dir.file(signal == SIGKILL ? "killed" : "cancelled");
        std::vector<std::string> args{"render", song, "--out", out, "--quiet"};
        args.insert(args.end(), set.begin(), set.end());
        BackgroundCli cli(args, dir);
        // Both masters' WAV and FLAC temporaries, then at least one encoder's: the lossy files are under way.
        ASSERT_TRUE(waitFor(cli, [&] { return hiddenFilesUnder(out).size() >= 5; }))
            << "the encoders' temporaries never appeared";
        ::kill(cli.pid, signal);
        const int status = cli.wait();
        EXPECT_EQ(status, signal == SIGKILL ? 128 + SIGKILL : 1);
        EXPECT_EQ(finalNames(out), std::vector<std::string>{}) << "a file under a final name";
        if (signal == SIGINT)
            EXPECT_EQ(hiddenFilesUnder(out), std::vector<std::string>{})
                << "a cancel removes its temporaries";
    }
}

TEST(Fault, DamagedSessionFilesGiveAClearMessage) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string good = dir.file("good.lathe");
    ASSERT_EQ(test::runCli({"session", "new", a, "-o", good}).exitCode, 0);
    const std::string text = test::readBytes(good);
    const auto before = test::folderChecksums(a);

    const auto replaced = [&](const std::string& from, const std::string& to) {
        const size_t at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        std::string t = text;
        return at == std::string::npos ? t : t.replace(at, from.size(), to);
    };
    struct Case {
        std::string name;
        std::string contents;
        std::string mentions; // besides the session file's path
    };
    const std::vector<Case> cases{
        {"truncated", text.substr(0, text.size() / 2), "truncated"},
        {"empty", "", "empty"},
        {"number as string", replaced("\"target_lufs\": -14.0", "\"target_lufs\": \"loud\""),
         "loudness.target_lufs"},
        {"bool as string", replaced("\"mute\": false", "\"mute\": \"no\""), "mute"},
        {"array as object", replaced("\"eq\": []", "\"eq\": {}"), "master.eq"},
        {"group as number", replaced("\"limiter\": {", "\"limiter\": 3, \"x\": {"), "master.limiter"},
    };
    for (const auto& c : cases) {
        const std::string path = dir.file(c.name + ".lathe");
        test::writeBytes(path, c.contents);
        const std::string out = dir.file("out-" + std::to_string(&c - cases.data()));
        const auto render = test::runCli({"render", path, "--out", out, "--quiet"});
        EXPECT_EQ(render.exitCode, 1) << c.name;
        EXPECT_NE(render.err.find(path), std::string::npos) << c.name << ": " << render.err;
        EXPECT_NE(render.err.find(c.mentions), std::string::npos) << c.name << ": " << render.err;
        EXPECT_TRUE(!fs::exists(out) || test::filesUnder(out).empty()) << c.name;

        const auto batch = test::runCli({"batch", path, "--out", out, "--json"});
        EXPECT_EQ(batch.exitCode, 1) << c.name;
        const json j = json::parse(batch.out);
        const std::string error = j["jobs"][0]["error"].get<std::string>();
        EXPECT_NE(error.find(path), std::string::npos) << c.name << ": " << error;
        for (const auto& file : test::filesUnder(out))
            EXPECT_EQ(fs::path(file).filename(), "batch-summary.json") << c.name << " left " << file;
        EXPECT_EQ(test::readBytes(path), c.contents) << "the damaged session was rewritten";
    }
    EXPECT_EQ(test::folderChecksums(a), before);
}
