#pragma once

#include <algorithm>
#include <cassert>
#include <vector>

namespace lathe::dsp {

// Minimum of the last `window` values pushed (values before the first push count as `initial`). Monotonic
// queue in a fixed ring: amortised O(1) per push, no allocation after prepare. The limiter uses it to hold
// the lowest required gain across the lookahead and the interpolation kernel's span; the dynamic EQ holds
// its bands' peak levels with it, over a window that follows the band's frequency (setWindow).
class SlidingMinimum {
public:
    // Allocates for windows up to maxWindow (default: window). Not real-time safe.
    void prepare(int window, double initial = 0.0, int maxWindow = 0) {
        assert(window >= 1);
        maxWindow_ = std::max(window, maxWindow);
        initial_ = initial;
        values_.assign(static_cast<std::size_t>(maxWindow_ + 1), 0.0);
        indices_.assign(static_cast<std::size_t>(maxWindow_ + 1), 0);
        setWindow(window);
    }

    // A new window (clamped to [1, the prepared maximum]) and a fresh start (reset()). Real-time safe.
    void setWindow(int window) {
        window_ = std::clamp(window, 1, maxWindow_);
        reset();
    }

    void reset() {
        head_ = tail_ = 0;
        count_ = 0;
        pushed_ = 0;
    }

    int window() const { return window_; }

    double push(double value) {
        const int capacity = maxWindow_ + 1;
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

private:
    std::vector<double> values_;
    std::vector<long long> indices_;
    int window_ = 1;
    int maxWindow_ = 1;
    double initial_ = 0.0;
    int head_ = 0, tail_ = 0, count_ = 0;
    long long pushed_ = 0;
};

} // namespace lathe::dsp
