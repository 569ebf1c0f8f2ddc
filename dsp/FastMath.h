#pragma once

#include <bit>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lathe::dsp {

// Logarithm and exponential for per-sample gain computers, several times cheaper than libm's and accurate to
// about 1e-9 (relative), i.e. a few nano-decibels: far inside any audible or tested tolerance. No errno, no
// special-value handling beyond what dynamics need (see each function).

// log2(x) for finite x > 0 (normal numbers; denormals read as much smaller numbers than they are).
// Mantissa folded into [sqrt(1/2), sqrt(2)), then log2(m) = (2 / ln 2) atanh(t), t = (m - 1) / (m + 1),
// |t| <= 0.1716, by its odd series to t^11: truncation error below 3e-10.
inline double fastLog2(double x) {
    const auto bits = std::bit_cast<uint64_t>(x);
    auto exponent = static_cast<int64_t>((bits >> 52) & 0x7ff) - 1023;
    auto mantissaBits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    // m > sqrt(2): halve it (exponent field 1022) and count one more power of two.
    if (mantissaBits > 0x3ff6a09e667f3bcdull) {
        mantissaBits -= 0x0010000000000000ull;
        exponent += 1;
    }
    const double m = std::bit_cast<double>(mantissaBits);
    const double t = (m - 1.0) / (m + 1.0);
    const double t2 = t * t;
    constexpr double k = 2.8853900817779268; // 2 / ln 2
    const double series =
        1.0 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9 + t2 * (1.0 / 11)))));
    return static_cast<double>(exponent) + k * t * series;
}

// 2^y, clamped to y in [-1000, 1000] (2^-1000 is 1e-301: silence for any audio purpose). y = n + f with n the
// nearest integer and |f| <= 1/2; 2^f = e^(f ln 2) by its Taylor series to degree 10 (|f ln 2| <= 0.347:
// truncation error below 3e-13).
inline double fastExp2(double y) {
    y = y < -1000.0 ? -1000.0 : (y > 1000.0 ? 1000.0 : y);
    // Adding and subtracting 1.5 * 2^52 rounds to the nearest integer in the default rounding mode.
    constexpr double kRound = 6755399441055744.0;
    const double n = (y + kRound) - kRound;
    const double z = (y - n) * 0.69314718055994531; // ln 2
    // clang-format off
    const double p = 1.0 + z * (1.0 + z * (1.0 / 2 + z * (1.0 / 6 + z * (1.0 / 24 + z * (1.0 / 120
                   + z * (1.0 / 720 + z * (1.0 / 5040 + z * (1.0 / 40320 + z * (1.0 / 362880
                   + z * (1.0 / 3628800))))))))));
    // clang-format on
    const auto scale = std::bit_cast<double>(static_cast<uint64_t>(static_cast<int64_t>(n) + 1023) << 52);
    return p * scale;
}

// 10^(dB / 20) and 20 log10(gain), through the functions above.
inline double fastDbToGain(double db) {
    return fastExp2(db * 0.16609640474436813); // log2(10) / 20
}
inline double fastGainToDb(double gain) {
    return fastLog2(gain) * 6.0205999132796239; // 20 log10(2)
}

#if defined(__SSE2__)
// Two lanes at once, with the same operations as fastLog2 / fastExp2, so each lane's result has the same bits
// as the scalar function's.
inline __m128d fastLog2(__m128d x) {
    const __m128i bits = _mm_castpd_si128(x);
    // Exponent field as an exact double: OR it into the mantissa of 2^52, then subtract 2^52.
    const __m128i field = _mm_srli_epi64(bits, 52); // sign is 0 for x > 0
    const __m128d twoTo52 = _mm_set1_pd(4503599627370496.0);
    __m128d exponent =
        _mm_sub_pd(_mm_sub_pd(_mm_castsi128_pd(_mm_or_si128(field, _mm_castpd_si128(twoTo52))), twoTo52),
                   _mm_set1_pd(1023.0));
    __m128d m = _mm_castsi128_pd(_mm_or_si128(_mm_and_si128(bits, _mm_set1_epi64x(0x000fffffffffffffll)),
                                              _mm_set1_epi64x(0x3ff0000000000000ll)));
    const __m128d fold = _mm_cmpgt_pd(m, _mm_castsi128_pd(_mm_set1_epi64x(0x3ff6a09e667f3bcdll)));
    m = _mm_or_pd(_mm_and_pd(fold, _mm_mul_pd(m, _mm_set1_pd(0.5))), _mm_andnot_pd(fold, m));
    exponent = _mm_add_pd(exponent, _mm_and_pd(fold, _mm_set1_pd(1.0)));
    const __m128d one = _mm_set1_pd(1.0);
    const __m128d t = _mm_div_pd(_mm_sub_pd(m, one), _mm_add_pd(m, one));
    const __m128d t2 = _mm_mul_pd(t, t);
    __m128d series = _mm_add_pd(_mm_set1_pd(1.0 / 9), _mm_mul_pd(t2, _mm_set1_pd(1.0 / 11)));
    series = _mm_add_pd(_mm_set1_pd(1.0 / 7), _mm_mul_pd(t2, series));
    series = _mm_add_pd(_mm_set1_pd(1.0 / 5), _mm_mul_pd(t2, series));
    series = _mm_add_pd(_mm_set1_pd(1.0 / 3), _mm_mul_pd(t2, series));
    series = _mm_add_pd(one, _mm_mul_pd(t2, series));
    return _mm_add_pd(exponent, _mm_mul_pd(_mm_mul_pd(_mm_set1_pd(2.8853900817779268), t), series));
}

inline __m128d fastExp2(__m128d y) {
    y = _mm_min_pd(_mm_max_pd(y, _mm_set1_pd(-1000.0)), _mm_set1_pd(1000.0));
    const __m128d kRound = _mm_set1_pd(6755399441055744.0);
    const __m128d shifted = _mm_add_pd(y, kRound);
    const __m128d n = _mm_sub_pd(shifted, kRound);
    const __m128d z = _mm_mul_pd(_mm_sub_pd(y, n), _mm_set1_pd(0.69314718055994531));
    // Written out (not a loop over a table) so the compiler keeps every coefficient in a register.
    const auto step = [&](__m128d p, double coefficient) {
        return _mm_add_pd(_mm_set1_pd(coefficient), _mm_mul_pd(z, p));
    };
    __m128d p = _mm_set1_pd(1.0 / 3628800);
    p = step(p, 1.0 / 362880);
    p = step(p, 1.0 / 40320);
    p = step(p, 1.0 / 5040);
    p = step(p, 1.0 / 720);
    p = step(p, 1.0 / 120);
    p = step(p, 1.0 / 24);
    p = step(p, 1.0 / 6);
    p = step(p, 1.0 / 2);
    p = step(p, 1.0);
    p = step(p, 1.0);
    // shifted holds 1.5 * 2^52 + n, so its low bits are n: (n + 1023) << 52 is (bits + 1023) << 52.
    const __m128i scale = _mm_slli_epi64(_mm_add_epi64(_mm_castpd_si128(shifted), _mm_set1_epi64x(1023)), 52);
    return _mm_mul_pd(p, _mm_castsi128_pd(scale));
}

// 2^y in four float lanes, y clamped to [-126, 126]: the same reduction as fastExp2 with a degree-6 series,
// relative error below 5e-7 (4e-6 dB). For per-sample gains applied to float audio, whose own rounding is
// 6e-8: twice the throughput of the two-lane double form per call, four gains at a time.
inline __m128 fastExp2(__m128 y) {
    y = _mm_min_ps(_mm_max_ps(y, _mm_set1_ps(-126.0f)), _mm_set1_ps(126.0f));
    const __m128 kRound = _mm_set1_ps(12582912.0f); // 1.5 * 2^23
    const __m128 shifted = _mm_add_ps(y, kRound);
    const __m128 n = _mm_sub_ps(shifted, kRound);
    const __m128 z = _mm_mul_ps(_mm_sub_ps(y, n), _mm_set1_ps(0.693147180559945f));
    const auto step = [&](__m128 p, float coefficient) {
        return _mm_add_ps(_mm_set1_ps(coefficient), _mm_mul_ps(z, p));
    };
    __m128 p = _mm_set1_ps(1.0f / 720);
    p = step(p, 1.0f / 120);
    p = step(p, 1.0f / 24);
    p = step(p, 1.0f / 6);
    p = step(p, 1.0f / 2);
    p = step(p, 1.0f);
    p = step(p, 1.0f);
    // shifted holds 1.5 * 2^23 + n, so its low bits are n: (n + 127) << 23 is (bits + 127) << 23.
    const __m128i scale = _mm_slli_epi32(_mm_add_epi32(_mm_castps_si128(shifted), _mm_set1_epi32(127)), 23);
    return _mm_mul_ps(p, _mm_castsi128_ps(scale));
}

// tanh in four float lanes, for waveshapers running at several times the sample rate (libm's tanhf, through
// expm1f, was a fifth of a mastering chain's time). Error below 5e-7 relative (measured over +-20 against
// double tanh; float rounding alone is 6e-8), odd exactly, never beyond +-1. |x| < 1/2: the Taylor series to
// x^15 (the next term is below 5e-9 there); above: 1 - 2 / (e^2|x| + 1), which has no cancellation once
// tanh >= 0.46.
inline __m128 fastTanh(__m128 x) {
    const __m128 signBit = _mm_set1_ps(-0.0f);
    const __m128 a = _mm_andnot_ps(signBit, x);
    const __m128 one = _mm_set1_ps(1.0f);
    const __m128 e = fastExp2(_mm_mul_ps(a, _mm_set1_ps(2.8853900817779268f))); // 2 / ln 2
    const __m128 large = _mm_sub_ps(one, _mm_div_ps(_mm_set1_ps(2.0f), _mm_add_ps(e, one)));
    const __m128 a2 = _mm_mul_ps(a, a);
    const auto step = [&](__m128 p, double coefficient) {
        return _mm_add_ps(_mm_set1_ps(static_cast<float>(coefficient)), _mm_mul_ps(a2, p));
    };
    __m128 p = _mm_set1_ps(static_cast<float>(-929569.0 / 638512875.0));
    p = step(p, 21844.0 / 6081075.0);
    p = step(p, -1382.0 / 155925.0);
    p = step(p, 62.0 / 2835.0);
    p = step(p, -17.0 / 315.0);
    p = step(p, 2.0 / 15.0);
    p = step(p, -1.0 / 3.0);
    p = step(p, 1.0);
    const __m128 small = _mm_mul_ps(a, p);
    const __m128 useSmall = _mm_cmplt_ps(a, _mm_set1_ps(0.5f));
    const __m128 magnitude =
        _mm_min_ps(_mm_or_ps(_mm_and_ps(useSmall, small), _mm_andnot_ps(useSmall, large)), one);
    return _mm_or_ps(magnitude, _mm_and_ps(signBit, x));
}
#endif

// Branch-free min, max and select for per-sample loops whose comparisons follow the audio (attack or release,
// above or below a knee): compilers turn std::max on doubles and ?: into conditional jumps, and a
// mispredicted jump per sample costs more than the arithmetic around it. Results equal std::min / std::max /
// ?: for ordinary (non-NaN) numbers.
#if defined(__SSE2__)
inline double minNoBranch(double a, double b) {
    return _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(a), _mm_set_sd(b)));
}
inline double maxNoBranch(double a, double b) {
    return _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(a), _mm_set_sd(b)));
}
// a > b ? ifGreater : otherwise
inline double selectGreater(double a, double b, double ifGreater, double otherwise) {
    const __m128d mask = _mm_cmpgt_sd(_mm_set_sd(a), _mm_set_sd(b));
    return _mm_cvtsd_f64(
        _mm_or_pd(_mm_and_pd(mask, _mm_set_sd(ifGreater)), _mm_andnot_pd(mask, _mm_set_sd(otherwise))));
}
// a == b ? ifEqual : otherwise
inline double selectEqual(double a, double b, double ifEqual, double otherwise) {
    const __m128d mask = _mm_cmpeq_sd(_mm_set_sd(a), _mm_set_sd(b));
    return _mm_cvtsd_f64(
        _mm_or_pd(_mm_and_pd(mask, _mm_set_sd(ifEqual)), _mm_andnot_pd(mask, _mm_set_sd(otherwise))));
}
#else
inline double minNoBranch(double a, double b) {
    return b < a ? b : a;
}
inline double maxNoBranch(double a, double b) {
    return a < b ? b : a;
}
inline double selectGreater(double a, double b, double ifGreater, double otherwise) {
    return a > b ? ifGreater : otherwise;
}
inline double selectEqual(double a, double b, double ifEqual, double otherwise) {
    return a == b ? ifEqual : otherwise;
}
#endif

} // namespace lathe::dsp
