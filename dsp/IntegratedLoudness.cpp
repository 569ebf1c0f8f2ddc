#include "IntegratedLoudness.h"

#include "Decibels.h"
#include "KWeighting.h"

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lathe::dsp {

namespace {

constexpr int kSegmentsPerBlock = 4; // 400 ms blocks on a 100 ms grid: 75 % overlap
constexpr double kAbsoluteGateLufs = -70.0;
constexpr double kRelativeGateLu = -10.0;
constexpr double kLoudnessOffset = -0.691; // BS.1770: L = -0.691 + 10 log10(sum of weighted mean squares)

double energyToLufs(double energy) {
    return kLoudnessOffset + 10.0 * std::log10(energy);
}

} // namespace

void IntegratedLoudness::prepare(double sampleRate) {
    const KWeighting k = makeKWeighting(sampleRate);
    shelf_ = k.shelf;
    highPass_ = k.highPass;

    // libebur128's rounding of 100 ms, so the block grids coincide.
    segmentFrames_ = static_cast<int>((std::lround(sampleRate) + 5) / 10);
    reset();
}

void IntegratedLoudness::reset() {
    for (auto& section : state_)
        for (auto& s : section)
            s[0] = s[1] = 0.0;
    framesInSegment_ = 0;
    segmentEnergy_ = 0.0;
    segments_.clear();
}

void IntegratedLoudness::process(const AudioBlock& stereo) {
    process(stereo.channel(0), stereo.channel(stereo.numChannels() > 1 ? 1 : 0), stereo.numFrames());
}

void IntegratedLoudness::endSegment() {
    segments_.push_back(segmentEnergy_);
    segmentEnergy_ = 0.0;
    framesInSegment_ = 0;
}

void IntegratedLoudness::process(const float* left, const float* right, int frames) {
    int done = 0;
    while (done < frames) {
        const int n = std::min(frames - done, segmentFrames_ - framesInSegment_);
#if defined(__SSE2__)
        // Lane 0 is the left channel, lane 1 the right.
        const __m128d pb0 = _mm_set1_pd(shelf_.b0), pb1 = _mm_set1_pd(shelf_.b1),
                      pb2 = _mm_set1_pd(shelf_.b2);
        const __m128d pa1 = _mm_set1_pd(shelf_.a1), pa2 = _mm_set1_pd(shelf_.a2);
        const __m128d ra1 = _mm_set1_pd(highPass_.a1), ra2 = _mm_set1_pd(highPass_.a2);
        const __m128d minusTwo = _mm_set1_pd(-2.0);
        __m128d p1 = _mm_set_pd(state_[0][0][1], state_[0][0][0]);
        __m128d p2 = _mm_set_pd(state_[0][1][1], state_[0][1][0]);
        __m128d r1 = _mm_set_pd(state_[1][0][1], state_[1][0][0]);
        __m128d r2 = _mm_set_pd(state_[1][1][1], state_[1][1][0]);
        __m128d energy = _mm_setzero_pd();
        for (int i = done; i < done + n; ++i) {
            const __m128d x = _mm_cvtps_pd(_mm_unpacklo_ps(_mm_load_ss(left + i), _mm_load_ss(right + i)));
            const __m128d y = _mm_add_pd(_mm_mul_pd(pb0, x), p1);
            p1 = _mm_add_pd(_mm_sub_pd(_mm_mul_pd(pb1, x), _mm_mul_pd(pa1, y)), p2);
            p2 = _mm_sub_pd(_mm_mul_pd(pb2, x), _mm_mul_pd(pa2, y));
            // High-pass numerator 1, -2, 1.
            const __m128d z = _mm_add_pd(y, r1);
            r1 = _mm_add_pd(_mm_sub_pd(_mm_mul_pd(minusTwo, y), _mm_mul_pd(ra1, z)), r2);
            r2 = _mm_sub_pd(y, _mm_mul_pd(ra2, z));
            energy = _mm_add_pd(energy, _mm_mul_pd(z, z));
        }
        alignas(16) double lanes[2];
        _mm_store_pd(lanes, p1);
        state_[0][0][0] = lanes[0];
        state_[0][0][1] = lanes[1];
        _mm_store_pd(lanes, p2);
        state_[0][1][0] = lanes[0];
        state_[0][1][1] = lanes[1];
        _mm_store_pd(lanes, r1);
        state_[1][0][0] = lanes[0];
        state_[1][0][1] = lanes[1];
        _mm_store_pd(lanes, r2);
        state_[1][1][0] = lanes[0];
        state_[1][1][1] = lanes[1];
        _mm_store_pd(lanes, energy);
        segmentEnergy_ += lanes[0] + lanes[1];
#else
        for (int c = 0; c < 2; ++c) {
            const float* x = c == 0 ? left : right;
            double& p1 = state_[0][0][c];
            double& p2 = state_[0][1][c];
            double& r1 = state_[1][0][c];
            double& r2 = state_[1][1][c];
            for (int i = done; i < done + n; ++i) {
                const double y = shelf_.b0 * x[i] + p1;
                p1 = shelf_.b1 * x[i] - shelf_.a1 * y + p2;
                p2 = shelf_.b2 * x[i] - shelf_.a2 * y;
                const double z = y + r1;
                r1 = -2.0 * y - highPass_.a1 * z + r2;
                r2 = y - highPass_.a2 * z;
                segmentEnergy_ += z * z;
            }
        }
#endif
        done += n;
        framesInSegment_ += n;
        if (framesInSegment_ == segmentFrames_) endSegment();
    }
}

double IntegratedLoudness::integratedLufs() const {
    const size_t count = segments_.size();
    if (count < kSegmentsPerBlock) return kSilenceDb;
    const double blockFrames = static_cast<double>(segmentFrames_) * kSegmentsPerBlock;
    std::vector<double> blocks;
    blocks.reserve(count);
    for (size_t end = kSegmentsPerBlock; end <= count; ++end) {
        double sum = 0.0;
        for (size_t s = end - kSegmentsPerBlock; s < end; ++s)
            sum += segments_[s];
        blocks.push_back(sum / blockFrames);
    }
    const double absoluteGate = std::pow(10.0, (kAbsoluteGateLufs - kLoudnessOffset) / 10.0);
    double sum = 0.0;
    size_t passed = 0;
    for (double e : blocks)
        if (e >= absoluteGate) {
            sum += e;
            ++passed;
        }
    if (passed == 0) return kSilenceDb;
    const double relativeGate = sum / static_cast<double>(passed) * std::pow(10.0, kRelativeGateLu / 10.0);
    sum = 0.0;
    passed = 0;
    for (double e : blocks)
        if (e >= absoluteGate && e >= relativeGate) {
            sum += e;
            ++passed;
        }
    return passed == 0 ? kSilenceDb : energyToLufs(sum / static_cast<double>(passed));
}

double IntegratedLoudness::windowLufs(std::size_t first, std::size_t count) const {
    const std::size_t end = std::min(first + count, segments_.size());
    if (first >= end) return kSilenceDb;
    double sum = 0.0;
    for (std::size_t s = first; s < end; ++s)
        sum += segments_[s];
    const double frames = static_cast<double>(segmentFrames_) * static_cast<double>(end - first);
    return sum > 0.0 ? std::max(energyToLufs(sum / frames), kSilenceDb) : kSilenceDb;
}

double IntegratedLoudness::loudnessRangeLu() const {
    constexpr std::size_t kWindow = 30; // 3 s of 100 ms segments
    constexpr double kRangeGateLu = -20.0;
    if (segments_.size() < kWindow) return 0.0;
    const double windowFrames = static_cast<double>(segmentFrames_) * kWindow;
    const double absoluteGate = std::pow(10.0, (kAbsoluteGateLufs - kLoudnessOffset) / 10.0);
    std::vector<double> powers;
    powers.reserve(segments_.size());
    double sum = 0.0;
    for (std::size_t k = kWindow - 1; k < segments_.size(); ++k) {
        // Re-added from its segments every window (as maxWindowLufs) so rounding cannot accumulate.
        if ((k + 1) % kWindow == 0) {
            sum = 0.0;
            for (std::size_t s = k + 1 - kWindow; s <= k; ++s)
                sum += segments_[s];
        } else {
            sum += segments_[k] - segments_[k - kWindow];
        }
        const double power = sum / windowFrames;
        if (power >= absoluteGate) powers.push_back(power);
    }
    if (powers.empty()) return 0.0;
    double total = 0.0;
    for (double p : powers)
        total += p;
    const double relativeGate =
        total / static_cast<double>(powers.size()) * std::pow(10.0, kRangeGateLu / 10.0);
    std::erase_if(powers, [relativeGate](double p) { return p < relativeGate; });
    if (powers.empty()) return 0.0;
    std::sort(powers.begin(), powers.end());
    const auto at = [&powers](double fraction) {
        const auto rank = std::lround(fraction * static_cast<double>(powers.size()));
        return powers[static_cast<std::size_t>(
            std::clamp<long>(rank - 1, 0, static_cast<long>(powers.size()) - 1))];
    };
    return energyToLufs(at(0.95)) - energyToLufs(at(0.10));
}

double IntegratedLoudness::maxWindowLufs(int window) const {
    const double windowFrames = static_cast<double>(segmentFrames_) * window;
    double sum = 0.0;
    double loudest = -1.0;
    for (size_t k = 0; k < segments_.size(); ++k) {
        // A running sum would let rounding accumulate over hours; the window is re-added from its segments
        // when it has slid a whole window, which keeps the error at one window's worth.
        if (k % static_cast<size_t>(window) == 0) {
            sum = 0.0;
            for (size_t s = k >= static_cast<size_t>(window) ? k - static_cast<size_t>(window) + 1 : 0; s < k;
                 ++s)
                sum += segments_[s];
            sum += segments_[k];
        } else {
            sum += segments_[k];
            if (k >= static_cast<size_t>(window)) sum -= segments_[k - static_cast<size_t>(window)];
        }
        loudest = std::max(loudest, sum);
    }
    return loudest > 0.0 ? std::max(energyToLufs(loudest / windowFrames), kSilenceDb) : kSilenceDb;
}

} // namespace lathe::dsp
