#pragma once

#include "AudioBlock.h"
#include "LookaheadDelay.h"
#include "PolyphaseInterpolator.h"
#include "SlidingMinimum.h"
#include "SmoothedValue.h"

#include <array>
#include <vector>

namespace lathe::dsp {

// Peak of a parabola through three equally spaced magnitudes where `at` is a local maximum (returns `at`
// otherwise). Refines a peak read from oversampled points towards the continuous maximum between them.
double parabolicPeak(double before, double at, double after);

// Worst-case underestimate (dB, >= 0) of parabolicPeak for a sinusoid at the input's Nyquist frequency
// sampled `factor` times per input sample, over all phases. Content below Nyquist is refined more accurately,
// so this bounds the detector's error for the pure tones it is least accurate on.
double parabolicPeakWorstCaseDb(int factor);

// Lookahead brickwall limiter that keeps the output's true peak (inter-sample peaks, as an 8x meter or a
// DAC's reconstruction filter sees them) at or below the ceiling. Composed of small parts:
//   detector  - the input upsampled (4x by default) by two PolyphaseInterpolators, the half-band design our
//               TruePeakMeter uses and a brickwall design with libsoxr's band edges, because reconstruction
//               filters disagree by tenths of a dB on full-band material and the output must pass both kinds;
//               magnitudes refined between the points by parabolicPeak; required gain = internal ceiling /
//               larger peak, where the internal ceiling is the ceiling less detectionMarginDb() (the
//               refinement's worst case plus an allowance for the gain's own modulation of the
//               reconstruction);
//   hold      - SlidingMinimum of the required log-gain over attack + 2 * kernel half-span + 1 frames, so the
//   gain
//               is already down by the time the peak *and* every sample within a kernel half-span of it
//               (whose reconstruction contributes to the inter-sample peak) are output;
//   release   - exponential recovery in the log domain (gain reduction in dB decays with time constant
//   releaseMs); attack    - moving average of the held log-gain over the attack length: a linear-in-dB ramp
//   that, because
//               every averaged value already covers the peak, is never above the requirement at the peak;
//   delay     - LookaheadDelay of latencyFrames() = interpolator delay + kernel half-span + attack.
// All channels share one gain (stereo image does not shift). Below the ceiling the gain is exactly 1 and the
// output is the input delayed, bit for bit.
class TruePeakLimiter {
public:
    static constexpr int kHalfBandTapsPerPhase = 64; // as TruePeakMeter
    static constexpr int kBrickwallTapsPerPhase = 96;
    // Allowance for the gain's own modulation of the reconstruction, on top of the refinement's worst case.
    // Content between 0.45 and 0.55 fs (where reconstruction filters disagree) is covered separately: the
    // detector adds twice the difference of its two reconstructions. With both, the worst margins measured
    // against libsoxr VHQ and TruePeakMeter over the test signals are +0.085 / +0.093 dB (4x) and +0.016 /
    // +0.025 dB (8x).
    static constexpr double kModulationAllowanceDb = 0.02;

    struct Stats {
        double maxGainReductionDb = 0;
        double sumGainReductionDb = 0;
        long long frames = 0;
        long long framesLimited = 0;
        double averageGainReductionDb() const {
            return frames > 0 ? sumGainReductionDb / static_cast<double>(frames) : 0.0;
        }
    };

    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    void reset();
    void process(const AudioBlock& block);

    void setCeilingDbtp(double ceilingDbtp);
    void setReleaseMs(double releaseMs);
    void setLookaheadMs(double lookaheadMs);   // takes effect at prepare
    void setDetectionOversampling(int factor); // 4 or 8, takes effect at prepare
    void setInputGainDb(double gainDb);        // drive into the limiter, ramped over 20 ms

    double ceilingDbtp() const { return ceilingDbtp_; }
    double releaseMs() const { return releaseMs_; }
    int latencyFrames() const { return latency_; }
    int attackFrames() const { return attack_; }
    double detectionMarginDb() const { return marginDb_; }

    double gainReductionDb() const { return gainReductionDb_; } // of the last frame output, >= 0
    const Stats& stats() const { return stats_; }
    void resetStats() { stats_ = Stats{}; }

private:
    void updateThreshold();
    void updateRelease();
    double detect(int detector, int channel, const float* points);

    double sampleRate_ = 48000.0;
    int numChannels_ = 0;
    double ceilingDbtp_ = -1.0;
    double releaseMs_ = 100.0;
    double lookaheadMs_ = 4.0;
    int oversampling_ = 4;
    double inputGainDb_ = 0.0;

    int latency_ = 0;
    int attack_ = 1;
    int holdHalfSpan_ = 0;
    double marginDb_ = 0.0;
    double threshold_ = 1.0; // linear internal ceiling
    double logThreshold_ = 0.0;
    double releaseCoefficient_ = 0.0;

    PolyphaseInterpolator halfBand_;
    PolyphaseInterpolator brickwall_;
    LookaheadDelay
        alignHalfBand_; // the shorter kernel waits so both detectors' points fall at the same times
    SlidingMinimum hold_;
    LookaheadDelay delay_;
    SmoothedValue inputGain_;

    // Detector: the last two upsampled magnitudes per channel, for refining the next local maximum.
    // Index [detector * kMaxChannels + channel].
    std::array<float, 2 * AudioBlock::kMaxChannels> previous_{};
    std::array<float, 2 * AudioBlock::kMaxChannels> beforePrevious_{};

    double releasedLogGain_ = 0.0;
    std::vector<double> attackRing_;
    double attackSum_ = 0.0;
    int attackPos_ = 0;
    int attackNonZero_ = 0; // exact zero detection: the running sum is not trusted to return to exactly 0

    double gainReductionDb_ = 0.0;
    Stats stats_;

    // Per-chunk scratch (PolyphaseInterpolator::kChunkFrames frames), sized in prepare: the detector runs a
    // whole chunk per channel so the interpolators can compute many points per pass.
    std::vector<double> chunkDrive_;
    std::vector<double> chunkPeak_;
    std::vector<float> chunkDriven_;
    std::vector<float> chunkAligned_;
    std::vector<float> chunkDelayed_; // [channel * kChunkFrames + frame]
    std::vector<float> chunkPoints_;
    std::vector<float> chunkBrickwallPoints_;
};

} // namespace lathe::dsp
