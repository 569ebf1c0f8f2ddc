#pragma once

#include <vector>

namespace lathe::dsp {

// Linear-phase half-band low-pass FIR (cutoff at a quarter of the rate it runs at) by the Kaiser-windowed
// sinc method. passbandEdge is a fraction of that rate (below 0.25); the stop band starts at the mirror image
// 0.5 - passbandEdge, which is what makes a half-band filter possible. The length is the shortest of the form
// 4K - 1 whose measured stop band (dense DTFT grid) reaches stopbandAttenuationDb: every even offset from the
// centre tap is exactly zero and the centre tap is exactly 0.5, so the pass band ripple equals the stop band
// residue (H(f) + H(0.5 - f) = 1) and a 2x polyphase split leaves one branch as a plain delay. Not RT safe.
std::vector<double> designHalfBand(double passbandEdge, double stopbandAttenuationDb);

// Zero-phase amplitude of a symmetric odd-length FIR at frequency (fraction of its sample rate): the DTFT
// with the linear-phase term of its (length - 1) / 2 delay removed. Real-valued, so it can go negative in the
// stop band. RT safe.
double firAmplitude(const std::vector<double>& taps, double frequency);

// One 2x interpolation and one 2x decimation stage sharing a half-band design, per channel. Data runs in
// float (the taps' rounding to float leaves the stop band near -130 dB, far below the design) with the
// odd-length polyphase branch folded on its symmetry, so a stage costs K multiplies per output sample of the
// FIR branch.
class HalfBandFilter {
public:
    // Allocates. taps must come from designHalfBand (length 4K - 1, half-band zeros). Not RT safe.
    void prepare(const std::vector<double>& taps, int maxInputFrames, int numChannels);
    // Clears the histories. RT safe.
    void reset();

    // RT safe.
    const std::vector<double>& taps() const { return taps_; }
    // One-way group delay in samples at the high rate; up then down delays 2 * delay() high-rate samples,
    // which is delay() samples at the low rate (an integer, since delay() = 2K - 1 is odd and the round trip
    // is even). RT safe.
    int delay() const { return static_cast<int>(taps_.size() - 1) / 2; }

    // frames low-rate samples in, 2 * frames high-rate samples out. frames <= maxInputFrames. RT safe.
    void upsample(int channel, const float* input, float* output, int frames);
    // 2 * frames high-rate samples in, frames low-rate samples out. output may alias input. RT safe.
    void downsample(int channel, const float* input, float* output, int frames);

private:
    std::vector<double> taps_;
    // Even-indexed taps of the design (the non-trivial polyphase branch), first half only: the branch is
    // symmetric.
    std::vector<float> branch_;
    int branchLength_ = 0; // 2K
    int half_ = 0;         // K
    int maxFrames_ = 0;

    // Per channel, a linear buffer of branchLength_ - 1 history samples followed by the block, so the FIR
    // reads contiguously without wrapping; the history moves to the front after each block.
    std::vector<std::vector<float>> upHistory_;
    std::vector<std::vector<float>> downEven_;
    std::vector<std::vector<float>> downOdd_; // delay line for the centre-tap branch (K samples of history)
    std::vector<float> scratch_;              // upsample's FIR-branch outputs before interleaving
};

} // namespace lathe::dsp
