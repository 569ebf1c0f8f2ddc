#include "dsp/PartitionedConvolver.h"

#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

std::vector<float> randomSignal(std::size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> x(n);
    for (float& v : x)
        v = u(rng);
    return x;
}

// The obvious convolution, in double.
std::vector<double> directConvolution(const std::vector<float>& x, const std::vector<float>& h) {
    std::vector<double> y(x.size(), 0.0);
    for (std::size_t n = 0; n < x.size(); ++n) {
        double sum = 0.0;
        const std::size_t taps = std::min(h.size(), n + 1);
        for (std::size_t k = 0; k < taps; ++k)
            sum += static_cast<double>(h[k]) * x[n - k];
        y[n] = sum;
    }
    return y;
}

// Feeds x in random block sizes (0 to 3 partitions, so blocks straddle, fill and exceed partitions).
std::vector<float> runInRandomBlocks(PartitionedConvolver& c, const std::vector<float>& x, std::mt19937& rng,
                                     bool inPlace) {
    std::vector<float> y(x.size());
    std::uniform_int_distribution<int> size(0, 3 * c.partitionSize());
    std::vector<float> buffer;
    for (std::size_t pos = 0; pos < x.size();) {
        const auto n = std::min<std::size_t>(static_cast<std::size_t>(size(rng)), x.size() - pos);
        if (inPlace) {
            buffer.assign(x.begin() + static_cast<std::ptrdiff_t>(pos),
                          x.begin() + static_cast<std::ptrdiff_t>(pos + n));
            c.process(buffer.data(), buffer.data(), static_cast<int>(n));
            std::copy(buffer.begin(), buffer.end(), y.begin() + static_cast<std::ptrdiff_t>(pos));
        } else {
            c.process(x.data() + pos, y.data() + pos, static_cast<int>(n));
        }
        pos += n;
    }
    return y;
}

// RMS of (output delayed back by the latency - exact) over RMS of exact.
double relativeError(const std::vector<float>& y, const std::vector<double>& exact, int latency) {
    double error = 0.0, signal = 0.0;
    for (std::size_t n = 0; n + static_cast<std::size_t>(latency) < y.size(); ++n) {
        const double e = y[n + static_cast<std::size_t>(latency)] - exact[n];
        error += e * e;
        signal += exact[n] * exact[n];
    }
    return std::sqrt(error / signal);
}

} // namespace

// Equal to direct convolution (double) to 1e-6 of the output's RMS, for FIR lengths shorter than, equal to
// and around a partition, and a match FIR's 16383 taps; partitions from 16 to 4096; random block sizes; the
// output delayed by exactly latencyFrames(); the first output samples (before the latency) silent.
TEST(PartitionedConvolver, EqualsDirectConvolution) {
    std::mt19937 rng(18);
    double worst = 0.0;
    struct Case {
        int taps, partition;
    };
    for (const Case c : {Case{1, 16}, Case{17, 16}, Case{255, 64}, Case{256, 256}, Case{257, 256},
                         Case{1000, 128}, Case{16383, 256}, Case{16383, 4096}, Case{16383, 64}}) {
        const auto h = randomSignal(static_cast<std::size_t>(c.taps), rng);
        const auto x = randomSignal(static_cast<std::size_t>(c.taps + 4 * c.partition + 333), rng);
        PartitionedConvolver conv;
        conv.prepare(h, c.partition);
        ASSERT_EQ(conv.latencyFrames(), c.partition);
        ASSERT_EQ(conv.maxPartitions(), (c.taps + c.partition - 1) / c.partition);
        const auto exact = directConvolution(x, h);
        for (bool inPlace : {false, true}) {
            conv.reset();
            const auto y = runInRandomBlocks(conv, x, rng, inPlace);
            for (int n = 0; n < c.partition; ++n)
                ASSERT_EQ(y[static_cast<std::size_t>(n)], 0.0f) << "before the latency, sample " << n;
            const double error = relativeError(y, exact, c.partition);
            EXPECT_LT(error, 1e-6) << c.taps << " taps, partition " << c.partition
                                   << (inPlace ? " in place" : "");
            worst = std::max(worst, error);
        }
    }
    RecordProperty("worst_relative_error", std::to_string(worst * 1e6) + "e-6");
}

// reset() forgets the past: after it, the output is that of a fresh convolver.
TEST(PartitionedConvolver, ResetClearsHistory) {
    std::mt19937 rng(3);
    const auto h = randomSignal(700, rng);
    const auto x = randomSignal(5000, rng);
    PartitionedConvolver a, b;
    a.prepare(h, 128);
    b.prepare(h, 128);
    std::vector<float> ya(x.size()), yb(x.size());
    a.process(x.data(), ya.data(), 1234); // leaves a partial partition and a full history
    a.reset();
    a.process(x.data(), ya.data(), static_cast<int>(x.size()));
    b.process(x.data(), yb.data(), static_cast<int>(x.size()));
    EXPECT_EQ(ya, yb);
}

// A new filter set while running: the outputs before the partition that was being gathered are the old
// filter's, that partition fades from the old filter's output to the new one's (raised cosine), and from then
// on the output is the new filter's, with its full history (no gap while the new filter "fills up"). The
// old filter is released (uses() false) once the fade is done; a longer or shorter filter fits as long as it
// is within the prepared partitions. No allocation in setFilter() or the crossfade.
TEST(PartitionedConvolver, SwitchingFiltersCrossfades) {
    std::mt19937 rng(21);
    constexpr int kB = 128;
    const auto h1 = randomSignal(1000, rng), h2 = randomSignal(700, rng), h3 = randomSignal(1280, rng);
    const ConvolverFilter f1(h1, kB), f2(h2, kB), f3(h3, kB);
    const auto x = randomSignal(20000, rng);
    const auto y1 = directConvolution(x, h1), y2 = directConvolution(x, h2), y3 = directConvolution(x, h3);
    PartitionedConvolver conv;
    conv.prepare(kB, 10);
    conv.setFilter(&f1);
    std::vector<float> y(x.size());
    const std::size_t switchAt = 5000 + 37, secondSwitchAt = 12000 + 100; // not on partition boundaries
    conv.process(x.data(), y.data(), static_cast<int>(switchAt));
    lathe::test::armMallocCounter();
    conv.setFilter(&f2);
    EXPECT_TRUE(conv.uses(&f1));
    EXPECT_TRUE(conv.uses(&f2));
    conv.process(x.data() + switchAt, y.data() + switchAt, static_cast<int>(secondSwitchAt - switchAt));
    EXPECT_FALSE(conv.uses(&f1));
    conv.setFilter(&f3);
    conv.process(x.data() + secondSwitchAt, y.data() + secondSwitchAt,
                 static_cast<int>(x.size() - secondSwitchAt));
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);

    const auto expected = [&](std::size_t n) { // n: the input sample an output sample belongs to
        const std::size_t first = switchAt / kB * kB, second = secondSwitchAt / kB * kB;
        const auto fade = [&](std::size_t i) {
            constexpr double b = kB;
            return 0.5 - 0.5 * std::cos(std::numbers::pi * (static_cast<double>(i) + 1.0) / b);
        };
        if (n < first) return y1[n];
        if (n < first + kB) return y1[n] + (y2[n] - y1[n]) * fade(n - first);
        if (n < second) return y2[n];
        if (n < second + kB) return y2[n] + (y3[n] - y2[n]) * fade(n - second);
        return y3[n];
    };
    double error = 0.0, signal = 0.0;
    for (std::size_t n = 0; n + kB < x.size(); ++n) {
        const double e = y[n + kB] - expected(n);
        error += e * e;
        signal += expected(n) * expected(n);
        ASSERT_NEAR(y[n + kB], expected(n), 1e-4) << n;
    }
    EXPECT_LT(std::sqrt(error / signal), 1e-6);
}

// No allocation in process() or reset(), whatever the block sizes.
TEST(PartitionedConvolver, ProcessDoesNotAllocate) {
    std::mt19937 rng(5);
    const auto h = randomSignal(16383, rng);
    auto x = randomSignal(48000, rng);
    PartitionedConvolver conv;
    conv.prepare(h, 256);
    std::vector<float> y(x.size());
    lathe::test::armMallocCounter();
    for (std::size_t pos = 0, n = 1; pos < x.size(); pos += n, n = n * 3 % 1021 + 1) {
        n = std::min(n, x.size() - pos);
        conv.process(x.data() + pos, y.data() + pos, static_cast<int>(n));
    }
    conv.reset();
    conv.process(x.data(), x.data(), 512);
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
}
