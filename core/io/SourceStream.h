#pragma once

#include "core/io/AudioFileReader.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct soxr;

namespace lathe::core {

// One source file delivered as stereo at the session's rate, block by block: resampled with libsoxr (very
// high quality) when the file's rate differs, mono made centred stereo (the same signal on both sides, as the
// mix engineer heard it), and silence after the end so stems of different lengths can be summed frame by
// frame. Reads and allocates: never use on the audio thread (the engine's prefetch thread does).
class SourceStream {
public:
    SourceStream(const std::string& path, int targetSampleRate);
    ~SourceStream();
    SourceStream(const SourceStream&) = delete;
    SourceStream& operator=(const SourceStream&) = delete;

    const AudioFileInfo& info() const { return reader_.info(); }
    int targetSampleRate() const { return targetRate_; }
    bool resampled() const { return resampler_ != nullptr; }

    // Length of the source at the target rate.
    int64_t lengthFrames() const { return lengthFrames_; }

    // Fills `frames` frames of left and right; after the source's end the rest is silence.
    void read(float* left, float* right, int frames);

    // Frames delivered so far at the target rate.
    int64_t position() const { return position_; }

private:
    static size_t supplyInput(void* self, const void** data, size_t maxFrames);
    int readConverted(float* interleaved, int frames);

    AudioFileReader reader_;
    int targetRate_;
    int channels_;
    int64_t lengthFrames_ = 0;
    int64_t position_ = 0;
    soxr* resampler_ = nullptr;
    std::vector<float> inputInterleaved_;  // soxr input
    std::vector<float> outputInterleaved_; // soxr (or reader) output
    bool inputEnded_ = false;
    std::string pendingError_;
};

} // namespace lathe::core
