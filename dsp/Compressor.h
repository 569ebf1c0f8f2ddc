#pragma once

#include "AudioBlock.h"
#include "Biquad.h"
#include "MeterValue.h"

#include <array>

namespace lathe::dsp {

enum class DetectionMode { Peak, Rms };

struct CompressorParameters {
    double thresholdDb = -18.0;
    double ratio = 2.0; // >= 1; infinity is a limiter curve
    double kneeDb = 6.0;
    double attackMs = 10.0; // time constant: 63.2 % of a gain-reduction step
    double releaseMs = 150.0;
    double makeupDb = 0.0;
    double stereoLink = 1.0;          // 0 = independent channels, 1 = fully linked (max of channel levels)
    double sidechainHighPassHz = 0.0; // 0 = off; 2nd-order Butterworth on the detector only
    DetectionMode detection = DetectionMode::Peak;
    double rmsWindowMs = 10.0; // one-pole mean-square time constant (Rms detection only)
};

// Feed-forward compressor in the log domain (Giannoulis, Massberg & Reiss 2012, fig. 7 "log domain,
// branching"): detector level in dB -> static curve (GainComputer.h) -> one-pole smoothing of the gain
// reduction in dB with the attack coefficient while reduction grows and the release coefficient while it
// shrinks -> makeup gain.
//
// Smoothing the reduction rather than the level keeps attack and release exact time constants of the gain
// change, independent of ratio and threshold, which is what an engineer sets the knobs by.
//
// Detection: Peak uses |x| of the (optionally high-passed) sidechain per sample; Rms a one-pole mean square,
// so a sine reads 3.01 dB below its peak. Stereo link mixes each channel's linear detector value (amplitude
// for Peak, mean square for Rms) towards the loudest channel's: at 1 every channel gets the same gain and the
// stereo image does not shift.
class Compressor {
public:
    // Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Clears the detector, the gain and the meters. RT safe.
    void reset();
    // In place. RT safe.
    void process(const AudioBlock& block);
    // Key input: the detector listens to `sidechain` (same frames or more; channel c uses sidechain channel
    // min(c, sidechain channels - 1)) while `block` is compressed. sidechain may alias block. RT safe.
    void process(const AudioBlock& block, const AudioBlock& sidechain);

    // From the next processed sample. RT safe.
    void setParameters(const CompressorParameters& parameters);
    // RT safe.
    const CompressorParameters& parameters() const { return params_; }

    // Meters, readable from any thread (relaxed atomics, updated once per block): the reduction at the end
    // of the last block and the largest since resetMeters(), positive dB. RT safe.
    double gainReductionDb() const { return currentReductionDb_.load(); }
    double maxGainReductionDb() const { return maxReductionDb_.load(); }
    // Restarts the largest reduction. RT safe; any thread.
    void resetMeters() { maxReductionDb_.store(0.0); }

private:
    void updateCoefficients();
    // The linked path's one-pole smoothing over n frames: targets in, reductions out (in place), from and
    // into `reduction`; raises maxReduction. kAttackFaster: attack coefficient <= release coefficient.
    template <bool kAttackFaster>
    void smoothReduction(double* targetsToReductions, int n, double& reduction, double& maxReduction) const;

    CompressorParameters params_;
    double sampleRate_ = 48000.0;

    double attackCoeff_ = 0.0;
    double releaseCoeff_ = 0.0;
    double rmsCoeff_ = 0.0;
    double makeupGain_ = 1.0;
    // Linear detector value (amplitude or mean square) at the knee's lower edge: below it the static curve is
    // 0 and the logarithm can be skipped.
    double kneeStartDetector_ = 0.0;
    bool highPassOn_ = false;

    Biquad sidechainHighPass_;
    std::array<double, AudioBlock::kMaxChannels> meanSquare_{};
    std::array<double, AudioBlock::kMaxChannels> reductionDb_{};

    MeterValue currentReductionDb_;
    MeterValue maxReductionDb_;
};

} // namespace lathe::dsp
