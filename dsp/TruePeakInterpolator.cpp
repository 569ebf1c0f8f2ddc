#include "TruePeakInterpolator.h"

#include "InterpolatorDesign.h"
#include "LargestMagnitude.h"
#include "VectorWidth.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LATHE_DSP_X86 1
#endif

namespace lathe::dsp {

namespace {

// Folds a window's inputs and sums the folded phases (the legend is in the header): `p` and `m` are
// P_i and M_i, `c` the folded taps of one i. The maxima take |point| as the first operand of max: maxps
// returns the second when either is NaN, so a NaN point is skipped as std::max skips it.
struct Maxima {
    float all, even;
};

#if LATHE_DSP_X86
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
template <int Factor>
__attribute__((target("avx512f"))) Maxima foldedAvx512(const float* window, int taps, const float* folded) {
    constexpr int kPairs = Factor / 2 - 1, kPer = (Factor - 1) * 8;
    __m512 s[kPairs > 0 ? kPairs : 1], a[kPairs > 0 ? kPairs : 1], middle = _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q)
        s[q] = a[q] = _mm512_setzero_ps();
    for (int i = 0; i < taps / 2; ++i) {
        const __m512 x = _mm512_loadu_ps(window + i), y = _mm512_loadu_ps(window + taps - 1 - i);
        const __m512 p = _mm512_add_ps(x, y), m = _mm512_sub_ps(x, y);
        const float* c = folded + static_cast<std::size_t>(i) * kPer;
#pragma GCC unroll 8
        for (int q = 0; q < kPairs; ++q) {
            s[q] = _mm512_fmadd_ps(p, _mm512_set1_ps(c[2 * q * 8]), s[q]);
            a[q] = _mm512_fmadd_ps(m, _mm512_set1_ps(c[(2 * q + 1) * 8]), a[q]);
        }
        middle = _mm512_fmadd_ps(p, _mm512_set1_ps(c[2 * kPairs * 8]), middle);
    }
    __m512 even = _mm512_setzero_ps(), odd = _mm512_setzero_ps();
    __m512& middleSet = (Factor / 2) % 2 == 0 ? even : odd;
    middleSet = _mm512_max_ps(_mm512_abs_ps(middle), middleSet);
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q) {
        // Phases q + 1 and Factor - q - 1: the same parity (Factor is even).
        __m512& set = (q + 1) % 2 == 0 ? even : odd;
        set = _mm512_max_ps(_mm512_abs_ps(_mm512_add_ps(s[q], a[q])), set);
        set = _mm512_max_ps(_mm512_abs_ps(_mm512_sub_ps(s[q], a[q])), set);
    }
    return {std::max(_mm512_reduce_max_ps(even), _mm512_reduce_max_ps(odd)), _mm512_reduce_max_ps(even)};
}
#pragma GCC diagnostic pop

template <int Factor>
__attribute__((target("avx2,fma"))) Maxima foldedAvx2(const float* window, int taps, const float* folded) {
    constexpr int kPairs = Factor / 2 - 1, kPer = (Factor - 1) * 8;
    __m256 s[kPairs > 0 ? kPairs : 1], a[kPairs > 0 ? kPairs : 1], middle = _mm256_setzero_ps();
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q)
        s[q] = a[q] = _mm256_setzero_ps();
    for (int i = 0; i < taps / 2; ++i) {
        const __m256 x = _mm256_loadu_ps(window + i), y = _mm256_loadu_ps(window + taps - 1 - i);
        const __m256 p = _mm256_add_ps(x, y), m = _mm256_sub_ps(x, y);
        const float* c = folded + static_cast<std::size_t>(i) * kPer;
#pragma GCC unroll 8
        for (int q = 0; q < kPairs; ++q) {
            s[q] = _mm256_fmadd_ps(p, _mm256_loadu_ps(c + 2 * q * 8), s[q]);
            a[q] = _mm256_fmadd_ps(m, _mm256_loadu_ps(c + (2 * q + 1) * 8), a[q]);
        }
        middle = _mm256_fmadd_ps(p, _mm256_loadu_ps(c + 2 * kPairs * 8), middle);
    }
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    __m256 even = _mm256_setzero_ps(), odd = _mm256_setzero_ps();
    __m256& middleSet = (Factor / 2) % 2 == 0 ? even : odd;
    middleSet = _mm256_max_ps(_mm256_andnot_ps(signMask, middle), middleSet);
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q) {
        __m256& set = (q + 1) % 2 == 0 ? even : odd;
        set = _mm256_max_ps(_mm256_andnot_ps(signMask, _mm256_add_ps(s[q], a[q])), set);
        set = _mm256_max_ps(_mm256_andnot_ps(signMask, _mm256_sub_ps(s[q], a[q])), set);
    }
    alignas(32) float e[8], o[8];
    _mm256_store_ps(e, even);
    _mm256_store_ps(o, odd);
    Maxima r{0.0f, 0.0f};
    for (int j = 0; j < 8; ++j) {
        r.even = std::max(r.even, e[j]);
        r.all = std::max(r.all, std::max(e[j], o[j]));
    }
    return r;
}

template <int Factor>
Maxima foldedSse(const float* window, int taps, const float* folded) {
    constexpr int kPairs = Factor / 2 - 1, kPer = (Factor - 1) * 8;
    __m128 s[kPairs > 0 ? kPairs : 1], a[kPairs > 0 ? kPairs : 1], middle = _mm_setzero_ps();
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q)
        s[q] = a[q] = _mm_setzero_ps();
    for (int i = 0; i < taps / 2; ++i) {
        const __m128 x = _mm_loadu_ps(window + i), y = _mm_loadu_ps(window + taps - 1 - i);
        const __m128 p = _mm_add_ps(x, y), m = _mm_sub_ps(x, y);
        const float* c = folded + static_cast<std::size_t>(i) * kPer;
#pragma GCC unroll 8
        for (int q = 0; q < kPairs; ++q) {
            s[q] = _mm_add_ps(s[q], _mm_mul_ps(p, _mm_loadu_ps(c + 2 * q * 8)));
            a[q] = _mm_add_ps(a[q], _mm_mul_ps(m, _mm_loadu_ps(c + (2 * q + 1) * 8)));
        }
        middle = _mm_add_ps(middle, _mm_mul_ps(p, _mm_loadu_ps(c + 2 * kPairs * 8)));
    }
    const __m128 signMask = _mm_set1_ps(-0.0f);
    __m128 even = _mm_setzero_ps(), odd = _mm_setzero_ps();
    __m128& middleSet = (Factor / 2) % 2 == 0 ? even : odd;
    middleSet = _mm_max_ps(_mm_andnot_ps(signMask, middle), middleSet);
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q) {
        __m128& set = (q + 1) % 2 == 0 ? even : odd;
        set = _mm_max_ps(_mm_andnot_ps(signMask, _mm_add_ps(s[q], a[q])), set);
        set = _mm_max_ps(_mm_andnot_ps(signMask, _mm_sub_ps(s[q], a[q])), set);
    }
    alignas(16) float e[4], o[4];
    _mm_store_ps(e, even);
    _mm_store_ps(o, odd);
    Maxima r{0.0f, 0.0f};
    for (int j = 0; j < 4; ++j) {
        r.even = std::max(r.even, e[j]);
        r.all = std::max(r.all, std::max(e[j], o[j]));
    }
    return r;
}

// The bound's inputs are read in blocks of this many: the largest |input| of each block once per call, so a
// group's bound takes the maximum of a few blocks instead of scanning its taps + Lanes - 1 inputs again (the
// groups' spans overlap by all but Lanes inputs).
constexpr int kBoundBlock = 16;
constexpr int kMaxBoundBlocks =
    (TruePeakInterpolator::kChunkFrames + TruePeakInterpolator::kMaxTaps) / kBoundBlock + 1;

// Groups of `Lanes` windows through `kernel`; a group whose inputs cannot raise the maxima (the largest
// input its blocks hold, a superset of what it reads, times the bound) is skipped. Returns the windows done.
template <int Lanes, typename Kernel>
int foldedGroups(const float* window, int count, int taps, const float* folded, float boundAll,
                 float boundEven, float* out, Kernel&& kernel) {
    const int groups = count / Lanes;
    if (groups == 0) return 0;
    const int inputs = groups * Lanes + taps - 1; // what the groups read
    float blocks[kMaxBoundBlocks];
    const int numBlocks = (inputs + kBoundBlock - 1) / kBoundBlock;
    for (int b = 0; b < numBlocks; ++b)
        blocks[b] =
            largestMagnitude(window + b * kBoundBlock, std::min(kBoundBlock, inputs - b * kBoundBlock));
    int j = 0;
    for (; j + Lanes <= count; j += Lanes) {
        float largest = 0.0f;
        for (int b = j / kBoundBlock; b <= (j + taps + Lanes - 2) / kBoundBlock; ++b)
            largest = std::max(largest, blocks[b]);
        if (largest * boundAll <= out[0] && largest * boundEven <= out[1]) continue;
        const Maxima m = kernel(window + j, taps, folded);
        out[0] = std::max(out[0], m.all);
        out[1] = std::max(out[1], m.even);
    }
    return j;
}

template <int Factor>
int foldedVectors(int width, const float* window, int count, int taps, const float* folded, float boundAll,
                  float boundEven, float* out) {
    if (width >= 16)
        return foldedGroups<16>(window, count, taps, folded, boundAll, boundEven, out, foldedAvx512<Factor>);
    if (width >= 8)
        return foldedGroups<8>(window, count, taps, folded, boundAll, boundEven, out, foldedAvx2<Factor>);
    return foldedGroups<4>(window, count, taps, folded, boundAll, boundEven, out, foldedSse<Factor>);
}
#endif

} // namespace

void TruePeakInterpolator::prepare(int factor, int tapsPerPhase, int numChannels) {
    assert(factor >= 1 && factor <= 16 && (factor == 1 || factor % 2 == 0) && tapsPerPhase % 2 == 0 &&
           tapsPerPhase <= kMaxTaps);
    factor_ = factor;
    taps_ = tapsPerPhase;
    capacity_ = taps_ - 1 + kChunkFrames;
    const auto h = designInterpolatorKernel(factor, tapsPerPhase);
    // coefficient(i, m): weight of the i-th oldest input of a window for phase m (PolyphaseInterpolator's).
    const auto coefficient = [&](int i, int m) {
        return h[static_cast<std::size_t>((taps_ - 1 - i) * factor_ + m)];
    };
    const int per = std::max(factor_ - 1, 0);
    folded_.assign(static_cast<std::size_t>(taps_ / 2 * per * 8), 0.0f);
    const auto put = [&](int i, int j, double v) {
        std::fill_n(folded_.begin() + static_cast<std::ptrdiff_t>((i * per + j) * 8), 8,
                    static_cast<float>(v));
    };
    for (int i = 0; i < taps_ / 2 && factor_ > 1; ++i) {
        const int mirror = taps_ - 1 - i;
        for (int q = 0; q < factor_ / 2 - 1; ++q) {
            const int m = q + 1;
            // The design's symmetry, which the folding rests on (the test compares with direct sums too).
            assert(std::abs(coefficient(i, factor_ - m) - coefficient(mirror, m)) < 1e-12);
            put(i, 2 * q, (coefficient(i, m) + coefficient(mirror, m)) / 2);
            put(i, 2 * q + 1, (coefficient(i, m) - coefficient(mirror, m)) / 2);
        }
        put(i, factor_ - 2, (coefficient(i, factor_ / 2) + coefficient(mirror, factor_ / 2)) / 2);
    }
    // A point is at most sum |coefficient| times the largest input it reads. The margin covers the float
    // rounding of a 64-term sum (under 1e-5 relative) and of the bound itself.
    double all = 0.0, even = 0.0;
    for (int m = 1; m < factor_; ++m) {
        double sum = 0.0;
        for (int i = 0; i < taps_; ++i)
            sum += std::abs(coefficient(i, m));
        all = std::max(all, sum);
        if (m % 2 == 0) even = std::max(even, sum);
    }
    boundAll_ = static_cast<float>(all * 1.001);
    boundEven_ = static_cast<float>(even * 1.001);
    history_.assign(static_cast<std::size_t>(capacity_ * numChannels), 0.0f);
    end_.assign(static_cast<std::size_t>(numChannels), 0);
#if LATHE_DSP_X86
    width_ = maxVectorWidth();
#endif
    reset();
}

void TruePeakInterpolator::limitVectorWidth(int width) {
    width_ = std::min(width_, width);
}

void TruePeakInterpolator::reset() {
    std::fill(history_.begin(), history_.end(), 0.0f);
    std::fill(end_.begin(), end_.end(), taps_ - 1);
}

// One window at a time, the vector kernels' sums with plain multiplies and adds (any factor).
void TruePeakInterpolator::peaksScalar(const float* window, int count, float peaks[2]) const {
    const int pairs = factor_ / 2 - 1, per = factor_ - 1;
    float s[8], a[8];
    for (int j = 0; j < count; ++j) {
        const float* w = window + j;
        std::fill_n(s, 8, 0.0f);
        std::fill_n(a, 8, 0.0f);
        float middle = 0.0f;
        for (int i = 0; i < taps_ / 2; ++i) {
            const float p = w[i] + w[taps_ - 1 - i], m = w[i] - w[taps_ - 1 - i];
            const float* c = folded_.data() + static_cast<std::size_t>(i * per) * 8;
            for (int q = 0; q < pairs; ++q) {
                s[q] += p * c[2 * q * 8];
                a[q] += m * c[(2 * q + 1) * 8];
            }
            middle += p * c[2 * pairs * 8];
        }
        const auto take = [&](int phase, float v) {
            peaks[0] = std::max(peaks[0], std::abs(v));
            if (phase % 2 == 0) peaks[1] = std::max(peaks[1], std::abs(v));
        };
        take(factor_ / 2, middle);
        for (int q = 0; q < pairs; ++q) {
            take(q + 1, s[q] + a[q]);
            take(q + 1, s[q] - a[q]);
        }
    }
}

void TruePeakInterpolator::peaks(const float* window, int count, float peaks[2]) const {
    if (factor_ <= 1) return; // phase 0 alone: the inputs, the caller's sample peak
    int done = 0;
#if LATHE_DSP_X86
    const float* f = folded_.data();
    switch (factor_) {
    case 2:
        done = foldedVectors<2>(width_, window, count, taps_, f, boundAll_, boundEven_, peaks);
        break;
    case 4:
        done = foldedVectors<4>(width_, window, count, taps_, f, boundAll_, boundEven_, peaks);
        break;
    case 8:
        done = foldedVectors<8>(width_, window, count, taps_, f, boundAll_, boundEven_, peaks);
        break;
    default:
        break;
    }
#endif
    peaksScalar(window + done, count - done, peaks);
}

void TruePeakInterpolator::peakBlock(int channel, const float* input, int frames, float peaks[2]) {
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
        this->peaks(buffer + end - (taps_ - 1), n, peaks);
        end += n;
        input += n;
        frames -= n;
    }
}

} // namespace lathe::dsp
