#include "dsp/PolyphaseInterpolator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

std::vector<float> noise(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> x(static_cast<std::size_t>(n));
    for (auto& v : x)
        v = u(rng);
    return x;
}

// Float-for-float reference of the documented arithmetic: each point summed tap by tap, oldest input first,
// from 0, with the kernel rounded to float. Independent of the class's history layout and SIMD paths.
std::vector<float> reference(const std::vector<float>& x, int factor, int taps, double passbandEnd,
                             double stopbandBegin) {
    const auto h = designInterpolatorKernel(factor, taps, passbandEnd, stopbandBegin);
    std::vector<float> out(x.size() * static_cast<std::size_t>(factor));
    for (std::size_t n = 0; n < x.size(); ++n)
        for (int m = 0; m < factor; ++m) {
            float acc = 0.0f;
            for (int i = 0; i < taps; ++i) {
                const long k = taps - 1 - i; // input x[n - k]
                const long idx = static_cast<long>(n) - k;
                const float xv = idx >= 0 ? x[static_cast<std::size_t>(idx)] : 0.0f;
                acc += xv * static_cast<float>(h[static_cast<std::size_t>(k * factor + m)]);
            }
            out[n * static_cast<std::size_t>(factor) + static_cast<std::size_t>(m)] = acc;
        }
    return out;
}

void expectBitIdentical(const std::vector<float>& a, const std::vector<float>& b) {
    ASSERT_EQ(a.size(), b.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) ++mismatches;
    EXPECT_EQ(mismatches, 0u);
}

struct Design {
    int factor, taps;
    double passbandEnd, stopbandBegin;
};

const Design kDesigns[] = {
    {4, 64, 0.45, 0.55}, {4, 96, 0.4565, 0.5}, {8, 64, 0.45, 0.55}, {2, 32, 0.45, 0.55}, {3, 16, 0.45, 0.55}};

} // namespace

// The vectorised block path must give exactly the arithmetic of a plain per-point loop, whatever the block
// sizes (odd sizes exercise the 16-, 8-, 4- and 1-wide paths and the history wrap at kChunkFrames), on the
// vectors this CPU dispatches to and on each narrower fallback (the SSE2 one every x86-64 runs): a master
// must not depend on the machine that rendered it.
TEST(PolyphaseInterpolator, BlockAndSampleProcessingMatchReferenceBitForBit) {
    const int n = 3 * PolyphaseInterpolator::kChunkFrames + 77;
    for (const int width : {16, 8, 4}) {
        for (const auto& d : kDesigns) {
            SCOPED_TRACE(::testing::Message()
                         << "width " << width << " factor " << d.factor << " taps " << d.taps);
            const auto left = noise(n, 7), right = noise(n, 8);
            const auto expectedLeft = reference(left, d.factor, d.taps, d.passbandEnd, d.stopbandBegin);
            const auto expectedRight = reference(right, d.factor, d.taps, d.passbandEnd, d.stopbandBegin);

            PolyphaseInterpolator blocks;
            blocks.prepare(d.factor, d.taps, 2, d.passbandEnd, d.stopbandBegin);
            blocks.limitVectorWidth(width);
            std::vector<float> outLeft(expectedLeft.size()), outRight(expectedRight.size());
            const int sizes[] = {1, 3, 4, 5, 8, 13, 300, 64, 511};
            int done = 0;
            for (int k = 0; done < n; ++k) {
                const int len = std::min(sizes[k % 9], n - done);
                const auto at = static_cast<std::size_t>(done * d.factor);
                blocks.processBlock(0, left.data() + done, len, outLeft.data() + at);
                blocks.processBlock(1, right.data() + done, len, outRight.data() + at);
                done += len;
            }
            expectBitIdentical(outLeft, expectedLeft);
            expectBitIdentical(outRight, expectedRight);

            PolyphaseInterpolator samples;
            samples.prepare(d.factor, d.taps, 1, d.passbandEnd, d.stopbandBegin);
            samples.limitVectorWidth(width);
            std::vector<float> outSamples(expectedLeft.size());
            for (int i = 0; i < n; ++i)
                samples.process(0, left[static_cast<std::size_t>(i)],
                                outSamples.data() + static_cast<std::size_t>(i * d.factor));
            expectBitIdentical(outSamples, expectedLeft);
        }
    }
}

TEST(PolyphaseInterpolator, ResetClearsHistory) {
    PolyphaseInterpolator p;
    p.prepare(4, 64, 1);
    const auto x = noise(1000, 3);
    std::vector<float> first(x.size() * 4), second(x.size() * 4);
    p.processBlock(0, x.data(), static_cast<int>(x.size()), first.data());
    p.reset();
    p.processBlock(0, x.data(), static_cast<int>(x.size()), second.data());
    expectBitIdentical(first, second);
}
