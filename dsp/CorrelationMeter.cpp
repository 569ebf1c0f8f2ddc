#include "CorrelationMeter.h"

#include <algorithm>
#include <cmath>

namespace lathe::dsp {

namespace {
// Mean-square level under which a channel counts as silent: -120 dBFS RMS.
constexpr double kSilentPower = 1e-12;
} // namespace

void CorrelationMeter::prepare(double sampleRate, int /*maxBlockFrames*/, int /*numChannels*/) {
    sampleRate_ = sampleRate;
    updateCoefficient();
    reset();
}

void CorrelationMeter::reset() {
    sumLR_ = sumLL_ = sumRR_ = 0.0;
    correlation_.store(computeCorrelation());
}

void CorrelationMeter::setTimeConstantMs(double ms) {
    timeConstantMs_ = std::max(ms, 0.01);
    updateCoefficient();
}

void CorrelationMeter::updateCoefficient() {
    decay_ = std::exp(-1000.0 / (timeConstantMs_ * sampleRate_));
}

void CorrelationMeter::process(const AudioBlock& block) {
    if (block.numChannels() < 1) return;
    const float* l = block.channel(0);
    const float* r = block.channel(block.numChannels() > 1 ? 1 : 0);
    const double a = decay_;
    const double b = 1.0 - decay_;
    double lr = sumLR_, ll = sumLL_, rr = sumRR_;
    for (int i = 0, n = block.numFrames(); i < n; ++i) {
        const double x = l[i];
        const double y = r[i];
        lr = a * lr + b * x * y;
        ll = a * ll + b * x * x;
        rr = a * rr + b * y * y;
    }
    // After minutes of silence the sums would decay into denormals, which are slow on x86.
    if (ll < 1e-30 && rr < 1e-30) lr = ll = rr = 0.0;
    sumLR_ = lr;
    sumLL_ = ll;
    sumRR_ = rr;
    correlation_.store(computeCorrelation());
}

double CorrelationMeter::computeCorrelation() const {
    if (sumLL_ < kSilentPower || sumRR_ < kSilentPower) return 0.0;
    return std::clamp(sumLR_ / std::sqrt(sumLL_ * sumRR_), -1.0, 1.0);
}

} // namespace lathe::dsp
