#pragma once

#include "AudioBlock.h"
#include "Oversampler.h"

namespace lathe::dsp {

// Gain (<= 1) the soft clipper applies to a sample of magnitude `magnitude`, for a clip amount of clipDb
// around `ceiling` (linear). With L the level in dB relative to the ceiling and D = clipDb:
// clang-format off
//   L <= -D        : 0 dB (untouched)
//   -D < L < D     : reduction D * s(u), s(u) = 3u^2 - 2u^3, u = (L + D) / (2D)   (D / 2 at the ceiling)
//   L >= D         : reduction D (the rest of the peak is the limiter's)
// The output level L - reduction rises with L everywhere (slope >= 1 - 0.75 = 0.25): a soft knee that takes at
// most D dB off a peak, so the clipper shaves the first dB or so of short peaks and leaves anything larger to
// the limiter's gain, as engineers chain a clipper into a limiter.
// clang-format on
double peakSoftClipGain(double magnitude, double ceiling, double clipDb);

// The soft clipper run oversampled (its harmonics are generated at factor x the rate and filtered before they
// could fold back into the audio band). Adds latencyFrames() of delay; with clipDb = 0 it is the
// oversampler's round trip (linear phase, within its 0.0002 dB ripple).
class PeakSoftClipper {
public:
    // Allocates. factor is 1, 2, 4 or 8.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int factor);
    void reset();                      // real-time safe
    void process(const AudioBlock& b); // in place; real-time safe
    // Linear ceiling the curve centres on, and the clip amount in dB. Real-time safe.
    void setCurve(double ceiling, double clipDb);
    int latencyFrames() const { return oversampler_.latencyFrames(); } // real-time safe

private:
    Oversampler oversampler_;
    double ceiling_ = 1.0;
    double clipDb_ = 1.0;
    double kneeStart_ = 1.0; // ceiling * 10^(-clipDb/20): below it the curve is the identity
};

} // namespace lathe::dsp
