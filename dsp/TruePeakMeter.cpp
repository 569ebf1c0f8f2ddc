#include "TruePeakMeter.h"

#include "Decibels.h"

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
    peak_.fill(0.0);
}

void TruePeakMeter::push(int channel, float x) {
    std::array<float, 64> points; // factors up to 64
    interpolator_.process(channel, x, points.data());
    float peak = std::abs(x);
    for (int m = 0; m < interpolator_.factor(); ++m)
        peak = std::max(peak, std::abs(points[static_cast<std::size_t>(m)]));
    auto& p = peak_[static_cast<std::size_t>(channel)];
    p = std::max(p, static_cast<double>(peak));
}

void TruePeakMeter::process(const AudioBlock& block) {
    for (int c = 0; c < std::min(numChannels_, block.numChannels()); ++c) {
        const float* x = block.channel(c);
        for (int i = 0; i < block.numFrames(); ++i)
            push(c, x[i]);
    }
}

void TruePeakMeter::flush() {
    for (int c = 0; c < numChannels_; ++c)
        for (int i = 0; i < interpolator_.delayFrames(); ++i)
            push(c, 0.0f);
}

double TruePeakMeter::truePeakLinear() const {
    double p = 0.0;
    for (int c = 0; c < numChannels_; ++c)
        p = std::max(p, peak_[static_cast<std::size_t>(c)]);
    return p;
}

double TruePeakMeter::truePeakDbtp() const {
    return gainToDb(truePeakLinear());
}

double TruePeakMeter::channelTruePeakLinear(int channel) const {
    return peak_[static_cast<std::size_t>(channel)];
}

double TruePeakMeter::channelTruePeakDbtp(int channel) const {
    return gainToDb(channelTruePeakLinear(channel));
}

} // namespace lathe::dsp
