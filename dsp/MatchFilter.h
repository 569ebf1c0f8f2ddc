#pragma once

#include "AudioBlock.h"
#include "MatchCurve.h"
#include "PartitionedConvolver.h"

#include <memory>
#include <vector>

namespace lathe::dsp {

enum class FirPhase {
    // Symmetric taps: no phase change at all, a delay of (taps - 1) / 2 (171 ms at 48 kHz) and some
    // pre-ringing around steep features. The offline render's choice, and the live engine's when it
    // compensates the latency (recommended: the engine then plays exactly what the render writes, and the
    // two null).
    Linear,
    // The same magnitude, the phase of an analogue-style EQ, no delay beyond the convolver's partition: for a
    // low-latency preview only, as it cannot null against a linear-phase render.
    Minimum,
};

// The two FIRs a match curve becomes: mid from the tone curve, side from tone + width.
struct MatchFirs {
    std::vector<float> mid;
    std::vector<float> side;
    int delayFrames = 0; // the FIRs' own delay (both the same)
};

// Not RT safe (designs with FFTW, allocates): run on a worker thread when the curve changes.
MatchFirs designMatchFirs(const MatchCurve& curve, double sampleRate, FirPhase phase);

// Both FIRs transformed for one partition size: what a MatchFilter runs. Made off the audio thread.
struct MatchKernels {
    // Not RT safe (allocates, plans an FFT).
    MatchKernels(const MatchFirs& firs, int partitionSize)
        : mid(firs.mid, partitionSize), side(firs.side, partitionSize), delayFrames(firs.delayFrames) {}
    ConvolverFilter mid;
    ConvolverFilter side;
    int delayFrames;
};

// The match filter on a stereo signal: L/R to mid/side, each through its FIR by partitioned convolution,
// back to L/R. Mid/side because the tone curve must not move the image and the width correction is a gain
// on the side alone; with both FIRs flat it is an exact delay (to float rounding).
class MatchFilter {
public:
    // Allocates: not RT safe. Room for kernels of up to maxTaps taps with this delay; no kernels yet
    // (silence out). partitionSize: a power of two >= 16 (the callback size live, 4096-8192 offline).
    void prepare(int maxBlockFrames, int partitionSize, int maxTaps, int delayFrames);
    // prepare() for these FIRs, with kernels of its own set (the offline render's way). Not RT safe.
    void prepare(int maxBlockFrames, int partitionSize, const MatchFirs& firs);

    // RT safe: from the next partition on, these kernels, crossfaded from the previous ones over that
    // partition (an amount moved while playing does not click). They must match the prepared partition size,
    // taps and delay, and stay alive while uses() says so (so must the ones they replace).
    void setKernels(const MatchKernels* kernels);
    // Whether process() may still read `kernels` (so they must stay alive). RT safe; the thread that
    // processes.
    bool uses(const MatchKernels* kernels) const { return kernels != nullptr && mid_.uses(&kernels->mid); }

    // RT safe.
    void reset();
    // In place on channels 0 and 1 (a one-channel block: the mid FIR only). RT safe: no allocation,
    // no lock, fixed cost per partition (twice that for the one partition of a crossfade).
    void process(const AudioBlock& block);

    // Input to output delay: the partition plus the FIRs' own delay. The engine delays its other sources by
    // this much so an A/B against the mix or the reference stays aligned; the render drops this many
    // samples from the start and runs this many samples of silence through at the end. RT safe.
    int latencyFrames() const { return mid_.latencyFrames() + delayFrames_; }

private:
    PartitionedConvolver mid_, side_;
    std::unique_ptr<MatchKernels> ownKernels_;
    std::vector<float> midBuffer_, sideBuffer_;
    int maxBlockFrames_ = 0;
    int delayFrames_ = 0;
};

} // namespace lathe::dsp
