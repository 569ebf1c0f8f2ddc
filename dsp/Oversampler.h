#pragma once

#include "AudioBlock.h"
#include "HalfBandFilter.h"

#include <array>
#include <vector>

namespace lathe::dsp {

// 2x, 4x or 8x oversampling by a cascade of linear-phase half-band stages, so a nonlinearity can run where
// its harmonics have room before they fold back. The first stage (the one that shapes the audio band) passes
// up to 0.4535 fs (20 kHz at 44.1 kHz) and rejects from 0.5465 fs; later stages only have to pass what the
// first one lets through (up to 0.5465 fs) and reject its images, so they are much shorter. The round trip is
// linear phase with an integer latency at the base rate (a short pad delay at the top rate makes up the
// fractional part), so a dry path delayed by latencyFrames() lines up sample for sample.
//
// Usage per block: view = upsample(in); process view in place; downsample(out). Factor 1 copies through
// untouched.
class Oversampler {
public:
    static constexpr int kMaxFactor = 8;
    static constexpr int kMaxStages = 3;
    // Band edges as fractions of the base sample rate.
    static constexpr double kPassbandEdge = 0.4535;
    static constexpr double kStopbandEdge = 0.5465;
    // Guaranteed by design and verified by the tests: largest deviation from 0 dB of the up-then-down
    // magnitude response over 0 .. kPassbandEdge for any factor (analytic worst 0.00012 dB, at 8x), and the
    // minimum rejection of every stage's stop band, images and aliases alike (measured 110.05 dB).
    static constexpr double kPassbandRippleDb = 0.0002;
    static constexpr double kStopbandRejectionDb = 110.0;

    // factor: 1, 2, 4 or 8 (the stage designs are computed once per process and shared). Allocates.
    // Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int factor);
    // Clears the stages' histories. RT safe.
    void reset();
    // As prepared. RT safe.
    int factor() const { return factor_; }

    // Upsamples input into internal buffers; returns a view of factor * input.numFrames() frames the caller
    // may modify. input.numFrames() <= maxBlockFrames, input.numChannels() <= numChannels. RT safe.
    AudioBlock upsample(const AudioBlock& input);
    // Downsamples the internal oversampled buffer (as last returned by upsample, possibly modified) into
    // output, which has the frame count of the last upsample's input. output may alias that input. RT safe.
    void downsample(const AudioBlock& output);
    // Round-trip latency in base-rate frames, fixed by prepare(). RT safe.
    int latencyFrames() const { return latencyFrames_; }

    // The half-band design of stage index (0 = first, base rate to 2x) and its pass band edge as a fraction
    // of the rate it runs at (its output rate when upsampling), for analysing the response. Not RT safe the
    // first time (designs and caches the stages), RT safe after.
    static const std::vector<double>& stageTaps(int stageIndex);
    // RT safe.
    static double stagePassbandEdge(int stageIndex);

private:
    int factor_ = 1;
    int numStages_ = 0;
    int maxBlockFrames_ = 0;
    int numChannels_ = 0;
    int lastFrames_ = 0;
    int latencyFrames_ = 0;
    std::array<HalfBandFilter, kMaxStages> stages_;
    // levels_[s][channel]: audio at 2^s times the base rate (levels_[0] only used for factor 1).
    std::array<std::vector<std::vector<float>>, kMaxStages + 1> levels_;
    // Top-rate delay that rounds the round trip up to whole base-rate frames (fewer than factor samples).
    int padSamples_ = 0;
    std::vector<std::array<float, kMaxFactor>> pad_;
    int padIndex_ = 0;
};

} // namespace lathe::dsp
