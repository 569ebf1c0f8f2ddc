#include "TruePeakMeter.h"

#include "Decibels.h"
#include "LargestMagnitude.h"

#include <algorithm>
#include <cmath>

namespace lathe::dsp {

void TruePeakMeter::prepare(double /*sampleRate*/, int /*maxBlockFrames*/, int numChannels, int factor) {
    numChannels_ = numChannels;
    interpolator_.prepare(factor, kTapsPerPhase, numChannels);
    reset();
}

void TruePeakMeter::reset() {
    interpolator_.reset();
    for (MeterValue& p : peak_)
        p.store(0.0);
    for (MeterValue& p : halfFactorPeak_)
        p.store(0.0);
}

void TruePeakMeter::push(int channel, const float* x, int frames) {
    const auto c = static_cast<std::size_t>(channel);
    // The input samples are included although phase 0 reproduces them: a factor-1 meter stays a sample peak
    // meter. The maximum does not depend on the order it is taken in, so the reading is that of every point.
    const float samplePeak = largestMagnitude(x, frames, 0.0f);
    float peaks[2] = {samplePeak, samplePeak};
    interpolator_.peakBlock(channel, x, frames, peaks);
    peak_[c].store(std::max(peak_[c].load(), static_cast<double>(peaks[0])));
    halfFactorPeak_[c].store(std::max(halfFactorPeak_[c].load(), static_cast<double>(peaks[1])));
}

void TruePeakMeter::process(const AudioBlock& block) {
    for (int c = 0; c < std::min(numChannels_, block.numChannels()); ++c)
        push(c, block.channel(c), block.numFrames());
}

void TruePeakMeter::flush() {
    std::array<float, TruePeakInterpolator::kChunkFrames> silence{};
    for (int c = 0; c < numChannels_; ++c)
        for (int done = 0; done < interpolator_.delayFrames(); done += TruePeakInterpolator::kChunkFrames)
            push(c, silence.data(),
                 std::min(TruePeakInterpolator::kChunkFrames, interpolator_.delayFrames() - done));
}

double TruePeakMeter::truePeakLinear() const {
    double p = 0.0;
    for (int c = 0; c < numChannels_; ++c)
        p = std::max(p, peak_[static_cast<std::size_t>(c)].load());
    return p;
}

double TruePeakMeter::truePeakDbtp() const {
    return gainToDb(truePeakLinear());
}

double TruePeakMeter::halfFactorTruePeakDbtp() const {
    double p = 0.0;
    for (int c = 0; c < numChannels_; ++c)
        p = std::max(p, halfFactorPeak_[static_cast<std::size_t>(c)].load());
    return gainToDb(p);
}

double TruePeakMeter::channelTruePeakLinear(int channel) const {
    return peak_[static_cast<std::size_t>(channel)].load();
}

double TruePeakMeter::channelTruePeakDbtp(int channel) const {
    return gainToDb(channelTruePeakLinear(channel));
}

} // namespace lathe::dsp
