#pragma once

#include "AudioBlock.h"

#include <array>
#include <cstdint>

namespace lathe::dsp {

// Word-length reduction for the final output: TPDF dither and rounding to the grid k / 2^(bits-1), in place,
// clamped to [-1, 1 - 2^-(bits-1)] so the float samples convert to bits-wide integers exactly.
//
// TPDF dither (difference of two uniform variables, +-1 LSB peak) makes the total error white with variance
// LSB^2 / 4 (1/6 from the dither, 1/12 from rounding) whatever the signal: no noise modulation, no
// distortion, and tones below the LSB survive inside the noise.
//
// Noise shaping (off by default) feeds the total error back through a second-order FIR so the error reaching
// the output is e filtered by NTF(z) = (1 - z^-1)^2: |NTF| = (2 sin(pi f / fs))^2. At 48 kHz the noise power
// averaged over 1-4 kHz is 27.5 dB below that over 15-20 kHz (-17.1 dB and +10.4 dB relative to flat TPDF),
// at the cost of 6x (+7.8 dB) total noise power; the output error can reach 4 x 1.5 = 6 LSB. At 44.1 kHz the
// curve is the same in z, so slightly more of the lift lands in the audible top octave.
//
// Each channel has its own xoshiro256** generator, seeded from setSeed() and the channel index; reset()
// restarts them, so the same seed and input give bit-identical output.
class Dither {
public:
    // Starts the generators from the seed. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Restarts the generators from the seed and clears the noise shaper's memory. RT safe.
    void reset();
    // In place. RT safe.
    void process(const AudioBlock& block);

    // 8 to 24 bits (16, 20 and 24 are the delivery formats). Clears the noise shaper's memory. RT safe.
    void setBitDepth(int bits);
    // From the next processed sample. RT safe.
    void setNoiseShaping(bool enabled);
    // Restarts the generators from this seed at once, as reset() would (the noise shaper's memory is kept).
    // RT safe.
    void setSeed(uint64_t seed);

    // Settings. RT safe.
    int bitDepth() const { return bits_; }
    bool noiseShaping() const { return shaping_; }
    uint64_t seed() const { return seed_; }
    // Size of one quantisation step, 2^-(bits-1). RT safe.
    double lsb() const { return 1.0 / scale_; }

private:
    void seedGenerators();
    void processStereo(float* left, float* right, int n); // SSE2: both channels in one register

    struct Channel {
        std::array<uint64_t, 4> rng{};
        double error1 = 0.0; // total quantisation error one and two samples ago, in LSB
        double error2 = 0.0;
    };

    int bits_ = 24;
    double scale_ = 8388608.0; // 2^(bits-1)
    bool shaping_ = false;
    uint64_t seed_ = 0x1A7E5EEDu;
    std::array<Channel, AudioBlock::kMaxChannels> channels_{};
};

} // namespace lathe::dsp
