#pragma once

#include <cstdint>
#include <vector>

namespace lathe::core {

// What a lossy encode does to a master: the decoded audio (aligned with the input, same length) and the
// figures an engineer checks before delivering to a streaming service.
struct CodecPreview {
    std::vector<float> left, right; // decoded, aligned sample-for-sample with the input
    double truePeakDbtp = 0.0;      // of the decoded audio, 8x oversampled
    double inputTruePeakDbtp = 0.0; // of the input, same meter, for comparison
    double differenceDb = 0.0;      // RMS of (input - decoded) relative to the input's RMS, both channels
    int delayFrames = 0;            // codec delay found and removed (positive: decoded audio came late)
    bool exceedsCeiling = false;    // decoded true peak above ceilingDbtp
};

constexpr int kMinMp3BitrateKbps = 32;
constexpr int kMaxMp3BitrateKbps = 320;

// Encodes stereo float audio to MP3 (LAME through libsndfile, constant bitrate) in a private temporary
// folder, decodes it back, aligns it by cross-correlation and measures it; the temporary files are removed
// whatever happens. Not real-time code. Throws Error naming the problem: a bitrate outside 32..320 kb/s, a
// sample rate MP3 cannot carry (MP3 here: 32, 44.1, 48 kHz), no frames, an encoder or disk failure.
CodecPreview codecRoundTrip(const float* left, const float* right, int64_t frames, int sampleRate,
                            int bitrateKbps, double ceilingDbtp = -1.0);

} // namespace lathe::core
