#pragma once

#include <vector>

namespace lathe::dsp {

// Kaiser-windowed sinc for upsampling by `factor`, `tapsPerPhase` input samples long, with its transition
// band from `passbandEnd` to `stopbandBegin` (fractions of the input rate). Returned in prototype order
// (length factor * tapsPerPhase, centre at index factor * tapsPerPhase / 2). The Kaiser beta follows from
// length and transition width by Kaiser's formula.
// clang-format off
//  - Default (0.45 .. 0.55, centred on Nyquist, the classic half-band shape also used by BS.1770's example
//    filter and most DAC oversamplers): 64 taps per phase gives about 100 dB image rejection and ripple
//    below 0.001 dB up to 0.45 fs, and every factor-th coefficient is exactly 0 except the centre (exactly
//    1), so phase 0 reproduces the input samples bit for bit.
//  - Brickwall (0.4565 .. 0.5, libsoxr's default band edges): no image leakage, content above 0.4565 fs
//    rolled off.
// clang-format on
// The two disagree about content between 0.45 and 0.55 fs; full-band material (white noise, hard-clipped
// masters) reconstructs up to +-0.4 dB differently through them, which is why the limiter detects with both.
// Not RT safe (allocates).
std::vector<double> designInterpolatorKernel(int factor, int tapsPerPhase, double passbandEnd = 0.45,
                                             double stopbandBegin = 0.55);

// Magnitude response (linear) of one polyphase branch at `frequency` (cycles per input sample, 0 .. 0.5). The
// branches of an ideal interpolator are all-pass fractional delays, so the deviation from 1 is the
// reconstruction error for a sine at that frequency. RT safe.
double interpolatorPhaseMagnitude(const std::vector<double>& kernel, int factor, int phase, double frequency);

} // namespace lathe::dsp
