#include "StateVariableFilter.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lathe::dsp {
namespace {

double safeQ(double q) {
    return std::max(q, 1e-3);
}

SvfCoefficients mix(double g, double k, double m0, double m1, double m2) {
    SvfCoefficients c;
    setSvfDamping(c, g, k);
    c.m0 = m0;
    c.m1 = m1;
    c.m2 = m2;
    return c;
}

} // namespace

double svfPrewarp(double sampleRate, double frequency) {
    const double f = std::clamp(frequency, 1.0, sampleRate * 0.49);
    return std::tan(std::numbers::pi * f / sampleRate);
}

// Bell: D(s) + (A^2 - 1) k s over D(s) with k = 1 / (q A), i.e. (s^2 + s A / q + 1) / (s^2 + s / (q A) + 1).
SvfCoefficients makeSvfBell(double sampleRate, double frequency, double q, double gainDb) {
    const double a = std::pow(10.0, gainDb / 40.0);
    const double k = 1.0 / (safeQ(q) * a);
    return mix(svfPrewarp(sampleRate, frequency), k, 1.0, k * (a * a - 1.0), 0.0);
}

// Shelves: the prototype's corner is moved by sqrt(A) (g divided or multiplied by it), which turns the
// mix into the cookbook's A (s^2 + (sqrt(A) / q) s + A) / (A s^2 + (sqrt(A) / q) s + 1) and its mirror.
SvfCoefficients makeSvfLowShelf(double sampleRate, double frequency, double q, double gainDb) {
    const double a = std::pow(10.0, gainDb / 40.0);
    const double k = 1.0 / safeQ(q);
    return mix(svfPrewarp(sampleRate, frequency) / std::sqrt(a), k, 1.0, k * (a - 1.0), a * a - 1.0);
}

SvfCoefficients makeSvfHighShelf(double sampleRate, double frequency, double q, double gainDb) {
    const double a = std::pow(10.0, gainDb / 40.0);
    const double k = 1.0 / safeQ(q);
    return mix(svfPrewarp(sampleRate, frequency) * std::sqrt(a), k, a * a, k * (1.0 - a) * a, 1.0 - a * a);
}

SvfCoefficients makeSvfBandPass(double sampleRate, double frequency, double q) {
    const double k = 1.0 / safeQ(q);
    return mix(svfPrewarp(sampleRate, frequency), k, 0.0, k, 0.0);
}

SvfCoefficients makeSvfLowPass(double sampleRate, double frequency, double q) {
    return mix(svfPrewarp(sampleRate, frequency), 1.0 / safeQ(q), 0.0, 0.0, 1.0);
}

SvfCoefficients makeSvfHighPass(double sampleRate, double frequency, double q) {
    const double k = 1.0 / safeQ(q);
    return mix(svfPrewarp(sampleRate, frequency), k, 1.0, -k, -1.0);
}

std::complex<double> response(const SvfCoefficients& c, double sampleRate, double frequency) {
    const std::complex<double> s(0.0, std::tan(std::numbers::pi * frequency / sampleRate) / c.g);
    const std::complex<double> d = s * s + c.k * s + 1.0;
    return c.m0 + (c.m1 * s + c.m2) / d;
}

} // namespace lathe::dsp
