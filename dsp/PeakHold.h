#pragma once

#include <algorithm>
#include <vector>

namespace lathe::dsp {

// Maximum of the last `window` values pushed (values before the first push count as 0), for levels >= 0.
// The window can change between pushes up to the maximum prepared for, so a detector can hold over one
// period of a frequency the user moves.
//
// van Herk / Gil-Werman: the stream is cut into segments of `window` values; the window ending at a value is
// the running maximum of its own segment so far plus the suffix maximum of the previous segment from the
// same offset on, computed once when that segment completed. Two comparisons a value and one backward pass
// per segment: O(1) per value with no data-dependent branch, where a monotonic queue (SlidingMinimum) pops a
// data-dependent number of entries per value (measured in DynamicEq on noise: the queue was half of the
// band's cost). The segments follow the count of values pushed, so the result does not depend on how the
// pushes are grouped into blocks.
class PeakHold {
public:
    // Allocates for windows up to maxWindow. Not RT safe.
    void prepare(int maxWindow) {
        maxWindow_ = std::max(maxWindow, 1);
        values_.assign(static_cast<std::size_t>(maxWindow_), 0.0);
        suffix_.assign(static_cast<std::size_t>(maxWindow_) + 1, 0.0);
        setWindow(window_);
    }

    // A new window, clamped to [1, maxWindow], and a fresh start. RT safe.
    void setWindow(int window) {
        window_ = std::clamp(window, 1, maxWindow_);
        reset();
    }

    // RT safe.
    void reset() {
        std::fill(suffix_.begin(), suffix_.end(), 0.0);
        position_ = 0;
        prefix_ = 0.0;
    }

    // RT safe.
    int window() const { return window_; }

    // Pushes a value, returns the maximum of the window ending with it. RT safe.
    double push(double value) {
        const auto at = static_cast<std::size_t>(position_);
        values_[at] = value;
        prefix_ = position_ == 0 ? value : std::max(prefix_, value);
        // suffix_[window] stays 0: at the segment's last position the window is the segment itself.
        const double held = std::max(prefix_, suffix_[at + 1]);
        if (++position_ == window_) {
            double m = 0.0;
            for (int k = window_ - 1; k >= 0; --k) {
                m = std::max(m, values_[static_cast<std::size_t>(k)]);
                suffix_[static_cast<std::size_t>(k)] = m;
            }
            suffix_[static_cast<std::size_t>(window_)] = 0.0;
            position_ = 0;
        }
        return held;
    }

private:
    std::vector<double> values_; // the current segment
    std::vector<double> suffix_; // the previous segment's suffix maxima, [window] = 0
    int maxWindow_ = 1;
    int window_ = 1;
    int position_ = 0;
    double prefix_ = 0.0;
};

} // namespace lathe::dsp
