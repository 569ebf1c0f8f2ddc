#include "LowFrequencyOverload.h"

#include "BiquadCoefficients.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lathe::dsp {

void LowFrequencyOverload::prepare(double sampleRate, int numChannels, double crossoverHz, int delayFrames,
                                   int windowFrames) {
    highPeak_.prepare(std::max(1, windowFrames), 0.0);
    for (auto& section : highPass_) {
        section.prepare(sampleRate, 1, numChannels);
        section.setCoefficients(makeHighPass(sampleRate, crossoverHz, std::numbers::sqrt2 / 2.0));
    }
    verdicts_.assign(static_cast<std::size_t>(std::max(0, delayFrames) + 1), 0);
    reset();
}

void LowFrequencyOverload::reset() {
    for (auto& section : highPass_)
        section.reset();
    highPeak_.reset();
    std::fill(verdicts_.begin(), verdicts_.end(), 0);
    pos_ = 0;
}

bool LowFrequencyOverload::process(const float* frame, int numChannels) {
    double highPeak = 0.0;
    for (int c = 0; c < numChannels; ++c) {
        highPeak = std::max(highPeak, std::abs(highBand(c, frame[c])));
    }
    const auto size = static_cast<int>(verdicts_.size());
    verdicts_[static_cast<std::size_t>(pos_)] = -highPeak_.push(-highPeak) <= threshold_;
    pos_ = pos_ + 1 == size ? 0 : pos_ + 1;
    return verdicts_[static_cast<std::size_t>(pos_)] != 0; // the oldest: written size - 1 frames ago
}

} // namespace lathe::dsp
