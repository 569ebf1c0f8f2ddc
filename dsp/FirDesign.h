#pragma once

#include "FrequencyCurve.h"

#include <vector>

namespace lathe::dsp {

// FIR filters with a given magnitude response (a match curve), designed in double precision with FFTW.
// Not RT safe: they plan FFTs and allocate; design on a worker thread and hand the taps over.

// Taps for a linear-phase match FIR: 16383 at 44.1 and 48 kHz (341 ms at 48 kHz), doubled per doubling of
// the rate. The length is set by the lowest detail it must reproduce: the windowed design smooths the curve
// by about 2 fs / taps (the Hann main lobe's half-width), 5.9 Hz here, against the 1/6-octave detail of a
// match curve at 60 Hz (10 Hz wide) and the analysis's own 2.9 Hz bins; 8191 taps would smooth by 12 Hz and
// miss a low bell by several tenths of a dB. Odd, so the delay (taps - 1) / 2 is a whole number of samples.
int linearPhaseFirTaps(double sampleRate);

// Frequency sampling: the curve's linear magnitude at zero phase on a grid 4x the FIR's length (so time
// aliasing of the ideal response is negligible), inverse FFT, centred, Hann-windowed to `taps` (odd, >= 3).
// The taps are exactly symmetric; the delay is (taps - 1) / 2 samples.
std::vector<float> designLinearPhaseFir(const FrequencyCurve& curve, double sampleRate, int taps);

// The same magnitude with minimum phase (the cepstral method: fold the real cepstrum of the log magnitude
// onto positive time), truncated to `taps` with the last quarter faded out. No pre-ringing and almost no
// delay, at the price of the phase shifts an analogue EQ would make.
std::vector<float> designMinimumPhaseFir(const FrequencyCurve& curve, double sampleRate, int taps);

// |H(f)| in dB of an FIR by direct evaluation of its transfer function (double precision): what the
// filter really does at a frequency, for reports and tests.
double firMagnitudeDb(const std::vector<float>& taps, double sampleRate, double frequencyHz);

} // namespace lathe::dsp
