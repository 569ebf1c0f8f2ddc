#pragma once

#include <algorithm>
#include <cmath>

namespace lathe::dsp {

// A parameter that ramps linearly to a new target over a fixed time, so that gain changes made while audio
// runs do not produce zipper noise. A linear ramp of fixed length is what hardware faders and most DAWs use;
// it also makes the ramp length exactly predictable, which the tests rely on.
class SmoothedValue {
public:
    // Sets the ramp length and jumps to the target. RT safe (allocates nothing).
    void prepare(double sampleRate, double rampSeconds) {
        rampLength_ = std::max(1, static_cast<int>(std::lround(sampleRate * rampSeconds)));
        setImmediate(target_);
    }

    // No ramp. RT safe.
    void setImmediate(double value) {
        current_ = target_ = value;
        remaining_ = 0;
        step_ = 0.0;
    }

    // Ramps from the current value over the ramp length. RT safe.
    void setTarget(double value) {
        if (value == target_) return;
        target_ = value;
        remaining_ = rampLength_;
        step_ = (target_ - current_) / remaining_;
    }

    // Steps one sample. RT safe.
    double next() {
        if (remaining_ > 0) {
            --remaining_;
            current_ = remaining_ == 0 ? target_ : current_ + step_;
        }
        return current_;
    }

    // RT safe.
    bool isSmoothing() const { return remaining_ > 0; }
    double current() const { return current_; }
    double target() const { return target_; }

private:
    double current_ = 0.0;
    double target_ = 0.0;
    double step_ = 0.0;
    int remaining_ = 0;
    int rampLength_ = 1;
};

} // namespace lathe::dsp
