#include "core/demo/DemoFolder.h"
#include "core/engine/AudioEngine.h"
#include "core/model/SessionSource.h"
#include "support/CliRunner.h"
#include "support/PrivateAudioSystem.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

// A device that disappears while playing, for real: a private JACK server (dummy backend, so no sound card)
// is killed under the engine. The engine must stop, say which device was lost, and open a device again once
// one is there. jackd is a test dependency (packaging/install-deps.sh installs jackd2): without it this test
// fails rather than skips, so a machine that cannot run it is noticed. PortAudio's JACK host cannot tear down
// a stream whose server died (it waits 10 minutes for an acknowledgement), so the engine leaves that stream
// and reopens on another device; the test reopens on an ALSA capture device of its own config.
namespace lathe::core {
namespace {

using Clock = std::chrono::steady_clock;

class JackServer {
public:
    explicit JackServer(std::string name, bool verbose = false) : name_(std::move(name)), verbose_(verbose) {}
    ~JackServer() { kill(SIGKILL); }

    // Starts jackd and waits until PortAudio lists its output; false (with `why`) if it never appears.
    bool start(std::string& why) {
        std::vector<const char*> argv = {"jackd", "--no-realtime", "-n", name_.c_str(), "-d", "dummy",
                                         "-r",    "48000",         "-p", "256"};
        if (verbose_) argv.insert(argv.begin() + 1, "-v");
        argv.push_back(nullptr);
        if (const int e =
                posix_spawnp(&pid_, "jackd", nullptr, nullptr, const_cast<char**>(argv.data()), environ);
            e != 0) {
            pid_ = -1;
            why = "cannot start jackd (install jackd2): " + std::string(std::strerror(e));
            return false;
        }
        const auto deadline = Clock::now() + std::chrono::seconds(10);
        while (Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            for (const auto& d : AudioEngine::outputDevices())
                if (d.hostApi.find("JACK") != std::string::npos) {
                    device_ = d.name;
                    return true;
                }
        }
        why = "jackd started but PortAudio lists no JACK output within 10 s";
        return false;
    }
    void kill(int signal) {
        if (pid_ <= 0) return;
        ::kill(pid_, signal);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    const std::string& device() const { return device_; }

private:
    std::string name_;
    bool verbose_ = false;
    std::string device_;
    pid_t pid_ = -1;
};

bool playsFor(AudioEngine& engine, std::chrono::milliseconds span) {
    const int64_t from = engine.position();
    std::this_thread::sleep_for(span);
    return engine.playing() && engine.position() > from;
}

TEST(AudioEngineDeviceLossTest, KilledJackServerStopsPlaybackWithAMessageAndTheEngineReopens) {
    // A second device to reopen on after the loss: the `file` PCM (slave `null`) of the private ALSA
    // configuration, read by PortAudio's ALSA host when it starts (PortAudio enumerates devices once).
    test::PrivateAudioSystem audio;
    // A private server name, so a JACK server the user runs is never touched; libjack reads it from the
    // environment when PortAudio connects. Fixed, not per process: JACK's registry holds 8 server names and a
    // killed server's entry is reclaimed only by a server of the same name.
    const std::string server = "lathe-device-loss-test";
    setenv("JACK_DEFAULT_SERVER", server.c_str(), 1);

    test::TempDir dir;
    DemoOptions demo;
    demo.seconds = 5;
    writeDemoFolder(dir.file("song"), demo);
    AudioEngine engine;
    engine.load(openSessionOrFolder(dir.file("song")));
    engine.setSource(MonitorSource::Mix);
    engine.setLoop(0, engine.length(), true);

    JackServer jack(server);
    std::string why;
    ASSERT_TRUE(jack.start(why)) << why;
    std::string error;
    ASSERT_TRUE(engine.open(jack.device(), 256, 0, error)) << error;
    EXPECT_EQ(engine.deviceName(), jack.device());
    EXPECT_EQ(engine.takeError(), "");
    engine.play();
    ASSERT_TRUE(playsFor(engine, std::chrono::milliseconds(400))) << "plays on the JACK server";

    jack.kill(SIGKILL);
    const auto killed = Clock::now();
    while (engine.playing() && Clock::now() - killed < std::chrono::seconds(3))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const double seconds = std::chrono::duration<double>(Clock::now() - killed).count();
    std::printf("playback stopped %.3f s after the JACK server was killed\n", seconds);
    EXPECT_FALSE(engine.playing());
    EXPECT_LE(seconds, 2.0);
    const std::string message = engine.takeError();
    std::printf("message: %s\n", message.c_str());
    EXPECT_NE(message.find("\"" + jack.device() + "\""), std::string::npos) << message;
    EXPECT_NE(message.find("lost"), std::string::npos) << message;
    EXPECT_FALSE(engine.isOpen()) << "the dead stream is closed, the engine kept";
    EXPECT_EQ(engine.takeError(), "") << "the message is given once";

    // The app keeps running and opens a device again: the ALSA capture device of the test's own config.
    ASSERT_TRUE(engine.open(test::PrivateAudioSystem::kCaptureDevice, 256, 0, error)) << error;
    EXPECT_EQ(engine.deviceName(), test::PrivateAudioSystem::kCaptureDevice);
    engine.seek(0);
    engine.play();
    EXPECT_TRUE(playsFor(engine, std::chrono::milliseconds(400))) << "plays again after reopening";
    engine.close();
    EXPECT_EQ(engine.takeError(), "");
    std::ifstream captured(audio.captureFile(), std::ios::binary | std::ios::ate);
    EXPECT_GT(static_cast<long long>(captured.tellg()), 0) << "the reopened device received audio";
}

// libjack prints its diagnostics to stdout whenever its server runs verbose; `devices --json` must still
// print nothing but the JSON there, or every script reading it breaks.
TEST(AudioEngineDeviceLossTest, DevicesJsonStaysParseableWithAVerboseJackServer) {
    test::PrivateAudioSystem audio;
    const std::string server = "lathe-test-verbose";  // fixed, like the one above: see there
    setenv("JACK_DEFAULT_SERVER", server.c_str(), 1); // for this process and the lathe-cli it runs
    JackServer jack(server, true);
    std::string why;
    ASSERT_TRUE(jack.start(why)) << why;
    const auto listed = test::runCli({"devices", "--json"});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    nlohmann::json devices;
    ASSERT_NO_THROW(devices = nlohmann::json::parse(listed.out)) << listed.out;
    bool jackListed = false;
    for (const auto& d : devices)
        jackListed |= d.at("host_api").get<std::string>().find("JACK") != std::string::npos;
    EXPECT_TRUE(jackListed) << listed.out;
}

} // namespace
} // namespace lathe::core
