#include "PeakSoftClipper.h"

#include "Decibels.h"

#include <algorithm>
#include <cmath>

namespace lathe::dsp {

double peakSoftClipGain(double magnitude, double ceiling, double clipDb) {
    if (clipDb <= 0.0 || magnitude <= 0.0) return 1.0;
    const double level = gainToDb(magnitude / ceiling);
    if (level <= -clipDb) return 1.0;
    double reduction = clipDb;
    if (level < clipDb) {
        const double u = (level + clipDb) / (2.0 * clipDb);
        reduction = clipDb * u * u * (3.0 - 2.0 * u);
    }
    return dbToGain(-reduction);
}

void PeakSoftClipper::prepare(double sampleRate, int maxBlockFrames, int numChannels, int factor) {
    oversampler_.prepare(sampleRate, maxBlockFrames, numChannels, factor);
    reset();
}

void PeakSoftClipper::reset() {
    oversampler_.reset();
}

void PeakSoftClipper::setCurve(double ceiling, double clipDb) {
    ceiling_ = ceiling;
    clipDb_ = std::max(0.0, clipDb);
    kneeStart_ = ceiling * dbToGain(-clipDb_);
}

void PeakSoftClipper::process(const AudioBlock& block) {
    const AudioBlock up = oversampler_.upsample(block);
    for (int c = 0; c < up.numChannels(); ++c) {
        float* x = up.channel(c);
        for (int i = 0; i < up.numFrames(); ++i) {
            const double m = std::abs(static_cast<double>(x[i]));
            if (m > kneeStart_) x[i] = static_cast<float>(x[i] * peakSoftClipGain(m, ceiling_, clipDb_));
        }
    }
    oversampler_.downsample(block);
}

} // namespace lathe::dsp
