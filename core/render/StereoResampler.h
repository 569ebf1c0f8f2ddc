#pragma once

#include <cstdint>
#include <functional>
#include <vector>

struct soxr;

namespace lathe::core {

// Streaming stereo sample-rate conversion with libsoxr at very high quality (passband to 0.91 fs/2 flat
// within 0.01 dB, > 170 dB rejection), for deliverables at another rate than the session's. Not for the audio
// thread.
class StereoResampler {
public:
    using Sink = std::function<void(const float* left, const float* right, int frames)>;

    StereoResampler(double inputRate, double outputRate);
    ~StereoResampler();
    StereoResampler(const StereoResampler&) = delete;
    StereoResampler& operator=(const StereoResampler&) = delete;

    void process(const float* left, const float* right, int frames, const Sink& sink);
    // Drains the filter's tail; call once after the last process().
    void finish(const Sink& sink);

private:
    void drain(const float* interleaved, size_t frames, const Sink& sink);

    soxr* soxr_ = nullptr;
    double ratio_;
    std::vector<float> in_, out_, left_, right_;
};

} // namespace lathe::core
