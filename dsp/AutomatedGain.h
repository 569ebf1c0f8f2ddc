#pragma once

#include "AudioBlock.h"
#include "AutomationEnvelope.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lathe::dsp {

// Gain automation: a dB envelope (AutomationEnvelope: DAW breakpoints, steps de-zippered) applied to every
// channel of a block, given the frame on the song's timeline where the block starts. The gain at a frame
// depends on that frame only, so the render (in chunks) and the engine (callbacks of any size, seeks) apply
// the same gain to the same frame, bit for bit. No points: the block is untouched. A 0 dB stretch is
// bit-transparent.
//
// It is a separate stage from Gain (the static fader with its 20 ms ramps): a ride adds to the fader's
// setting, the way a DAW's trim lane does.
class AutomatedGain {
public:
    // Allocates (the envelope's points, a block of gains). maxBlockFrames bounds only the internal chunk;
    // process() takes blocks of any length. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int maxPoints);
    // Nothing to clear: the gain is a function of the frame. RT safe.
    void reset() {}

    // Points in dB. RT safe (AutomationEnvelope::setPoints: copies, false when they do not fit or
    // are invalid, keeping the previous ones).
    bool setPoints(std::span<const AutomationPoint> points) { return envelope_.setPoints(points); }
    // No automation. RT safe.
    void clear() { envelope_.clear(); }
    // Whether there are points. RT safe.
    bool isActive() const { return !envelope_.empty(); }

    // Applies the gain of frames [startFrame, startFrame + block.numFrames()). RT safe.
    void process(const AudioBlock& block, int64_t startFrame);

    // The gain applied at a frame (dB), 0 without automation. RT safe.
    double gainDbAt(int64_t frame) const { return envelope_.empty() ? 0.0 : envelope_.valueAt(frame); }
    // The points and their curve (its const methods are RT safe). RT safe.
    const AutomationEnvelope& envelope() const { return envelope_; }

private:
    AutomationEnvelope envelope_;
    std::vector<double> values_; // dB per frame of a chunk, then the linear gain
};

} // namespace lathe::dsp
