#include "KWeighting.h"

#include <cmath>
#include <complex>
#include <numbers>

namespace lathe::dsp {

KWeighting makeKWeighting(double sampleRate) {
    KWeighting w;
    double f0 = 1681.974450955533;
    const double gainDb = 3.999843853973347;
    double q = 0.7071752369554196;
    double k = std::tan(std::numbers::pi * f0 / sampleRate);
    const double vh = std::pow(10.0, gainDb / 20.0);
    const double vb = std::pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;
    w.shelf.b0 = (vh + vb * k / q + k * k) / a0;
    w.shelf.b1 = 2.0 * (k * k - vh) / a0;
    w.shelf.b2 = (vh - vb * k / q + k * k) / a0;
    w.shelf.a1 = 2.0 * (k * k - 1.0) / a0;
    w.shelf.a2 = (1.0 - k / q + k * k) / a0;

    f0 = 38.13547087602444;
    q = 0.5003270373238773;
    k = std::tan(std::numbers::pi * f0 / sampleRate);
    a0 = 1.0 + k / q + k * k;
    w.highPass.b0 = 1.0;
    w.highPass.b1 = -2.0;
    w.highPass.b2 = 1.0;
    w.highPass.a1 = 2.0 * (k * k - 1.0) / a0;
    w.highPass.a2 = (1.0 - k / q + k * k) / a0;
    return w;
}

double kWeightingPowerGain(const KWeighting& k, double sampleRate, double frequencyHz) {
    return std::norm(response(k.shelf, sampleRate, frequencyHz) *
                     response(k.highPass, sampleRate, frequencyHz));
}

} // namespace lathe::dsp
