#include "Dither.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lathe::dsp {

namespace {

uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

// xoshiro256** (Blackman & Vigna): fast, 256-bit state, passes BigCrush.
inline uint64_t next(std::array<uint64_t, 4>& s) {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

} // namespace

void Dither::prepare(double, int, int) {
    reset();
}

void Dither::reset() {
    seedGenerators();
    for (auto& ch : channels_)
        ch.error1 = ch.error2 = 0.0;
}

void Dither::seedGenerators() {
    for (std::size_t c = 0; c < channels_.size(); ++c) {
        // splitmix64 over (seed, channel) gives unrelated 256-bit states: channels must not share a stream
        // shifted by a few samples, or their dither would correlate.
        uint64_t x = seed_ ^ (0xD1B54A32D192ED03ull * (c + 1));
        for (auto& word : channels_[c].rng)
            word = splitmix64(x);
    }
}

void Dither::setBitDepth(int bits) {
    assert(bits >= 8 && bits <= 24);
    bits_ = std::clamp(bits, 8, 24);
    scale_ = std::ldexp(1.0, bits_ - 1);
    // The error memory is in LSBs of the old depth.
    for (auto& ch : channels_)
        ch.error1 = ch.error2 = 0.0;
}

void Dither::setNoiseShaping(bool enabled) {
    shaping_ = enabled;
}

void Dither::setSeed(uint64_t seed) {
    seed_ = seed;
    seedGenerators();
}

#if defined(__SSE2__)
// Both channels of a stereo block at once, left and right generator in the two 64-bit lanes: xoshiro256**
// with its multiplies by 5 and 9 as shifts and adds, the 32-bit halves to double through 2^52 (exact), floor
// by rounding through 1.5 x 2^52 and stepping down (exact below 2^51; a lane beyond takes std::floor), the
// clamp as max-then-min (which keeps a NaN, as std::clamp does). Every lane does the scalar loop's operations
// in its order: the same bits.
void Dither::processStereo(float* left, float* right, int n) {
    const __m128d scale = _mm_set1_pd(scale_);
    const __m128d invScale = _mm_set1_pd(1.0 / scale_);
    const __m128d lowest = _mm_set1_pd(-scale_);
    const __m128d highest = _mm_set1_pd(scale_ - 1.0);
    const __m128d unit = _mm_set1_pd(1.0 / 4294967296.0);
    const __m128d half = _mm_set1_pd(0.5), one = _mm_set1_pd(1.0), minusTwo = _mm_set1_pd(-2.0);
    const __m128d twoTo52 = _mm_set1_pd(4503599627370496.0);
    const __m128d roundingBias = _mm_set1_pd(6755399441055744.0); // 1.5 x 2^52
    const __m128d exactLimit = _mm_set1_pd(2251799813685248.0);   // 2^51
    const __m128d magnitude = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffll));
    const __m128i low32 = _mm_set1_epi64x(0xffffffffll);
    Channel& l = channels_[0];
    Channel& r = channels_[1];
    __m128i s0 = _mm_set_epi64x(static_cast<long long>(r.rng[0]), static_cast<long long>(l.rng[0]));
    __m128i s1 = _mm_set_epi64x(static_cast<long long>(r.rng[1]), static_cast<long long>(l.rng[1]));
    __m128i s2 = _mm_set_epi64x(static_cast<long long>(r.rng[2]), static_cast<long long>(l.rng[2]));
    __m128i s3 = _mm_set_epi64x(static_cast<long long>(r.rng[3]), static_cast<long long>(l.rng[3]));
    __m128d e1 = _mm_set_pd(r.error1, l.error1), e2 = _mm_set_pd(r.error2, l.error2);
    const bool shaping = shaping_;
    for (int i = 0; i < n; ++i) {
        const __m128i times5 = _mm_add_epi64(_mm_slli_epi64(s1, 2), s1);
        const __m128i rotated = _mm_or_si128(_mm_slli_epi64(times5, 7), _mm_srli_epi64(times5, 57));
        const __m128i random = _mm_add_epi64(_mm_slli_epi64(rotated, 3), rotated);
        const __m128i t = _mm_slli_epi64(s1, 17);
        s2 = _mm_xor_si128(s2, s0);
        s3 = _mm_xor_si128(s3, s1);
        s1 = _mm_xor_si128(s1, s2);
        s0 = _mm_xor_si128(s0, s3);
        s2 = _mm_xor_si128(s2, t);
        s3 = _mm_or_si128(_mm_slli_epi64(s3, 45), _mm_srli_epi64(s3, 19));

        const __m128d high = _mm_sub_pd(
            _mm_castsi128_pd(_mm_or_si128(_mm_srli_epi64(random, 32), _mm_castpd_si128(twoTo52))), twoTo52);
        const __m128d low = _mm_sub_pd(
            _mm_castsi128_pd(_mm_or_si128(_mm_and_si128(random, low32), _mm_castpd_si128(twoTo52))), twoTo52);
        const __m128d tpdf = _mm_mul_pd(_mm_sub_pd(high, low), unit);
        __m128d v =
            _mm_mul_pd(_mm_cvtps_pd(_mm_unpacklo_ps(_mm_load_ss(left + i), _mm_load_ss(right + i))), scale);
        if (shaping) v = _mm_add_pd(v, _mm_add_pd(_mm_mul_pd(minusTwo, e1), e2));
        const __m128d y = _mm_add_pd(_mm_add_pd(v, tpdf), half);
        const __m128d nearest = _mm_sub_pd(_mm_add_pd(y, roundingBias), roundingBias);
        __m128d q = _mm_sub_pd(nearest, _mm_and_pd(_mm_cmpgt_pd(nearest, y), one));
        if (_mm_movemask_pd(_mm_cmpge_pd(_mm_and_pd(y, magnitude), exactLimit)) != 0) {
            alignas(16) double lanes[2];
            _mm_store_pd(lanes, y);
            q = _mm_set_pd(std::floor(lanes[1]), std::floor(lanes[0]));
        }
        e2 = e1;
        e1 = _mm_sub_pd(q, v);
        const __m128 out = _mm_cvtpd_ps(_mm_mul_pd(_mm_min_pd(highest, _mm_max_pd(lowest, q)), invScale));
        _mm_store_ss(left + i, out);
        _mm_store_ss(right + i, _mm_shuffle_ps(out, out, 1));
    }
    alignas(16) uint64_t words[4][2];
    _mm_store_si128(reinterpret_cast<__m128i*>(words[0]), s0);
    _mm_store_si128(reinterpret_cast<__m128i*>(words[1]), s1);
    _mm_store_si128(reinterpret_cast<__m128i*>(words[2]), s2);
    _mm_store_si128(reinterpret_cast<__m128i*>(words[3]), s3);
    for (std::size_t k = 0; k < 4; ++k) {
        l.rng[k] = words[k][0];
        r.rng[k] = words[k][1];
    }
    alignas(16) double errors[2][2];
    _mm_store_pd(errors[0], e1);
    _mm_store_pd(errors[1], e2);
    l.error1 = shaping ? errors[0][0] : 0.0;
    r.error1 = shaping ? errors[0][1] : 0.0;
    l.error2 = shaping ? errors[1][0] : 0.0;
    r.error2 = shaping ? errors[1][1] : 0.0;
}
#endif

void Dither::process(const AudioBlock& block) {
#if defined(__SSE2__)
    if (block.numChannels() == 2) {
        processStereo(block.channel(0), block.channel(1), block.numFrames());
        return;
    }
#endif
    const double scale = scale_;
    const double invScale = 1.0 / scale_;
    const double lowest = -scale;
    const double highest = scale - 1.0;
    constexpr double kUnit = 1.0 / 4294967296.0; // 2^-32
    const int n = block.numFrames();
    for (int c = 0; c < block.numChannels(); ++c) {
        Channel& ch = channels_[static_cast<std::size_t>(c)];
        float* x = block.channel(c);
        double e1 = ch.error1, e2 = ch.error2;
        for (int i = 0; i < n; ++i) {
            const uint64_t r = next(ch.rng);
            // Two independent 32-bit uniforms from one draw; their difference is triangular on (-1, 1) LSB.
            const double tpdf = (static_cast<double>(r >> 32) - static_cast<double>(r & 0xFFFFFFFFu)) * kUnit;
            double v = static_cast<double>(x[i]) * scale;
            if (shaping_) v += -2.0 * e1 + e2; // NTF = 1 - 2 z^-1 + z^-2
            const double q = std::floor(v + tpdf + 0.5);
            // The error fed back is taken before clamping, so a clipped sample cannot make the loop run away.
            e2 = e1;
            e1 = q - v;
            x[i] = static_cast<float>(std::clamp(q, lowest, highest) * invScale);
        }
        ch.error1 = shaping_ ? e1 : 0.0;
        ch.error2 = shaping_ ? e2 : 0.0;
    }
}

} // namespace lathe::dsp
