#pragma once

#include <functional>
#include <vector>

namespace lathe::test {

// Signals and measurements for tests that run Lathe's chains directly (tests/core/chain).

std::vector<float> sine(double amplitude, double frequencyHz, double sampleRate, int frames);
// |x| constant (a square wave at frequencyHz): a peak detector sees a level without ripple.
std::vector<float> square(double amplitude, double frequencyHz, double sampleRate, int frames);

// Largest |x| over [from, end).
double peakFrom(const std::vector<float>& x, int from);
// Amplitude of the frequencyHz component of x over [from, from + count) by least-squares fit of a sine and a
// cosine (count should hold whole periods).
double amplitudeAt(const std::vector<float>& x, double frequencyHz, double sampleRate, int from, int count);

// Feeds left/right to `process` in blocks of odd, varying sizes (1 to 700 frames) so block boundaries fall
// everywhere: a chain's output must not depend on how it is called.
void inOddBlocks(std::vector<float>& left, std::vector<float>& right,
                 const std::function<void(float* left, float* right, int frames)>& process);

} // namespace lathe::test
