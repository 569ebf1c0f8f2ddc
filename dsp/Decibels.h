#pragma once

#include <cmath>
#include <limits>

namespace lathe::dsp {

// Level of silence in dB where a finite number is needed (meters, reports).
inline constexpr double kSilenceDb = -200.0;

// dB to linear gain and back, power to dB. RT safe.
inline double dbToGain(double db) {
    return std::pow(10.0, db / 20.0);
}

inline double gainToDb(double gain) {
    return gain > 0.0 ? 20.0 * std::log10(gain) : kSilenceDb;
}

inline double powerToDb(double power) {
    return power > 0.0 ? 10.0 * std::log10(power) : kSilenceDb;
}

} // namespace lathe::dsp
