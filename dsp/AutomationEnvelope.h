#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lathe::dsp {

// One breakpoint of an automation lane: at timeSeconds (from the start of the song's timeline) the parameter
// is value (in the parameter's own unit: dB for a gain, a factor for a width).
inline constexpr double kMaxAutomationSeconds = 1e9; // keeps time * rate inside a frame counter
inline constexpr double kMaxAutomationValue = 1e12;  // keeps differences of values finite

struct AutomationPoint {
    double timeSeconds = 0.0;
    double value = 0.0;
};

// Why `points` cannot be an automation lane, or nullptr when it can: times within +-kMaxAutomationSeconds,
// values within +-kMaxAutomationValue (both finite), times in non-decreasing order (two points at one time
// are a step). For the session reader's error messages; setPoints() applies the same check. RT safe.
const char* automationPointsProblem(std::span<const AutomationPoint> points);

// A breakpoint envelope with the conventions of DAW automation: linear between points, held before the first
// and after the last; no points = no automation. Each point lands on frame round(t * sampleRate), so a step
// (two points at one time) changes the value at exactly that frame.
//
// The value at a frame is a pure function of the frame number: nothing depends on where blocks start or how
// long they are, so a render in chunks, an engine playing callbacks of any size and a seek anywhere all read
// the same value for the same frame, bit for bit.
//
// De-zipper: a step would click on audio, so the value applied (valueAt, render) spreads every change that
// the curve makes faster than over stepRampFrames() (a step, or a ramp shorter than that) into a linear ramp
// of stepRampFrames() starting where the change starts. Written as the curve plus a correction per such
// segment, each non-zero only inside its own ramp, the result stays a pure function of the frame; anywhere
// else (every ramp at least stepRampFrames() long) it is exactly the interpolated curve.
//
// Hand-over: setPoints copies the points into storage sized by prepare (maxPoints), with no allocation, so
// the owner can pass a list it is about to change or free. That fits the engine, which applies settings on
// the audio thread from an immutable copy of the session between blocks (StemChain::configure); an owner
// that needs more points than it prepared for prepares a new unit off the audio thread and swaps the chain.
class AutomationEnvelope {
public:
    // Changes of the curve faster than this are spread over it: short enough to keep a step where it was
    // written (half the Gain unit's 20 ms fader ramp), long enough that a 12 dB step moves by 0.025 dB per
    // frame at 48 kHz.
    static constexpr double kStepRampSeconds = 0.01;

    // Allocates room for maxPoints points and clears the envelope. Not RT safe.
    void prepare(double sampleRate, int maxPoints);

    // Replaces the points. RT safe (copies into prepared storage, O(points)). Returns false and keeps
    // the previous points when automationPointsProblem() finds one or there are more than capacity() points.
    bool setPoints(std::span<const AutomationPoint> points);
    // No automation. RT safe.
    void clear() { count_ = 0; }

    // The points held, the prepared capacity and rate, the de-zipper's ramp. RT safe.
    bool empty() const { return count_ == 0; }
    int numPoints() const { return count_; }
    int capacity() const { return static_cast<int>(frames_.size()); }
    double sampleRate() const { return sampleRate_; }
    int stepRampFrames() const { return rampFrames_; }
    // Frame on which point i lands: round(time * sampleRate). RT safe.
    int64_t pointFrame(int i) const { return frames_[static_cast<std::size_t>(i)]; }

    // The drawn curve at a frame: linear between points, held at the ends, steps where they were written.
    // RT safe, O(log points). Undefined when empty().
    double curveValueAt(int64_t frame) const;
    // The value applied at a frame: the curve with its steps de-zippered. RT safe. Undefined when
    // empty().
    double valueAt(int64_t frame) const;
    // values[k] = valueAt(startFrame + k) for k < frames, bit for bit, at a fraction of the cost. When the
    // value cannot change over the block it writes values[0] only and returns true (0 when empty()).
    // values holds at least `frames` doubles. RT safe.
    bool render(int64_t startFrame, int frames, double* values) const;

private:
    // Index of the last point at or before frame, -1 if none.
    int lastPointAtOrBefore(int64_t frame) const;
    // The de-zipper's correction of steep segment s (an index into steep_) at frame.
    double correction(int s, int64_t frame) const;

    double sampleRate_ = 48000.0;
    int rampFrames_ = 1;
    int count_ = 0;
    // Per point: landing frame and value; per segment i (from point i to i + 1): slope per frame, 0 for a
    // step.
    std::vector<int64_t> frames_;
    std::vector<double> values_;
    std::vector<double> slopes_;
    // Segments shorter than the step ramp with a change, in order: the only places the de-zipper acts.
    std::vector<int> steep_;
    std::vector<int64_t> steepFrames_; // their start frames, for searching
    int steepCount_ = 0;
};

} // namespace lathe::dsp
