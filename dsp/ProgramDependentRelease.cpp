#include "ProgramDependentRelease.h"

#include <algorithm>
#include <cmath>

namespace lathe::dsp {

double onePoleCoefficient(double sampleRate, double ms) {
    const double frames = ms * 1e-3 * sampleRate;
    return frames > 0.0 ? std::exp(-1.0 / frames) : 0.0;
}

void ProgramDependentRelease::setSingle(double sampleRate, double releaseMs) {
    twoStage_ = false;
    fastCoefficient_ = onePoleCoefficient(sampleRate, std::max(0.0, releaseMs));
}

void ProgramDependentRelease::setTwoStage(double sampleRate, double fastMs, double slowMs, double sustainMs) {
    twoStage_ = true;
    fastCoefficient_ = onePoleCoefficient(sampleRate, std::max(0.0, fastMs));
    slowCoefficient_ = onePoleCoefficient(sampleRate, std::max(0.0, slowMs));
    chargeCoefficient_ = onePoleCoefficient(sampleRate, std::max(0.0, sustainMs));
}

void ProgramDependentRelease::reset() {
    fast_ = 0.0;
    slow_ = 0.0;
}

double ProgramDependentRelease::process(double held, bool sustained) {
    // Below 1e-10 dB a stage snaps to 0 so an idle limiter is exactly transparent again.
    fast_ = std::min(held, fast_ * fastCoefficient_);
    if (fast_ > -1e-12 && held == 0.0) fast_ = 0.0;
    if (!twoStage_) return fast_;
    if (held < slow_)
        slow_ = sustained ? held : slow_ + (held - slow_) * (1.0 - chargeCoefficient_);
    else
        slow_ *= slowCoefficient_;
    if (slow_ > -1e-12 && held == 0.0) slow_ = 0.0;
    return std::min(fast_, slow_);
}

} // namespace lathe::dsp
