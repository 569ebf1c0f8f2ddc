#include "TruePeakLimiter.h"

#include "Decibels.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lathe::dsp {

namespace {

constexpr double kNepersToDb = 20.0 / std::numbers::ln10;
constexpr int kMinimumAttackFrames = 16;
constexpr float kAmbiguousBandWeight = 2.0f;

} // namespace

double parabolicPeak(double before, double at, double after) {
    const double curvature = before - 2.0 * at + after;
    if (at < before || at < after || curvature >= 0.0) return at;
    // Vertex of the parabola through (-1, before), (0, at), (1, after). With `at` the largest of the three,
    // |before - after| <= -curvature, so the correction is bounded by -curvature / 8: no blow-up on flat
    // tops.
    const double d = before - after;
    return at - d * d / (8.0 * curvature);
}

double parabolicPeakWorstCaseDb(int factor) {
    const double step = std::numbers::pi / factor; // radians between points for a tone at Nyquist
    double worst = 0.0;
    constexpr int kPhases = 256;
    for (int p = 0; p <= kPhases; ++p) {
        // The peak falls a fraction of a step from the nearest point; half a step is the farthest it can be.
        const double offset = 0.5 * step * p / kPhases;
        const double peak =
            parabolicPeak(std::cos(-step + offset), std::cos(offset), std::cos(step + offset));
        worst = std::max(worst, -gainToDb(peak));
    }
    return worst;
}

void TruePeakLimiter::prepare(double sampleRate, int /*maxBlockFrames*/, int numChannels) {
    sampleRate_ = sampleRate;
    numChannels_ = numChannels;
    halfBand_.prepare(oversampling_, kHalfBandTapsPerPhase, numChannels);
    brickwall_.prepare(oversampling_, kBrickwallTapsPerPhase, numChannels, 0.4565, 0.5);
    alignHalfBand_.prepare(brickwall_.delayFrames() - halfBand_.delayFrames(), numChannels);
    // Hold across the longer kernel's half-span: every output sample that any reconstruction around a peak
    // leans on carries the peak's gain.
    holdHalfSpan_ = brickwall_.delayFrames();
    const int overhead = brickwall_.delayFrames() + holdHalfSpan_;
    const int lookahead = static_cast<int>(std::lround(lookaheadMs_ * 1e-3 * sampleRate));
    attack_ = std::max(kMinimumAttackFrames, lookahead - overhead);
    latency_ = overhead + attack_;
    hold_.prepare(attack_ + 2 * holdHalfSpan_ + 1, 0.0);
    delay_.prepare(latency_, numChannels);
    attackRing_.assign(static_cast<std::size_t>(attack_), 0.0);
    inputGain_.prepare(sampleRate, 0.02);
    inputGain_.setImmediate(dbToGain(inputGainDb_));
    marginDb_ = parabolicPeakWorstCaseDb(oversampling_) + kModulationAllowanceDb;
    updateThreshold();
    updateRelease();
    reset();
}

void TruePeakLimiter::reset() {
    halfBand_.reset();
    brickwall_.reset();
    alignHalfBand_.reset();
    hold_.reset();
    delay_.reset();
    previous_.fill(0.0f);
    beforePrevious_.fill(0.0f);
    releasedLogGain_ = 0.0;
    std::fill(attackRing_.begin(), attackRing_.end(), 0.0);
    attackSum_ = 0.0;
    attackPos_ = 0;
    attackNonZero_ = 0;
    gainReductionDb_ = 0.0;
    inputGain_.setImmediate(inputGain_.target());
}

void TruePeakLimiter::setCeilingDbtp(double ceilingDbtp) {
    ceilingDbtp_ = ceilingDbtp;
    updateThreshold();
}

void TruePeakLimiter::setReleaseMs(double releaseMs) {
    releaseMs_ = std::max(0.0, releaseMs);
    updateRelease();
}

void TruePeakLimiter::setLookaheadMs(double lookaheadMs) {
    lookaheadMs_ = std::max(0.0, lookaheadMs);
}

void TruePeakLimiter::setDetectionOversampling(int factor) {
    oversampling_ = factor >= 8 ? 8 : 4;
}

void TruePeakLimiter::setInputGainDb(double gainDb) {
    inputGainDb_ = gainDb;
    inputGain_.setTarget(dbToGain(gainDb));
}

void TruePeakLimiter::updateThreshold() {
    logThreshold_ = (ceilingDbtp_ - marginDb_) / kNepersToDb;
    threshold_ = std::exp(logThreshold_);
}

void TruePeakLimiter::updateRelease() {
    const double frames = releaseMs_ * 1e-3 * sampleRate_;
    releaseCoefficient_ = frames > 0.0 ? std::exp(-1.0 / frames) : 0.0;
}

double TruePeakLimiter::detect(int detector, int channel, const float* points) {
    const auto k = static_cast<std::size_t>(detector * AudioBlock::kMaxChannels + channel);
    float before = beforePrevious_[k];
    float at = previous_[k];
    double peak = 0.0;
    for (int m = 0; m < oversampling_; ++m) {
        const float after = std::abs(points[m]);
        peak = std::max(peak, parabolicPeak(before, at, after));
        before = at;
        at = after;
    }
    beforePrevious_[k] = before;
    previous_[k] = at;
    return peak;
}

void TruePeakLimiter::process(const AudioBlock& block) {
    const int n = block.numFrames();
    const int channels = std::min(numChannels_, block.numChannels());
    std::array<float, 8> points, brickwallPoints;
    std::array<float, AudioBlock::kMaxChannels> delayed;

    for (int i = 0; i < n; ++i) {
        const double drive = inputGain_.next();

        // Detector: largest refined inter-sample magnitude over all channels around this step's points.
        double peak = 0.0;
        for (int c = 0; c < channels; ++c) {
            const float x = block.channel(c)[i];
            const float driven = drive == 1.0 ? x : static_cast<float>(x * drive);
            delayed[static_cast<std::size_t>(c)] = delay_.push(c, driven);
            halfBand_.process(c, alignHalfBand_.push(c, driven), points.data());
            brickwall_.process(c, driven, brickwallPoints.data());
            // The two reconstructions differ only through content between 0.45 and 0.55 fs, where every
            // reconstruction filter makes its own choice; their difference measures that content, and adding
            // it makes the detector cover filters other than these two (a DAC's, an encoder's resampler).
            for (int m = 0; m < oversampling_; ++m) {
                const float a = points[static_cast<std::size_t>(m)],
                            b = brickwallPoints[static_cast<std::size_t>(m)];
                points[static_cast<std::size_t>(m)] =
                    std::max(std::abs(a), std::abs(b)) + kAmbiguousBandWeight * std::abs(a - b);
            }
            peak = std::max(peak, detect(0, c, points.data()));
        }
        delay_.advance();
        alignHalfBand_.advance();

        // Required log-gain, held across lookahead and kernel span, then released.
        const double required = peak > threshold_ ? logThreshold_ - std::log(peak) : 0.0;
        const double held = hold_.push(required);
        releasedLogGain_ = std::min(held, releasedLogGain_ * releaseCoefficient_);
        if (releasedLogGain_ > -1e-12 && held == 0.0)
            releasedLogGain_ = 0.0; // below 1e-10 dB: snap so an idle limiter is exactly transparent

        // Attack: moving average of the released log-gain over attack_ frames.
        double& slot = attackRing_[static_cast<std::size_t>(attackPos_)];
        attackNonZero_ += (releasedLogGain_ != 0.0) - (slot != 0.0);
        attackSum_ += releasedLogGain_ - slot;
        slot = releasedLogGain_;
        attackPos_ = attackPos_ + 1 == attack_ ? 0 : attackPos_ + 1;
        if (attackPos_ == 0) {
            // Re-sum once per period so rounding in the running sum cannot drift.
            attackSum_ = 0.0;
            for (double v : attackRing_)
                attackSum_ += v;
        }
        const double logGain = attackNonZero_ == 0 ? 0.0 : std::min(0.0, attackSum_ / attack_);

        if (logGain == 0.0) {
            for (int c = 0; c < channels; ++c)
                block.channel(c)[i] = delayed[static_cast<std::size_t>(c)];
        } else {
            const double gain = std::exp(logGain);
            for (int c = 0; c < channels; ++c)
                block.channel(c)[i] = static_cast<float>(delayed[static_cast<std::size_t>(c)] * gain);
        }

        gainReductionDb_ = -logGain * kNepersToDb;
        stats_.frames += 1;
        if (gainReductionDb_ > 0.0) {
            stats_.framesLimited += 1;
            stats_.sumGainReductionDb += gainReductionDb_;
            stats_.maxGainReductionDb = std::max(stats_.maxGainReductionDb, gainReductionDb_);
        }
    }
}

} // namespace lathe::dsp
