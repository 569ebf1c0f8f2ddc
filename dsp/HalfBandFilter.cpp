#include "HalfBandFilter.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lathe::dsp {

namespace {

// Modified Bessel function of the first kind, order 0, by its power series (converges fast for the beta < 20
// a Kaiser window uses; stop when a term no longer changes the sum in double precision).
double besselI0(double x) {
    double sum = 1.0;
    double term = 1.0;
    const double quarterX2 = 0.25 * x * x;
    for (int k = 1; k < 200; ++k) {
        term *= quarterX2 / (static_cast<double>(k) * k);
        sum += term;
        if (term < sum * 1e-17) break;
    }
    return sum;
}

std::vector<double> kaiserHalfBand(int halfLength, double beta) {
    // Length 4K - 1, centre 2K - 1: the outermost taps sit at odd offsets, so none of the length is wasted on
    // a half-band zero.
    const int length = 4 * halfLength - 1;
    const int centre = 2 * halfLength - 1;
    std::vector<double> taps(static_cast<std::size_t>(length), 0.0);
    const double i0Beta = besselI0(beta);
    double oddSum = 0.0;
    for (int n = 0; n < length; ++n) {
        const int offset = n - centre;
        if (offset == 0 || offset % 2 == 0) continue;
        const double ratio = static_cast<double>(offset) / centre;
        const double window = besselI0(beta * std::sqrt(std::max(0.0, 1.0 - ratio * ratio))) / i0Beta;
        const double x = std::numbers::pi * 0.5 * offset;
        const double value = 0.5 * std::sin(x) / x * window;
        taps[static_cast<std::size_t>(n)] = value;
        oddSum += value;
    }
    // Scaling the odd taps to sum to exactly 0.5 gives unity gain at DC and an exact zero at Nyquist while
    // keeping the centre tap at 0.5 (scaling the whole filter would break the half-band symmetry).
    for (int n = 0; n < length; ++n)
        if (n != centre) taps[static_cast<std::size_t>(n)] *= 0.5 / oddSum;
    taps[static_cast<std::size_t>(centre)] = 0.5;
    return taps;
}

// Largest stop band magnitude on a uniform grid. cos(m w) for the odd offsets comes from the Chebyshev
// recurrence (exact enough in double for the < 100 offsets here) because the design search calls this
// thousands of times.
double worstStopband(const std::vector<double>& taps, double stopEdge, int grid) {
    const int centre = static_cast<int>(taps.size() - 1) / 2;
    double worst = 0.0;
    for (int i = 0; i <= grid; ++i) {
        const double w = 2.0 * std::numbers::pi * (stopEdge + (0.5 - stopEdge) * i / grid);
        const double twoCos = 2.0 * std::cos(w);
        double previous = 1.0;        // cos(0 w)
        double current = std::cos(w); // cos(1 w)
        double sum = taps[static_cast<std::size_t>(centre)];
        for (int m = 1; m <= centre; ++m) {
            if (m % 2 == 1) sum += 2.0 * taps[static_cast<std::size_t>(centre + m)] * current;
            const double next = twoCos * current - previous;
            previous = current;
            current = next;
        }
        worst = std::max(worst, std::abs(sum));
    }
    return worst;
}

} // namespace

double firAmplitude(const std::vector<double>& taps, double frequency) {
    const int length = static_cast<int>(taps.size());
    const int centre = (length - 1) / 2;
    double sum = taps[static_cast<std::size_t>(centre)];
    const double w = 2.0 * std::numbers::pi * frequency;
    for (int m = 1; m <= centre; ++m) {
        const double h = taps[static_cast<std::size_t>(centre + m)];
        if (h != 0.0) sum += 2.0 * h * std::cos(w * m);
    }
    return sum;
}

std::vector<double> designHalfBand(double passbandEdge, double stopbandAttenuationDb) {
    assert(passbandEdge > 0.0 && passbandEdge < 0.25);
    const double stopEdge = 0.5 - passbandEdge;
    const double limit = std::pow(10.0, -stopbandAttenuationDb / 20.0);
    // Kaiser's empirical beta and length formulas are fits, not bounds: at the formula's beta the stop band
    // only just reaches the target and the length needed can jump by several taps. So search: from a few taps
    // below Kaiser's estimate, lengthen until some beta in a band around the formula's value meets the
    // target. Each tap saved in the first stage is saved on every sample.
    const auto kaiserBeta = [](double db) {
        return db > 50.0 ? 0.1102 * (db - 8.7) : 0.5842 * std::pow(db - 21.0, 0.4) + 0.07886 * (db - 21.0);
    };
    const double transition = stopEdge - passbandEdge;
    const double estimate = (stopbandAttenuationDb - 7.95) / (14.36 * transition) + 1.0;
    const double betaLow = kaiserBeta(stopbandAttenuationDb - 3.0);
    const double betaHigh = kaiserBeta(stopbandAttenuationDb + 12.0);
    constexpr int kBetaSteps = 48;
    for (int halfLength = std::max(1, static_cast<int>(std::floor((estimate + 1.0) / 4.0)) - 3);;
         ++halfLength) {
        for (int b = 0; b <= kBetaSteps; ++b) {
            const double beta = betaLow + (betaHigh - betaLow) * b / kBetaSteps;
            auto taps = kaiserHalfBand(halfLength, beta);
            // A coarse grid can only under-read the peak, so failing it rules the design out cheaply.
            if (worstStopband(taps, stopEdge, 256) <= limit && worstStopband(taps, stopEdge, 8192) <= limit)
                return taps;
        }
    }
}

void HalfBandFilter::prepare(const std::vector<double>& taps, int maxInputFrames, int numChannels) {
    const int length = static_cast<int>(taps.size());
    assert(length % 4 == 3);
    taps_ = taps;
    half_ = (length + 1) / 4;
    branchLength_ = 2 * half_;
    branch_.assign(static_cast<std::size_t>(half_), 0.0f);
    // Tap 2j of the design pairs with the sample j steps back in the low-rate stream of the even phase.
    for (int j = 0; j < half_; ++j)
        branch_[static_cast<std::size_t>(j)] = static_cast<float>(taps[static_cast<std::size_t>(2 * j)]);
    maxFrames_ = maxInputFrames;
    const auto channels = static_cast<std::size_t>(numChannels);
    const auto firSize = static_cast<std::size_t>(branchLength_ - 1 + maxInputFrames);
    upHistory_.assign(channels, std::vector<float>(firSize, 0.0f));
    downEven_.assign(channels, std::vector<float>(firSize, 0.0f));
    downOdd_.assign(channels, std::vector<float>(static_cast<std::size_t>(half_ + maxInputFrames), 0.0f));
    scratch_.assign(static_cast<std::size_t>(maxInputFrames), 0.0f);
}

void HalfBandFilter::reset() {
    for (auto* buffers : {&upHistory_, &downEven_, &downOdd_})
        for (auto& b : *buffers)
            std::fill(b.begin(), b.end(), 0.0f);
}

namespace {

// Symmetric FIR of length 2 * half over a linear buffer: output i uses buffer[i .. i + 2 * half - 1], newest
// last, folded on its symmetry so each tap pair costs one multiply. Vectorised across outputs (four per SSE
// register, four registers in flight to cover the add latency) with the same operations in the same order
// per output as the scalar tail, so the result does not depend on where a block boundary falls.
inline void symmetricFir(const float* __restrict buffer, const float* __restrict coeffs, int half, float gain,
                         float* __restrict output, int frames) {
    const int last = 2 * half - 1;
    int i = 0;
#if defined(__SSE2__)
    const __m128 g = _mm_set1_ps(gain);
    for (; i + 16 <= frames; i += 16) {
        __m128 a0 = _mm_setzero_ps(), a1 = _mm_setzero_ps(), a2 = _mm_setzero_ps(), a3 = _mm_setzero_ps();
        const float* x = buffer + i;
        for (int j = 0; j < half; ++j) {
            const __m128 c = _mm_set1_ps(coeffs[j]);
            const float* lo = x + j;
            const float* hi = x + last - j;
            a0 = _mm_add_ps(a0, _mm_mul_ps(c, _mm_add_ps(_mm_loadu_ps(hi), _mm_loadu_ps(lo))));
            a1 = _mm_add_ps(a1, _mm_mul_ps(c, _mm_add_ps(_mm_loadu_ps(hi + 4), _mm_loadu_ps(lo + 4))));
            a2 = _mm_add_ps(a2, _mm_mul_ps(c, _mm_add_ps(_mm_loadu_ps(hi + 8), _mm_loadu_ps(lo + 8))));
            a3 = _mm_add_ps(a3, _mm_mul_ps(c, _mm_add_ps(_mm_loadu_ps(hi + 12), _mm_loadu_ps(lo + 12))));
        }
        _mm_storeu_ps(output + i, _mm_mul_ps(a0, g));
        _mm_storeu_ps(output + i + 4, _mm_mul_ps(a1, g));
        _mm_storeu_ps(output + i + 8, _mm_mul_ps(a2, g));
        _mm_storeu_ps(output + i + 12, _mm_mul_ps(a3, g));
    }
    for (; i + 4 <= frames; i += 4) {
        __m128 a = _mm_setzero_ps();
        const float* x = buffer + i;
        for (int j = 0; j < half; ++j)
            a = _mm_add_ps(a, _mm_mul_ps(_mm_set1_ps(coeffs[j]),
                                         _mm_add_ps(_mm_loadu_ps(x + last - j), _mm_loadu_ps(x + j))));
        _mm_storeu_ps(output + i, _mm_mul_ps(a, g));
    }
#endif
    for (; i < frames; ++i) {
        float a = 0.0f;
        const float* x = buffer + i;
        for (int j = 0; j < half; ++j)
            a += coeffs[j] * (x[last - j] + x[j]);
        output[i] = a * gain;
    }
}

} // namespace

void HalfBandFilter::upsample(int channel, const float* input, float* output, int frames) {
    assert(frames <= maxFrames_);
    float* buffer = upHistory_[static_cast<std::size_t>(channel)].data();
    const int historyLength = branchLength_ - 1;
    std::copy(input, input + frames, buffer + historyLength);
    // Zero-stuffing then filtering: even outputs see only the even taps (the FIR branch), odd outputs only
    // the centre tap, i.e. the input delayed by K - 1. The factor 2 restores the level lost to the inserted
    // zeros.
    float* even = scratch_.data();
    symmetricFir(buffer, branch_.data(), half_, 2.0f, even, frames);
    const float* delayed = buffer + half_;
    for (int i = 0; i < frames; ++i) {
        output[2 * i] = even[i];
        output[2 * i + 1] = delayed[i];
    }
    std::copy(buffer + frames, buffer + frames + historyLength, buffer);
}

void HalfBandFilter::downsample(int channel, const float* input, float* output, int frames) {
    assert(frames <= maxFrames_);
    float* even = downEven_[static_cast<std::size_t>(channel)].data();
    float* odd = downOdd_[static_cast<std::size_t>(channel)].data();
    const int historyLength = branchLength_ - 1;
    for (int i = 0; i < frames; ++i) {
        even[historyLength + i] = input[2 * i];
        odd[half_ + i] = input[2 * i + 1];
    }
    // The odd phase meets only the centre tap (0.5), K low-rate samples back; the even phase runs the FIR
    // branch.
    symmetricFir(even, branch_.data(), half_, 1.0f, output, frames);
    for (int i = 0; i < frames; ++i)
        output[i] += 0.5f * odd[i];
    std::copy(even + frames, even + frames + historyLength, even);
    std::copy(odd + frames, odd + frames + half_, odd);
}

} // namespace lathe::dsp
