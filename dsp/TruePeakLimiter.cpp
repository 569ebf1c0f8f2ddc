#include "TruePeakLimiter.h"

#include "Decibels.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
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

void TruePeakLimiter::prepare(double sampleRate, int maxBlockFrames, int numChannels) {
    prepare(sampleRate, maxBlockFrames, numChannels, Config{});
}

void TruePeakLimiter::prepare(double sampleRate, int /*maxBlockFrames*/, int numChannels,
                              const Config& config) {
    sampleRate_ = sampleRate;
    numChannels_ = numChannels;
    config_ = config;
    config_.lookaheadMs = std::max(0.0, config.lookaheadMs);
    config_.detectionOversampling = config.detectionOversampling >= 8 ? 8 : 4;
    oversampling_ = config_.detectionOversampling;
    halfBand_.prepare(oversampling_, kHalfBandTapsPerPhase, numChannels);
    brickwall_.prepare(oversampling_, kBrickwallTapsPerPhase, numChannels, 0.4565, 0.5);
    alignHalfBand_.prepare(brickwall_.delayFrames() - halfBand_.delayFrames(), numChannels);
    // Hold across the longer kernel's half-span: every output sample that any reconstruction around a peak
    // leans on carries the peak's gain.
    holdHalfSpan_ = brickwall_.delayFrames();
    const int overhead = brickwall_.delayFrames() + holdHalfSpan_;
    const int lookahead = static_cast<int>(std::lround(config_.lookaheadMs * 1e-3 * sampleRate));
    attack_ = std::max(kMinimumAttackFrames, lookahead - overhead);
    shortAttack_ = config_.shortAttackMs > 0.0
                       ? std::clamp(static_cast<int>(std::lround(config_.shortAttackMs * 1e-3 * sampleRate)),
                                    kMinimumAttackFrames, attack_)
                       : attack_;
    // A short attack clamped to the whole attack would run a second pipeline identical to the first (no
    // delay, same hold, release and ramp): its blend is the long pipeline's gain exactly, so it is not run.
    blended_ = config_.shortAttackMs > 0.0 && shortAttack_ < attack_;
    onsetSmoothing_ = 1.0 - onePoleCoefficient(sampleRate, 1.0);
    // The short pipeline sees each requirement this much later, so its hold ends where the long one's does.
    shortDelay_ = attack_ - shortAttack_;
    requirementDelay_.assign(static_cast<std::size_t>(shortDelay_ * std::max(numChannels, 1)), 0.0);
    constexpr int kChunk = PolyphaseInterpolator::kChunkFrames;
    const int clipLatency = [&] {
        if (config_.softClipOversampling <= 0) return 0;
        const int f = config_.softClipOversampling;
        clipper_.prepare(sampleRate, kChunk, numChannels, f >= 8 ? 8 : f >= 4 ? 4 : f >= 2 ? 2 : 1);
        return clipper_.latencyFrames();
    }();
    latency_ = clipLatency + overhead + attack_;
    for (int c = 0; c < AudioBlock::kMaxChannels; ++c) {
        const auto k = static_cast<std::size_t>(c);
        const bool used = c < std::max(numChannels, 1);
        hold_[k].prepare(used ? attack_ + 2 * holdHalfSpan_ + 1 : 1, 0.0);
        attackRamp_[k].prepare(used ? attack_ : 1, config_.attackShape);
        const bool blended = used && blended_;
        shortHold_[k].prepare(blended ? shortAttack_ + 2 * holdHalfSpan_ + 1 : 1, 0.0);
        shortRamp_[k].prepare(blended ? shortAttack_ : 1, config_.attackShape);
    }
    if (config_.lowFrequencyCrossoverHz > 0.0)
        // The held requirement at a frame depends on the input samples of the hold window and on those a
        // kernel half-span either side of it (the reconstruction's reach): the verdict judges the same span.
        lowFrequency_.prepare(sampleRate, numChannels, config_.lowFrequencyCrossoverHz, 0,
                              attack_ + 4 * holdHalfSpan_ + 1);
    delay_.prepare(overhead + attack_, numChannels);
    inputGain_.prepare(sampleRate, 0.02);
    inputGain_.setImmediate(dbToGain(inputGainDb_));
    marginDb_ = parabolicPeakWorstCaseDb(oversampling_) + kModulationAllowanceDb;
    const auto chunk = static_cast<std::size_t>(kChunk);
    const auto channels = static_cast<std::size_t>(std::max(numChannels, 1));
    chunkDrive_.assign(chunk, 1.0);
    chunkPeak_.assign(chunk * channels, 0.0);
    chunkDriven_.assign(chunk * channels, 0.0f);
    chunkAligned_.assign(chunk, 0.0f);
    chunkDelayed_.assign(chunk * channels, 0.0f);
    chunkPoints_.assign(chunk * static_cast<std::size_t>(oversampling_), 0.0f);
    chunkBrickwallPoints_.assign(chunk * static_cast<std::size_t>(oversampling_), 0.0f);
    chunkLowDriven_.assign(chunk, 0);
    updateThreshold();
    updateRelease();
    reset();
}

void TruePeakLimiter::reset() {
    halfBand_.reset();
    brickwall_.reset();
    alignHalfBand_.reset();
    delay_.reset();
    if (config_.softClipOversampling > 0) clipper_.reset();
    if (config_.lowFrequencyCrossoverHz > 0.0) lowFrequency_.reset();
    for (int c = 0; c < AudioBlock::kMaxChannels; ++c) {
        const auto k = static_cast<std::size_t>(c);
        hold_[k].reset();
        release_[k].reset();
        attackRamp_[k].reset();
        shortHold_[k].reset();
        shortRelease_[k].reset();
        shortRamp_[k].reset();
    }
    onsetWeight_.fill(0.0);
    std::fill(requirementDelay_.begin(), requirementDelay_.end(), 0.0);
    requirementDelayPos_.fill(0);
    requirementDelayNonZero_.fill(0);
    previous_.fill(0.0f);
    beforePrevious_.fill(0.0f);
    gainReductionDb_.store(0.0);
    inputGain_.setImmediate(inputGain_.target());
}

void TruePeakLimiter::setCeilingDbtp(double ceilingDbtp) {
    ceilingDbtp_ = ceilingDbtp;
    updateThreshold();
}

void TruePeakLimiter::setReleaseMs(double releaseMs) {
    releaseMs_ = std::max(0.0, releaseMs);
    adaptive_ = false;
    updateRelease();
}

void TruePeakLimiter::setAdaptiveRelease(double fastMs, double slowMs, double sustainMs) {
    releaseMs_ = std::max(0.0, slowMs);
    fastReleaseMs_ = std::max(0.0, fastMs);
    sustainMs_ = std::max(0.0, sustainMs);
    adaptive_ = true;
    updateRelease();
}

void TruePeakLimiter::setStereoLink(double link) {
    stereoLink_ = std::clamp(link, 0.0, 1.0);
}

void TruePeakLimiter::setSoftClipDb(double clipDb) {
    softClipDb_ = std::max(0.0, clipDb);
    updateThreshold();
}

void TruePeakLimiter::setOnsetDepthsDb(double shallowDb, double deepDb) {
    shallowDepth_ = std::max(0.0, shallowDb) / kNepersToDb;
    deepDepth_ = std::max(shallowDepth_ + 1e-6, deepDb / kNepersToDb);
}

void TruePeakLimiter::setShallowReleaseScale(double scale) {
    shallowReleaseScale_ = std::clamp(scale, 0.0, 1.0);
    updateRelease();
}

void TruePeakLimiter::setInputGainDb(double gainDb) {
    inputGainDb_ = gainDb;
    inputGain_.setTarget(dbToGain(gainDb));
}

void TruePeakLimiter::updateThreshold() {
    logThreshold_ = (ceilingDbtp_ - marginDb_) / kNepersToDb;
    threshold_ = std::exp(logThreshold_);
    clipper_.setCurve(threshold_, softClipDb_);
    lowFrequency_.setThreshold(threshold_);
}

void TruePeakLimiter::updateRelease() {
    for (int stage = 0; stage < 2; ++stage) {
        // The short pipeline shapes the shallow overloads: with an adaptive release it recovers faster.
        const double fastMs = stage == 0 ? fastReleaseMs_ : fastReleaseMs_ * shallowReleaseScale_;
        for (auto& r : stage == 0 ? release_ : shortRelease_) {
            if (adaptive_)
                r.setTwoStage(sampleRate_, fastMs, releaseMs_, sustainMs_);
            else
                r.setSingle(sampleRate_, releaseMs_);
        }
    }
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

double TruePeakLimiter::logGain(std::size_t k, double required, bool lowDriven) {
    const bool onsetOnly = config_.rampOnsetOnly;
    const double held = hold_[k].push(required);
    const double released = release_[k].process(held, lowDriven);
    const double ramped = attackRamp_[k].push(released);
    const double full = onsetOnly ? std::max(released, ramped) : ramped;
    if (!blended_) return full;

    double delayed = required;
    if (shortDelay_ > 0) {
        int& pos = requirementDelayPos_[k];
        double& slot =
            requirementDelay_[k * static_cast<std::size_t>(shortDelay_) + static_cast<std::size_t>(pos)];
        delayed = slot;
        requirementDelayNonZero_[k] += (required != 0.0 ? 1 : 0) - (slot != 0.0 ? 1 : 0);
        slot = required;
        pos = pos + 1 == shortDelay_ ? 0 : pos + 1;
    }
    const double shortReleased = shortRelease_[k].process(shortHold_[k].push(delayed), lowDriven);
    const double shortRamped = shortRamp_[k].push(shortReleased);
    const double brief = onsetOnly ? std::max(shortReleased, shortRamped) : shortRamped;
    const double target = std::clamp((-released - shallowDepth_) / (deepDepth_ - shallowDepth_), 0.0, 1.0);
    double& weight = onsetWeight_[k];
    weight += (target - weight) * onsetSmoothing_;
    return brief + weight * (full - brief);
}

bool TruePeakLimiter::pipelineAtRest(std::size_t k) const {
    if (!hold_[k].settledAt(0.0) || !release_[k].atRest() || !attackRamp_[k].atRest()) return false;
    return !blended_ || (requirementDelayNonZero_[k] == 0 && shortHold_[k].settledAt(0.0) &&
                         shortRelease_[k].atRest() && shortRamp_[k].atRest());
}

void TruePeakLimiter::restFor(std::size_t k, int frames) {
    if (frames <= 0) return;
    hold_[k].pushSettled(0.0, frames);
    release_[k].stayAtRest();
    attackRamp_[k].pushZeros(frames);
    if (!blended_) return;
    if (shortDelay_ > 0) {
        // The ring's slots were all zero and the pushes write 0.0 into those they pass.
        int& pos = requirementDelayPos_[k];
        double* ring = requirementDelay_.data() + k * static_cast<std::size_t>(shortDelay_);
        for (int i = 0, n = std::min(frames, shortDelay_); i < n; ++i)
            ring[(pos + i) % shortDelay_] = 0.0;
        pos = static_cast<int>((static_cast<long long>(pos) + frames) % shortDelay_);
    }
    shortHold_[k].pushSettled(0.0, frames);
    shortRelease_[k].stayAtRest();
    shortRamp_[k].pushZeros(frames);
    // The onset weight moves towards the target of no reduction, frame by frame as logGain moves it, until
    // a step leaves it where it was: from there every step does.
    const double released = 0.0;
    const double target = std::clamp((-released - shallowDepth_) / (deepDepth_ - shallowDepth_), 0.0, 1.0);
    double& weight = onsetWeight_[k];
    for (int i = 0; i < frames; ++i) {
        const double next = weight + (target - weight) * onsetSmoothing_;
        if (std::bit_cast<std::uint64_t>(next) == std::bit_cast<std::uint64_t>(weight)) break;
        weight = next;
    }
}

void TruePeakLimiter::process(const AudioBlock& block) {
    const int n = block.numFrames();
    const int channels = std::min(numChannels_, block.numChannels());
    constexpr int kChunk = PolyphaseInterpolator::kChunkFrames;
    const int factor = oversampling_;
    const bool clip = config_.softClipOversampling > 0;
    const bool lowFrequencyAware = config_.lowFrequencyCrossoverHz > 0.0;
    // Full link (or one channel): one requirement for every channel, computed from the largest peak.
    const bool linked = stereoLink_ >= 1.0 || channels <= 1;
    double lastReductionDb = gainReductionDb_.load();

    for (int start = 0; start < n; start += kChunk) {
        const int len = std::min(kChunk, n - start);
        for (int i = 0; i < len; ++i)
            chunkDrive_[static_cast<std::size_t>(i)] = inputGain_.next();

        for (int c = 0; c < channels; ++c) {
            const float* x = block.channel(c) + start;
            float* driven = chunkDriven_.data() + static_cast<std::ptrdiff_t>(c) * kChunk;
            for (int i = 0; i < len; ++i) {
                const double drive = chunkDrive_[static_cast<std::size_t>(i)];
                driven[i] = drive == 1.0 ? x[i] : static_cast<float>(x[i] * drive);
            }
        }
        if (clip) {
            float* driven[AudioBlock::kMaxChannels];
            for (int c = 0; c < channels; ++c)
                driven[c] = chunkDriven_.data() + static_cast<std::ptrdiff_t>(c) * kChunk;
            clipper_.process(AudioBlock(driven, channels, len));
        }
        if (lowFrequencyAware) {
            float frame[AudioBlock::kMaxChannels];
            for (int i = 0; i < len; ++i) {
                for (int c = 0; c < channels; ++c)
                    frame[c] = chunkDriven_[static_cast<std::size_t>(c * kChunk + i)];
                chunkLowDriven_[static_cast<std::size_t>(i)] = lowFrequency_.process(frame, channels);
            }
        }

        // Detector, a chunk per channel: largest refined inter-sample magnitude per channel and frame.
        for (int c = 0; c < channels; ++c) {
            float* driven = chunkDriven_.data() + static_cast<std::ptrdiff_t>(c) * kChunk;
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
            double* peaks = chunkPeak_.data() + static_cast<std::ptrdiff_t>(c) * kChunk;
            for (int i = 0; i < len; ++i) {
                const float* framePoints = points + static_cast<std::ptrdiff_t>(i) * factor;
                float largest = previous_[k];
                for (int m = 0; m < factor; ++m)
                    largest = std::max(largest, framePoints[m]);
                if (static_cast<double>(largest) * kRefinementBound <= threshold_) {
                    beforePrevious_[k] = framePoints[factor - 2];
                    previous_[k] = framePoints[factor - 1];
                    peaks[i] = static_cast<double>(largest);
                } else {
                    peaks[i] = detect(0, c, framePoints);
                }
            }
        }
        delay_.advance(len);
        alignHalfBand_.advance(len);

        // The linked peak of frame i, as the loop below takes it.
        const auto linkedPeak = [&](int i) {
            double peak = 0.0;
            for (int c = 0; c < channels; ++c)
                peak = std::max(peak, chunkPeak_[static_cast<std::size_t>(c * kChunk + i)]);
            return peak;
        };
        for (int i = 0; i < len; ++i) {
            if (linked && restSkipping_ && !(linkedPeak(i) > threshold_) && pipelineAtRest(0)) {
                // A run of frames requiring nothing from rest: each would get a log gain of exactly 0
                // (reduction -0 dB), its delayed input unchanged.
                int end = i + 1;
                while (end < len && !(linkedPeak(end) > threshold_))
                    ++end;
                restFor(0, end - i);
                for (int c = 0; c < channels; ++c)
                    std::copy_n(chunkDelayed_.data() + static_cast<std::ptrdiff_t>(c) * kChunk + i, end - i,
                                block.channel(c) + start + i);
                stats_.frames += end - i;
                lastReductionDb = -0.0 * kNepersToDb;
                i = end - 1;
                continue;
            }
            const bool lowDriven = lowFrequencyAware && chunkLowDriven_[static_cast<std::size_t>(i)] != 0;
            const double peak = linkedPeak(i);
            // Required log-gain (of the largest peak: the linked requirement), held across lookahead and
            // kernel span, released, ramped in.
            const double required = peak > threshold_ ? logThreshold_ - std::log(peak) : 0.0;
            const float* delayed = chunkDelayed_.data() + i;
            double reductionDb = 0.0;
            if (linked) {
                const double logGain = this->logGain(0, required, lowDriven);
                if (logGain == 0.0) {
                    for (int c = 0; c < channels; ++c)
                        block.channel(c)[start + i] = delayed[static_cast<std::ptrdiff_t>(c) * kChunk];
                } else {
                    const double gain = std::exp(logGain);
                    for (int c = 0; c < channels; ++c)
                        block.channel(c)[start + i] =
                            static_cast<float>(delayed[static_cast<std::ptrdiff_t>(c) * kChunk] * gain);
                }
                reductionDb = -logGain * kNepersToDb;
            } else {
                double largestReduction = 0.0;
                for (int c = 0; c < channels; ++c) {
                    const auto k = static_cast<std::size_t>(c);
                    const double own = chunkPeak_[static_cast<std::size_t>(c * kChunk + i)];
                    const double ownRequired = own > threshold_ ? logThreshold_ - std::log(own) : 0.0;
                    // Never less than its own requirement: min(required, own) <= own for any link.
                    const double mixed = stereoLink_ * required + (1.0 - stereoLink_) * ownRequired;
                    const double logGain = this->logGain(k, std::min(mixed, ownRequired), lowDriven);
                    const float x = delayed[static_cast<std::ptrdiff_t>(c) * kChunk];
                    block.channel(c)[start + i] =
                        logGain == 0.0 ? x : static_cast<float>(x * std::exp(logGain));
                    largestReduction = std::min(largestReduction, logGain);
                }
                reductionDb = -largestReduction * kNepersToDb;
            }

            lastReductionDb = reductionDb;
            stats_.frames += 1;
            if (reductionDb > 0.0) {
                stats_.framesLimited += 1;
                stats_.sumGainReductionDb += reductionDb;
                stats_.maxGainReductionDb = std::max(stats_.maxGainReductionDb, reductionDb);
            }
        }
    }
    gainReductionDb_.store(lastReductionDb);
}

} // namespace lathe::dsp
