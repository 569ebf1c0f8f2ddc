#include "core/render/StereoResampler.h"

#include "core/Error.h"

#include <soxr.h>

#include <cmath>
#include <stdexcept>

namespace lathe::core {

StereoResampler::StereoResampler(double inputRate, double outputRate) : ratio_(outputRate / inputRate) {
    soxr_error_t error = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
    soxr_ = soxr_create(inputRate, outputRate, 2, &error, &io, &quality, nullptr);
    if (error != nullptr)
        throw std::runtime_error(std::string("sample-rate conversion setup failed: ") + error);
}

StereoResampler::~StereoResampler() {
    if (soxr_ != nullptr) soxr_delete(soxr_);
}

void StereoResampler::drain(const float* interleaved, size_t frames, const Sink& sink) {
    // Feed all input; soxr may need several calls to take it, each producing some output.
    size_t offset = 0;
    bool flushing = interleaved == nullptr;
    for (;;) {
        const size_t capacity = static_cast<size_t>(std::ceil((frames - offset) * ratio_)) + 4096;
        out_.resize(capacity * 2);
        size_t used = 0, produced = 0;
        const soxr_error_t error =
            soxr_process(soxr_, flushing ? nullptr : interleaved + offset * 2, flushing ? 0 : frames - offset,
                         &used, out_.data(), capacity, &produced);
        if (error != nullptr)
            throw std::runtime_error(std::string("sample-rate conversion failed: ") + error);
        offset += used;
        if (produced > 0) {
            left_.resize(produced);
            right_.resize(produced);
            for (size_t i = 0; i < produced; ++i) {
                left_[i] = out_[2 * i];
                right_[i] = out_[2 * i + 1];
            }
            sink(left_.data(), right_.data(), static_cast<int>(produced));
        }
        if (flushing ? produced == 0 : (offset >= frames && produced < capacity)) break;
    }
}

void StereoResampler::process(const float* left, const float* right, int frames, const Sink& sink) {
    in_.resize(static_cast<size_t>(frames) * 2);
    for (int i = 0; i < frames; ++i) {
        in_[static_cast<size_t>(2 * i)] = left[i];
        in_[static_cast<size_t>(2 * i + 1)] = right[i];
    }
    drain(in_.data(), static_cast<size_t>(frames), sink);
}

void StereoResampler::finish(const Sink& sink) {
    drain(nullptr, 0, sink);
}

} // namespace lathe::core
