#pragma once

#include "core/model/DeliverableSpec.h"

#include <cstdint>
#include <exception>
#include <functional>
#include <vector>

namespace lathe::core {

class FrameCache;

// What a lossy encode does to a master: the decoded audio (aligned with the input, same length) and the
// figures an engineer checks before delivering to a streaming service.
struct CodecPreview {
    std::vector<float> left, right; // decoded, aligned sample-for-sample with the input
    double truePeakDbtp = 0.0;      // of the decoded audio, 8x oversampled
    double inputTruePeakDbtp = 0.0; // of the input, same meter, for comparison
    double differenceDb = 0.0;      // RMS of (input - decoded) relative to the input's RMS, both channels
    int delayFrames = 0;            // codec delay found and removed (positive: decoded audio came late)
    bool exceedsCeiling = false;    // decoded true peak above ceilingDbtp
    DeliverableSpec codec;          // what was encoded, its setting resolved (withCodecDefaults)
    int codecSampleRate = 0;        // the rate it was encoded at (codecEncodeRate)
};

constexpr int kMinMp3BitrateKbps = 32;
constexpr int kMaxMp3BitrateKbps = 320;

// Encodes stereo float audio with a lossy codec exactly as the render makes that deliverable
// (AudioFileWriter: LAME for mp3, libavcodec's aac, libopus, libvorbis), decodes it with the render's codec
// check decoder (LossyDecoder.h), aligns it by cross-correlation and measures it. `codec` is a lossy
// DeliverableSpec (mp3, aac, opus, vorbis; a 0 / -1 setting takes the codec's default). A codec that cannot
// carry `sampleRate` is fed the audio at the rate the render would encode it at (codecEncodeRate: Opus at 48
// kHz, MP3 at 44.1 or 48 kHz) through the render's resampler, and its decode is converted back, so the result
// is always at `sampleRate`, aligned with the input. Not real-time code. Throws Error naming the problem (a
// setting out of range, no frames, an encoder or disk failure).
CodecPreview codecRoundTrip(const float* left, const float* right, int64_t frames, int sampleRate,
                            const DeliverableSpec& codec, double ceilingDbtp = -1.0);

// Encodes stereo float audio to MP3 (LAME through libsndfile, constant bitrate) in a private temporary
// folder, decodes it back, aligns it by cross-correlation and measures it; the temporary files are removed
// whatever happens. Not real-time code. Throws Error naming the problem: a bitrate outside 32..320 kb/s, a
// sample rate MP3 cannot carry (MP3 here: 32, 44.1, 48 kHz), no frames, an encoder or disk failure.
CodecPreview codecRoundTrip(const float* left, const float* right, int64_t frames, int sampleRate,
                            int bitrateKbps, double ceilingDbtp = -1.0);

// codecRoundTrip for a master of any length without holding it (issue 22): the input is read from `master`
// (a scratch file, read from its start as often as needed) and the decoded audio, aligned and exactly
// master.frames() long, is handed to `sink` in order; everything in between lives in private scratch files.
// Bit for bit what codecRoundTrip's left/right hold for the same audio (the same encoder, decoder, resampler
// calls and block sizes, the same alignment). Returns the codec resolved; `delayFrames` as codecRoundTrip's.
// `cancelled` is asked between blocks: true stops the work with CodecPreviewCancelled. Not real-time code.
// Throws Error as codecRoundTrip.
using FrameSink = std::function<void(const float* left, const float* right, int frames)>;
struct CodecPreviewCancelled : std::exception {
    const char* what() const noexcept override { return "the codec preview was cancelled"; }
};
DeliverableSpec codecRoundTripStreamed(FrameCache& master, int sampleRate, const DeliverableSpec& codec,
                                       const FrameSink& sink, int* delayFrames = nullptr,
                                       const std::function<bool()>& cancelled = {});

} // namespace lathe::core
