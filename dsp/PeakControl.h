#pragma once

#include "AudioBlock.h"
#include "MeterValue.h"
#include "Oversampler.h"
#include "TruePeakLimiter.h"

#include <vector>

namespace lathe::dsp {

struct PeakControlParameters {
    double ceilingDb = -1.0; // highest true peak out, dBFS (dBTP: inter-sample peaks count)
    double kneeDb = 3.0;     // the curve leaves the identity this far below the ceiling; 0 = hard clip
    double releaseMs = 20.0; // the catch limiter's release
};

// The clipper's static curve, for magnitudes in linear units: the identity up to kneeStart, then
// kneeStart + (clip - kneeStart) tanh((|x| - kneeStart) / (clip - kneeStart)), which leaves the identity with
// slope 1 (no corner) and approaches clip without reaching it; odd. kneeStart >= clip is a hard clip at clip.
// RT safe.
double peakControlCurve(double x, double clip, double kneeStart);

// Peak control for one stem: tames the transients that would drive the master limiter (a snare's crack)
// on the stem itself, before the sum. Built from the library's parts:
// clang-format off
//   clipper   - peakControlCurve at `oversampling` times the rate (Oversampler), so the harmonics the curve
//               makes above the audio band are filtered instead of folding back. Only the clipper's
//               correction, curve(x) - x, goes through the oversampler's round trip and is added to the dry
//               signal (delayed to match): where the curve does not act the correction is exactly 0, so
//               material below the knee comes out bit for bit (delayed), untouched by the round trip's
//               filters;
//   limiter   - a TruePeakLimiter at the ceiling (no lookahead beyond its minimum attack, the given release)
//               catches what band-limiting the clipped wave adds above it (a clipped wave's harmonics, cut
//               at the band edge, overshoot), so the ceiling holds as true peak. The clipper aims at the
//               ceiling less the limiter's detection margin, so the limiter only acts on that overshoot.
// clang-format on
// Output delayed by latencyFrames() (the oversampler's round trip plus the limiter's).
class PeakControl {
public:
    // Allocates. oversampling is 1, 2, 4 or 8 (the limiter detects at 8x when it is 8, else at 4x).
    // numChannels <= AudioBlock::kMaxChannels; all channels share the limiter's gain. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int oversampling);
    // Clears every state and the meters. RT safe.
    void reset();

    // RT safe; the curve changes from the next block, the limiter's ceiling and release at once.
    void setParameters(const PeakControlParameters& parameters);
    // RT safe.
    const PeakControlParameters& parameters() const { return params_; }

    // RT safe. Blocks of any length (in chunks of maxBlockFrames).
    void process(const AudioBlock& block);

    // As prepared. RT safe.
    int latencyFrames() const { return oversampler_.latencyFrames() + limiter_.latencyFrames(); }
    int oversampling() const { return oversampler_.factor(); }
    // Where the clipper aims (linear) and where its curve starts (linear): the static curve is
    // peakControlCurve(x, clipLevel(), kneeStartLevel()). RT safe.
    double clipLevel() const { return clip_; }
    double kneeStartLevel() const { return kneeStart_; }

    // Meters, readable from any thread (relaxed atomics, updated once per block): the peak reduction of the
    // last block (the clipper's largest, at the oversampled rate, plus the limiter's largest; dB >= 0) and
    // the largest since resetMeters(). RT safe.
    double reductionDb() const { return reductionDb_.load(); }
    double maxReductionDb() const { return maxReductionDb_.load(); }
    // Restarts the largest reduction. RT safe; any thread.
    void resetMeters();

private:
    void updateCurve();
    // Returns the clipper's largest reduction in the chunk (dB).
    double processChunk(const AudioBlock& block);
    float shapeCorrection(float* x, int n) const;

    PeakControlParameters params_;
    int numChannels_ = 0;
    int maxBlockFrames_ = 0;
    double clip_ = 1.0, kneeStart_ = 1.0;
    Oversampler oversampler_;
    TruePeakLimiter limiter_;
    // Dry path: a latency-long ring per channel; the delayed dry block; the downsampled correction.
    std::vector<std::vector<float>> dryDelay_;
    std::vector<std::vector<float>> dry_;
    std::vector<std::vector<float>> correction_;
    int dryIndex_ = 0;
    int zeroFrames_ = 0; // consecutive frames whose correction was exactly 0
    MeterValue reductionDb_, maxReductionDb_;
};

} // namespace lathe::dsp
