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
    void prepare(double sampleRate, int maxBlockFrames);
    void reset();

    // Applies settings. `audible` folds in mute and solo (a stem silenced by another's solo ramps out like a
    // mute). No allocation: safe to call between blocks on the thread that runs process().
    void configure(const StemSettings& settings, bool audible);

    void process(const dsp::AudioBlock& stereo);

    double compressorGainReductionDb() const { return compressor_.gainReductionDb(); }

private:
    dsp::Gain gain_;
    dsp::ParametricEq eq_;
    dsp::Compressor compressor_;
    dsp::StereoWidth width_;
    bool compressorEnabled_ = false;
};

} // namespace lathe::core
