#include "core/analysis/GainFit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using lathe::core::GainFit;

// Brute force: the residual at the solved gains is the smallest, and the gains behind a target built from
// known gains come back exactly.
TEST(GainFit, RecoversKnownGainsAndTheirResidual) {
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    GainFit fit(3);
    const double truth[3] = {0.5, 2.0, 0.0}; // the third source is not in the target at all
    double residualNoise = 0.0;
    for (int i = 0; i < 20000; ++i) {
        const double x[3] = {noise(rng), noise(rng), noise(rng)};
        const double extra = 0.01 * noise(rng); // what no gains explain
        residualNoise += extra * extra;
        fit.add(x, truth[0] * x[0] + truth[1] * x[1] + extra);
    }
    const GainFit::Result r = fit.solve();
    ASSERT_EQ(r.gains.size(), 3u);
    for (int k = 0; k < 3; ++k)
        EXPECT_NEAR(r.gains[k], truth[k], 2e-3) << k;
    // The least-squares residual is at most the true one (it may fit a little of the noise).
    EXPECT_LE(r.residualEnergy, residualNoise * 1.0001);
    EXPECT_GT(r.residualEnergy, residualNoise * 0.99);
    EXPECT_GT(r.unityResidualEnergy, r.residualEnergy * 1000.0);
}

TEST(GainFit, SilentAndDuplicatedSourcesStaySolvable) {
    GainFit fit(3);
    for (int i = 0; i < 1000; ++i) {
        const double s = std::sin(0.01 * i);
        const double x[3] = {s, s, 0.0}; // the same file twice, and a silent one
        fit.add(x, 3.0 * s);
    }
    const GainFit::Result r = fit.solve();
    EXPECT_NEAR(r.gains[0] + r.gains[1], 3.0, 1e-6);
    EXPECT_EQ(r.gains[2], 0.0);
    EXPECT_NEAR(r.residualEnergy, 0.0, 1e-6 * r.targetEnergy);
}
