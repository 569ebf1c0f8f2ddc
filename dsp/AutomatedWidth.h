#pragma once

#include "AudioBlock.h"
#include "AutomationEnvelope.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lathe::dsp {

// Width automation for a stereo pair: an envelope of width factors (as StereoWidth: the side S = (L - R) / 2
// is scaled, the mid M = (L + R) / 2 kept; 0 mono, 1 unchanged, 2 double side; clamped to [0, 2]) applied
// given the frame on the song's timeline where the block starts. Like AutomatedGain, the width at a frame
// depends on that frame only (render and engine agree bit for bit) and steps are de-zippered by the
// envelope. No points, blocks that are not stereo, and frames at width 1 are untouched, bit for bit.
//
// A separate stage from StereoWidth (the static width and balance): the ride multiplies the static width.
class AutomatedWidth {
public:
    static constexpr double kMaxWidth = 2.0;

    // Allocates (the envelope's points, a block of widths); process() takes blocks of any length.
    // Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int maxPoints);
    // Nothing to clear: the width is a function of the frame. RT safe.
    void reset() {}

    // Points as width factors. RT safe (copies; false when they do not fit or are invalid, keeping
    // the previous ones).
    bool setPoints(std::span<const AutomationPoint> points) { return envelope_.setPoints(points); }
    // No automation. RT safe.
    void clear() { envelope_.clear(); }
    // Whether there are points. RT safe.
    bool isActive() const { return !envelope_.empty(); }

    // Applies the width of frames [startFrame, startFrame + block.numFrames()). RT safe.
    void process(const AudioBlock& block, int64_t startFrame);

    // The width applied at a frame (after clamping), 1 without automation. RT safe.
    double widthAt(int64_t frame) const;
    // The points and their curve (its const methods are RT safe). RT safe.
    const AutomationEnvelope& envelope() const { return envelope_; }

private:
    AutomationEnvelope envelope_;
    std::vector<double> values_;
};

} // namespace lathe::dsp
