#pragma once

#include "AudioBlock.h"
#include "MatchCurve.h"
#include "PartitionedConvolver.h"

#include <vector>

namespace lathe::dsp {

enum class FirPhase {
    // Symmetric taps: no phase change at all, a delay of (taps - 1) / 2 (171 ms at 48 kHz) and some
    // pre-ringing around steep features. The offline render's choice, and the live engine's when it
    // compensates the latency (recommended: the engine then plays exactly what the render writes).
    Linear,
    // The same magnitude, the phase of an analogue-style EQ, no delay beyond the convolver's partition.
    Minimum,
};

// The two FIRs a match curve becomes: mid from the tone curve, side from tone + width.
struct MatchFirs {
    std::vector<float> mid;
    std::vector<float> side;
    int delayFrames = 0; // the FIRs' own delay (both the same)
};

// Not real-time safe (designs with FFTW, allocates): run on a worker thread when the curve changes.
MatchFirs designMatchFirs(const MatchCurve& curve, double sampleRate, FirPhase phase);

// The match filter on a stereo signal: L/R to mid/side, each through its FIR by partitioned convolution,
// back to L/R. Mid/side because the tone curve must not move the image and the width correction is a gain
// on the side alone; with both FIRs flat it is an exact delay (to float rounding).
class MatchFilter {
public:
    // Allocates the convolvers and scratch: not real-time safe. partitionSize: a power of two >= 16 (see
    // PartitionedConvolver: the callback size live, 4096-8192 offline). The FIRs must have the same length
    // and delay (as designMatchFirs makes them).
    void prepare(int maxBlockFrames, int partitionSize, const MatchFirs& firs);
    // Real-time safe.
    void reset();
    // In place on channels 0 and 1 (a one-channel block: the mid FIR only). Real-time safe: no allocation,
    // no lock, fixed cost per partition.
    void process(const AudioBlock& block);

    // Input to output delay: the partition plus the FIRs' own delay. The engine delays its other sources by
    // this much so an A/B against the mix or the reference stays aligned; the render drops this many
    // samples from the start and runs this many samples of silence through at the end.
    int latencyFrames() const { return mid_.latencyFrames() + delayFrames_; }

private:
    PartitionedConvolver mid_, side_;
    std::vector<float> midBuffer_, sideBuffer_;
    int maxBlockFrames_ = 0;
    int delayFrames_ = 0;
};

} // namespace lathe::dsp
