#include "Compressor.h"

#include "FastMath.h"

#include <algorithm>
#include <cassert>

// Compressor's fully linked stereo peak path (the chains' default) and processAfter, which runs an EQ's
// recursion beside its gain smoothing.

namespace lathe::dsp {

template <bool kAttackFaster>
void Compressor::smoothReduction(const double* targets, double* reductions, int n, double& reduction,
                                 double& maxReduction) const {
#if defined(__SSE2__)
    // In registers throughout: scalar doubles through _mm_set_sd would clear the upper lane (one more
    // instruction on the chain) at every step.
    const __m128d attack = _mm_set_sd(attackCoeff_), release = _mm_set_sd(releaseCoeff_);
    const __m128d floor = _mm_set_sd(kReductionFloorDb);
    __m128d r = _mm_set_sd(reduction);
    __m128d largest = _mm_set_sd(maxReduction);
    for (int i = 0; i < n; ++i) {
        const __m128d target = _mm_load_sd(targets + i);
        const __m128d toGo = _mm_sub_sd(r, target);
        const __m128d attacking = _mm_add_sd(target, _mm_mul_sd(attack, toGo));
        const __m128d releasing = _mm_add_sd(target, _mm_mul_sd(release, toGo));
        const __m128d next =
            kAttackFaster ? _mm_max_sd(attacking, releasing) : _mm_min_sd(attacking, releasing);
        // Below the floor the reduction is exactly 0 (so a released compressor is exactly its makeup gain).
        r = _mm_and_pd(_mm_cmple_sd(floor, next), next);
        largest = _mm_max_sd(largest, r);
        _mm_store_sd(reductions + i, r);
    }
    reduction = _mm_cvtsd_f64(r);
    maxReduction = _mm_cvtsd_f64(largest);
#else
    const double attack = attackCoeff_, release = releaseCoeff_;
    double largest = maxReduction;
    for (int i = 0; i < n; ++i) {
        const double target = targets[i];
        const double attacking = target + attack * (reduction - target);
        const double releasing = target + release * (reduction - target);
        const double next = kAttackFaster ? std::max(attacking, releasing) : std::min(attacking, releasing);
        reduction = next >= kReductionFloorDb ? next : 0.0;
        largest = std::max(largest, reduction);
        reductions[i] = reduction;
    }
    maxReduction = largest;
#endif
}

template <bool kAttackFaster, class Ahead>
bool Compressor::smoothReductionAboveFloor(const double* targets, double* reductions, int n,
                                           double& reduction, double& maxReduction, Ahead& ahead,
                                           int aheadStart, int aheadCount) const {
#if defined(__SSE2__)
    const __m128d attack = _mm_set_sd(attackCoeff_), release = _mm_set_sd(releaseCoeff_);
    const __m128d floor = _mm_set_sd(kReductionFloorDb);
    __m128d r = _mm_set_sd(reduction);
    __m128d largest = _mm_set_sd(maxReduction);
    // Set in lane 0 once a step lands below the floor (or is not a number): off the recursion's chain.
    __m128d fellBelow = _mm_setzero_pd();
    const __m128d zero = _mm_setzero_pd();
    // The coefficient chosen by the sign of d = r - t (attack while the target is above the reduction), on
    // the two products, which the comparison is formed beside: the candidate smoothReduction's max (min)
    // keeps, to the bit (the products share d's sign, so equal candidates are equal in every bit), with the
    // add after the choice: 2 cycles fewer on the chain than adding both and comparing.
    (void)kAttackFaster;
    const auto step = [&](int i) {
        const __m128d target = _mm_load_sd(targets + i);
        const __m128d toGo = _mm_sub_sd(r, target);
        const __m128d attacking = _mm_mul_sd(attack, toGo);
        const __m128d releasing = _mm_mul_sd(release, toGo);
        const __m128d towardsTarget = _mm_cmplt_sd(toGo, zero);
        r = _mm_add_sd(
            target, _mm_or_pd(_mm_and_pd(towardsTarget, attacking), _mm_andnot_pd(towardsTarget, releasing)));
        fellBelow = _mm_or_pd(fellBelow, _mm_cmpnle_sd(floor, r));
        largest = _mm_max_sd(largest, r);
        _mm_store_sd(reductions + i, r);
    };
    const int together = std::min(n, aheadCount);
    int i = 0;
    for (; i < together; ++i) {
        step(i);
        ahead.step(aheadStart + i);
    }
    for (; i < n; ++i)
        step(i);
    ahead.run(aheadStart + together, aheadStart + aheadCount);
    if ((_mm_movemask_pd(fellBelow) & 1) != 0) return false;
    reduction = _mm_cvtsd_f64(r);
    maxReduction = _mm_cvtsd_f64(largest);
    return true;
#else
    (void)targets, (void)reductions, (void)n, (void)reduction, (void)maxReduction;
    ahead.run(aheadStart, aheadStart + aheadCount);
    return false;
#endif
}

template <class Ahead>
double Compressor::processLinked(const AudioBlock& block, const AudioBlock& sidechain, Ahead& ahead) {
    // Fully linked stereo peak detection (the chains' default) shares one level, one static-curve value and,
    // from a common state, one reduction per frame. It runs in batches of kBatch frames split into passes:
    // levels, static curve (log and curve with no branches), the one-pole smoothing (the only recursion),
    // then gains (exp). Only the smoothing is sequential, so the logs and exps of many frames overlap and
    // no data-dependent branch stalls the pipeline; quiet batches skip the logs and exps altogether.
    const int frames = block.numFrames();
    const double thresholdDb = params_.thresholdDb;
    const double ratio = params_.ratio;
    const double kneeDb = params_.kneeDb;
    const double makeupDb = params_.makeupDb;
    const int lastKeyChannel = sidechain.numChannels() - 1;
    const double levelScale = 20.0 * 0.30102999566398120; // amplitude to dB through log2: 20 log10(2)
    double blockMaxReduction = 0.0;
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
    std::array<double, kBatch> reductions;
    ahead.run(0, std::min(kBatch, frames));
    for (int start = 0; start < frames; start += kBatch) {
        const int n = std::min(kBatch, frames - start);
        // The next batch, which `ahead` prepares while this one's gain is smoothed.
        const int next = start + n;
        const int nextCount = std::min(kBatch, frames - next);
        double batchLoudest = 0.0;
        int first = 0; // the first frame the scalar loop below takes
#if defined(__SSE2__)
        // |x| and the larger channel are exact in float, so four frames at a time give the same levels
        // as the scalar loop, and the batch's loudest without a chain of dependent maxima.
        if (!highPassOn_) {
            const __m128 magnitude = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
            __m128 loudest = _mm_setzero_ps();
            for (; first + 4 <= n; first += 4) {
                const __m128 level = _mm_max_ps(_mm_and_ps(_mm_loadu_ps(keyL + start + first), magnitude),
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
            ahead.run(next, next + nextCount);
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
                work[static_cast<std::size_t>(i)] =
                    -slope * (intoKnee * intoKnee * inverseTwoKnee + maxNoBranch(overshoot - halfKnee, 0.0));
            }
        }
        // The smoothing, t + c (r - t) with c the attack coefficient while the target is above the
        // reduction, else the release one. Both candidates are formed and the larger kept when attack is
        // the faster (c_a <= c_r), the smaller otherwise: with d = r - t, |c_a d| <= |c_r d| and rounding
        // is monotonic, so that is the candidate the comparison picked, to the bit, and the choice waits
        // on no comparison of its own. The floor (a reduction below kReductionFloorDb is 0) only acts
        // where the reduction releases to nothing; a batch is first smoothed without it (4 cycles fewer a
        // frame on the recursion), and again with it when some frame fell below.
        const double batchStartReduction = reduction, batchStartMax = blockMaxReduction;
        const bool aboveFloor =
            attackCoeff_ <= releaseCoeff_
                ? smoothReductionAboveFloor<true>(work.data(), reductions.data(), n, reduction,
                                                  blockMaxReduction, ahead, next, nextCount)
                : smoothReductionAboveFloor<false>(work.data(), reductions.data(), n, reduction,
                                                   blockMaxReduction, ahead, next, nextCount);
        if (!aboveFloor) {
            reduction = batchStartReduction;
            blockMaxReduction = batchStartMax;
            if (attackCoeff_ <= releaseCoeff_)
                smoothReduction<true>(work.data(), reductions.data(), n, reduction, blockMaxReduction);
            else
                smoothReduction<false>(work.data(), reductions.data(), n, reduction, blockMaxReduction);
        }
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
            const __m128 gain = gains(reductions.data() + i);
            float* left = outL + start + i;
            float* right = outR + start + i;
            _mm_storeu_ps(left, _mm_mul_ps(_mm_loadu_ps(left), gain));
            _mm_storeu_ps(right, _mm_mul_ps(_mm_loadu_ps(right), gain));
        }
        if (i < n) {
            alignas(16) double padded[4] = {};
            alignas(16) float tail[4];
            std::copy(reductions.data() + i, reductions.data() + n, padded);
            _mm_store_ps(tail, gains(padded));
            for (int k = 0; i + k < n; ++k) {
                outL[start + i + k] *= tail[k];
                outR[start + i + k] *= tail[k];
            }
        }
#else
        for (int i = 0; i < n; ++i) {
            const double r = reductions[static_cast<std::size_t>(i)];
            const double gain = selectEqual(r, 0.0, makeupGain_, fastDbToGain(makeupDb - r));
            outL[start + i] = static_cast<float>(outL[start + i] * gain);
            outR[start + i] = static_cast<float>(outR[start + i] * gain);
        }
#endif
    }
    reductionDb_[0] = reductionDb_[1] = reduction;
    return blockMaxReduction;
}

template double Compressor::processLinked(const AudioBlock&, const AudioBlock&, NothingAhead&);

#if defined(__SSE2__)
namespace {

// A stereo EQ cascade as the linked path's `ahead`.
template <int N>
struct EqAhead {
    ParametricEq::StereoCascade<N> cascade;
    float* left;
    float* right;
    void step(int i) { cascade.step(left, right, i); }
    void run(int from, int to) { cascade.run(left, right, from, to); }
};

} // namespace
#endif

void Compressor::processAfter(ParametricEq& eq, const AudioBlock& block, const AudioBlock* sidechain) {
    const AudioBlock& key = sidechain != nullptr ? *sidechain : block;
#if defined(__SSE2__)
    const int sections = eq.stereoCascadeSections();
    if (sections > 0 && block.numChannels() == 2 && key.numChannels() >= 1 && linkedPathApplies(2)) {
        assert(key.numFrames() >= block.numFrames());
        const auto fused = [&]<int N>() {
            EqAhead<N> ahead{ParametricEq::StereoCascade<N>(eq), block.channel(0), block.channel(1)};
            const double blockMaxReduction = processLinked(block, key, ahead);
            ahead.cascade.finish();
            updateMeters(blockMaxReduction, 2);
        };
        switch (sections) {
        case 1:
            return fused.template operator()<1>();
        case 2:
            return fused.template operator()<2>();
        case 3:
            return fused.template operator()<3>();
        case 4:
            return fused.template operator()<4>();
        default:
            break; // longer cascades: more latency than the smoothing's, nothing to hide
        }
    }
#endif
    eq.process(block);
    process(block, key);
}

} // namespace lathe::dsp
