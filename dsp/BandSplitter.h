#pragma once

#include "AudioBlock.h"
#include "Biquad.h"
#include "BiquadCoefficients.h"

#include <array>
#include <complex>

namespace lathe::dsp {

// Second-order allpass (RBJ cookbook form, Q = 1/sqrt(2)) with the same poles as the Butterworth sections at
// the same frequency. It equals LP4 + HP4 of the Linkwitz-Riley 4th-order crossover there ((1 + s^4) factors
// as (s^2 + sqrt2 s + 1)(s^2 - sqrt2 s + 1)), which is what lower bands are run through to stay phase-aligned
// with the bands split off above them. RT safe.
BiquadCoefficients makeLinkwitzRileyAllPass(double sampleRate, double frequency);

// Splits a signal into 2-4 bands with Linkwitz-Riley 4th-order crossovers (each LR4 = two cascaded
// Butterworth sections, Q = 1/sqrt(2)). The tree splits the lowest crossover first; every band below a higher
// crossover is run through that crossover's allpass so all bands sum to an allpass (flat magnitude, phase of
// the crossover chain).
//
// Until setCrossoverFrequencies is called the splitter has 2 bands split at 1 kHz.
// Changing frequencies while running keeps the filter state (moderate changes are click-free in TDF-II; the
// engine should make changes between blocks). Changing the band count clears the state.
class BandSplitter {
public:
    static constexpr int kMaxBands = 4;

    // Designs the sections for the rate. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Clears the filter states. RT safe.
    void reset();

    // count = bands - 1, 1..3, ascending. Out-of-range values are clamped to [10 Hz, 0.45 fs] and raised to
    // at least the previous crossover. RT safe (no allocation: room for kMaxBands is fixed); between blocks.
    void setCrossoverFrequencies(const double* frequenciesHz, int count);
    // The band layout. RT safe.
    int numBands() const { return numCrossovers_ + 1; }
    double crossoverFrequency(int index) const { return crossoverHz_[static_cast<std::size_t>(index)]; }

    // Splits input into numBands() output blocks (each with input's channel count and at least its frames;
    // caller-owned memory); bands[0] is the lowest. input is not modified unless it aliases a band.
    // Aliasing: input may share memory with any ONE of the band blocks (e.g. bands[0] for in-place use),
    // because each sample is read before any band writes that index. Band blocks must not alias each other.
    // RT safe.
    void process(const AudioBlock& input, const AudioBlock* bands);

    // Analytic complex response of one band (the product of its crossover and allpass sections). RT safe.
    std::complex<double> bandResponse(int band, double frequencyHz) const;

private:
    static constexpr int kMaxCrossovers = kMaxBands - 1;

    void updateCoefficients();

    // One LR4 crossover: two Butterworth low-pass and two high-pass sections, plus the allpass equivalent
    // that lower bands pass through.
    struct Crossover {
        BiquadCoefficients lowPass, highPass, allPass;
    };

    double sampleRate_ = 48000.0;
    int numCrossovers_ = 1;
    std::array<double, kMaxCrossovers> crossoverHz_{1000.0, 2000.0, 4000.0};
    std::array<Crossover, kMaxCrossovers> crossovers_{};

    // Filter sections with their per-channel state. Index k is the crossover; see process() for the tree.
    std::array<std::array<Biquad, 2>, kMaxCrossovers> lowPass_{};
    std::array<std::array<Biquad, 2>, kMaxCrossovers> highPass_{};
    // allPass_[band][k]: allpass of crossover k applied to band `band` (only k > band is used).
    std::array<std::array<Biquad, kMaxCrossovers>, kMaxCrossovers> allPass_{};
};

} // namespace lathe::dsp
