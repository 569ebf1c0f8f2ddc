#pragma once

#include <complex>

namespace lathe::dsp {

// The trapezoidal-integrated (TPT, "zero-delay feedback") state variable filter of Andrew Simper
// (Cytomic, "Solving the continuous SVF equations using trapezoidal integration", 2013) and Vadim Zavalishin
// ("The Art of VA Filter Design", ch. 4). With g = tan(pi f / fs) and damping k it is the bilinear transform,
// prewarped at f, of the analog SVF, whose outputs over D(s) = s^2 + k s + 1 (s normalised to 2 pi f) are
// v2 = 1 / D (low-pass), v1 = s / D (band-pass) and the input v0; a filter is a mix of them,
// y = m0 v0 + m1 v1 + m2 v2.
//
// Why it is used where a gain moves every sample (DynamicEq): its two states are the integrators' own
// signals, not a mix of past inputs and outputs tied to one set of coefficients as in a direct form, so
// changing g, k and the mix between samples neither clicks nor destabilises it (stable for any positive g
// and k at every sample). The bell and shelves below are exactly the cookbook's (RBJ) designs: the same
// analog prototypes with the same prewarping, so their transfer functions are makeBell / makeLowShelf /
// makeHighShelf's. Every function in this file is RT safe.
struct SvfCoefficients {
    double g = 0.0, k = 1.0;             // prewarped frequency and damping
    double a1 = 1.0, a2 = 0.0, a3 = 0.0; // 1 / (1 + g (g + k)), g a1, g a2
    double m0 = 1.0, m1 = 0.0, m2 = 0.0; // output mix of v0, v1, v2
};

// One channel's integrator states.
struct SvfState {
    double ic1 = 0.0, ic2 = 0.0;
};

// g and k -> the state update coefficients (mix left as is).
inline void setSvfDamping(SvfCoefficients& c, double g, double k) {
    c.g = g;
    c.k = k;
    c.a1 = 1.0 / (1.0 + g * (g + k));
    c.a2 = g * c.a1;
    c.a3 = g * c.a2;
}

// One sample. With m0 = 1 and m1 = m2 = 0 (a bell or shelf at 0 dB) the output is the input exactly, while
// the states keep following the signal.
inline double svfProcess(const SvfCoefficients& c, SvfState& s, double v0) {
    const double v3 = v0 - s.ic2;
    const double v1 = c.a1 * s.ic1 + c.a2 * v3;
    const double v2 = s.ic2 + c.a2 * s.ic1 + c.a3 * v3;
    s.ic1 = 2.0 * v1 - s.ic1;
    s.ic2 = 2.0 * v2 - s.ic2;
    return c.m0 * v0 + c.m1 * v1 + c.m2 * v2;
}

// Designs (frequency clamped to [1 Hz, 0.49 fs] and q to >= 1e-3, as the cookbook functions). Band-pass is
// the constant 0 dB peak form; low- and high-pass are at the given q.
SvfCoefficients makeSvfBell(double sampleRate, double frequency, double q, double gainDb);
SvfCoefficients makeSvfLowShelf(double sampleRate, double frequency, double q, double gainDb);
SvfCoefficients makeSvfHighShelf(double sampleRate, double frequency, double q, double gainDb);
SvfCoefficients makeSvfBandPass(double sampleRate, double frequency, double q);
SvfCoefficients makeSvfLowPass(double sampleRate, double frequency, double q);
SvfCoefficients makeSvfHighPass(double sampleRate, double frequency, double q);

// The filter's response at a frequency, from its analog prototype at s = j tan(pi f / fs) / g.
std::complex<double> response(const SvfCoefficients& c, double sampleRate, double frequency);

// tan(pi f / fs) with the cookbook's clamps, the g of a design at gain 0 dB.
double svfPrewarp(double sampleRate, double frequency);

} // namespace lathe::dsp
