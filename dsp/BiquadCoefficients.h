#pragma once

#include <complex>

namespace lathe::dsp {

// Normalised second-order section: H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2).
struct BiquadCoefficients {
    double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;

    // RT safe, as every function in this file.
    static BiquadCoefficients identity() { return {}; }
    bool isIdentity() const { return b0 == 1.0 && b1 == 0.0 && b2 == 0.0 && a1 == 0.0 && a2 == 0.0; }
};

enum class FilterType { Bell, LowShelf, HighShelf, LowPass, HighPass, BandPass, Notch };

// Robert Bristow-Johnson's "Audio EQ Cookbook" designs. q is the quality factor for every type (for shelves
// it is the cookbook's Q form, where Q = 1/sqrt(2) gives the steepest shelf without overshoot). gainDb only
// matters for bell and shelves. Frequencies are clamped below Nyquist so an automation sweep cannot make the
// filter unstable.
BiquadCoefficients makeBell(double sampleRate, double frequency, double q, double gainDb);
BiquadCoefficients makeLowShelf(double sampleRate, double frequency, double q, double gainDb);
BiquadCoefficients makeHighShelf(double sampleRate, double frequency, double q, double gainDb);
BiquadCoefficients makeLowPass(double sampleRate, double frequency, double q);
BiquadCoefficients makeHighPass(double sampleRate, double frequency, double q);
BiquadCoefficients makeBandPass(double sampleRate, double frequency, double q); // 0 dB peak gain
BiquadCoefficients makeNotch(double sampleRate, double frequency, double q);
BiquadCoefficients makeFilter(FilterType type, double sampleRate, double frequency, double q, double gainDb);

// The section's complex response at a frequency, from its z-domain transfer function.
std::complex<double> response(const BiquadCoefficients& c, double sampleRate, double frequency);
double magnitudeDb(const BiquadCoefficients& c, double sampleRate, double frequency);

const char* filterTypeName(FilterType type);
bool filterTypeFromName(const char* name, FilterType& type);

} // namespace lathe::dsp
