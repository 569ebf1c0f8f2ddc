#pragma once

#include <cassert>
#include <vector>

namespace lathe::dsp {

// Minimum of the last `window` values pushed (values before the first push count as `initial`). Monotonic
// queue in a fixed ring: amortised O(1) per push, no allocation after prepare. The limiter uses it to hold
// the lowest required gain across the lookahead and the interpolation kernel's span.
class SlidingMinimum {
public:
    // Allocates the ring for `window` values. Not RT safe.
    void prepare(int window, double initial = 0.0) {
        assert(window >= 1);
        window_ = window;
        initial_ = initial;
        values_.assign(static_cast<std::size_t>(window + 1), 0.0);
        indices_.assign(static_cast<std::size_t>(window + 1), 0);
        reset();
    }

    // Back to `initial` over the whole window. RT safe.
    void reset() {
        head_ = tail_ = 0;
        count_ = 0;
        pushed_ = 0;
    }

    // RT safe.
    int window() const { return window_; }

    // Pushes a value, returns the minimum of the window ending with it. RT safe (amortised O(1)).
    double push(double value) {
        const int capacity = window_ + 1;
        // Drop everything at the back no smaller than the new value: it can never be the minimum again.
        while (count_ > 0) {
            const int back = tail_ == 0 ? capacity - 1 : tail_ - 1;
            if (values_[static_cast<std::size_t>(back)] < value) break;
            tail_ = back;
            --count_;
        }
        values_[static_cast<std::size_t>(tail_)] = value;
        indices_[static_cast<std::size_t>(tail_)] = pushed_;
        tail_ = tail_ + 1 == capacity ? 0 : tail_ + 1;
        ++count_;
        // Expire the front once it has left the window.
        if (indices_[static_cast<std::size_t>(head_)] <= pushed_ - window_) {
            head_ = head_ + 1 == capacity ? 0 : head_ + 1;
            --count_;
        }
        ++pushed_;
        const double front = values_[static_cast<std::size_t>(head_)];
        // Until `window` values have arrived, the implicit initial values are part of the window.
        return pushed_ < window_ && initial_ < front ? initial_ : front;
    }

    // Whether pushing `value` now returns `value` and leaves the queue as it is but for the position: the
    // window's only candidate is `value` (every other value in it is no smaller) and the implicit initial
    // values are no smaller either. RT safe.
    bool settledAt(double value) const {
        return count_ == 1 && values_[static_cast<std::size_t>(head_)] == value && !(initial_ < value);
    }
    // `count` pushes of `value` from settledAt(value), in O(1): each would return `value`. RT safe.
    void pushSettled(double value, long long count) {
        assert(settledAt(value) && count >= 0);
        if (count == 0) return;
        values_[static_cast<std::size_t>(head_)] = value;
        pushed_ += count;
        indices_[static_cast<std::size_t>(head_)] = pushed_ - 1;
    }

private:
    std::vector<double> values_;
    std::vector<long long> indices_;
    int window_ = 1;
    double initial_ = 0.0;
    int head_ = 0, tail_ = 0, count_ = 0;
    long long pushed_ = 0;
};

} // namespace lathe::dsp
