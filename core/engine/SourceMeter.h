#pragma once

// One compare source's loudness and true peak, metered as it is played: what load()'s measuring thread and
// the codec preview read (the same meters, so the figures and the match gains agree). Internal to
// core/engine.

#include "core/chain/StereoBlock.h"

#include "dsp/IntegratedLoudness.h"
#include "dsp/TruePeakMeter.h"

#include <cstdint>

namespace lathe::core::engine {

// BS.1770 integrated loudness (exact gating: IntegratedLoudness, within 0.01 LU of libebur128's exact mode at
// a third of its cost) and the 8x true peak (the project's polyphase meter, not libebur128's slower 4x one).
// Not RT safe (the loudness keeps one value per 100 ms); one thread.
class SourceMeter {
public:
    void prepare(int rate, int maxBlock) {
        loudness_.prepare(rate);
        truePeak_.prepare(rate, maxBlock, 2, 8);
    }
    void process(const float* left, const float* right, int frames) {
        loudness_.process(left, right, frames);
        truePeak_.process(stereoBlock(const_cast<float*>(left), const_cast<float*>(right), frames)); // reads
    }
    // The readings at the end of the source (the true peak's interpolator tail included).
    void finish() { truePeak_.flush(); }
    double integratedLufs() const { return loudness_.integratedLufs(); }
    double truePeakDbtp() const { return truePeak_.truePeakDbtp(); }

private:
    dsp::IntegratedLoudness loudness_;
    dsp::TruePeakMeter truePeak_;
};

} // namespace lathe::core::engine
