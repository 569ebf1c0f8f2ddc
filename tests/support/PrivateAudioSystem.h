#pragma once

#include <string>

namespace lathe::test {

// An audio system of this test process's own, so nothing another program does to the machine's audio (a JACK
// server started, a card plugged in, ~/.asoundrc or /etc/asound.conf edited, PulseAudio's ALSA plugin) can
// change what a device test sees. For this process and every process it starts (lathe-cli):
// - ALSA reads only a configuration file this object writes (ALSA_CONFIG_PATH), which defines the PCMs
//   listed below and nothing else: not the machine's cards (no `ctl.hw`), not the system configuration;
// - JACK clients look for a server named after this process (JACK_DEFAULT_SERVER), which nobody starts,
//   and never start one themselves (JACK_NO_START_SERVER), so PortAudio's JACK host lists no device unless
//   a test starts its own server under a name of its own.
// Construct it before PortAudio is first initialised in the process (alsa-lib and libjack read the
// environment then); the destructor restores the environment and removes the files.
class PrivateAudioSystem {
public:
    // The devices PortAudio lists, and nothing else (all ALSA, each taking what it is given as fast as it
    // comes, without a clock): `default` and kOutputDevice discard it; kCaptureDevice writes it raw
    // (interleaved float32 as PortAudio sends it) to captureFile().
    static constexpr const char* kDefaultDevice = "default";
    static constexpr const char* kOutputDevice = "lathe_test_out";
    static constexpr const char* kCaptureDevice = "lathecap";

    PrivateAudioSystem();
    ~PrivateAudioSystem();
    PrivateAudioSystem(const PrivateAudioSystem&) = delete;
    PrivateAudioSystem& operator=(const PrivateAudioSystem&) = delete;

    const std::string& alsaConfigPath() const { return alsaConfigPath_; }
    const std::string& jackServerName() const { return jackServerName_; }
    const std::string& captureFile() const { return captureFile_; }

private:
    std::string directory_;
    std::string alsaConfigPath_;
    std::string jackServerName_;
    std::string captureFile_;
    struct Saved {
        const char* name;
        bool wasSet;
        std::string value;
    };
    Saved saved_[4] = {{"ALSA_CONFIG_PATH", false, {}},
                       {"JACK_DEFAULT_SERVER", false, {}},
                       {"JACK_NO_START_SERVER", false, {}},
                       {"JACK_NO_AUDIO_RESERVATION", false, {}}};
};

} // namespace lathe::test
