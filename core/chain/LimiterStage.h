#pragma once

#include "core/model/Session.h"

#include "dsp/AudioBlock.h"
#include "dsp/Gain.h"
#include "dsp/TruePeakLimiter.h"

namespace lathe::core {

// The master chain's last stage: the true-peak limiter driven by the loudness-targeting gain, or that gain
// alone when the session turns the limiter off. It runs inside MasterChain in the live engine and alone over
// the render's cached pre-limiter signal (render/LoudnessSearch.cpp), so both limit identically: at
// limiterCeilingDbtp (the ceiling less the dither margin), with the session's style and switches
// (toLimiterConfig for what prepare() fixes, configure() for the rest).
class LimiterStage {
public:
    // Prepares the limiter and the bypass gain and applies `settings`; the limiter's Config (lookahead,
    // attack shape, clipper, low-frequency detection) is fixed here (prepare again when needsPrepare says).
    // Not RT safe (allocates).
    void prepare(double sampleRate, int maxBlockFrames, const LimiterSettings& settings);
    // Clears the limiter's state and jumps to the input gain (no ramp). RT safe.
    void reset();
    // On/off, ceiling, release stages, stereo link, clip amount; a new Config needs prepare(). RT safe.
    void configure(const LimiterSettings& settings);
    // Whether going from `prepared` to `next` changes what prepare() fixed. RT safe.
    static bool needsPrepare(const LimiterSettings& prepared, const LimiterSettings& next);
    // The loudness-targeting gain into the limiter (or alone when it is off), ramped over 20 ms until the
    // next reset(). RT safe.
    void setInputGainDb(double gainDb);

    void process(const dsp::AudioBlock& stereo); // RT safe

    bool enabled() const { return enabled_; }
    int latencyFrames() const { return enabled_ ? limiter_.latencyFrames() : 0; }
    const dsp::TruePeakLimiter& limiter() const { return limiter_; } // its gain reduction and statistics

private:
    dsp::TruePeakLimiter limiter_;
    dsp::Gain bypassGain_; // the loudness gain when the limiter is off
    bool enabled_ = true;
};

} // namespace lathe::core
