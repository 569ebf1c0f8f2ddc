#pragma once

#include "AudioBlock.h"
#include "MeterValue.h"
#include "TruePeakInterpolator.h"

#include <array>

namespace lathe::dsp {

// True-peak meter (ITU-R BS.1770-4 Annex 2 method, at 8x rather than the minimum 4x): the maximum absolute
// value of the signal upsampled by `factor` with a 64-tap-per-phase windowed sinc (PolyphaseInterpolator's
// default half-band design, evaluated by TruePeakInterpolator, which folds its symmetry: half the
// arithmetic, the same reading within 1e-6 relative). The upsampled stream includes the input samples
// themselves (phase 0 of the interpolator is an exact identity), so the reading is never below the sample
// peak. The interpolator delays by 32 input samples: call flush() at the end of a signal to include the
// inter-sample points around its last samples.
class TruePeakMeter {
public:
    static constexpr int kTapsPerPhase = 64;

    // factor: the upsampling, 8 by default (BS.1770 asks for at least 4); 1 or even. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int factor = 8);
    // Clears the interpolators and the peaks. RT safe.
    void reset();
    // Reads only. RT safe.
    void process(const AudioBlock& block);
    // Pushes the interpolators' delay worth of silence so the tail's inter-sample peaks are counted. RT safe.
    void flush();

    // Meters, readable from any thread (relaxed atomics, updated as each channel is processed): the largest
    // true peak since reset(), over the channels or of one. RT safe.
    double truePeakDbtp() const;
    double truePeakLinear() const;
    double channelTruePeakDbtp(int channel) const;
    double channelTruePeakLinear(int channel) const;
    // The reading of the even phases alone: a factor() / 2 meter with the same kernel shape, so an 8x meter
    // also gives BS.1770's 4x reading at no extra cost (bit for bit what a meter prepared at 4x reads). RT
    // safe.
    double halfFactorTruePeakDbtp() const;
    // The widest vectors the interpolation uses (TruePeakInterpolator::limitVectorWidth): for tests that
    // compare the paths. Not RT safe.
    void limitVectorWidth(int width) { interpolator_.limitVectorWidth(width); }

private:
    void push(int channel, const float* x, int frames);

    int numChannels_ = 0;
    TruePeakInterpolator interpolator_;
    std::array<MeterValue, AudioBlock::kMaxChannels> peak_{};
    std::array<MeterValue, AudioBlock::kMaxChannels> halfFactorPeak_{};
};

} // namespace lathe::dsp
