#pragma once

#include "BiquadCoefficients.h"

namespace lathe::dsp {

// ITU-R BS.1770-4 K-weighting: the pre-filter (a high shelf, +4 dB above ~1.7 kHz) followed by the RLB
// high-pass (~38 Hz), designed for any rate as libebur128 does (its 48 kHz coefficients re-derived through
// their analogue prototypes), so every meter here weights a programme alike.
struct KWeighting {
    BiquadCoefficients shelf;
    BiquadCoefficients highPass;
};

// RT safe.
KWeighting makeKWeighting(double sampleRate);

// |H(f)|^2 of both sections: how much a component at that frequency counts towards loudness. RT safe.
double kWeightingPowerGain(const KWeighting& k, double sampleRate, double frequencyHz);

} // namespace lathe::dsp
