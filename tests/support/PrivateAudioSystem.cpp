#include "PrivateAudioSystem.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace lathe::test {

PrivateAudioSystem::PrivateAudioSystem() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lathe-audio-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("PrivateAudioSystem: mkdtemp failed");
    directory_ = pattern;
    alsaConfigPath_ = directory_ + "/asound.conf";
    captureFile_ = directory_ + "/capture.raw";
    // Unique per process: ctest runs test cases as parallel processes, and a name no server uses keeps
    // PortAudio's JACK host empty. (A client that finds no server registers nothing, so unlike server names
    // these never fill JACK's registry of 8.)
    jackServerName_ = "lathe-test-" + std::to_string(::getpid());

    // Only what this file defines exists: alsa-lib builds in the `null` and `file` plugin types, so no system
    // configuration is needed to open them. PortAudio's ALSA host needs a `default` PCM (without one,
    // BuildDeviceList fails an assertion and aborts the process).
    std::ofstream config(alsaConfigPath_);
    config << "pcm.null {\n  type null\n}\n"
           << "pcm.default {\n  type null\n}\n"
           << "pcm." << kOutputDevice << " {\n  type null\n}\n"
           << "pcm." << kCaptureDevice << " {\n  type file\n  slave.pcm \"null\"\n  file \"" << captureFile_
           << "\"\n  format \"raw\"\n}\n";
    if (!config) throw std::runtime_error("PrivateAudioSystem: cannot write " + alsaConfigPath_);
    config.close();

    for (Saved& s : saved_)
        if (const char* value = std::getenv(s.name)) {
            s.wasSet = true;
            s.value = value;
        }
    ::setenv("ALSA_CONFIG_PATH", alsaConfigPath_.c_str(), 1);
    ::setenv("JACK_DEFAULT_SERVER", jackServerName_.c_str(), 1);
    ::setenv("JACK_NO_START_SERVER", "1", 1);
    // jackd asks the desktop's device reservation service (D-Bus) for a card; a test server has none.
    ::setenv("JACK_NO_AUDIO_RESERVATION", "1", 1);
}

PrivateAudioSystem::~PrivateAudioSystem() {
    for (const Saved& s : saved_)
        if (s.wasSet)
            ::setenv(s.name, s.value.c_str(), 1);
        else
            ::unsetenv(s.name);
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
}

} // namespace lathe::test
