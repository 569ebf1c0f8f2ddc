#pragma once

#include "AttackRamp.h"
#include "AudioBlock.h"
#include "LookaheadDelay.h"
#include "LowFrequencyOverload.h"
#include "MeterValue.h"
#include "PeakSoftClipper.h"
#include "PolyphaseInterpolator.h"
#include "ProgramDependentRelease.h"
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
// clang-format off
//   clipper   - optional PeakSoftClipper (oversampled) on the driven input: takes up to softClipDb off peaks
//               around the ceiling before the limiter sees them (Config::softClipOversampling > 0);
//   detector  - the input upsampled (4x by default) by two PolyphaseInterpolators, the half-band design our
//               TruePeakMeter uses and a brickwall design with libsoxr's band edges, because reconstruction
//               filters disagree by tenths of a dB on full-band material and the output must pass both kinds;
//               magnitudes refined between the points by parabolicPeak; required gain = internal ceiling /
//               larger peak, where the internal ceiling is the ceiling less detectionMarginDb() (the
//               refinement's worst case plus an allowance for the gain's own modulation of the reconstruction);
//   link      - per channel requirement r_c; each channel gets link * min_c r_c + (1 - link) * r_c (log gain,
//               never less reduction than its own), so link 1 is one shared gain and the image cannot shift;
//   hold      - SlidingMinimum of the required log-gain over attack + 2 * kernel half-span + 1 frames, so the
//               gain is already down by the time the peak *and* every sample within a kernel half-span of it
//               (whose reconstruction contributes to the inter-sample peak) are output;
//   release   - ProgramDependentRelease: one time constant (setReleaseMs), or two stages chosen by how long
//               the overload lasts (setAdaptiveRelease), optionally told by LowFrequencyOverload that the sub
//               drives an overload (Config::lowFrequencyCrossoverHz > 0) so it is released slowly;
//   attack    - AttackRamp over the attack length (linear or S-curve in dB): every averaged value already
//               covers the peak, so the ramp is never above the requirement at the peak. With rampOnsetOnly
//               the gain is max(released, ramped) (less reduction of the two): the same at the peak and over
//               the kernel span after it (both are at the requirement there), but the reduction no longer
//               lingers an attack length after the hold: each transient costs ~attack less time at depth;
//   onset     - optional (Config::shortAttackMs > 0): a second pipeline with a shorter attack (the
//               requirement delayed by the difference, held over short attack + 2 * kernel half-span + 1,
//               released, ramped over the short attack), and the gain a blend of the two weighted by the depth
//               of the long pipeline's released reduction (shallow: the short pipeline, deep: the long one;
//               setOnsetDepthsDb), the weight smoothed over 1 ms. A ramp's cost in loudness grows with its
//               length, its distortion with its slope (depth / length): shallow overloads are cheapest with a
//               short ramp, deep ones need the whole lookahead to stay smooth. The same holds for the release:
//               the short pipeline's fast stage recovers setShallowReleaseScale times faster, and since the
//               weight follows the released depth, a deep reduction keeps the long pipeline's release until
//               it has become shallow. Each pipeline alone covers the peak, so any blend of the two does: the
//               guarantee holds for any weight;
//   delay     - LookaheadDelay of interpolator delay + kernel half-span + attack (plus the clipper's latency).
// Whatever the release, attack shape, link or clipper, the reduction at each output frame is at least what
// the detector asked for it, which is what the ceiling guarantee rests on. Below the ceiling, without the
// clipper stage, the gain is exactly 1 and the output is the input delayed, bit for bit.
// clang-format on
class TruePeakLimiter {
public:
    static constexpr int kHalfBandTapsPerPhase = 64; // as TruePeakMeter
    static constexpr int kBrickwallTapsPerPhase = 96;
    // Allowance for the gain's own modulation of the reconstruction, on top of the refinement's worst case.
    // Content between 0.45 and 0.55 fs (where reconstruction filters disagree) is covered separately: the
    // detector adds twice the difference of its two reconstructions. 0.02 dB let full-band noise held 7 dB
    // over, its level stepping every 3.1 ms, through 4x detection by 0.0036 dB (libsoxr VHQ); at 0.035 the
    // worst margins measured against libsoxr VHQ and TruePeakMeter over the test signals are +0.100 /
    // +0.108 dB (4x), +0.031 / +0.040 dB (8x) and +0.011 dB on that noise (TruePeakLimiterOnsetTest).
    static constexpr double kModulationAllowanceDb = 0.035;

    // Structural parameters: what prepare() allocates for.
    struct Config {
        double lookaheadMs = 4.0;      // raised to what the guarantee needs (see latencyFrames)
        int detectionOversampling = 4; // 4 or 8
        AttackShape attackShape = AttackShape::Linear;
        // The ramp shapes only the onset: the gain follows max(released, ramped), so after a peak it recovers
        // as soon as the hold ends instead of first ramping back over the attack length (see `attack` above).
        bool rampOnsetOnly = false;
        // > 0: the onset of shallow overloads ramps over this long (at most the attack; see `onset` above).
        double shortAttackMs = 0.0;
        int softClipOversampling = 0;         // 0 = no clipper stage; 1, 2, 4 or 8 = the stage at that factor
        double lowFrequencyCrossoverHz = 0.0; // 0 = no low-frequency-aware detection
        friend bool operator==(const Config&, const Config&) = default;
    };

    struct Stats {
        double maxGainReductionDb = 0;
        double sumGainReductionDb = 0;
        long long frames = 0;
        long long framesLimited = 0;
        double averageGainReductionDb() const {
            return frames > 0 ? sumGainReductionDb / static_cast<double>(frames) : 0.0;
        }
    };

    // Allocates for `config` (lookahead, detection oversampling, attack shape, clipper, low-frequency
    // detection: prepare again to change any of them) and clears the state. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, const Config& config);
    // With the default Config. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    void reset();                          // RT safe
    void process(const AudioBlock& block); // RT safe

    // The setters act from the next processed frame. RT safe.
    void setCeilingDbtp(double ceilingDbtp);
    void setReleaseMs(double releaseMs); // one exponential release. RT safe
    // Two-stage release: fastMs after overloads shorter than sustainMs, slowMs after sustained ones. RT safe.
    void setAdaptiveRelease(double fastMs, double slowMs, double sustainMs);
    void setStereoLink(double link);   // 0 .. 1. RT safe
    void setSoftClipDb(double clipDb); // clip amount of the clipper stage (when prepared with one). RT safe
    // Depth-adaptive onset (when prepared with Config::shortAttackMs): held requirements up to shallowDb ramp
    // in over the short attack, from deepDb over the whole attack, linearly blended between. RT safe.
    void setOnsetDepthsDb(double shallowDb, double deepDb);
    // The short pipeline's fast release as a fraction of the long one's (setAdaptiveRelease's fastMs; 1 = the
    // same): shallow overloads, which the short pipeline shapes, recover this much faster. RT safe.
    void setShallowReleaseScale(double scale);
    void setInputGainDb(double gainDb); // drive into the limiter, ramped over 20 ms. RT safe

    // Frames whose requirement is 0 while every stage of the gain pipeline holds no reduction (most of a
    // master) skip the per-frame pipeline: their gain is exactly 1 and the stages only move on. Same bits
    // either way; off runs every frame through the pipeline (for tests and benchmarks). RT safe.
    void setRestSkipping(bool on) { restSkipping_ = on; }

    // Accessors: RT safe.
    const Config& config() const { return config_; }
    double ceilingDbtp() const { return ceilingDbtp_; }
    double releaseMs() const { return releaseMs_; }
    int latencyFrames() const { return latency_; }
    int attackFrames() const { return attack_; }
    int shortAttackFrames() const { return shortAttack_; } // == attackFrames() without the adaptive onset
    double detectionMarginDb() const { return marginDb_; }

    // Of the last frame of the last processed block (largest over channels), >= 0. RT safe; any thread.
    double gainReductionDb() const { return gainReductionDb_.load(); }
    // On the thread that processes, or after processing has stopped. RT safe.
    const Stats& stats() const { return stats_; }
    void resetStats() { stats_ = Stats{}; } // RT safe

private:
    void updateThreshold();
    void updateRelease();
    double detect(int detector, int channel, const float* points);
    // Log gain of channel pipeline k from its requirement: hold, release, onset (the long pipeline alone, or
    // the depth-weighted blend of both). RT safe.
    double logGain(std::size_t k, double required, bool lowDriven);
    // Pipeline k holds no reduction anywhere: logGain(k, 0, any) returns 0. RT safe.
    bool pipelineAtRest(std::size_t k) const;
    // `frames` calls of logGain(k, 0, any) from pipelineAtRest(k), each returning 0. RT safe.
    void restFor(std::size_t k, int frames);

    double sampleRate_ = 48000.0;
    int numChannels_ = 0;
    Config config_;
    double ceilingDbtp_ = -1.0;
    double releaseMs_ = 100.0;
    bool adaptive_ = false;
    double fastReleaseMs_ = 100.0;
    double shallowReleaseScale_ = 1.0;
    double sustainMs_ = 0.0;
    double stereoLink_ = 1.0;
    double softClipDb_ = 1.0;
    int oversampling_ = 4;
    double inputGainDb_ = 0.0;

    int latency_ = 0;
    int attack_ = 1;
    int shortAttack_ = 1;
    bool blended_ = false; // the short pipeline runs (Config::shortAttackMs > 0 and shorter than the attack)
    double shallowDepth_ = 0.0; // nepers of reduction (positive), see setOnsetDepthsDb
    double deepDepth_ = 1.0;
    double onsetSmoothing_ = 1.0; // one-pole coefficient step of the blend weight
    int holdHalfSpan_ = 0;
    double marginDb_ = 0.0;
    double threshold_ = 1.0; // linear internal ceiling
    double logThreshold_ = 0.0;

    PolyphaseInterpolator halfBand_;
    PolyphaseInterpolator brickwall_;
    LookaheadDelay
        alignHalfBand_; // the shorter kernel waits so both detectors' points fall at the same times
    LookaheadDelay delay_;
    SmoothedValue inputGain_;
    PeakSoftClipper clipper_;
    LowFrequencyOverload lowFrequency_;

    // Gain pipeline per channel (hold, release, attack); with full link every channel gets the same input.
    std::array<SlidingMinimum, AudioBlock::kMaxChannels> hold_;
    std::array<ProgramDependentRelease, AudioBlock::kMaxChannels> release_;
    std::array<AttackRamp, AudioBlock::kMaxChannels> attackRamp_;
    // The short pipeline (Config::shortAttackMs > 0): requirement delay ring, hold, release, ramp.
    int shortDelay_ = 0;
    std::vector<double> requirementDelay_; // [channel * shortDelay_ + position]
    std::array<int, AudioBlock::kMaxChannels> requirementDelayPos_{};
    std::array<int, AudioBlock::kMaxChannels> requirementDelayNonZero_{}; // non-zero values in the ring
    std::array<SlidingMinimum, AudioBlock::kMaxChannels> shortHold_;
    std::array<ProgramDependentRelease, AudioBlock::kMaxChannels> shortRelease_;
    std::array<AttackRamp, AudioBlock::kMaxChannels> shortRamp_;
    std::array<double, AudioBlock::kMaxChannels> onsetWeight_{}; // 0 = short ramp, 1 = long ramp

    // Detector: the last two upsampled magnitudes per channel, for refining the next local maximum.
    // Index [detector * kMaxChannels + channel].
    std::array<float, 2 * AudioBlock::kMaxChannels> previous_{};
    std::array<float, 2 * AudioBlock::kMaxChannels> beforePrevious_{};

    MeterValue gainReductionDb_;
    Stats stats_;
    bool restSkipping_ = true;

    // Per-chunk scratch (PolyphaseInterpolator::kChunkFrames frames), sized in prepare: the detector runs a
    // whole chunk per channel so the interpolators can compute many points per pass.
    std::vector<double> chunkDrive_;
    std::vector<double> chunkPeak_;  // [channel * kChunkFrames + frame]
    std::vector<float> chunkDriven_; // [channel * kChunkFrames + frame]
    std::vector<float> chunkAligned_;
    std::vector<float> chunkDelayed_; // [channel * kChunkFrames + frame]
    std::vector<float> chunkPoints_;
    std::vector<float> chunkBrickwallPoints_;
    std::vector<unsigned char> chunkLowDriven_;
};

} // namespace lathe::dsp
