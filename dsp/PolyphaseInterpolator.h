#pragma once

#include "InterpolatorDesign.h"

#include <vector>

namespace lathe::dsp {

// Polyphase FIR upsampler for inter-sample peak detection. Each input sample pushed for a channel yields
// `factor` output points; the points produced by pushing x[n] lie at times n - delayFrames() + m / factor
// for m = 0 .. factor-1 (delayFrames() = tapsPerPhase / 2 input samples: the kernel is linear phase). Float
// arithmetic: the rounding error of a 64-term dot product is around 1e-7 relative, five orders below the
// design's ripple.
//
// Every point is summed tap by tap, oldest input first, from 0, a multiply then an add: process() and
// processBlock() give the same bits whatever the block size and whatever the CPU. processBlock computes 4
// (SSE2), 8 (AVX) or 16 (AVX-512, as maxVectorWidth() allows) consecutive outputs of one phase per vector,
// one output per lane, several vectors at once, so the phases and windows are independent dependency chains
// and no sum is reassociated or fused (a fused multiply-add would round differently: a master must not depend
// on the machine that rendered it). The half-band design's phase 0, the input itself, is copied, not summed.
class PolyphaseInterpolator {
public:
    // Inputs per internal chunk: the history is kept linear (the last tapsPerPhase - 1 inputs followed by the
    // chunk) so every window is contiguous.
    static constexpr int kChunkFrames = 256;

    // Designs the kernel (designInterpolatorKernel's band edges) and allocates the histories. Not RT safe.
    void prepare(int factor, int tapsPerPhase, int numChannels, double passbandEnd = 0.45,
                 double stopbandBegin = 0.55);
    // Silence in the histories. RT safe.
    void reset();

    // As prepared. RT safe.
    int factor() const { return factor_; }
    int tapsPerPhase() const { return taps_; }
    int delayFrames() const { return taps_ / 2; }

    // Pushes x for `channel` and writes factor() points to `points`. RT safe.
    void process(int channel, float x, float* points);
    // Pushes `frames` inputs for `channel` and writes frames * factor() points to `points` (points of input j
    // at points[j * factor() + m]). Same results as `frames` calls of process(). RT safe.
    void processBlock(int channel, const float* input, int frames, float* points);

    static constexpr int kMaxFactor = 16;

    // The widest vectors processBlock may use: 16, 8 or 4, capped at what the CPU has; the same bits on every
    // path. For tests that compare the paths. Not RT safe.
    void limitVectorWidth(int width);

private:
    // Points of `count` consecutive windows starting at `window` (the oldest input of the first).
    void convolve(const float* window, int count, float* points) const;
    void convolveScalar(const float* window, int count, float* points) const;
    // Appends the input to the channel's linear history and hands consume(window, n) each contiguous run.
    template <typename Consume>
    void forEachWindow(int channel, const float* input, int frames, Consume&& consume);

    int factor_ = 0;
    int taps_ = 0;
    int numChannels_ = 0;
    int capacity_ = 0; // per channel: taps_ - 1 + kChunkFrames
    // coefficients_[i * factor + m]: weight of the i-th oldest history sample for phase m.
    std::vector<float> coefficients_;
    // Each coefficient repeated 8 times ([(i * factor + m) * 8 + lane]) so a vector multiply reads it whole.
    std::vector<float> broadcast_;
    bool phaseZeroIsInput_ = false;
    std::vector<float> history_;
    // Per channel, index one past the newest input in its history.
    std::vector<int> end_;
    int vectorWidth_ = 4; // processBlock's outputs per vector: 4 (SSE2), 8 (AVX) or 16 (AVX-512)
};

} // namespace lathe::dsp
