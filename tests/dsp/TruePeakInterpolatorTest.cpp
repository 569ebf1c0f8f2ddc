#include "dsp/TruePeakInterpolator.h"
#include "dsp/InterpolatorDesign.h"
#include "dsp/LargestMagnitude.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

// Full-band noise in sections 30 dB apart: the quiet sections are skipped by the bound, the loud ones not.
std::vector<float> sectionedNoise(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> x(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = u(rng) * (i / 400 % 2 == 1 ? 0.03f : 1.0f);
    return x;
}

struct Peaks {
    double all = 0, even = 0;
};

// The points of the design evaluated directly, in double, tap by tap without any folding: every phase but
// 0 (peaks over all of them and over the even ones), the inputs before the first one being silence.
Peaks direct(const std::vector<float>& x, int factor, int taps) {
    const auto h = designInterpolatorKernel(factor, taps);
    Peaks p;
    for (std::size_t n = 0; n < x.size(); ++n)
        for (int m = 1; m < factor; ++m) {
            double acc = 0.0;
            for (int k = 0; k < taps; ++k) {
                const long idx = static_cast<long>(n) - k;
                if (idx >= 0)
                    acc += x[static_cast<std::size_t>(idx)] * h[static_cast<std::size_t>(k * factor + m)];
            }
            p.all = std::max(p.all, std::abs(acc));
            if (m % 2 == 0) p.even = std::max(p.even, std::abs(acc));
        }
    return p;
}

// peakBlock over x in blocks of every size from 1 to 517 (the vector groups, the scalar tail, the history's
// wrap at kChunkFrames), starting from 0.
Peaks folded(const std::vector<float>& x, int factor, int taps, int width) {
    TruePeakInterpolator interpolator;
    interpolator.prepare(factor, taps, 1);
    interpolator.limitVectorWidth(width);
    float peaks[2] = {0.0f, 0.0f};
    int start = 0;
    for (int step = 1; start < static_cast<int>(x.size()); step = step * 5 % 517 + 1) {
        const int n = std::min(step, static_cast<int>(x.size()) - start);
        interpolator.peakBlock(0, x.data() + start, n, peaks);
        start += n;
    }
    return {peaks[0], peaks[1]};
}

} // namespace

// The folded sums (the kernel's symmetry: mirrored phases share their products) read what the points of the
// design read, evaluated directly in double: within 1e-6 relative on every path this CPU has, the SSE2
// fallback (unfused) and the AVX2 / AVX-512 kernels (fused), and the paths agree with each other as closely.
// Factors 2, 4 and 8 take the vector kernels; 16 the scalar folded sums.
TEST(TruePeakInterpolator, ReadsTheDesignsPointsOnEveryVectorPath) {
    for (const int factor : {2, 4, 8, 16}) {
        for (const int taps : {64, 32}) {
            const auto x = sectionedNoise(3001, 5u + static_cast<unsigned>(factor + taps));
            const Peaks expected = direct(x, factor, taps);
            ASSERT_GT(expected.all, 1.0) << "full-band noise overshoots between its samples";
            Peaks widest;
            for (const int width : {16, 8, 4}) {
                const Peaks got = folded(x, factor, taps, width);
                if (width == 16) widest = got;
                EXPECT_NEAR(got.all, expected.all, 1e-6 * expected.all)
                    << factor << "x, " << taps << ", " << width;
                EXPECT_NEAR(got.even, expected.even, 1e-6 * expected.all)
                    << factor << "x, " << taps << ", " << width;
                EXPECT_NEAR(got.all, widest.all, 1e-6 * expected.all)
                    << "width " << width << " vs the widest";
            }
            if (factor == 2) {
                EXPECT_EQ(expected.even, 0.0) << "2x: no even phase but the inputs";
            }
        }
    }
}

// A group of windows that cannot raise the maxima is skipped; one that can is not, however quiet the rest:
// a lone inter-sample peak after a long near-silence is found on every path.
TEST(TruePeakInterpolator, FindsALoneInterSamplePeakAfterQuietInput) {
    std::vector<float> x(5000, 1e-4f);
    // A burst at fs/4, phase pi/4: the samples are 0.707, the waveform between them higher.
    const std::size_t at = 4001;
    for (std::size_t i = 0; i < 8; ++i)
        x[at + i] = static_cast<float>(std::sin(M_PI / 2 * static_cast<double>(i) + M_PI / 4));
    const Peaks expected = direct(x, 8, 64);
    for (const int width : {16, 8, 4}) {
        const Peaks got = folded(x, 8, 64, width);
        EXPECT_NEAR(got.all, expected.all, 1e-6) << width;
        EXPECT_GT(got.all, 0.75) << "above the 0.707 sample peak, width " << width;
    }
}

// The sample peak helper: four maxima in flight, the scalar tail, a NaN skipped, `largest` kept when larger.
TEST(LargestMagnitude, IsTheLargestAbsoluteValueWhateverTheLengthAndSkipsNaN) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (const int n : {0, 1, 15, 16, 17, 63, 1000}) {
        std::vector<float> v(static_cast<std::size_t>(n));
        for (auto& e : v)
            e = u(rng) * 0.5f;
        float expected = 0.0f;
        for (float e : v)
            expected = std::max(expected, std::abs(e));
        EXPECT_EQ(largestMagnitude(v.data(), n), expected) << n;
        EXPECT_EQ(largestMagnitude(v.data(), n, 0.75f), 0.75f) << n;
        if (n > 3) {
            v[2] = -0.9f;
            v[1] = std::numeric_limits<float>::quiet_NaN();
            EXPECT_EQ(largestMagnitude(v.data(), n), 0.9f) << n;
        }
    }
}
