#include "core/render/LimitingCostEstimate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

using lathe::core::render::LimitingCostEstimate;

namespace {

constexpr int kRate = 48000;

std::vector<float> sine(double amplitude, double seconds, double hz = 997.0) {
    std::vector<float> x(static_cast<size_t>(seconds * kRate));
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * hz * i / kRate));
    return x;
}

double db(double gain) {
    return 20.0 * std::log10(gain);
}

} // namespace

TEST(LimitingCostEstimate, NothingWhenEveryPeakStaysBelowTheCeiling) {
    LimitingCostEstimate estimate(kRate);
    const auto x = sine(0.25, 4.0); // -12.04 dBFS peaks
    estimate.add(x.data(), x.data(), static_cast<int>(x.size()));
    // +10 dB of drive leaves the peaks at -2.04 dBFS: with the 0.5 dB margin and the 0.25 dB bins still below
    // a -1 dBTP ceiling.
    EXPECT_EQ(estimate.costLu(10.0, -1.0), 0.0);
    EXPECT_EQ(estimate.costLu(-20.0, -1.0), 0.0);
}

TEST(LimitingCostEstimate, ASteadyToneCostsItsWholeOvershoot) {
    LimitingCostEstimate estimate(kRate);
    const auto x = sine(0.5, 4.0); // -6.02 dBFS peaks
    estimate.add(x.data(), x.data(), static_cast<int>(x.size()));
    // Every block peaks at the tone's peak, so the whole signal is forecast to come down by the overshoot:
    // peak + drive + margin - ceiling, read at its bin's upper edge (up to 0.25 dB more).
    for (const double drive : {6.0, 9.0, 12.0}) {
        const double overshoot = db(0.5) + drive + LimitingCostEstimate::kInterSampleMarginDb - (-1.0);
        const double cost = estimate.costLu(drive, -1.0);
        EXPECT_GE(cost, overshoot - 0.01) << drive;
        EXPECT_LE(cost, overshoot + 0.26) << drive;
    }
}

TEST(LimitingCostEstimate, WeighsEachBlockByItsPower) {
    // Half the time a quiet tone that never reaches the ceiling, half a loud one 6 dB over: the loud half
    // holds 40 dB more power, so the forecast is nearly its whole overshoot.
    const auto loud = sine(1.0, 2.0);
    const auto quiet = sine(0.01, 2.0);
    LimitingCostEstimate estimate(kRate);
    estimate.add(quiet.data(), quiet.data(), static_cast<int>(quiet.size()));
    estimate.add(loud.data(), loud.data(), static_cast<int>(loud.size()));
    const double drive = 6.0 - LimitingCostEstimate::kInterSampleMarginDb + (-1.0); // loud peaks 6 dB over
    const double cost = estimate.costLu(drive, -1.0);
    EXPECT_NEAR(cost, -10.0 * std::log10((1e-4 + std::pow(10.0, -0.6)) / (1.0 + 1e-4)), 0.3);
    EXPECT_LT(cost, 6.26);

    // With the quiet half at a third of the loud one's amplitude (still under the ceiling, a ninth of its
    // power) the forecast is the loud half's share of the power coming down by 6 dB: 4.87 dB.
    LimitingCostEstimate equalPower(kRate);
    const auto half = sine(1.0 / 3.0, 2.0);
    equalPower.add(half.data(), half.data(), static_cast<int>(half.size()));
    equalPower.add(loud.data(), loud.data(), static_cast<int>(loud.size()));
    const double mixed = equalPower.costLu(drive, -1.0);
    const double expected = -10.0 * std::log10((1.0 / 9.0 + std::pow(10.0, -0.6)) / (1.0 / 9.0 + 1.0));
    EXPECT_NEAR(mixed, expected, 0.2);
}

TEST(LimitingCostEstimate, SilenceCostsNothing) {
    LimitingCostEstimate estimate(kRate);
    const std::vector<float> x(kRate, 0.0f);
    estimate.add(x.data(), x.data(), kRate);
    EXPECT_EQ(estimate.costLu(40.0, -1.0), 0.0);
}
