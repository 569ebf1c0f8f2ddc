#include "InterpolatorDesign.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace lathe::dsp {

namespace {

// Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for beta <
// 20).
double besselI0(double x) {
    double sum = 1.0, term = 1.0;
    const double q = x * x / 4.0;
    for (int k = 1; k < 60; ++k) {
        term *= q / (static_cast<double>(k) * k);
        sum += term;
        if (term < 1e-17 * sum) break;
    }
    return sum;
}

} // namespace

std::vector<double> designInterpolatorKernel(int factor, int tapsPerPhase, double passbandEnd,
                                             double stopbandBegin) {
    assert(factor >= 1 && tapsPerPhase >= 4 && tapsPerPhase % 2 == 0);
    // Kaiser (1974): attenuation A for a transition width dw (rad per output sample) and length N is
    // A = 2.285 * dw * (N - 1) + 7.95, with the transition in cycles per output sample = width / factor.
    const int length = factor * tapsPerPhase;
    const double transition = 2.0 * std::numbers::pi * (stopbandBegin - passbandEnd) / factor;
    const double cutoff = 0.5 * (passbandEnd + stopbandBegin) / 0.5; // relative to the input Nyquist
    const bool halfBand = std::abs(cutoff - 1.0) < 1e-12;
    const double attenuationDb = 2.285 * transition * length + 7.95;
    const double beta = attenuationDb > 50.0
                            ? 0.1102 * (attenuationDb - 8.7)
                            : 0.5842 * std::pow(attenuationDb - 21.0, 0.4) + 0.07886 * (attenuationDb - 21.0);
    const int centre = length / 2;
    const double halfWidth = static_cast<double>(centre);
    const double i0Beta = besselI0(beta);
    std::vector<double> h(static_cast<std::size_t>(length));
    for (int i = 0; i < length; ++i) {
        const int offset = i - centre;
        double value;
        if (offset == 0)
            value = cutoff;
        else if (halfBand && offset % factor == 0)
            value = 0.0; // exact zero crossings of the sinc: keeps phase 0 an identity
        else {
            const double t = static_cast<double>(offset) / factor; // in input samples
            const double sinc = std::sin(std::numbers::pi * cutoff * t) / (std::numbers::pi * t);
            const double r = static_cast<double>(offset) / halfWidth;
            const double window = besselI0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0Beta;
            value = sinc * window;
        }
        h[static_cast<std::size_t>(i)] = value;
    }
    // Normalise each branch to unity DC gain so the passband centre is exactly 0 dB on every phase (the
    // half-band phase 0 is already an exact identity and is left alone).
    for (int m = halfBand ? 1 : 0; m < factor; ++m) {
        double sum = 0.0;
        for (int k = 0; k < tapsPerPhase; ++k)
            sum += h[static_cast<std::size_t>(k * factor + m)];
        for (int k = 0; k < tapsPerPhase; ++k)
            h[static_cast<std::size_t>(k * factor + m)] /= sum;
    }
    return h;
}

double interpolatorPhaseMagnitude(const std::vector<double>& kernel, int factor, int phase,
                                  double frequency) {
    const int taps = static_cast<int>(kernel.size()) / factor;
    double re = 0.0, im = 0.0;
    for (int k = 0; k < taps; ++k) {
        const double c = kernel[static_cast<std::size_t>(k * factor + phase)];
        re += c * std::cos(2.0 * std::numbers::pi * frequency * k);
        im -= c * std::sin(2.0 * std::numbers::pi * frequency * k);
    }
    return std::hypot(re, im);
}

} // namespace lathe::dsp
