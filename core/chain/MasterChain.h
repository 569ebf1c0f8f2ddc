#pragma once

#include "core/model/Session.h"

#include "dsp/AudioBlock.h"
#include "dsp/Compressor.h"
#include "dsp/Gain.h"
#include "dsp/MultibandCompressor.h"
#include "dsp/ParametricEq.h"
#include "dsp/Saturation.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakLimiter.h"

namespace lathe::core {

// The master bus: EQ, compressor (or multiband), saturation, width/balance, then the true-peak limiter. The
// limiter is kept separate (processLimiter) because loudness targeting re-runs only the limiter over a cached
// pre-limiter signal; the live engine calls both in turn.
class MasterChain {
public:
    // Prepares every unit. Saturation oversampling and limiter lookahead are fixed at prepare, so prepare
    // again after changing those (configure reports whether it must).
    void prepare(double sampleRate, int maxBlockFrames, const MasterSettings& settings);
    void reset();

    // Applies everything that can change live. Returns false when a setting needs prepare() (oversampling
    // factor or lookahead changed).
    bool configure(const MasterSettings& settings);

    void processPreLimiter(const dsp::AudioBlock& stereo);
    void processLimiter(const dsp::AudioBlock& stereo);

    int preLimiterLatencyFrames() const;
    int limiterLatencyFrames() const { return limiterEnabled_ ? limiter_.latencyFrames() : 0; }

    // Drive into the limiter: the loudness-targeting gain.
    void setLimiterInputGainDb(double gainDb);
    void setLimiterCeilingDbtp(double ceilingDbtp);

    dsp::TruePeakLimiter& limiter() { return limiter_; }
    const dsp::TruePeakLimiter& limiter() const { return limiter_; }
    bool limiterEnabled() const { return limiterEnabled_; }

private:
    double sampleRate_ = 48000.0;
    int maxBlockFrames_ = 0;
    dsp::ParametricEq eq_;
    dsp::Compressor compressor_;
    dsp::MultibandCompressor multiband_;
    dsp::Saturation saturation_;
    dsp::StereoWidth width_;
    dsp::TruePeakLimiter limiter_;
    dsp::Gain limiterBypassGain_; // the loudness gain when the limiter is off
    bool compressorEnabled_ = false;
    bool multibandEnabled_ = false;
    bool saturationEnabled_ = false;
    bool limiterEnabled_ = true;
    int saturationOversampling_ = 4;
    double lookaheadMs_ = 2.0;
};

} // namespace lathe::core
