#include "StereoWidth.h"

#include <algorithm>

namespace lathe::dsp {

void StereoWidth::prepare(double sampleRate, int /*maxBlockFrames*/, int /*numChannels*/) {
    sampleRate_ = sampleRate;
    // SmoothedValue::prepare keeps the target and jumps to it, which is what a fresh start wants.
    width_.prepare(sampleRate_, rampSeconds_);
    balance_.prepare(sampleRate_, rampSeconds_);
}

void StereoWidth::reset() {
    width_.setImmediate(width_.target());
    balance_.setImmediate(balance_.target());
}

void StereoWidth::setWidth(double width) {
    width_.setTarget(std::clamp(width, 0.0, 2.0));
}

void StereoWidth::setBalance(double balance) {
    balance_.setTarget(std::clamp(balance, -1.0, 1.0));
}

void StereoWidth::setRampSeconds(double seconds) {
    rampSeconds_ = seconds;
    const double width = width_.current(), balance = balance_.current();
    const double widthTarget = width_.target(), balanceTarget = balance_.target();
    width_.prepare(sampleRate_, rampSeconds_);
    balance_.prepare(sampleRate_, rampSeconds_);
    width_.setImmediate(width);
    balance_.setImmediate(balance);
    width_.setTarget(widthTarget);
    balance_.setTarget(balanceTarget);
}

void StereoWidth::process(const AudioBlock& block) {
    if (block.numChannels() != 2) return;
    const bool ramping = width_.isSmoothing() || balance_.isSmoothing();
    if (!ramping && width_.current() == 1.0 && balance_.current() == 0.0) return;
    float* left = block.channel(0);
    float* right = block.channel(1);
    const int n = block.numFrames();
    for (int i = 0; i < n; ++i) {
        const double width = width_.next();
        const double balance = balance_.next();
        const double mid = 0.5 * (static_cast<double>(left[i]) + right[i]);
        const double side = 0.5 * (static_cast<double>(left[i]) - right[i]) * width;
        const double leftGain = balance > 0.0 ? 1.0 - balance : 1.0;
        const double rightGain = balance < 0.0 ? 1.0 + balance : 1.0;
        left[i] = static_cast<float>((mid + side) * leftGain);
        right[i] = static_cast<float>((mid - side) * rightGain);
    }
}

} // namespace lathe::dsp
