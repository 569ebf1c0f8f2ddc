#pragma once

#include <string>
#include <vector>

namespace lathe::test {

// Independent measurements for end-to-end tests: they use libsndfile, libebur128 and libsoxr directly, never
// Lathe's own meters, so a bug in those cannot hide a bug in a render.
struct LoadedAudio {
    int sampleRate = 0;
    std::vector<std::vector<float>> channels;
    size_t frames() const { return channels.empty() ? 0 : channels[0].size(); }
};

LoadedAudio loadAudio(const std::string& path);

// Writes planar float with libsndfile in the given SF_FORMAT_* (default 24-bit WAV).
void writeAudio(const std::string& path, const LoadedAudio& audio, int format = 0x010000 | 0x0003);

// A stereo test signal: a sine of the given frequency and peak amplitude plus a little deterministic noise.
LoadedAudio makeTone(int sampleRate, double seconds, double frequency, double amplitude, int channels = 2);

// BS.1770-4 integrated loudness from libebur128 itself.
double integratedLufs(const LoadedAudio& audio);

// True peak in dBTP by 8x upsampling with libsoxr (very high quality) and taking the largest magnitude.
double truePeak8xDbtp(const LoadedAudio& audio);

// Largest |a - b| over all samples, in dBFS (frames must match).
double maxDifferenceDbfs(const LoadedAudio& a, const LoadedAudio& b);

// The share of a signal's energy above `hz`, in dB relative to all of it: the signal minus itself low-passed
// by a 513-tap Blackman-windowed sinc at `hz` (a codec's band limit shows as a drop of tens of dB).
double energyAboveDb(const std::vector<float>& samples, int sampleRate, double hz);

} // namespace lathe::test
