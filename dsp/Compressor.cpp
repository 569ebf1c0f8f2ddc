#include "Compressor.h"

#include "BiquadCoefficients.h"
#include "Decibels.h"
#include "FastMath.h"
#include "GainComputer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace lathe::dsp {
namespace {

constexpr double kButterworthQ = std::numbers::sqrt2 / 2.0;
// dB -> natural log of a gain, so the per-sample gain is one exp() instead of pow(10, x / 20).
constexpr double kDbToLogGain = std::numbers::ln10 / 20.0;
// Below these the one-pole states only decay through denormals, which are slow on x86 and inaudible.
constexpr double kReductionFloorDb = 1e-9;
constexpr double kMeanSquareFloor = 1e-30;

// exp(-1 / (tau fs)): a one-pole with this coefficient covers 1 - 1/e = 63.2 % of a step in tau.
double onePoleCoefficient(double timeMs, double sampleRate) {
    return timeMs > 0.0 ? std::exp(-1000.0 / (timeMs * sampleRate)) : 0.0;
}

} // namespace

void Compressor::prepare(double sampleRate, int maxBlockFrames, int numChannels) {
    sampleRate_ = sampleRate;
    sidechainHighPass_.prepare(sampleRate, maxBlockFrames, numChannels);
    updateCoefficients();
    reset();
}

void Compressor::reset() {
    sidechainHighPass_.reset();
    meanSquare_.fill(0.0);
    reductionDb_.fill(0.0);
    currentReductionDb_.store(0.0);
    maxReductionDb_.store(0.0);
}

void Compressor::setParameters(const CompressorParameters& parameters) {
    const bool highPassWasOn = highPassOn_;
    params_ = parameters;
    updateCoefficients();
    // The filter did not run while off; its state belongs to an older signal.
    if (highPassOn_ && !highPassWasOn) sidechainHighPass_.reset();
}

void Compressor::updateCoefficients() {
    attackCoeff_ = onePoleCoefficient(params_.attackMs, sampleRate_);
    releaseCoeff_ = onePoleCoefficient(params_.releaseMs, sampleRate_);
    rmsCoeff_ = onePoleCoefficient(params_.rmsWindowMs, sampleRate_);
    makeupGain_ = std::exp(params_.makeupDb * kDbToLogGain);
    const double kneeStartDb = params_.thresholdDb - std::max(params_.kneeDb, 0.0) / 2.0;
    kneeStartDetector_ = params_.detection == DetectionMode::Rms ? std::pow(10.0, kneeStartDb / 10.0)
                                                                 : std::pow(10.0, kneeStartDb / 20.0);
    highPassOn_ = params_.sidechainHighPassHz > 0.0;
    if (highPassOn_)
        sidechainHighPass_.setCoefficients(
            makeHighPass(sampleRate_, params_.sidechainHighPassHz, kButterworthQ));
}

void Compressor::process(const AudioBlock& block) {
    process(block, block);
}

template <bool kAttackFaster>
void Compressor::smoothReduction(double* targetsToReductions, int n, double& reduction,
                                 double& maxReduction) const {
#if defined(__SSE2__)
    // In registers throughout: scalar doubles through _mm_set_sd would clear the upper lane (one more
    // instruction on the chain) at every step.
    const __m128d attack = _mm_set_sd(attackCoeff_), release = _mm_set_sd(releaseCoeff_);
    const __m128d floor = _mm_set_sd(kReductionFloorDb);
    __m128d r = _mm_set_sd(reduction);
    __m128d largest = _mm_set_sd(maxReduction);
    for (int i = 0; i < n; ++i) {
        const __m128d target = _mm_load_sd(targetsToReductions + i);
        const __m128d toGo = _mm_sub_sd(r, target);
        const __m128d attacking = _mm_add_sd(target, _mm_mul_sd(attack, toGo));
        const __m128d releasing = _mm_add_sd(target, _mm_mul_sd(release, toGo));
        const __m128d next =
            kAttackFaster ? _mm_max_sd(attacking, releasing) : _mm_min_sd(attacking, releasing);
        // Below the floor the reduction is exactly 0 (so a released compressor is exactly its makeup gain).
        r = _mm_and_pd(_mm_cmple_sd(floor, next), next);
        largest = _mm_max_sd(largest, r);
        _mm_store_sd(targetsToReductions + i, r);
    }
    reduction = _mm_cvtsd_f64(r);
    maxReduction = _mm_cvtsd_f64(largest);
#else
    const double attack = attackCoeff_, release = releaseCoeff_;
    double largest = maxReduction;
    for (int i = 0; i < n; ++i) {
        const double target = targetsToReductions[i];
        const double attacking = target + attack * (reduction - target);
        const double releasing = target + release * (reduction - target);
        const double next = kAttackFaster ? std::max(attacking, releasing) : std::min(attacking, releasing);
        reduction = next >= kReductionFloorDb ? next : 0.0;
        largest = std::max(largest, reduction);
        targetsToReductions[i] = reduction;
    }
    maxReduction = largest;
#endif
}

void Compressor::process(const AudioBlock& block, const AudioBlock& sidechain) {
    const int frames = block.numFrames();
    const int channels = block.numChannels();
    assert(sidechain.numFrames() >= frames && sidechain.numChannels() >= 1);
    if (channels == 0 || sidechain.numChannels() == 0) return;

    const bool rms = params_.detection == DetectionMode::Rms;
    // Detector value -> level in dB: amplitude is 20 log10, mean square (a power) 10 log10; through log2.
    const double levelScale = (rms ? 10.0 : 20.0) * 0.30102999566398120; // log10(2)
    const double link = std::clamp(params_.stereoLink, 0.0, 1.0);
    const double thresholdDb = params_.thresholdDb;
    const double ratio = params_.ratio;
    const double kneeDb = params_.kneeDb;
    const double makeupDb = params_.makeupDb;
    const int lastKeyChannel = sidechain.numChannels() - 1;

    double blockMaxReduction = 0.0;

    // Reduction (dB) -> gain. At zero reduction the gain is exactly makeupGain_ (1.0 at 0 dB makeup): a 1:1
    // compressor is bit-transparent.
    const auto gainFor = [&](double reduction) {
        return reduction == 0.0 ? makeupGain_ : fastDbToGain(makeupDb - reduction);
    };

    // Fully linked stereo peak detection (the chains' default) shares one level, one static-curve value and,
    // from a common state, one reduction per frame. It runs in batches of kBatch frames split into passes:
    // levels, static curve (log and curve with no branches), the one-pole smoothing (the only recursion),
    // then gains (exp). Only the smoothing is sequential, so the logs and exps of many frames overlap and
    // no data-dependent branch stalls the pipeline; quiet batches skip the logs and exps altogether.
    if (channels == 2 && !rms && link == 1.0 && reductionDb_[0] == reductionDb_[1]) {
        constexpr int kBatch = 64;
        const float* keyL = sidechain.channel(0);
        const float* keyR = sidechain.channel(std::min(1, lastKeyChannel));
        float* outL = block.channel(0);
        float* outR = block.channel(1);
        const double slope = 1.0 / std::max(ratio, 1.0) - 1.0;
        const double knee = std::max(kneeDb, 0.0);
        const double halfKnee = knee / 2.0;
        const double inverseTwoKnee = knee > 0.0 ? 1.0 / (2.0 * knee) : 0.0;
        double reduction = reductionDb_[0];
        std::array<double, kBatch> work;
        for (int start = 0; start < frames; start += kBatch) {
            const int n = std::min(kBatch, frames - start);
            double batchLoudest = 0.0;
            int first = 0; // the first frame the scalar loop below takes
#if defined(__SSE2__)
            // |x| and the larger channel are exact in float, so four frames at a time give the same levels
            // as the scalar loop, and the batch's loudest without a chain of dependent maxima.
            if (!highPassOn_) {
                const __m128 magnitude = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
                __m128 loudest = _mm_setzero_ps();
                for (; first + 4 <= n; first += 4) {
                    const __m128 level =
                        _mm_max_ps(_mm_and_ps(_mm_loadu_ps(keyL + start + first), magnitude),
                                   _mm_and_ps(_mm_loadu_ps(keyR + start + first), magnitude));
                    loudest = _mm_max_ps(loudest, level);
                    _mm_storeu_pd(work.data() + first, _mm_cvtps_pd(level));
                    _mm_storeu_pd(work.data() + first + 2, _mm_cvtps_pd(_mm_movehl_ps(level, level)));
                }
                loudest = _mm_max_ps(loudest, _mm_movehl_ps(loudest, loudest));
                loudest = _mm_max_ss(loudest, _mm_shuffle_ps(loudest, loudest, 1));
                batchLoudest = _mm_cvtss_f32(loudest);
            }
#endif
            for (int i = first; i < n; ++i) {
                double l = keyL[start + i], r = keyR[start + i];
                if (highPassOn_) {
                    l = sidechainHighPass_.processSample(0, l);
                    r = sidechainHighPass_.processSample(1, r);
                }
                const double level = maxNoBranch(std::abs(l), std::abs(r));
                work[static_cast<std::size_t>(i)] = level;
                batchLoudest = maxNoBranch(batchLoudest, level);
            }
            // Quiet passages (most of a stem's runtime below threshold) skip the curve; fully released ones
            // skip the gains as well.
            const bool belowKnee = batchLoudest <= kneeStartDetector_;
            if (belowKnee && reduction == 0.0) {
                // The float makeup gain, as the gain lanes below use at zero reduction: which batches count
                // as quiet depends on block boundaries, the output must not.
                const auto makeup = static_cast<float>(makeupGain_);
                if (makeupGain_ != 1.0)
                    for (int i = 0; i < n; ++i) {
                        outL[start + i] *= makeup;
                        outR[start + i] *= makeup;
                    }
                continue;
            }
            // Static curve (GainComputer.h), branch-free: with q = clamp(x - T + W/2, 0, W) it is
            // slope (q^2 / 2W + max(x - T - W/2, 0)), which is 0 below the knee, the knee's quadratic inside
            // it and slope (x - T) above. Below the knee's start it is exactly 0 whatever the level, so
            // silence needs no special case (the floor only keeps the log finite).
            if (belowKnee) {
                std::fill_n(work.begin(), n, 0.0);
            } else {
                int i = 0;
#if defined(__SSE2__)
                const __m128d zero = _mm_setzero_pd();
                for (; i + 2 <= n; i += 2) {
                    const __m128d level = _mm_max_pd(_mm_loadu_pd(work.data() + i), _mm_set1_pd(1e-30));
                    const __m128d overshoot = _mm_sub_pd(_mm_mul_pd(_mm_set1_pd(levelScale), fastLog2(level)),
                                                         _mm_set1_pd(thresholdDb));
                    const __m128d intoKnee = _mm_min_pd(
                        _mm_max_pd(_mm_add_pd(overshoot, _mm_set1_pd(halfKnee)), zero), _mm_set1_pd(knee));
                    const __m128d curve =
                        _mm_add_pd(_mm_mul_pd(_mm_mul_pd(intoKnee, intoKnee), _mm_set1_pd(inverseTwoKnee)),
                                   _mm_max_pd(_mm_sub_pd(overshoot, _mm_set1_pd(halfKnee)), zero));
                    _mm_storeu_pd(work.data() + i, _mm_mul_pd(_mm_set1_pd(-slope), curve));
                }
#endif
                for (; i < n; ++i) {
                    const double level = maxNoBranch(work[static_cast<std::size_t>(i)], 1e-30);
                    const double overshoot = levelScale * fastLog2(level) - thresholdDb;
                    const double intoKnee = minNoBranch(maxNoBranch(overshoot + halfKnee, 0.0), knee);
                    work[static_cast<std::size_t>(i)] = -slope * (intoKnee * intoKnee * inverseTwoKnee +
                                                                  maxNoBranch(overshoot - halfKnee, 0.0));
                }
            }
            // The smoothing, t + c (r - t) with c the attack coefficient while the target is above the
            // reduction, else the release one. Both candidates are formed and the larger kept when attack is
            // the faster (c_a <= c_r), the smaller otherwise: with d = r - t, |c_a d| <= |c_r d| and rounding
            // is monotonic, so that is the candidate the comparison picked, to the bit, and the choice waits
            // on no comparison of its own. With the state kept in a register (no lane clearing on the
            // chain) a frame's recursion is about 21 cycles instead of 25.
            if (attackCoeff_ <= releaseCoeff_)
                smoothReduction<true>(work.data(), n, reduction, blockMaxReduction);
            else
                smoothReduction<false>(work.data(), n, reduction, blockMaxReduction);
#if defined(__SSE2__)
            // Four gains at a time in float (fastExp2's float form, 4e-6 dB): the gains scale float samples.
            // Zero reduction still gives exactly the makeup gain, so an idle 0 dB-makeup stage multiplies
            // by 1. A batch's last frames go through the same lanes (padded), so no frame's gain depends on
            // where a block boundary falls.
            const __m128 makeupGain = _mm_set1_ps(static_cast<float>(makeupGain_));
            const auto gains = [&](const double* r) {
                const __m128d scale = _mm_set1_pd(0.16609640474436813); // log2(10) / 20
                const __m128d r01 = _mm_loadu_pd(r);
                const __m128d r23 = _mm_loadu_pd(r + 2);
                const __m128 exponent =
                    _mm_movelh_ps(_mm_cvtpd_ps(_mm_mul_pd(_mm_sub_pd(_mm_set1_pd(makeupDb), r01), scale)),
                                  _mm_cvtpd_ps(_mm_mul_pd(_mm_sub_pd(_mm_set1_pd(makeupDb), r23), scale)));
                // Every reduction above zero is at least kReductionFloorDb, which stays non-zero as a float.
                const __m128 atZero =
                    _mm_cmpeq_ps(_mm_movelh_ps(_mm_cvtpd_ps(r01), _mm_cvtpd_ps(r23)), _mm_setzero_ps());
                return _mm_or_ps(_mm_and_ps(atZero, makeupGain), _mm_andnot_ps(atZero, fastExp2(exponent)));
            };
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                const __m128 gain = gains(work.data() + i);
                float* left = outL + start + i;
                float* right = outR + start + i;
                _mm_storeu_ps(left, _mm_mul_ps(_mm_loadu_ps(left), gain));
                _mm_storeu_ps(right, _mm_mul_ps(_mm_loadu_ps(right), gain));
            }
            if (i < n) {
                alignas(16) double padded[4] = {};
                alignas(16) float tail[4];
                std::copy(work.data() + i, work.data() + n, padded);
                _mm_store_ps(tail, gains(padded));
                for (int k = 0; i + k < n; ++k) {
                    outL[start + i + k] *= tail[k];
                    outR[start + i + k] *= tail[k];
                }
            }
#else
            for (int i = 0; i < n; ++i) {
                const double r = work[static_cast<std::size_t>(i)];
                const double gain = selectEqual(r, 0.0, makeupGain_, fastDbToGain(makeupDb - r));
                outL[start + i] = static_cast<float>(outL[start + i] * gain);
                outR[start + i] = static_cast<float>(outR[start + i] * gain);
            }
#endif
        }
        reductionDb_[0] = reductionDb_[1] = reduction;
    } else {
        std::array<double, AudioBlock::kMaxChannels> detector{};
        for (int i = 0; i < frames; ++i) {
            // All channels' detector inputs are read before any output is written, so sidechain may alias
            // block.
            double loudest = 0.0;
            for (int c = 0; c < channels; ++c) {
                double s = sidechain.channel(std::min(c, lastKeyChannel))[i];
                if (highPassOn_) s = sidechainHighPass_.processSample(c, s);
                double value;
                if (rms) {
                    const double square = s * s;
                    double& ms = meanSquare_[static_cast<std::size_t>(c)];
                    ms = square + rmsCoeff_ * (ms - square);
                    if (ms < kMeanSquareFloor) ms = 0.0;
                    value = ms;
                } else {
                    value = std::abs(s);
                }
                detector[static_cast<std::size_t>(c)] = value;
                loudest = std::max(loudest, value);
            }

            // Linked channels share a level and, from a common state, a reduction; reusing the previous
            // channel's log and exp then halves the per-frame cost of a stereo link without changing a single
            // output bit.
            double previousLevel = -1.0, previousTarget = 0.0;
            double previousReduction = -1.0, previousGain = 1.0;
            for (int c = 0; c < channels; ++c) {
                const double own = detector[static_cast<std::size_t>(c)];
                const double level = own + link * (loudest - own);
                double target = 0.0;
                if (level == previousLevel) {
                    target = previousTarget;
                } else if (level > kneeStartDetector_) {
                    target = -compressorGainDb(levelScale * fastLog2(level), thresholdDb, ratio, kneeDb);
                }
                previousLevel = level;
                previousTarget = target;

                double& reduction = reductionDb_[static_cast<std::size_t>(c)];
                const double coeff = target > reduction ? attackCoeff_ : releaseCoeff_;
                reduction = target + coeff * (reduction - target);
                if (reduction < kReductionFloorDb) reduction = 0.0;
                blockMaxReduction = std::max(blockMaxReduction, reduction);

                const double gain = reduction == previousReduction ? previousGain : gainFor(reduction);
                previousReduction = reduction;
                previousGain = gain;

                float* x = block.channel(c);
                x[i] = static_cast<float>(x[i] * gain);
            }
        }
    }

    double current = 0.0;
    for (int c = 0; c < channels; ++c)
        current = std::max(current, reductionDb_[static_cast<std::size_t>(c)]);
    currentReductionDb_.store(current);
    if (blockMaxReduction > maxReductionDb_.load()) maxReductionDb_.store(blockMaxReduction);
}

} // namespace lathe::dsp
