#pragma once

#include "core/chain/LimiterStage.h"
#include "core/model/Session.h"

#include "dsp/AudioBlock.h"
#include "dsp/AutomatedGain.h"
#include "dsp/Compressor.h"
#include "dsp/DynamicEq.h"
#include "dsp/MatchFilter.h"
#include "dsp/MultibandCompressor.h"
#include "dsp/ParametricEq.h"
#include "dsp/Saturation.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakLimiter.h"

#include <cstdint>
#include <vector>

namespace lathe::core {

// The shape the match stage is prepared for (its kernels come later, made off the audio thread): the FIRs'
// taps and delay and the convolver's partition. Zero taps = no match stage (and no latency).
struct MatchStageShape {
    int partitionSize = 0;
    int taps = 0;
    int delayFrames = 0;
    bool enabled() const { return taps > 0 && partitionSize > 0; }
    // The shape of these FIRs at this partition size.
    static MatchStageShape of(const dsp::MatchFirs& firs, int partitionSize) {
        return {partitionSize, static_cast<int>(firs.mid.size()), firs.delayFrames};
    }
};

// The master bus: gain automation (a ride of the mix into everything after it), the match stage (when the
// session matches to a reference), EQ, dynamic EQ, compressor (or multiband: it replaces the broadband
// compressor when enabled), saturation, width/balance, then the limiter stage (true-peak limiter driven by
// the loudness gain). The limiter is kept separate (processLimiter) because loudness targeting re-runs only
// the limiter stage over a cached pre-limiter signal; the live engine calls both in turn.
class MasterChain {
public:
    // Prepares every unit and applies `settings`. Saturation oversampling, the limiter's Config (lookahead,
    // style's attack shape, clipper, low-frequency detection) and the match stage's shape are fixed here:
    // prepare again when they change (needsPrepare). With a match stage the chain is silent until
    // setMatchKernels(). Not RT safe (allocates).
    void prepare(double sampleRate, int maxBlockFrames, const MasterSettings& settings,
                 const MatchStageShape& match = {});
    // Clears every unit's state. RT safe.
    void reset();

    // Whether going from `prepared` to `next` settings needs prepare() rather than configure(): the
    // saturation's oversampling factor or the limiter's Config changed (LimiterStage::needsPrepare).
    static bool needsPrepare(const MasterSettings& prepared, const MasterSettings& next);
    // The match stage's kernels (they must fit the prepared shape): crossfaded in over one partition. The
    // kernels, and the ones they replace, must stay alive while matchUses() says so. RT safe.
    void setMatchKernels(const dsp::MatchKernels* kernels) { match_.setKernels(kernels); }
    // Whether processing may still read `kernels`. RT safe; the processing thread.
    bool matchUses(const dsp::MatchKernels* kernels) const { return matchEnabled_ && match_.uses(kernels); }
    bool matchEnabled() const { return matchEnabled_; }

    // Applies everything that can change live (a structural change waits for prepare()). RT safe: the
    // engine's audio thread calls it.
    void configure(const MasterSettings& settings);

    // startFrame: the song frame at the chain's input (for the automation; see StemChain::process). RT safe.
    void processPreLimiter(const dsp::AudioBlock& stereo, int64_t startFrame = 0);
    void processLimiter(const dsp::AudioBlock& stereo); // RT safe

    // Frames from input to the limiter's input: the match stage's and the oversampled saturation's. The
    // engine delays its plain sources and the render drops this much (and flushes it at the end). RT safe.
    int preLimiterLatencyFrames() const;
    int limiterLatencyFrames() const { return limiter_.latencyFrames(); }

    // Drive into the limiter: the loudness-targeting gain. RT safe.
    void setLimiterInputGainDb(double gainDb) { limiter_.setInputGainDb(gainDb); }

    const dsp::TruePeakLimiter& limiter() const { return limiter_.limiter(); }
    // A dynamic EQ band's gain (dB, negative = cut), readable from any thread.
    double dynamicEqBandGainDb(int band) const { return dynamicEq_.bandGainDb(band); }
    bool limiterEnabled() const { return limiter_.enabled(); }
    // Meters of the dynamics stage (positive dB): the broadband compressor's reduction (0 when it is off or
    // the multiband replaces it) and, with the multiband on, each band's (0 when off). RT safe; any thread.
    double compressorGainReductionDb() const {
        return compressorEnabled_ && !multibandEnabled_ ? compressor_.gainReductionDb() : 0.0;
    }
    int multibandBands() const { return multibandEnabled_ ? multiband_.numBands() : 0; }
    double multibandGainReductionDb(int band) const { return multiband_.bandGainReductionDb(band); }

private:
    dsp::AutomatedGain gainRide_;
    dsp::MatchFilter match_;
    dsp::ParametricEq eq_;
    dsp::DynamicEq dynamicEq_;
    dsp::Compressor compressor_;
    dsp::MultibandCompressor multiband_;
    dsp::Saturation saturation_;
    dsp::StereoWidth width_;
    LimiterStage limiter_;
    bool matchEnabled_ = false;
    bool compressorEnabled_ = false;
    bool multibandEnabled_ = false;
    bool saturationEnabled_ = false;
    bool dynamicEqEnabled_ = false;
    std::vector<dsp::AutomationPoint> points_; // scratch for handing the lane over
};

} // namespace lathe::core
