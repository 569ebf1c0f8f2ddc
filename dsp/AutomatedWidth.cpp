#include "AutomatedWidth.h"

#include <algorithm>

namespace lathe::dsp {

void AutomatedWidth::prepare(double sampleRate, int maxBlockFrames, int maxPoints) {
    envelope_.prepare(sampleRate, maxPoints);
    values_.assign(static_cast<std::size_t>(std::max(maxBlockFrames, 1)), 1.0);
}

double AutomatedWidth::widthAt(int64_t frame) const {
    return envelope_.empty() ? 1.0 : std::clamp(envelope_.valueAt(frame), 0.0, kMaxWidth);
}

void AutomatedWidth::process(const AudioBlock& block, int64_t startFrame) {
    if (envelope_.empty() || block.numChannels() != 2) return;
    float* left = block.channel(0);
    float* right = block.channel(1);
    const int chunk = static_cast<int>(values_.size());
    double* widths = values_.data();
    for (int start = 0; start < block.numFrames(); start += chunk) {
        const int n = std::min(chunk, block.numFrames() - start);
        const bool flat = envelope_.render(startFrame + start, n, widths);
        for (int i = 0; i < n; ++i) {
            const double width = std::clamp(widths[flat ? 0 : i], 0.0, kMaxWidth);
            // Per frame, not per block: whether a frame is left alone must not depend on the block.
            if (width == 1.0) continue;
            const double l = left[start + i], r = right[start + i];
            const double mid = 0.5 * (l + r);
            const double side = 0.5 * (l - r) * width;
            left[start + i] = static_cast<float>(mid + side);
            right[start + i] = static_cast<float>(mid - side);
        }
    }
}

} // namespace lathe::dsp
