#pragma once

#include <vector>

namespace lathe::dsp {

// The true-peak meter's upsampler: the largest magnitudes of the points PolyphaseInterpolator would produce
// with the default (half-band) design, never the points themselves, at about half its arithmetic.
//
// The design is linear phase and half-band: its prototype is even about its centre, so phase m's coefficient
// for the i-th oldest input equals phase (factor - m)'s for the (taps - 1 - i)-th, and phase 0 is the input
// itself. With P_i = x_i + x_(taps-1-i) and M_i = x_i - x_(taps-1-i) (i < taps / 2, computed once per window
// and shared by every phase), the pair is
//     y_m = sum_i s_i P_i + a_i M_i,   y_(factor-m) = sum_i s_i P_i - a_i M_i
// (s and a the even and odd halves of phase m's coefficients), and the middle phase factor / 2 is its own
// mirror (a = 0): factor - 1 phases cost (factor - 1) * taps / 2 multiply-adds a window instead of
// (factor - 1) * taps. The sums are reassociated (and fused on AVX2 / AVX-512), so the points differ from
// PolyphaseInterpolator's in the last bits (about 1e-7 relative; the tests hold every path within 1e-6 of a
// direct evaluation and of each other), far below a reading's resolution. For meters only: a render's
// points come from PolyphaseInterpolator, the same bits on every CPU.
//
// Kernels: 16 windows per vector with AVX-512F, 8 with AVX2 + FMA, 4 with SSE2 (unfused), chosen at run
// time (maxVectorWidth); a group of windows whose inputs are too small to raise the maxima is skipped.
class TruePeakInterpolator {
public:
    // Inputs per internal chunk (the history is kept linear so every window is contiguous).
    static constexpr int kChunkFrames = 256;
    static constexpr int kMaxTaps = 256; // taps per phase

    // factor: 1 to 16, even above 1 (1 is the sample peak alone); tapsPerPhase even, up to kMaxTaps. Designs
    // the kernel (designInterpolatorKernel's default band edges) and allocates the histories. Not RT safe.
    void prepare(int factor, int tapsPerPhase, int numChannels);
    // Silence in the histories. RT safe.
    void reset();
    // The widest vectors used: 16, 8 or 4 (SSE2), capped at what the CPU has. For tests that compare the
    // paths. Not RT safe.
    void limitVectorWidth(int width);

    int factor() const { return factor_; }
    // The points of input x[n] lie at n - delayFrames() + m / factor(). RT safe.
    int delayFrames() const { return taps_ / 2; }

    // Pushes `frames` inputs for `channel`: peaks[0] grows to the largest |point| over every phase but 0,
    // peaks[1] over the even ones (an upsampling by factor() / 2 with the same kernel shape); phase 0, the
    // inputs themselves, is the caller's sample peak (start peaks from it). RT safe.
    void peakBlock(int channel, const float* input, int frames, float peaks[2]);

private:
    void peaks(const float* window, int count, float peaks[2]) const;
    void peaksScalar(const float* window, int count, float peaks[2]) const;

    int factor_ = 0;
    int taps_ = 0;
    int capacity_ = 0; // per channel: taps_ - 1 + kChunkFrames
    // Per folded tap i < taps / 2: for each pair p (phase p + 1 and its mirror), s then a; then the middle
    // phase's s: factor - 1 values, each repeated 8 times ([(i * (factor - 1) + j) * 8 + lane]) so a vector
    // load reads it whole.
    std::vector<float> folded_;
    // Largest sum of |coefficient| over the phases, all and even (with a rounding margin): the skip bounds.
    float boundAll_ = 0.0f, boundEven_ = 0.0f;
    int width_ = 4;
    std::vector<float> history_;
    std::vector<int> end_; // per channel, one past the newest input in its history
};

} // namespace lathe::dsp
