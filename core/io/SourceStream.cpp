#include "core/io/SourceStream.h"

#include "core/Error.h"

#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lathe::core {
namespace {
constexpr size_t kInputChunk = 8192;
}

SourceStream::SourceStream(const std::string& path, int targetSampleRate)
    : reader_(path), targetRate_(targetSampleRate), channels_(reader_.info().channels) {
    const AudioFileInfo& in = reader_.info();
    validateSource(in);
    inputInterleaved_.resize(kInputChunk * static_cast<size_t>(channels_));
    if (in.sampleRate == targetRate_) {
        lengthFrames_ = in.frames;
        return;
    }
    lengthFrames_ = static_cast<int64_t>(
        std::llround(static_cast<double>(in.frames) * targetRate_ / static_cast<double>(in.sampleRate)));
    soxr_error_t error = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
    resampler_ = soxr_create(in.sampleRate, targetRate_, static_cast<unsigned>(channels_), &error, &io,
                             &quality, nullptr);
    if (error != nullptr) throw Error(path, std::string("cannot set up sample-rate conversion: ") + error);
    soxr_set_input_fn(resampler_, &SourceStream::supplyInput, this, kInputChunk);
}

SourceStream::~SourceStream() {
    if (resampler_ != nullptr) soxr_delete(resampler_);
}

size_t SourceStream::supplyInput(void* selfPtr, const void** data, size_t maxFrames) {
    auto* self = static_cast<SourceStream*>(selfPtr);
    *data = self->inputInterleaved_.data();
    if (self->inputEnded_) return 0;
    const int64_t want = static_cast<int64_t>(std::min(maxFrames, kInputChunk));
    int64_t got = 0;
    try {
        got = self->reader_.readInterleaved(self->inputInterleaved_.data(), want);
    } catch (const Error& e) {
        // soxr's C callback cannot carry an exception; hold it and rethrow after soxr_output returns.
        self->pendingError_ = e.problem();
        self->inputEnded_ = true;
        *data = nullptr; // tells soxr the input failed
        return 0;
    }
    if (got == 0) {
        self->inputEnded_ = true;
        return 0;
    }
    return static_cast<size_t>(got);
}

int SourceStream::readConverted(float* interleaved, int frames) {
    if (resampler_ == nullptr) {
        // libsndfile decodes straight into the caller's interleaved buffer.
        return static_cast<int>(reader_.readInterleaved(interleaved, frames));
    }
    const size_t got = soxr_output(resampler_, interleaved, static_cast<size_t>(frames));
    if (!pendingError_.empty()) throw Error(info().path, pendingError_);
    if (const char* e = soxr_error(resampler_))
        throw Error(info().path, std::string("sample-rate conversion failed: ") + e);
    return static_cast<int>(got);
}

void SourceStream::read(float* left, float* right, int frames) {
    const int64_t remaining = std::max<int64_t>(0, lengthFrames_ - position_);
    const int wanted = static_cast<int>(std::min<int64_t>(frames, remaining));
    int got = 0;
    if (wanted > 0) {
        outputInterleaved_.resize(static_cast<size_t>(wanted * channels_));
        // soxr may deliver fewer frames per call than asked; loop until the source is exhausted.
        while (got < wanted) {
            const int n = readConverted(outputInterleaved_.data() + got * channels_, wanted - got);
            if (n == 0) break;
            got += n;
        }
        if (channels_ == 1) {
            for (int i = 0; i < got; ++i)
                left[i] = right[i] = outputInterleaved_[static_cast<size_t>(i)];
        } else {
            for (int i = 0; i < got; ++i) {
                left[i] = outputInterleaved_[static_cast<size_t>(2 * i)];
                right[i] = outputInterleaved_[static_cast<size_t>(2 * i + 1)];
            }
        }
    }
    std::fill(left + got, left + frames, 0.0f);
    std::fill(right + got, right + frames, 0.0f);
    position_ += frames;
}

} // namespace lathe::core
