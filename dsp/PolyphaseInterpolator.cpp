#include "PolyphaseInterpolator.h"

#include "VectorWidth.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstring>
#include <numbers>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LATHE_DSP_X86 1
#endif

namespace lathe::dsp {

#if LATHE_DSP_X86
namespace {
// Four consecutive outputs: lane j of acc[m] is phase m of the window starting at window + j. With Peaks, the
// points are not stored: out[0] grows to the largest |point| over every phase, out[1] over the even phases.
template <int Factor, bool Peaks>
void convolveSse(const float* window, int taps, const float* broadcast, float* out) {
    __m128 acc[Factor];
#pragma GCC unroll 8
    for (int m = 0; m < Factor; ++m)
        acc[m] = _mm_setzero_ps();
    for (int i = 0; i < taps; ++i) {
        const __m128 x = _mm_loadu_ps(window + i);
        const float* c = broadcast + static_cast<std::size_t>(i) * Factor * 8;
#pragma GCC unroll 8
        for (int m = 0; m < Factor; ++m)
            acc[m] = _mm_add_ps(acc[m], _mm_mul_ps(x, _mm_loadu_ps(c + m * 8)));
    }
    // The maxima take |point| as the first operand: maxps returns the second when either is NaN, so a NaN
    // point is skipped as std::max skips it.
    if constexpr (Peaks) {
        const __m128 signMask = _mm_set1_ps(-0.0f);
        __m128 even = _mm_setzero_ps(), odd = _mm_setzero_ps();
#pragma GCC unroll 8
        for (int m = 0; m < Factor; ++m) {
            if (m % 2 == 0)
                even = _mm_max_ps(_mm_andnot_ps(signMask, acc[m]), even);
            else
                odd = _mm_max_ps(_mm_andnot_ps(signMask, acc[m]), odd);
        }
        alignas(16) float e[4], o[4];
        _mm_store_ps(e, even);
        _mm_store_ps(o, odd);
        for (int j = 0; j < 4; ++j) {
            out[1] = std::max(out[1], e[j]);
            out[0] = std::max(out[0], std::max(e[j], o[j]));
        }
    } else {
        alignas(16) float lanes[Factor][4];
#pragma GCC unroll 8
        for (int m = 0; m < Factor; ++m)
            _mm_store_ps(lanes[m], acc[m]);
#pragma GCC unroll 8
        for (int j = 0; j < 4; ++j)
#pragma GCC unroll 8
            for (int m = 0; m < Factor; ++m)
                out[j * Factor + m] = lanes[m][j];
    }
}

// processBlock's wide forms, the same bits as convolveSse and convolveScalar: each point summed tap by tap,
// oldest input first, from 0, a multiply then an add (never fused: a fused multiply-add rounds once where
// these round twice, and a render must not depend on the CPU). Groups x 16 (or x 8) consecutive windows per
// call, lane j of acc[g][m] being phase m of window 16 g + j: about twelve independent accumulators, so the
// add latency is hidden, and each coefficient is broadcast once for every group. GCC 12's _round_ and
// broadcast intrinsics start from undefined vectors, which -Wmaybe-uninitialized misreads.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <int Factor, int Groups, bool SkipPhaseZero>
__attribute__((target("avx512f"))) void exactAvx512(const float* window, int taps, const float* broadcast,
                                                    float* points) {
    constexpr int kFirst = SkipPhaseZero ? 1 : 0;
    __m512 acc[Groups][Factor];
#pragma GCC unroll 16
    for (int g = 0; g < Groups; ++g)
#pragma GCC unroll 8
        for (int m = 0; m < Factor; ++m)
            acc[g][m] = _mm512_setzero_ps();
    for (int i = 0; i < taps; ++i) {
        __m512 x[Groups];
#pragma GCC unroll 16
        for (int g = 0; g < Groups; ++g)
            x[g] = _mm512_loadu_ps(window + i + 16 * g);
        const float* c = broadcast + static_cast<std::size_t>(i) * Factor * 8;
#pragma GCC unroll 8
        for (int m = kFirst; m < Factor; ++m) {
            const __m512 cm = _mm512_set1_ps(c[m * 8]);
#pragma GCC unroll 16
            for (int g = 0; g < Groups; ++g)
                acc[g][m] =
                    _mm512_add_round_ps(acc[g][m], _mm512_mul_round_ps(x[g], cm, _MM_FROUND_CUR_DIRECTION),
                                        _MM_FROUND_CUR_DIRECTION);
        }
    }
#pragma GCC unroll 16
    for (int g = 0; g < Groups; ++g) {
        // The half-band phase 0 is the centre input: the sum of its zeros and its 1 gives x + 0
        // exactly.
        if constexpr (SkipPhaseZero)
            acc[g][0] =
                _mm512_add_ps(_mm512_loadu_ps(window + taps - 1 - taps / 2 + 16 * g), _mm512_setzero_ps());
        float* out = points + 16 * g * Factor;
        alignas(64) float lanes[Factor][16];
#pragma GCC unroll 8
        for (int m = 0; m < Factor; ++m)
            _mm512_store_ps(lanes[m], acc[g][m]);
        for (int j = 0; j < 16; ++j)
#pragma GCC unroll 8
            for (int m = 0; m < Factor; ++m)
                out[j * Factor + m] = lanes[m][j];
    }
}
#pragma GCC diagnostic pop

template <int Factor, int Groups, bool SkipPhaseZero>
__attribute__((target("avx"))) void exactAvx(const float* window, int taps, const float* broadcast,
                                             float* points) {
    constexpr int kFirst = SkipPhaseZero ? 1 : 0;
    __m256 acc[Groups][Factor];
#pragma GCC unroll 16
    for (int g = 0; g < Groups; ++g)
#pragma GCC unroll 8
        for (int m = 0; m < Factor; ++m)
            acc[g][m] = _mm256_setzero_ps();
    for (int i = 0; i < taps; ++i) {
        __m256 x[Groups];
#pragma GCC unroll 16
        for (int g = 0; g < Groups; ++g)
            x[g] = _mm256_loadu_ps(window + i + 8 * g);
        const float* c = broadcast + static_cast<std::size_t>(i) * Factor * 8;
#pragma GCC unroll 8
        for (int m = kFirst; m < Factor; ++m) {
            const __m256 cm = _mm256_loadu_ps(c + m * 8);
#pragma GCC unroll 16
            for (int g = 0; g < Groups; ++g)
                acc[g][m] = _mm256_add_ps(acc[g][m], _mm256_mul_ps(x[g], cm));
        }
    }
    alignas(32) float lanes[Factor][8];
#pragma GCC unroll 16
    for (int g = 0; g < Groups; ++g) {
        if constexpr (SkipPhaseZero)
            acc[g][0] =
                _mm256_add_ps(_mm256_loadu_ps(window + taps - 1 - taps / 2 + 8 * g), _mm256_setzero_ps());
#pragma GCC unroll 8
        for (int m = 0; m < Factor; ++m)
            _mm256_store_ps(lanes[m], acc[g][m]);
        float* out = points + 8 * g * Factor;
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j)
#pragma GCC unroll 8
            for (int m = 0; m < Factor; ++m)
                out[j * Factor + m] = lanes[m][j];
    }
}

// Groups of windows per call: about twelve accumulators (add latency 4 x 2 ports needs eight in flight, with
// room for the loads), within the 32 vector registers of AVX-512 and the 16 of AVX (accumulators, one input
// per group and the coefficient).
constexpr int exactGroups(int phases, int registers) {
    int groups = (12 + phases - 1) / phases;
    while (groups > 1 && groups * (phases + 1) + 1 > registers)
        --groups;
    return groups;
}

template <int Factor, bool SkipPhaseZero>
int exactVectors(int width, const float* window, int count, int taps, const float* broadcast, float* out) {
    constexpr int kPhases = Factor - (SkipPhaseZero ? 1 : 0);
    constexpr int kGroups512 = exactGroups(kPhases, 32), kGroups256 = exactGroups(kPhases, 16);
    int j = 0;
    if (width >= 16) {
        for (; j + 16 * kGroups512 <= count; j += 16 * kGroups512)
            exactAvx512<Factor, kGroups512, SkipPhaseZero>(window + j, taps, broadcast, out + j * Factor);
        for (; j + 16 <= count; j += 16)
            exactAvx512<Factor, 1, SkipPhaseZero>(window + j, taps, broadcast, out + j * Factor);
    }
    if (width >= 8) {
        for (; j + 8 * kGroups256 <= count; j += 8 * kGroups256)
            exactAvx<Factor, kGroups256, SkipPhaseZero>(window + j, taps, broadcast, out + j * Factor);
        for (; j + 8 <= count; j += 8)
            exactAvx<Factor, 1, SkipPhaseZero>(window + j, taps, broadcast, out + j * Factor);
    }
    return j;
}

// Peak kernels for meters (peakBlock): the points of exactAvx512 / exactAvx with fused multiply-adds, which
// halve the arithmetic and round each point once per tap instead of twice (the points differ from
// processBlock's in the last bits, about 1e-7 relative, far below any reading's resolution).
// With SkipPhaseZero (a half-band kernel, whose phase 0 is the input itself, already counted as the sample
// peak) phase 0 is not computed. A group whose inputs are too small to raise the maxima (bound: the largest
// sum of |coefficient|, all phases and even ones, times the largest input the group reads) is skipped. GCC
// 12's _mm512_abs_ps and _mm512_reduce_max_ps start from undefined vectors as the _round_ forms do.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
template <int Factor, bool SkipPhaseZero>
__attribute__((target("avx512f"))) void peaksAvx512(const float* window, int taps, const float* broadcast,
                                                    float boundAll, float boundEven, float* out) {
    // The span the 16 windows read, taps + 15 inputs: the vector loads, the last one masked.
    __m512 span = _mm512_setzero_ps();
    const int spanLength = taps + 15;
    int k = 0;
    for (; k + 16 <= spanLength; k += 16)
        span = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(window + k)), span);
    if (k < spanLength)
        span = _mm512_max_ps(_mm512_abs_ps(_mm512_maskz_loadu_ps(
                                 static_cast<__mmask16>((1u << (spanLength - k)) - 1u), window + k)),
                             span);
    const float largest = _mm512_reduce_max_ps(span);
    if (largest * boundAll <= out[0] && largest * boundEven <= out[1]) return;

    constexpr int kFirst = SkipPhaseZero ? 1 : 0;
    __m512 acc[Factor];
#pragma GCC unroll 8
    for (int m = kFirst; m < Factor; ++m)
        acc[m] = _mm512_setzero_ps();
    for (int i = 0; i < taps; ++i) {
        const __m512 x = _mm512_loadu_ps(window + i);
        const float* c = broadcast + static_cast<std::size_t>(i) * Factor * 8;
#pragma GCC unroll 8
        for (int m = kFirst; m < Factor; ++m)
            acc[m] = _mm512_fmadd_ps(x, _mm512_set1_ps(c[m * 8]), acc[m]);
    }
    __m512 even = _mm512_setzero_ps(), odd = _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int m = kFirst; m < Factor; ++m) {
        if (m % 2 == 0)
            even = _mm512_max_ps(_mm512_abs_ps(acc[m]), even);
        else
            odd = _mm512_max_ps(_mm512_abs_ps(acc[m]), odd);
    }
    const float e = _mm512_reduce_max_ps(even);
    out[1] = std::max(out[1], e);
    out[0] = std::max(out[0], std::max(e, _mm512_reduce_max_ps(odd)));
}
#pragma GCC diagnostic pop

template <int Factor, bool SkipPhaseZero>
__attribute__((target("avx2,fma"))) void peaksAvx2(const float* window, int taps, const float* broadcast,
                                                   float boundAll, float boundEven, float* out) {
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    __m256 span = _mm256_setzero_ps();
    const int spanLength = taps + 7;
    int k = 0;
    for (; k + 8 <= spanLength; k += 8)
        span = _mm256_max_ps(_mm256_andnot_ps(signMask, _mm256_loadu_ps(window + k)), span);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, span);
    float largest = 0.0f;
    for (float v : lanes)
        largest = std::max(largest, v);
    for (; k < spanLength; ++k)
        largest = std::max(largest, std::abs(window[k]));
    if (largest * boundAll <= out[0] && largest * boundEven <= out[1]) return;

    constexpr int kFirst = SkipPhaseZero ? 1 : 0;
    __m256 acc[Factor];
#pragma GCC unroll 8
    for (int m = kFirst; m < Factor; ++m)
        acc[m] = _mm256_setzero_ps();
    for (int i = 0; i < taps; ++i) {
        const __m256 x = _mm256_loadu_ps(window + i);
        const float* c = broadcast + static_cast<std::size_t>(i) * Factor * 8;
#pragma GCC unroll 8
        for (int m = kFirst; m < Factor; ++m)
            acc[m] = _mm256_fmadd_ps(x, _mm256_loadu_ps(c + m * 8), acc[m]);
    }
    __m256 even = _mm256_setzero_ps(), odd = _mm256_setzero_ps();
#pragma GCC unroll 8
    for (int m = kFirst; m < Factor; ++m) {
        if (m % 2 == 0)
            even = _mm256_max_ps(_mm256_andnot_ps(signMask, acc[m]), even);
        else
            odd = _mm256_max_ps(_mm256_andnot_ps(signMask, acc[m]), odd);
    }
    alignas(32) float e[8], o[8];
    _mm256_store_ps(e, even);
    _mm256_store_ps(o, odd);
    for (int j = 0; j < 8; ++j) {
        out[1] = std::max(out[1], e[j]);
        out[0] = std::max(out[0], std::max(e[j], o[j]));
    }
}

template <int Factor, bool SkipPhaseZero>
int peakVectors(int width, const float* window, int count, int taps, const float* broadcast, float boundAll,
                float boundEven, float* out) {
    int j = 0;
    if (width >= 16)
        for (; j + 16 <= count; j += 16)
            peaksAvx512<Factor, SkipPhaseZero>(window + j, taps, broadcast, boundAll, boundEven, out);
    if (width >= 8)
        for (; j + 8 <= count; j += 8)
            peaksAvx2<Factor, SkipPhaseZero>(window + j, taps, broadcast, boundAll, boundEven, out);
    return j;
}

// Largest |v| over v[0..count).
float spanMagnitude(const float* v, int count) {
    const __m128 signMask = _mm_set1_ps(-0.0f);
    __m128 lanes = _mm_setzero_ps();
    int k = 0;
    for (; k + 4 <= count; k += 4)
        lanes = _mm_max_ps(_mm_andnot_ps(signMask, _mm_loadu_ps(v + k)), lanes);
    alignas(16) float l[4];
    _mm_store_ps(l, lanes);
    float largest = std::max(std::max(l[0], l[1]), std::max(l[2], l[3]));
    for (; k < count; ++k)
        largest = std::max(largest, std::abs(v[k]));
    return largest;
}

// With Peaks (SSE2 only), `out` is the two running maxima (every phase, even phases) and is not advanced, and
// a group of windows whose points cannot exceed them (bounds: the largest sum of |coefficient| over the
// phases, all and even, times the largest input magnitude the group reads) is skipped.
template <int Factor, bool Peaks>
int convolveVectors(const float* window, int count, int taps, const float* broadcast, float* out,
                    float boundAll = 0.0f, float boundEven = 0.0f) {
    constexpr int kStride = Peaks ? 0 : Factor;
    const auto cannotRaise = [&](int j, int outputs) {
        if constexpr (!Peaks) return false;
        const float largest = spanMagnitude(window + j, outputs + taps - 1);
        return largest * boundAll <= out[0] && largest * boundEven <= out[1];
    };
    int j = 0;
    for (; j + 4 <= count; j += 4)
        if (!cannotRaise(j, 4)) convolveSse<Factor, Peaks>(window + j, taps, broadcast, out + j * kStride);
    return j;
}

} // namespace
#endif

void PolyphaseInterpolator::prepare(int factor, int tapsPerPhase, int numChannels, double passbandEnd,
                                    double stopbandBegin) {
    assert(factor >= 1 && factor <= kMaxFactor);
    factor_ = factor;
    taps_ = tapsPerPhase;
    numChannels_ = numChannels;
    capacity_ = taps_ - 1 + kChunkFrames;
    const auto h = designInterpolatorKernel(factor, tapsPerPhase, passbandEnd, stopbandBegin);
    // y_m[n] = sum_k x[n - k] h[k * factor + m]; history index i = taps - 1 - k (oldest first).
    coefficients_.assign(static_cast<std::size_t>(factor * tapsPerPhase), 0.0f);
    for (int i = 0; i < taps_; ++i)
        for (int m = 0; m < factor_; ++m)
            coefficients_[static_cast<std::size_t>(i * factor_ + m)] =
                static_cast<float>(h[static_cast<std::size_t>((taps_ - 1 - i) * factor_ + m)]);
    broadcast_.resize(coefficients_.size() * 8);
    for (std::size_t k = 0; k < coefficients_.size(); ++k)
        std::fill_n(broadcast_.begin() + static_cast<std::ptrdiff_t>(k * 8), 8, coefficients_[k]);
    // A point is at most sum |coefficient| times the largest input it reads. The margin covers the float
    // rounding of a 64-term sum (under 1e-5 relative) and of the bound itself.
    double all = 0.0, even = 0.0;
    for (int m = 0; m < factor_; ++m) {
        double sum = 0.0;
        for (int i = 0; i < taps_; ++i)
            sum += std::abs(static_cast<double>(coefficients_[static_cast<std::size_t>(i * factor_ + m)]));
        all = std::max(all, sum);
        if (m % 2 == 0) even = std::max(even, sum);
    }
    boundAll_ = static_cast<float>(all * 1.001);
    // Half-band: phase 0 is exactly the centre tap 1 and zeros elsewhere, so its points are the inputs.
    phaseZeroIsInput_ = true;
    for (int i = 0; i < taps_; ++i)
        phaseZeroIsInput_ = phaseZeroIsInput_ && coefficients_[static_cast<std::size_t>(i * factor_)] ==
                                                     (i == taps_ - 1 - taps_ / 2 ? 1.0f : 0.0f);
    boundEven_ = static_cast<float>(even * 1.001);
    history_.assign(static_cast<std::size_t>(capacity_ * numChannels), 0.0f);
    end_.assign(static_cast<std::size_t>(numChannels), 0);
#if LATHE_DSP_X86
    vectorWidth_ = peakWidth_ = maxVectorWidth();
#endif
    reset();
}

void PolyphaseInterpolator::limitPeakVectorWidth(int width) {
    peakWidth_ = std::min(peakWidth_, width);
}

void PolyphaseInterpolator::limitVectorWidth(int width) {
    vectorWidth_ = std::min(vectorWidth_, width);
    limitPeakVectorWidth(width);
}

void PolyphaseInterpolator::reset() {
    std::fill(history_.begin(), history_.end(), 0.0f);
    std::fill(end_.begin(), end_.end(), taps_ - 1);
}

void PolyphaseInterpolator::convolveScalar(const float* window, int count, float* points) const {
    const float* c = coefficients_.data();
    for (int j = 0; j < count; ++j)
        for (int m = 0; m < factor_; ++m) {
            float acc = 0.0f;
            for (int i = 0; i < taps_; ++i)
                acc += window[j + i] * c[i * factor_ + m];
            points[j * factor_ + m] = acc;
        }
}

void PolyphaseInterpolator::convolve(const float* window, int count, float* points) const {
    int done = 0;
#if LATHE_DSP_X86
    const float* b = broadcast_.data();
    const auto vectors = [&]<int Factor>() {
        int j = phaseZeroIsInput_
                    ? exactVectors<Factor, true>(vectorWidth_, window, count, taps_, b, points)
                    : exactVectors<Factor, false>(vectorWidth_, window, count, taps_, b, points);
        j += convolveVectors<Factor, false>(window + j, count - j, taps_, b, points + j * Factor);
        return j;
    };
    switch (factor_) {
    case 2:
        done = vectors.template operator()<2>();
        break;
    case 4:
        done = vectors.template operator()<4>();
        break;
    case 8:
        done = vectors.template operator()<8>();
        break;
    default:
        break;
    }
#endif
    convolveScalar(window + done, count - done, points + done * factor_);
}

void PolyphaseInterpolator::convolvePeaks(const float* window, int count, float peaks[2]) const {
    int done = 0;
#if LATHE_DSP_X86
    const float* b = broadcast_.data();
    const auto vectors = [&]<int Factor>() {
        int j = phaseZeroIsInput_ ? peakVectors<Factor, true>(peakWidth_, window, count, taps_, b, boundAll_,
                                                              boundEven_, peaks)
                                  : peakVectors<Factor, false>(peakWidth_, window, count, taps_, b, boundAll_,
                                                               boundEven_, peaks);
        j += convolveVectors<Factor, true>(window + j, count - j, taps_, b, peaks, boundAll_, boundEven_);
        return j;
    };
    switch (factor_) {
    case 2:
        done = vectors.template operator()<2>();
        break;
    case 4:
        done = vectors.template operator()<4>();
        break;
    case 8:
        done = vectors.template operator()<8>();
        break;
    default:
        break;
    }
#endif
    // The rest one window at a time through the scalar sums (the same bits as the vector lanes).
    std::array<float, kMaxFactor> points{};
    for (int j = done; j < count; ++j) {
        convolveScalar(window + j, 1, points.data());
        for (int m = 0; m < factor_; ++m) {
            const float magnitude = std::abs(points[static_cast<std::size_t>(m)]);
            peaks[0] = std::max(peaks[0], magnitude);
            if (m % 2 == 0) peaks[1] = std::max(peaks[1], magnitude);
        }
    }
}

void PolyphaseInterpolator::process(int channel, float x, float* points) {
    processBlock(channel, &x, 1, points);
}

void PolyphaseInterpolator::processBlock(int channel, const float* input, int frames, float* points) {
    forEachWindow(channel, input, frames, [&](const float* window, int n) {
        convolve(window, n, points);
        points += n * factor_;
    });
}

void PolyphaseInterpolator::peakBlock(int channel, const float* input, int frames, float peaks[2]) {
    forEachWindow(channel, input, frames,
                  [&](const float* window, int n) { convolvePeaks(window, n, peaks); });
}

template <typename Consume>
void PolyphaseInterpolator::forEachWindow(int channel, const float* input, int frames, Consume&& consume) {
    float* buffer = history_.data() + static_cast<std::size_t>(capacity_ * channel);
    int& end = end_[static_cast<std::size_t>(channel)];
    while (frames > 0) {
        if (end == capacity_) {
            std::memmove(buffer, buffer + end - (taps_ - 1),
                         static_cast<std::size_t>(taps_ - 1) * sizeof(float));
            end = taps_ - 1;
        }
        const int n = std::min(frames, capacity_ - end);
        std::copy(input, input + n, buffer + end);
        consume(buffer + end - (taps_ - 1), n);
        end += n;
        input += n;
        frames -= n;
    }
}

} // namespace lathe::dsp
