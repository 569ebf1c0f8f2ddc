#pragma once

// Shared helpers for core tests. Small on purpose: write test audio with libsndfile directly (independent of
// the code under test), prove a file is unchanged, and get a scratch directory that cleans itself up.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lathe::test {

using PlanarAudio = std::vector<std::vector<float>>; // [channel][frame]

// Writes `audio` (all channels the same length) to `path` with libsndfile at `sfFormat`, e.g.
// SF_FORMAT_WAV | SF_FORMAT_PCM_24 or SF_FORMAT_FLAC | SF_FORMAT_PCM_16. Float samples are handed to
// libsndfile as-is, so for PCM formats use values on the bit-depth grid if exactness matters. Throws
// std::runtime_error.
void writeTestAudio(const std::string& path, const PlanarAudio& audio, int sampleRate, int sfFormat);

// `channels` channels of a sine at `frequencyHz` and peak `amplitude`, channel c phase-shifted by c * 90
// degrees so channel mix-ups show.
PlanarAudio makeSine(int channels, int64_t frames, double sampleRate, double frequencyHz, double amplitude);

// Reads a whole file with libsndfile (read-only) into planar float; sets sampleRate. Throws
// std::runtime_error.
PlanarAudio readTestAudio(const std::string& path, int* sampleRate = nullptr);

// SHA-256 of a file's bytes as lower-case hex. Throws std::runtime_error if it cannot be read.
std::string sha256File(const std::string& path);

// Writes raw bytes to a file (for non-audio and damaged-file cases).
void writeBytes(const std::string& path, const std::string& bytes);
std::string readBytes(const std::string& path);

// Rounds x to the grid of a `bits`-bit PCM format (k / 2^(bits-1)), clamped to full scale.
float quantize(double x, int bits);

// Runs `scenario` in a forked child that has its own mount namespace (as root directly, otherwise through an
// unprivileged user namespace) with a fresh tmpfs of `bytes` bytes mounted at the existing directory
// `mountDir` (read-only if asked). The mount vanishes with the child. `scenario` returns "" on success or a
// failure message.
struct IsolatedResult {
    std::string failure;    // empty when the scenario passed
    std::string skipReason; // non-empty when no private tmpfs could be mounted here (then failure is empty)
};
IsolatedResult runOnTinyTmpfs(const std::string& mountDir, size_t bytes, bool readOnly,
                              const std::function<std::string()>& scenario);

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    // Names of the entries in the directory (hidden ones included), sorted.
    std::vector<std::string> entries() const;

private:
    std::string path_;
};

} // namespace lathe::test
