#include "dsp/FastMath.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

using namespace lathe::dsp;

// The compressor's gain computer runs on these; 1e-9 relative is ~1e-8 dB, far below the 0.01 dB the
// dynamics tests resolve.
TEST(FastMath, Log2MatchesLibmOverTheAudioRange) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> exponent(-100.0, 20.0);
    double worst = 0.0;
    for (int i = 0; i < 200000; ++i) {
        const double x = std::exp2(exponent(rng));
        worst = std::max(worst, std::abs(fastLog2(x) - std::log2(x)));
    }
    // Mantissa fold boundaries and exact powers of two.
    for (double x : {1.0, 2.0, 0.5, std::sqrt(2.0), std::nextafter(std::sqrt(2.0), 2.0), 1e-30, 3.999999})
        worst = std::max(worst, std::abs(fastLog2(x) - std::log2(x)));
    EXPECT_LT(worst, 1e-9);
    EXPECT_EQ(fastLog2(1.0), 0.0);
    EXPECT_EQ(fastLog2(0.25), -2.0);
}

TEST(FastMath, Exp2MatchesLibmAndIsExactAtIntegers) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> y(-60.0, 60.0);
    double worst = 0.0;
    for (int i = 0; i < 200000; ++i) {
        const double v = y(rng);
        worst = std::max(worst, std::abs(fastExp2(v) / std::exp2(v) - 1.0));
    }
    EXPECT_LT(worst, 1e-12);
    // 0 dB must be exactly unity gain (bit-transparency of idle gain stages), integers exact powers of two.
    EXPECT_EQ(fastExp2(0.0), 1.0);
    EXPECT_EQ(fastDbToGain(0.0), 1.0);
    for (int n = -40; n <= 40; ++n)
        EXPECT_EQ(fastExp2(n), std::ldexp(1.0, n)) << n;
    // Clamped, never inf or 0 from an extreme argument.
    EXPECT_GT(fastExp2(-1e6), 0.0);
    EXPECT_TRUE(std::isfinite(fastExp2(1e6)));
}

TEST(FastMath, DecibelHelpersRoundTrip) {
    for (double db = -120.0; db <= 24.0; db += 0.37) {
        EXPECT_NEAR(fastGainToDb(fastDbToGain(db)), db, 1e-8);
        EXPECT_NEAR(fastDbToGain(db), std::pow(10.0, db / 20.0), 1e-12 * std::pow(10.0, db / 20.0));
    }
}

#if defined(__SSE2__)
// The compressor mixes the two-lane and scalar forms within one block; they must agree bit for bit so the
// output cannot depend on where a block starts.
TEST(FastMath, TwoLaneFormsEqualScalarBitForBit) {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> exponent(-80.0, 10.0);
    std::uniform_real_distribution<double> y(-200.0, 50.0);
    for (int i = 0; i < 100000; ++i) {
        const double a = std::exp2(exponent(rng)), b = std::exp2(exponent(rng));
        alignas(16) double logs[2], exps[2];
        _mm_store_pd(logs, fastLog2(_mm_set_pd(b, a)));
        ASSERT_EQ(std::bit_cast<uint64_t>(logs[0]), std::bit_cast<uint64_t>(fastLog2(a)));
        ASSERT_EQ(std::bit_cast<uint64_t>(logs[1]), std::bit_cast<uint64_t>(fastLog2(b)));
        const double u = y(rng), v = y(rng);
        _mm_store_pd(exps, fastExp2(_mm_set_pd(v, u)));
        ASSERT_EQ(std::bit_cast<uint64_t>(exps[0]), std::bit_cast<uint64_t>(fastExp2(u)));
        ASSERT_EQ(std::bit_cast<uint64_t>(exps[1]), std::bit_cast<uint64_t>(fastExp2(v)));
    }
}

TEST(FastMath, FourLaneFloatExp2IsWithinHalfAMillionth) {
    std::mt19937_64 rng(13);
    std::uniform_real_distribution<float> y(-40.0f, 10.0f);
    double worst = 0.0;
    for (int i = 0; i < 100000; ++i) {
        alignas(16) float in[4], out[4];
        for (float& v : in)
            v = y(rng);
        _mm_store_ps(out, fastExp2(_mm_load_ps(in)));
        for (int k = 0; k < 4; ++k)
            worst = std::max(worst, std::abs(out[k] / std::exp2(static_cast<double>(in[k])) - 1.0));
    }
    EXPECT_LT(worst, 5e-7);
    alignas(16) float exact[4];
    _mm_store_ps(exact, fastExp2(_mm_set_ps(-3.0f, 5.0f, 1.0f, 0.0f)));
    EXPECT_EQ(exact[0], 1.0f); // an idle gain stage stays bit-transparent
    EXPECT_EQ(exact[1], 2.0f);
    EXPECT_EQ(exact[2], 32.0f);
    EXPECT_EQ(exact[3], 0.125f);
}

// Against double tanh over a dense sweep of +-20 (saturated beyond) plus tiny and huge inputs: relative
// error, odd symmetry bit for bit, and the +-1 bound a soft clipper relies on.
TEST(FastMath, FourLaneTanhIsWithinHalfAMillionthAndOdd) {
    double worst = 0.0;
    double worstNearSwitch = 0.0; // the two formulas meet at |x| = 1/2
    const auto check = [&](float x) {
        alignas(16) float out[4];
        _mm_store_ps(out, fastTanh(_mm_set_ps(-x, x, -x, x)));
        const double expected = std::tanh(static_cast<double>(x));
        const double error = expected == 0.0 ? std::abs(out[0]) : std::abs(out[0] / expected - 1.0);
        worst = std::max(worst, error);
        if (std::abs(x - 0.5f) < 0.01f) worstNearSwitch = std::max(worstNearSwitch, error);
        EXPECT_EQ(std::bit_cast<uint32_t>(out[1]), std::bit_cast<uint32_t>(-out[0])) << x;
        EXPECT_LE(std::abs(out[0]), 1.0f) << x;
    };
    for (int i = 0; i <= 400000; ++i)
        check(static_cast<float>(i) * 5e-5f);
    for (float x : {1e-30f, 1e-10f, 1e-5f, 0.49999997f, 0.5f, 0.50000006f, 9.0f, 40.0f, 1e6f, 3e38f})
        check(x);
    EXPECT_LT(worst, 5e-7);
    EXPECT_LT(worstNearSwitch, 5e-7);
    alignas(16) float edge[4];
    _mm_store_ps(edge, fastTanh(_mm_set_ps(0.0f, -0.0f, 1e6f, -1e6f)));
    EXPECT_EQ(edge[0], -1.0f);
    EXPECT_EQ(edge[1], 1.0f);
    EXPECT_EQ(std::bit_cast<uint32_t>(edge[2]), std::bit_cast<uint32_t>(-0.0f));
    EXPECT_EQ(std::bit_cast<uint32_t>(edge[3]), 0u);
}
#endif

TEST(FastMath, BranchFreeSelectsMatchTheOperators) {
    const double values[] = {-2.0, -0.0, 0.0, 1e-300, 0.5, 3.0};
    for (double a : values)
        for (double b : values) {
            EXPECT_EQ(maxNoBranch(a, b), a < b ? b : a);
            EXPECT_EQ(minNoBranch(a, b), b < a ? b : a);
            EXPECT_EQ(selectGreater(a, b, 1.0, 2.0), a > b ? 1.0 : 2.0);
            EXPECT_EQ(selectEqual(a, b, 1.0, 2.0), a == b ? 1.0 : 2.0);
        }
}
