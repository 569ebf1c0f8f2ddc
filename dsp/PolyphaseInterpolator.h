#pragma once

#include <vector>

namespace lathe::dsp {

// Kaiser-windowed sinc for upsampling by `factor`, `tapsPerPhase` input samples long, with its transition
// band from `passbandEnd` to `stopbandBegin` (fractions of the input rate). Returned in prototype order
// (length factor * tapsPerPhase, centre at index factor * tapsPerPhase / 2). The Kaiser beta follows from
// length and transition width by Kaiser's formula.
//  - Default (0.45 .. 0.55, centred on Nyquist, the classic half-band shape also used by BS.1770's example
//  filter
//    and most DAC oversamplers): 64 taps per phase gives about 100 dB image rejection and ripple below 0.001
//    dB up to 0.45 fs, and every factor-th coefficient is exactly 0 except the centre (exactly 1), so phase 0
//    reproduces the input samples bit for bit.
//  - Brickwall (0.4565 .. 0.5, libsoxr's default band edges): no image leakage, content above 0.4565 fs
//  rolled off.
// The two disagree about content between 0.45 and 0.55 fs; full-band material (white noise, hard-clipped
// masters) reconstructs up to +-0.4 dB differently through them, which is why the limiter detects with both.
std::vector<double> designInterpolatorKernel(int factor, int tapsPerPhase, double passbandEnd = 0.45,
                                             double stopbandBegin = 0.55);

// Magnitude response (linear) of one polyphase branch at `frequency` (cycles per input sample, 0 .. 0.5). The
// branches of an ideal interpolator are all-pass fractional delays, so the deviation from 1 is the
// reconstruction error for a sine at that frequency.
double interpolatorPhaseMagnitude(const std::vector<double>& kernel, int factor, int phase, double frequency);

// Polyphase FIR upsampler for inter-sample peak detection. Each input sample pushed for a channel yields
// `factor` output points; the points produced by pushing x[n] lie at times n - delayFrames() + m / factor, m
// = 0 .. factor-1 (delayFrames() = tapsPerPhase / 2 input samples: the kernel is linear phase). Float
// arithmetic: the rounding error of a 64-term dot product is around 1e-7 relative, five orders below the
// design's ripple.
class PolyphaseInterpolator {
public:
    void prepare(int factor, int tapsPerPhase, int numChannels, double passbandEnd = 0.45,
                 double stopbandBegin = 0.55);
    void reset();

    int factor() const { return factor_; }
    int tapsPerPhase() const { return taps_; }
    int delayFrames() const { return taps_ / 2; }

    // Pushes x for `channel` and writes factor() points to `points`.
    void process(int channel, float x, float* points);

private:
    template <int Factor>
    void convolve(const float* history, float* points) const;

    int factor_ = 0;
    int taps_ = 0;
    int numChannels_ = 0;
    // coefficients_[i * factor + m]: weight of the i-th oldest history sample for phase m.
    std::vector<float> coefficients_;
    // Per channel, the last taps_ inputs stored twice so the window [pos, pos + taps) is always contiguous.
    std::vector<float> history_;
    std::vector<int> writePos_;
};

} // namespace lathe::dsp
