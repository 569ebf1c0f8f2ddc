#pragma once

#include "AudioBlock.h"
#include "Biquad.h"
#include "MeterValue.h"
#include "ParametricEq.h"

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
    // eq.process(block) then process(block) (or process(block, *sidechain)), to the bit. A stereo EQ before
    // linked peak detection (a stem's or the master's EQ and compressor) runs a batch ahead inside the gain
    // smoothing: both are one-frame recursions bound by latency, and side by side neither waits on the
    // other. RT safe.
    void processAfter(ParametricEq& eq, const AudioBlock& block, const AudioBlock* sidechain = nullptr);

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
    // Below this the reduction only decays through denormals, which are slow on x86 and inaudible: it is
    // exactly 0 from there (so a released compressor is exactly its makeup gain).
    static constexpr double kReductionFloorDb = 1e-9;

    void updateCoefficients();
    // Whether a block of `channels` channels takes the fully linked stereo peak path (processLinked).
    bool linkedPathApplies(int channels) const;
    // No work beside the linked path's smoothing.
    struct NothingAhead {
        void step(int) {}
        void run(int, int) {}
    };
    // Every path but the linked one: a frame at a time over the channels. Returns the block's largest
    // reduction.
    double processGeneral(const AudioBlock& block, const AudioBlock& sidechain);
    // Publishes the meters after a block.
    void updateMeters(double blockMaxReduction, int channels);
    // The fully linked stereo peak path; `ahead` (a ParametricEq::StereoCascade, or nothing) filters each
    // batch's successor while the batch's gain is smoothed. Returns the block's largest reduction.
    template <class Ahead>
    double processLinked(const AudioBlock& block, const AudioBlock& sidechain, Ahead& ahead);
    // The linked path's one-pole smoothing over n frames, targets to reductions, from and into `reduction`;
    // raises maxReduction. kAttackFaster: attack coefficient <= release coefficient.
    template <bool kAttackFaster>
    void smoothReduction(const double* targets, double* reductions, int n, double& reduction,
                         double& maxReduction) const;
    // The same without the floor at kReductionFloorDb, each step beside ahead.step(frame aheadStart + i)
    // for i < aheadCount: false (state untouched, maxReduction too) when some step fell below the floor,
    // where only smoothReduction is exact.
    template <bool kAttackFaster, class Ahead>
    bool smoothReductionAboveFloor(const double* targets, double* reductions, int n, double& reduction,
                                   double& maxReduction, Ahead& ahead, int aheadStart, int aheadCount) const;

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
