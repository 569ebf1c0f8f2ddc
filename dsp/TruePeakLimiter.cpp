#include "TruePeakLimiter.h"

#include "Decibels.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace lathe::dsp {

namespace {

constexpr double kNepersToDb = 20.0 / std::numbers::ln10;
constexpr int kMinimumAttackFrames = 16;
constexpr float kAmbiguousBandWeight = 2.0f;
// Upper bound of parabolicPeak(before, at, after) / at for non-negative points (1.25), with room for
// rounding.
constexpr double kRefinementBound = 1.3;

// max(|a|, |b|) + 2 |a - b| per point, into a: the detector's magnitude (see process()). Same float
// operations in the same order on both paths.
void combineReconstructions(float* a, const float* b, int count) {
    int k = 0;
#if defined(__SSE2__)
    const __m128 signMask = _mm_set1_ps(-0.0f);
    const __m128 weight = _mm_set1_ps(kAmbiguousBandWeight);
    for (; k + 4 <= count; k += 4) {
        const __m128 x = _mm_loadu_ps(a + k), y = _mm_loadu_ps(b + k);
        const __m128 larger = _mm_max_ps(_mm_andnot_ps(signMask, y), _mm_andnot_ps(signMask, x));
        const __m128 difference = _mm_andnot_ps(signMask, _mm_sub_ps(x, y));
        _mm_storeu_ps(a + k, _mm_add_ps(larger, _mm_mul_ps(weight, difference)));
    }
#endif
    for (; k < count; ++k)
        a[k] = std::max(std::abs(a[k]), std::abs(b[k])) + kAmbiguousBandWeight * std::abs(a[k] - b[k]);
}

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
    constexpr auto chunk = static_cast<std::size_t>(PolyphaseInterpolator::kChunkFrames);
    chunkDrive_.assign(chunk, 1.0);
    chunkPeak_.assign(chunk, 0.0);
    chunkDriven_.assign(chunk, 0.0f);
    chunkAligned_.assign(chunk, 0.0f);
    chunkDelayed_.assign(chunk * static_cast<std::size_t>(std::max(numChannels, 1)), 0.0f);
    chunkPoints_.assign(chunk * static_cast<std::size_t>(oversampling_), 0.0f);
    chunkBrickwallPoints_.assign(chunk * static_cast<std::size_t>(oversampling_), 0.0f);
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
    constexpr int kChunk = PolyphaseInterpolator::kChunkFrames;
    const int factor = oversampling_;

    for (int start = 0; start < n; start += kChunk) {
        const int len = std::min(kChunk, n - start);
        for (int i = 0; i < len; ++i) {
            chunkDrive_[static_cast<std::size_t>(i)] = inputGain_.next();
            chunkPeak_[static_cast<std::size_t>(i)] = 0.0;
        }

        // Detector, a chunk per channel: largest refined inter-sample magnitude over all channels per frame.
        for (int c = 0; c < channels; ++c) {
            const float* x = block.channel(c) + start;
            float* driven = chunkDriven_.data();
            for (int i = 0; i < len; ++i) {
                const double drive = chunkDrive_[static_cast<std::size_t>(i)];
                driven[i] = drive == 1.0 ? x[i] : static_cast<float>(x[i] * drive);
            }
            delay_.processBlock(c, driven, chunkDelayed_.data() + static_cast<std::ptrdiff_t>(c) * kChunk,
                                len);
            alignHalfBand_.processBlock(c, driven, chunkAligned_.data(), len);
            halfBand_.processBlock(c, chunkAligned_.data(), len, chunkPoints_.data());
            brickwall_.processBlock(c, driven, len, chunkBrickwallPoints_.data());
            // The two reconstructions differ only through content between 0.45 and 0.55 fs, where every
            // reconstruction filter makes its own choice; their difference measures that content, and adding
            // it makes the detector cover filters other than these two (a DAC's, an encoder's resampler).
            float* points = chunkPoints_.data();
            combineReconstructions(points, chunkBrickwallPoints_.data(), len * factor);
            // parabolicPeak never exceeds 1.25 times its centre point (its correction is at most
            // -curvature / 8 <= at / 4), so a frame whose points, and the centre carried over from the
            // previous frame, stay at or below threshold / kRefinementBound cannot require gain reduction:
            // its refinement is skipped and only the two carried-over points are kept. `required` is 0 for
            // such a frame either way, so the output is unchanged.
            const auto k = static_cast<std::size_t>(c);
            for (int i = 0; i < len; ++i) {
                const float* framePoints = points + static_cast<std::ptrdiff_t>(i) * factor;
                float largest = previous_[k];
                for (int m = 0; m < factor; ++m)
                    largest = std::max(largest, framePoints[m]);
                double& peak = chunkPeak_[static_cast<std::size_t>(i)];
                if (static_cast<double>(largest) * kRefinementBound <= threshold_) {
                    beforePrevious_[k] = framePoints[factor - 2];
                    previous_[k] = framePoints[factor - 1];
                    peak = std::max(peak, static_cast<double>(largest));
                } else {
                    peak = std::max(peak, detect(0, c, framePoints));
                }
            }
        }
        delay_.advance(len);
        alignHalfBand_.advance(len);

        for (int i = 0; i < len; ++i) {
            const double peak = chunkPeak_[static_cast<std::size_t>(i)];
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

            const float* delayed = chunkDelayed_.data() + i;
            if (logGain == 0.0) {
                for (int c = 0; c < channels; ++c)
                    block.channel(c)[start + i] = delayed[static_cast<std::ptrdiff_t>(c) * kChunk];
            } else {
                const double gain = std::exp(logGain);
                for (int c = 0; c < channels; ++c)
                    block.channel(c)[start + i] =
                        static_cast<float>(delayed[static_cast<std::ptrdiff_t>(c) * kChunk] * gain);
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
}

} // namespace lathe::dsp
