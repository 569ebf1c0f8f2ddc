#include "Dither.h"

#include <algorithm>
#include <cassert>
#include <cmath>

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

void Dither::process(const AudioBlock& block) {
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
