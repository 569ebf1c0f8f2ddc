#include "BiquadCoefficients.h"

#include "Decibels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace lathe::dsp {
namespace {

struct Raw {
    double b0, b1, b2, a0, a1, a2;
};

BiquadCoefficients normalise(const Raw& r) {
    return {r.b0 / r.a0, r.b1 / r.a0, r.b2 / r.a0, r.a1 / r.a0, r.a2 / r.a0};
}

struct Prewarp {
    double cosw, sinw, alpha;
};

Prewarp prewarp(double sampleRate, double frequency, double q) {
    const double f = std::clamp(frequency, 1.0, sampleRate * 0.49);
    const double w0 = 2.0 * std::numbers::pi * f / sampleRate;
    const double qq = std::max(q, 1e-3);
    return {std::cos(w0), std::sin(w0), std::sin(w0) / (2.0 * qq)};
}

} // namespace

// The cookbook's coefficients laid out as it lists them, b0 b1 b2 on one row and a0 a1 a2 on the next (one
// per line where a row would not fit), so each can be checked against the text.
// clang-format off
BiquadCoefficients makeBell(double sampleRate, double frequency, double q, double gainDb) {
    const auto [cosw, sinw, alpha] = prewarp(sampleRate, frequency, q);
    const double A = std::pow(10.0, gainDb / 40.0);
    return normalise({1.0 + alpha * A, -2.0 * cosw, 1.0 - alpha * A,
                      1.0 + alpha / A, -2.0 * cosw, 1.0 - alpha / A});
}

BiquadCoefficients makeLowShelf(double sampleRate, double frequency, double q, double gainDb) {
    const auto [cosw, sinw, alpha] = prewarp(sampleRate, frequency, q);
    const double A = std::pow(10.0, gainDb / 40.0);
    const double k = 2.0 * std::sqrt(A) * alpha;
    return normalise({A * ((A + 1.0) - (A - 1.0) * cosw + k),
                      2.0 * A * ((A - 1.0) - (A + 1.0) * cosw),
                      A * ((A + 1.0) - (A - 1.0) * cosw - k),
                      (A + 1.0) + (A - 1.0) * cosw + k,
                      -2.0 * ((A - 1.0) + (A + 1.0) * cosw),
                      (A + 1.0) + (A - 1.0) * cosw - k});
}

BiquadCoefficients makeHighShelf(double sampleRate, double frequency, double q, double gainDb) {
    const auto [cosw, sinw, alpha] = prewarp(sampleRate, frequency, q);
    const double A = std::pow(10.0, gainDb / 40.0);
    const double k = 2.0 * std::sqrt(A) * alpha;
    return normalise({A * ((A + 1.0) + (A - 1.0) * cosw + k),
                      -2.0 * A * ((A - 1.0) + (A + 1.0) * cosw),
                      A * ((A + 1.0) + (A - 1.0) * cosw - k),
                      (A + 1.0) - (A - 1.0) * cosw + k,
                      2.0 * ((A - 1.0) - (A + 1.0) * cosw),
                      (A + 1.0) - (A - 1.0) * cosw - k});
}

BiquadCoefficients makeLowPass(double sampleRate, double frequency, double q) {
    const auto [cosw, sinw, alpha] = prewarp(sampleRate, frequency, q);
    return normalise({(1.0 - cosw) / 2.0,  1.0 - cosw,  (1.0 - cosw) / 2.0,
                       1.0 + alpha,       -2.0 * cosw,   1.0 - alpha});
}

BiquadCoefficients makeHighPass(double sampleRate, double frequency, double q) {
    const auto [cosw, sinw, alpha] = prewarp(sampleRate, frequency, q);
    return normalise({(1.0 + cosw) / 2.0, -(1.0 + cosw), (1.0 + cosw) / 2.0,
                       1.0 + alpha,       -2.0 * cosw,    1.0 - alpha});
}

BiquadCoefficients makeBandPass(double sampleRate, double frequency, double q) {
    const auto [cosw, sinw, alpha] = prewarp(sampleRate, frequency, q);
    return normalise({alpha,         0.0,        -alpha,
                      1.0 + alpha,  -2.0 * cosw,  1.0 - alpha});
}

BiquadCoefficients makeNotch(double sampleRate, double frequency, double q) {
    const auto [cosw, sinw, alpha] = prewarp(sampleRate, frequency, q);
    return normalise({1.0,          -2.0 * cosw,  1.0,
                      1.0 + alpha,  -2.0 * cosw,  1.0 - alpha});
}

BiquadCoefficients makeFilter(FilterType type, double sampleRate, double frequency, double q, double gainDb) {
    switch (type) {
    case FilterType::Bell:      return makeBell(sampleRate, frequency, q, gainDb);
    case FilterType::LowShelf:  return makeLowShelf(sampleRate, frequency, q, gainDb);
    case FilterType::HighShelf: return makeHighShelf(sampleRate, frequency, q, gainDb);
    case FilterType::LowPass:   return makeLowPass(sampleRate, frequency, q);
    case FilterType::HighPass:  return makeHighPass(sampleRate, frequency, q);
    case FilterType::BandPass:  return makeBandPass(sampleRate, frequency, q);
    case FilterType::Notch:     return makeNotch(sampleRate, frequency, q);
    }
    return {};
}
// clang-format on

std::complex<double> response(const BiquadCoefficients& c, double sampleRate, double frequency) {
    const double w = 2.0 * std::numbers::pi * frequency / sampleRate;
    const std::complex<double> z1 = std::polar(1.0, -w);
    const std::complex<double> z2 = z1 * z1;
    return (c.b0 + c.b1 * z1 + c.b2 * z2) / (1.0 + c.a1 * z1 + c.a2 * z2);
}

double magnitudeDb(const BiquadCoefficients& c, double sampleRate, double frequency) {
    return gainToDb(std::abs(response(c, sampleRate, frequency)));
}

namespace {
constexpr struct {
    FilterType type;
    const char* name;
} kNames[] = {{FilterType::Bell, "bell"},
              {FilterType::LowShelf, "low_shelf"},
              {FilterType::HighShelf, "high_shelf"},
              {FilterType::LowPass, "low_pass"},
              {FilterType::HighPass, "high_pass"},
              {FilterType::BandPass, "band_pass"},
              {FilterType::Notch, "notch"}};
} // namespace

const char* filterTypeName(FilterType type) {
    for (const auto& n : kNames)
        if (n.type == type) return n.name;
    return "bell";
}

bool filterTypeFromName(const char* name, FilterType& type) {
    for (const auto& n : kNames)
        if (std::strcmp(n.name, name) == 0) {
            type = n.type;
            return true;
        }
    return false;
}

} // namespace lathe::dsp
