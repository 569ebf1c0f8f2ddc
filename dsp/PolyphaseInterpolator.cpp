#include "PolyphaseInterpolator.h"

#include "VectorWidth.h"

#include <algorithm>
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
// Four consecutive outputs: lane j of acc[m] is phase m of the window starting at window + j.
template <int Factor>
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

template <int Factor>
int convolveVectors(const float* window, int count, int taps, const float* broadcast, float* out) {
    int j = 0;
    for (; j + 4 <= count; j += 4)
        convolveSse<Factor>(window + j, taps, broadcast, out + j * Factor);
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
    // Half-band: phase 0 is exactly the centre tap 1 and zeros elsewhere, so its points are the inputs.
    phaseZeroIsInput_ = true;
    for (int i = 0; i < taps_; ++i)
        phaseZeroIsInput_ = phaseZeroIsInput_ && coefficients_[static_cast<std::size_t>(i * factor_)] ==
                                                     (i == taps_ - 1 - taps_ / 2 ? 1.0f : 0.0f);
    history_.assign(static_cast<std::size_t>(capacity_ * numChannels), 0.0f);
    end_.assign(static_cast<std::size_t>(numChannels), 0);
#if LATHE_DSP_X86
    vectorWidth_ = maxVectorWidth();
#endif
    reset();
}

void PolyphaseInterpolator::limitVectorWidth(int width) {
    vectorWidth_ = std::min(vectorWidth_, width);
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
        j += convolveVectors<Factor>(window + j, count - j, taps_, b, points + j * Factor);
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

void PolyphaseInterpolator::process(int channel, float x, float* points) {
    processBlock(channel, &x, 1, points);
}

void PolyphaseInterpolator::processBlock(int channel, const float* input, int frames, float* points) {
    forEachWindow(channel, input, frames, [&](const float* window, int n) {
        convolve(window, n, points);
        points += n * factor_;
    });
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
