#pragma once

#include <vector>

namespace lathe::dsp {

// A gain in dB over frequency given at points: piecewise linear in log frequency between them, held flat
// beyond the first and the last. Match curves, their reports and the FIR designs all read gains through
// gainDbAt(), so what is reported is what is built.
struct FrequencyCurve {
    std::vector<double> frequencyHz; // ascending, > 0
    std::vector<double> gainDb;      // same size

    // 0 dB for an empty curve. RT safe (a binary search, no allocation).
    double gainDbAt(double frequencyHz) const;
    // RT safe.
    bool empty() const { return frequencyHz.empty(); }
};

// The base-10 third-octave centre frequencies (IEC 61260-1: 1000 * 10^(n/10) Hz, exact, not the rounded
// nominal 1250, 1600...) from lowHz to highHz inclusive. Not RT safe (allocates).
std::vector<double> thirdOctaveCentres(double lowHz, double highHz);

// A log-spaced grid: `pointsPerOctave` points per octave from lowHz up to at most highHz. Not RT safe
// (allocates).
std::vector<double> logFrequencyGrid(double lowHz, double highHz, int pointsPerOctave);

} // namespace lathe::dsp
