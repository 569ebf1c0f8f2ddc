#pragma once

#include "AudioBlock.h"

namespace lathe::dsp {

// Phase correlation of channels 0 and 1: Pearson's r without mean removal, sum(LR) / sqrt(sum(L^2) sum(R^2)),
// the sums taken over an exponential window (300 ms by default, the usual goniometer-correlation ballistics).
// +1 is mono, 0 is unrelated or quadrature signals, -1 is one channel polarity-inverted. Reads 0 when either
// channel is below -120 dBFS RMS over the window (the ratio is meaningless there). A mono block is correlated
// with itself.
class CorrelationMeter {
public:
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    void reset();
    // Reads the audio, never modifies it.
    void process(const AudioBlock& block);

    void setTimeConstantMs(double ms);
    double timeConstantMs() const { return timeConstantMs_; }

    double correlation() const;

private:
    void updateCoefficient();

    double sampleRate_ = 48000.0;
    double timeConstantMs_ = 300.0;
    double decay_ = 0.0; // per-sample weight kept by the running sums
    double sumLR_ = 0.0;
    double sumLL_ = 0.0;
    double sumRR_ = 0.0;
};

} // namespace lathe::dsp
