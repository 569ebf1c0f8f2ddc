#pragma once

#include <vector>

namespace lathe::dsp {

// How a lookahead limiter's gain reduction ramps in before a peak.
//   Linear - one moving average over the attack: a straight line in dB from the start of the lookahead to the
//            peak (the pre-2026 limiter's shape);
//   SCurve - two moving averages whose spans add up to the same attack: a smooth (piecewise quadratic) onset
//            that starts gently and lands gently (its spectrum falls as sinc^2 rather than sinc); the
//            reduction gathers late in the lookahead, so more of a transient's lead-in gets through. Its
//            steeper middle measures about 1 dB more distortion faster than 5 ms than the linear ramp on
//            program material (tests/bench/limiter-vs-peers.sh), which is why "transparent" uses the linear
//            one.
// Either way every output is an average of values that each already cover the peak, so the ramp is never
// above the requirement at the peak.
enum class AttackShape { Linear, SCurve };

// A moving average of fixed length whose output is exactly 0 whenever every value in its window is 0 (the
// running sum is not trusted to return to 0 by itself), and which re-sums its window once per period so
// rounding cannot drift.
class ExactMovingAverage {
public:
    void prepare(int length); // allocates
    void reset();             // real-time safe
    // Pushes v and returns min(0, mean of the last length() values). Real-time safe.
    double push(double v) {
        double& slot = ring_[static_cast<std::size_t>(pos_)];
        nonZero_ += (v != 0.0) - (slot != 0.0);
        sum_ += v - slot;
        slot = v;
        pos_ = pos_ + 1 == length_ ? 0 : pos_ + 1;
        if (pos_ == 0) {
            sum_ = 0.0;
            for (double x : ring_)
                sum_ += x;
        }
        return nonZero_ == 0 ? 0.0 : (sum_ / length_ < 0.0 ? sum_ / length_ : 0.0);
    }
    int length() const { return length_; }
    // Every value in the window is 0, so pushing 0 returns 0. RT safe.
    bool atRest() const { return nonZero_ == 0; }
    // `count` pushes of 0 from atRest(), as push(0.0) would leave the state. RT safe.
    void pushZeros(long long count);

private:
    std::vector<double> ring_;
    double sum_ = 0.0;
    int pos_ = 0;
    int length_ = 1;
    int nonZero_ = 0;
};

// The attack ramp: `attackFrames` of lookahead shaped as `shape` (the total span of the averaging, in
// frames).
class AttackRamp {
public:
    void prepare(int attackFrames, AttackShape shape); // allocates
    void reset();                                      // real-time safe
    double push(double logGain) {                      // real-time safe
        const double first = first_.push(logGain);
        return shape_ == AttackShape::Linear ? first : second_.push(first);
    }
    AttackShape shape() const { return shape_; }
    // Every averaged value is 0: pushing 0 returns 0. RT safe.
    bool atRest() const { return first_.atRest() && second_.atRest(); }
    // `count` pushes of 0 from atRest(). RT safe.
    void pushZeros(long long count) {
        first_.pushZeros(count);
        if (shape_ != AttackShape::Linear) second_.pushZeros(count);
    }

private:
    AttackShape shape_ = AttackShape::Linear;
    ExactMovingAverage first_;
    ExactMovingAverage second_;
};

} // namespace lathe::dsp
