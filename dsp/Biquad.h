#pragma once

#include "AudioBlock.h"
#include "BiquadCoefficients.h"

#include <array>

namespace lathe::dsp {

// One second-order section per channel, transposed direct form II with double-precision state (TDF-II keeps
// the low-frequency noise floor well below 24-bit at 20 Hz shelves where direct form I in float would not).
class Biquad {
public:
    // Clears the state. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Clears the state. RT safe.
    void reset();
    // In place. RT safe.
    void process(const AudioBlock& block);

    // Keeps the state, so a moderate change between blocks does not click. RT safe.
    void setCoefficients(const BiquadCoefficients& c) { coeffs_ = c; }
    // RT safe.
    const BiquadCoefficients& coefficients() const { return coeffs_; }

    // Single-sample step for callers that run their own loops (sidechains, crossovers). RT safe.
    inline double processSample(int channel, double x) {
        auto& s = state_[static_cast<std::size_t>(channel)];
        const double y = coeffs_.b0 * x + s[0];
        s[0] = coeffs_.b1 * x - coeffs_.a1 * y + s[1];
        s[1] = coeffs_.b2 * x - coeffs_.a2 * y;
        return y;
    }

    // One channel's TDF-II state {s1, s2}, for callers that run several sections in one loop (ParametricEq)
    // with the same arithmetic as processSample. RT safe.
    std::array<double, 2>& channelState(int channel) { return state_[static_cast<std::size_t>(channel)]; }

private:
    BiquadCoefficients coeffs_;
    std::array<std::array<double, 2>, AudioBlock::kMaxChannels> state_{};
};

} // namespace lathe::dsp
