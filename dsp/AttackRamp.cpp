#include "AttackRamp.h"

#include <algorithm>

namespace lathe::dsp {

void ExactMovingAverage::prepare(int length) {
    length_ = std::max(1, length);
    ring_.assign(static_cast<std::size_t>(length_), 0.0);
    reset();
}

void ExactMovingAverage::reset() {
    std::fill(ring_.begin(), ring_.end(), 0.0);
    sum_ = 0.0;
    pos_ = 0;
    nonZero_ = 0;
}

void ExactMovingAverage::pushZeros(long long count) {
    if (count <= 0) return;
    // The slots the pushes pass become 0.0; the sum gains +0.0 a push (which only turns -0.0 into +0.0) and
    // is re-summed, to +0.0, at each wrap.
    const long long end = pos_ + count;
    if (count >= length_) {
        std::fill(ring_.begin(), ring_.end(), 0.0);
    } else {
        const auto from = static_cast<std::size_t>(pos_);
        const auto to = static_cast<std::size_t>(std::min<long long>(end, length_));
        std::fill(ring_.begin() + static_cast<std::ptrdiff_t>(from),
                  ring_.begin() + static_cast<std::ptrdiff_t>(to), 0.0);
        if (end > length_)
            std::fill(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(end - length_), 0.0);
    }
    if (end >= length_ || sum_ == 0.0) sum_ = 0.0;
    pos_ = static_cast<int>(end % length_);
}

void AttackRamp::prepare(int attackFrames, AttackShape shape) {
    shape_ = shape;
    if (shape == AttackShape::Linear) {
        first_.prepare(attackFrames);
        second_.prepare(1);
    } else {
        // Two boxes of lengths a and b span a + b - 1 frames: the same window the linear ramp averages over.
        const int a = std::max(1, (attackFrames + 1) / 2);
        first_.prepare(a);
        second_.prepare(std::max(1, attackFrames + 1 - a));
    }
}

void AttackRamp::reset() {
    first_.reset();
    second_.reset();
}

} // namespace lathe::dsp
