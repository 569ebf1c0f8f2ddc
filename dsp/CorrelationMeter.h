#pragma once

#include "AudioBlock.h"
#include "MeterValue.h"

namespace lathe::dsp {

// Phase correlation of channels 0 and 1: Pearson's r without mean removal, sum(LR) / sqrt(sum(L^2) sum(R^2)),
// the sums taken over an exponential window (300 ms by default, the usual goniometer-correlation ballistics).
// +1 is mono, 0 is unrelated or quadrature signals, -1 is one channel polarity-inverted. Reads 0 when either
// channel is below -120 dBFS RMS over the window (the ratio is meaningless there). A mono block is correlated
// with itself.
class CorrelationMeter {
public:
    // Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Clears the window; the reading goes to 0. RT safe.
    void reset();
    // Reads the audio, never modifies it. RT safe.
    void process(const AudioBlock& block);

    // At least 0.01 ms; from the next processed sample. RT safe.
    void setTimeConstantMs(double ms);
    // RT safe.
    double timeConstantMs() const { return timeConstantMs_; }

    // The meter, readable from any thread (a relaxed atomic, updated once per block): r at the end of the
    // last block. RT safe.
    double correlation() const { return correlation_.load(); }

private:
    void updateCoefficient();
    double computeCorrelation() const;

    double sampleRate_ = 48000.0;
    double timeConstantMs_ = 300.0;
    double decay_ = 0.0; // per-sample weight kept by the running sums
    double sumLR_ = 0.0;
    double sumLL_ = 0.0;
    double sumRR_ = 0.0;
    MeterValue correlation_;
};

} // namespace lathe::dsp
