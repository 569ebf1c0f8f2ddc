#pragma once

#include <vector>

// Independent true-peak measurement for tests: libsoxr (very-high-quality, linear phase) upsamples each
// channel 8x, the tail is flushed, and the result is the largest absolute upsampled value in dB. Shares no
// code with lathe::dsp's interpolator, so the limiter is judged by a reconstruction filter it was not
// designed against.
double referenceTruePeakDbtp(const std::vector<std::vector<float>>& channels, double sampleRate);

// The same measurement, returning the upsampled signal of one channel (for diagnostics and alignment checks).
std::vector<float> referenceUpsample8x(const std::vector<float>& channel, double sampleRate);
