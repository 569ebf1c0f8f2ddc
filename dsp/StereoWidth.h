#pragma once

#include "AudioBlock.h"
#include "SmoothedValue.h"

namespace lathe::dsp {

// Mid/side width and balance for a stereo pair. Width scales the side signal S = (L - R) / 2 and keeps the
// mid M = (L + R) / 2: 0 is mono, 1 unchanged, 2 doubles the side. Balance -1 .. +1 attenuates the far
// channel linearly (gain 1 - |balance|) and leaves the near one alone, the usual console balance law rather
// than a pan law, so centre (0) is unity on both sides. Both parameters ramp linearly per sample (20 ms) so
// moves do not click. At width 1 and balance 0 (and not ramping) the output is bit-identical to the input.
// Blocks that are not exactly 2 channels pass through untouched.
class StereoWidth {
public:
    // Jumps to the set width and balance. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Jumps to the set width and balance (no ramp). RT safe.
    void reset();
    // In place. RT safe.
    void process(const AudioBlock& block);

    // Clamped to [0, 2], ramped. RT safe.
    void setWidth(double width);
    // Clamped to [-1, 1], ramped. RT safe.
    void setBalance(double balance);
    // A ramp under way restarts from where it is with the new length. RT safe.
    void setRampSeconds(double seconds);

    // Settings (the ramps' targets). RT safe.
    double width() const { return width_.target(); }
    double balance() const { return balance_.target(); }

private:
    double sampleRate_ = 48000.0;
    double rampSeconds_ = 0.02;
    SmoothedValue width_ = makeUnity();
    SmoothedValue balance_;

    static SmoothedValue makeUnity() {
        SmoothedValue v;
        v.setImmediate(1.0);
        return v;
    }
};

} // namespace lathe::dsp
