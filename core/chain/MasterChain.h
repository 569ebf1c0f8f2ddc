#pragma once

#include "core/chain/LimiterStage.h"
#include "core/model/Session.h"

#include "dsp/AudioBlock.h"
#include "dsp/Compressor.h"
#include "dsp/MultibandCompressor.h"
#include "dsp/ParametricEq.h"
#include "dsp/Saturation.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakLimiter.h"

namespace lathe::core {

// The master bus: EQ, compressor (or multiband: it replaces the broadband compressor when enabled),
// saturation, width/balance, then the limiter stage (true-peak limiter driven by the loudness gain). The
// limiter is kept separate (processLimiter) because loudness targeting re-runs only the limiter stage over a
// cached pre-limiter signal; the live engine calls both in turn.
class MasterChain {
public:
    // Prepares every unit and applies `settings`. Saturation oversampling and the limiter's Config
    // (lookahead, style's attack shape, clipper, low-frequency detection) are fixed here: prepare again when
    // they change (needsPrepare). Not RT safe (allocates).
    void prepare(double sampleRate, int maxBlockFrames, const MasterSettings& settings);
    // Clears every unit's state. RT safe.
    void reset();

    // Whether going from `prepared` to `next` settings needs prepare() rather than configure(): the
    // saturation's oversampling factor or the limiter's Config changed (LimiterStage::needsPrepare).
    static bool needsPrepare(const MasterSettings& prepared, const MasterSettings& next);
    // Applies everything that can change live (a structural change waits for prepare()). RT safe: the
    // engine's audio thread calls it.
    void configure(const MasterSettings& settings);

    void processPreLimiter(const dsp::AudioBlock& stereo); // RT safe
    void processLimiter(const dsp::AudioBlock& stereo);    // RT safe

    int preLimiterLatencyFrames() const;
    int limiterLatencyFrames() const { return limiter_.latencyFrames(); }

    // Drive into the limiter: the loudness-targeting gain. RT safe.
    void setLimiterInputGainDb(double gainDb) { limiter_.setInputGainDb(gainDb); }

    const dsp::TruePeakLimiter& limiter() const { return limiter_.limiter(); }
    bool limiterEnabled() const { return limiter_.enabled(); }

private:
    dsp::ParametricEq eq_;
    dsp::Compressor compressor_;
    dsp::MultibandCompressor multiband_;
    dsp::Saturation saturation_;
    dsp::StereoWidth width_;
    LimiterStage limiter_;
    bool compressorEnabled_ = false;
    bool multibandEnabled_ = false;
    bool saturationEnabled_ = false;
};

} // namespace lathe::core
