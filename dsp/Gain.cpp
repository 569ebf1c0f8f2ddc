#include "Gain.h"

#include "Decibels.h"

namespace lathe::dsp {

void Gain::prepare(double sampleRate, int /*maxBlockFrames*/, int /*numChannels*/) {
    sampleRate_ = sampleRate;
    gain_.prepare(sampleRate_, rampSeconds_);
    reset();
}

void Gain::reset() {
    updateTarget();
    gain_.setImmediate(gain_.target());
}

void Gain::setGainDb(double gainDb) {
    gainDb_ = gainDb;
    updateTarget();
}

void Gain::setPolarityInverted(bool inverted) {
    inverted_ = inverted;
    updateTarget();
}

void Gain::setMuted(bool muted) {
    muted_ = muted;
    updateTarget();
}

void Gain::setRampSeconds(double seconds) {
    rampSeconds_ = seconds;
    const double current = gain_.current();
    gain_.prepare(sampleRate_, rampSeconds_);
    gain_.setImmediate(current);
    updateTarget();
}

void Gain::updateTarget() {
    // Polarity flips through the same ramp as gain: an instant sign change on a loud signal is a click.
    const double linear = muted_ ? 0.0 : dbToGain(gainDb_);
    gain_.setTarget(inverted_ ? -linear : linear);
}

void Gain::process(const AudioBlock& block) {
    const int n = block.numFrames();
    const int channels = block.numChannels();
    if (!gain_.isSmoothing()) {
        const float g = static_cast<float>(gain_.current());
        if (g == 1.0f) return;
        for (int c = 0; c < channels; ++c) {
            float* x = block.channel(c);
            for (int i = 0; i < n; ++i)
                x[i] *= g;
        }
        return;
    }
    for (int i = 0; i < n; ++i) {
        const double g = gain_.next();
        for (int c = 0; c < channels; ++c)
            block.channel(c)[i] = static_cast<float>(block.channel(c)[i] * g);
    }
}

} // namespace lathe::dsp
