#pragma once

#include "core/model/Session.h"

#include "dsp/AudioBlock.h"
#include "dsp/Compressor.h"
#include "dsp/Gain.h"
#include "dsp/ParametricEq.h"
#include "dsp/StereoWidth.h"

namespace lathe::core {

// One stem's processing: gain (with mute and polarity), EQ, compressor, width. The same object runs in the
// offline render and the live engine, so what is heard is what is rendered. Zero latency.
class StemChain {
public:
    void prepare(double sampleRate, int maxBlockFrames); // Not RT safe (allocates).
    void reset(); // clears every unit and jumps to the set gain. RT safe.

    // Applies settings. `audible` folds in mute and solo (ChainPolicy's stemAudibility: a stem silenced by
    // another's solo ramps out like a mute). RT safe: the engine's audio thread calls it between blocks.
    void configure(const StemSettings& settings, bool audible);

    void process(const dsp::AudioBlock& stereo); // RT safe

    // The compressor's current reduction (dB), readable from any thread.
    double compressorGainReductionDb() const { return compressor_.gainReductionDb(); }

private:
    dsp::Gain gain_;
    dsp::ParametricEq eq_;
    dsp::Compressor compressor_;
    dsp::StereoWidth width_;
    bool compressorEnabled_ = false;
};

} // namespace lathe::core
