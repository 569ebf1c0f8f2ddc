#pragma once

#include <cstddef>
#include <vector>

// Test signals and an independent spectrum measurement for the match tests.
namespace lathe::test {

// Gaussian white noise of the given RMS, the same for the same seed.
std::vector<float> whiteNoise(std::size_t frames, double rms, unsigned seed);

// Pink noise (power density exactly proportional to 1/f from 5 Hz up, nothing below) of the given RMS: random
// Gaussian spectrum shaped by 1/sqrt(f), one inverse FFT. The same for the same seed.
std::vector<float> pinkNoise(std::size_t frames, double sampleRate, double rms, unsigned seed);

// Everything at and above cutoffHz removed (the whole signal's FFT, bins zeroed, inverse): a codec's
// low-pass, steeper than any filter a codec really uses.
void brickWallLowPass(std::vector<float>& x, double sampleRate, double cutoffHz);

// The power of each band [centre * 2^-1/6, centre * 2^1/6) in dB, summed over the channels, from one FFT of
// the whole signal (zero-padded to a power of two): a measurement that shares nothing with MatchAnalyzer's
// windowing, averaging or smoothing.
std::vector<double> bandLevelsDb(const std::vector<const std::vector<float>*>& channels, double sampleRate,
                                 const std::vector<double>& centres);

} // namespace lathe::test
