#include "dsp/FrequencyCurve.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace lathe::dsp;

// Linear in log frequency between points: halfway in octaves is halfway in dB; held beyond the ends.
TEST(FrequencyCurve, InterpolatesInLogFrequencyAndHoldsAtTheEnds) {
    const FrequencyCurve c{{100.0, 400.0, 1000.0}, {0.0, 6.0, -3.0}};
    EXPECT_DOUBLE_EQ(c.gainDbAt(100.0), 0.0);
    EXPECT_NEAR(c.gainDbAt(200.0), 3.0, 1e-12); // one octave of two
    EXPECT_DOUBLE_EQ(c.gainDbAt(400.0), 6.0);
    EXPECT_NEAR(c.gainDbAt(std::sqrt(400.0 * 1000.0)), 1.5, 1e-12);
    EXPECT_DOUBLE_EQ(c.gainDbAt(10.0), 0.0);
    EXPECT_DOUBLE_EQ(c.gainDbAt(20000.0), -3.0);
    EXPECT_DOUBLE_EQ(FrequencyCurve{}.gainDbAt(1000.0), 0.0);
}

// IEC 61260-1 base-10 centres: 31 bands from 20 Hz to 20 kHz, 1 kHz exactly, 10 per decade.
TEST(FrequencyCurve, ThirdOctaveCentres) {
    const auto c = thirdOctaveCentres(20.0, 20000.0);
    ASSERT_EQ(c.size(), 31u);
    EXPECT_NEAR(c.front(), 19.95, 0.01);
    EXPECT_NEAR(c.back(), 19952.6, 0.1);
    EXPECT_DOUBLE_EQ(c[17], 1000.0);
    for (std::size_t i = 1; i < c.size(); ++i)
        EXPECT_NEAR(c[i] / c[i - 1], std::pow(10.0, 0.1), 1e-12);
}

TEST(FrequencyCurve, LogGrid) {
    const auto g = logFrequencyGrid(10.0, 24000.0, 48);
    EXPECT_DOUBLE_EQ(g.front(), 10.0);
    EXPECT_LE(g.back(), 24000.0);
    EXPECT_GT(g.back() * std::exp2(1.0 / 48.0), 24000.0);
    EXPECT_NEAR(g[48], 20.0, 1e-9);
}
