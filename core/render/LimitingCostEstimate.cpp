#include "core/render/LimitingCostEstimate.h"

#include <algorithm>
#include <cmath>

namespace lathe::core::render {

LimitingCostEstimate::LimitingCostEstimate(int sampleRate) : blockFrames_(std::max(1, sampleRate / 20)) {}

void LimitingCostEstimate::add(const float* left, const float* right, int frames) {
    for (int i = 0; i < frames;) {
        const int n = std::min(frames - i, blockFrames_ - inBlock_);
        float peak = blockPeak_;
        double power = 0.0;
        for (int k = i; k < i + n; ++k) {
            const float l = left[k], r = right[k];
            peak = std::max(peak, std::max(std::abs(l), std::abs(r)));
            power += static_cast<double>(l) * l + static_cast<double>(r) * r;
        }
        blockPeak_ = peak;
        blockPower_ += power;
        inBlock_ += n;
        i += n;
        if (inBlock_ == blockFrames_) closeBlock();
    }
}

void LimitingCostEstimate::closeBlock() {
    if (blockPeak_ > 0.0f) {
        const double peakDb = 20.0 * std::log10(static_cast<double>(blockPeak_));
        // The bin's upper edge stands for every peak in it, so the forecast never undershoots by the binning.
        const int bin = static_cast<int>(std::ceil((peakDb - kLowestDb) * kBinsPerDb));
        powerByPeak_[static_cast<std::size_t>(std::clamp(bin, 0, kBins - 1))] += blockPower_;
    }
    inBlock_ = 0;
    blockPeak_ = 0.0f;
    blockPower_ = 0.0;
}

double LimitingCostEstimate::costLu(double gainDb, double ceilingDbtp) const {
    double total = 0.0, kept = 0.0;
    for (int b = 0; b < kBins; ++b) {
        const double power = powerByPeak_[static_cast<std::size_t>(b)];
        if (power == 0.0) continue;
        const double peakDb = kLowestDb + b / kBinsPerDb;
        const double overDb = std::max(0.0, peakDb + kInterSampleMarginDb + gainDb - ceilingDbtp);
        total += power;
        kept += power * std::pow(10.0, -overDb / 10.0);
    }
    // The unfinished last block counts as it is.
    if (blockPeak_ > 0.0f) {
        const double overDb = std::max(0.0, 20.0 * std::log10(static_cast<double>(blockPeak_)) +
                                                kInterSampleMarginDb + gainDb - ceilingDbtp);
        total += blockPower_;
        kept += blockPower_ * std::pow(10.0, -overDb / 10.0);
    }
    return total > 0.0 && kept > 0.0 ? -10.0 * std::log10(kept / total) : 0.0;
}

} // namespace lathe::core::render
