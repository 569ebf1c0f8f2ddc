// Device tests must not depend on what other programs do to the machine's audio (issue 14: the audio settings
// dialog's test failed once when a JACK server was started during the suite). Every device test gives itself
// a private audio system (test::PrivateAudioSystem: its own ALSA configuration, its own JACK server name).
// This test proves it holds: it starts a JACK server under the machine's default name, as a user's
// QjackCtl or a DAW would, and runs the device tests while it runs. They must pass, and a program using the
// machine's audio setup must see the server (or the proof proves nothing).
//
// The "machine" is a private mount namespace with its own /dev/shm (where JACK keeps its server registry and
// sockets), so the server is the default one for every process in this test and for no process outside it:
// the test never disturbs a JACK server the user runs, nor the other tests ctest runs beside it.

#include "support/CliRunner.h"
#include "support/PrivateAudioSystem.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

namespace lathe {
namespace {

using Clock = std::chrono::steady_clock;

// Whether `devices --json` run with the current environment lists a JACK output, and the names it lists.
bool listsJack(std::string& names) {
    const test::CliResult r = test::runCli({"devices", "--json"});
    names.clear();
    bool jack = false;
    try {
        for (const auto& d : nlohmann::json::parse(r.out)) {
            names += d.at("name").get<std::string>() + " (" + d.at("host_api").get<std::string>() + "); ";
            jack |= d.at("host_api").get<std::string>().find("JACK") != std::string::npos;
        }
    } catch (const std::exception&) {
        names = "unparseable: " + r.out + r.err;
    }
    return jack;
}

// The full names of the cases `binary --gtest_list_tests` lists under `filter`.
std::vector<std::string> testCases(const std::string& binary, const std::string& filter) {
    const test::CliResult listed = test::runShell(
        test::shellQuote(binary) + " --gtest_list_tests --gtest_filter=" + test::shellQuote(filter));
    std::vector<std::string> names;
    std::istringstream lines(listed.out);
    std::string suite;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        if (line[0] != ' ') { // "Suite." (or a line the program printed first)
            suite = line.back() == '.' ? line : std::string();
            continue;
        }
        std::istringstream words(line); // "  Name  # GetParam() = 64"
        std::string name;
        words >> name;
        if (!suite.empty()) names.push_back(suite + name);
    }
    return names;
}

struct DeviceTest {
    const char* binary;
    const char* filter;
};

TEST(DeviceIsolation, DeviceTestsPassWhileAMachineJackServerRuns) {
    const std::vector<DeviceTest> deviceTests = {
        {LATHE_TEST_AUDIO_ENGINE_ALSA, "*"},
        {LATHE_TEST_DEVICE_LOSS, "*"},
#ifdef LATHE_TEST_AUDIO_SETTINGS_DIALOG
        {LATHE_TEST_AUDIO_SETTINGS_DIALOG, "*"},
        {LATHE_TEST_MAIN_WINDOW, "*WithoutAnAudioDevice*"},
#endif
    };
    const test::IsolatedResult result =
        test::runOnTinyTmpfs("/dev/shm", 256u << 20, false, [&]() -> std::string {
            // JACK locks its server registry with a System V semaphore: give this "machine" its own IPC too.
            if (::unshare(CLONE_NEWIPC) != 0)
                return std::string("unshare(CLONE_NEWIPC): ") + std::strerror(errno);
            // The machine's audio setup, as a user's session has it: no private names anywhere.
            for (const char* name : {"JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER", "ALSA_CONFIG_PATH"})
                ::unsetenv(name);
            ::setenv("JACK_NO_AUDIO_RESERVATION", "1", 1); // no D-Bus device reservation for a dummy server

            std::vector<const char*> argv = {"jackd", "--no-realtime", "-d",   "dummy", "-r", "48000",
                                             "-p",    "256",           nullptr};
            pid_t jackd = -1;
            if (const int e =
                    posix_spawnp(&jackd, "jackd", nullptr, nullptr, const_cast<char**>(argv.data()), environ);
                e != 0)
                return "cannot start jackd (install jackd2): " + std::string(std::strerror(e));
            struct Stop {
                pid_t pid;
                ~Stop() {
                    ::kill(pid, SIGKILL);
                    ::waitpid(pid, nullptr, 0);
                }
            } stop{jackd};

            // The control: with the machine's setup, the default server is seen.
            std::string names;
            bool seen = false;
            for (const auto deadline = Clock::now() + std::chrono::seconds(10);
                 !seen && Clock::now() < deadline;) {
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                seen = listsJack(names);
            }
            if (!seen)
                return "the default JACK server never appeared to lathe-cli devices; it lists: " + names;
            std::printf("machine setup lists: %s\n", names.c_str());
            std::fflush(stdout); // the child ends with _exit, which flushes nothing

            // A private audio system hides it.
            {
                test::PrivateAudioSystem audio;
                if (listsJack(names)) return "a private audio system still lists the JACK server: " + names;
                std::printf("private setup lists: %s\n", names.c_str());
                std::fflush(stdout);
            }

            // The device tests, each case in a process of its own as ctest runs it, with the server up the
            // whole
            // time.
            int cases = 0;
            for (const DeviceTest& t : deviceTests)
                for (const std::string& name : testCases(t.binary, t.filter)) {
                    const auto start = Clock::now();
                    const test::CliResult r = test::runShell(test::shellQuote(t.binary) +
                                                             " --gtest_filter=" + test::shellQuote(name));
                    std::printf("%s: exit %d in %.1f s\n", name.c_str(), r.exitCode,
                                std::chrono::duration<double>(Clock::now() - start).count());
                    std::fflush(stdout);
                    if (r.exitCode != 0 || r.out.find("[  PASSED  ] 1 test.") == std::string::npos)
                        return name + " failed with the default JACK server running:\n" + r.out;
                    if (::waitpid(jackd, nullptr, WNOHANG) != 0)
                        return "the JACK server stopped during " + name;
                    ++cases;
                }
            if (cases < 5) return "only " + std::to_string(cases) + " device test cases found";
            if (!listsJack(names)) return "the default JACK server was gone by the end: " + names;
            return "";
        });
    EXPECT_EQ(result.skipReason, "")
        << "this test needs a private mount namespace (root, or unprivileged user "
           "namespaces) to give the JACK server its own /dev/shm";
    EXPECT_EQ(result.failure, "");
}

} // namespace
} // namespace lathe
