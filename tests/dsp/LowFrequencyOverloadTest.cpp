#include "dsp/LowFrequencyOverload.h"
#include "dsp/Decibels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

// Steady-state gain of the detection's high band for a sine at `frequency`.
double highBandGainDb(double crossoverHz, double frequency) {
    LowFrequencyOverload lf;
    lf.prepare(kFs, 1, crossoverHz, 0);
    double peak = 0.0;
    const int settle = 48000, frames = 96000;
    for (int n = 0; n < frames; ++n) {
        const double y = lf.highBand(0, std::sin(2 * std::numbers::pi * frequency / kFs * n));
        if (n >= settle) peak = std::max(peak, std::abs(y));
    }
    return gainToDb(peak);
}

} // namespace

// Linkwitz-Riley 4th order: |H(f)| = r^4 / (1 + r^4) with r = f / fc: -6.02 dB at the crossover, -24 dB per
// octave below it, flat above.
TEST(LowFrequencyOverload, CrossoverIsLinkwitzRileyHighPass) {
    for (double fc : {80.0, 150.0}) {
        for (double ratio : {0.25, 0.5, 1.0, 2.0, 10.0}) {
            const double f = fc * ratio;
            const double r4 = std::pow(ratio, 4.0);
            const double expected = 20.0 * std::log10(r4 / (1.0 + r4));
            EXPECT_NEAR(highBandGainDb(fc, f), expected, 0.05) << fc << " Hz crossover, " << f << " Hz";
        }
    }
}

// A sub overload (the high band alone under the threshold) is low-driven; a 3 kHz one is not. The verdict
// comes out delayFrames late.
TEST(LowFrequencyOverload, JudgesWhoDrivesTheOverload) {
    const int delay = 48;
    LowFrequencyOverload lf;
    lf.prepare(kFs, 2, 120.0, delay, 200);
    lf.setThreshold(0.5);
    int lowDriven = 0, judged = 0;
    for (int n = 0; n < 48000; ++n) {
        const float sub = static_cast<float>(0.9 * std::sin(2 * std::numbers::pi * 40.0 / kFs * n));
        const float hiss = static_cast<float>(0.05 * std::sin(2 * std::numbers::pi * 5000.0 / kFs * n));
        const float frame[2] = {sub + hiss, sub - hiss};
        const bool verdict = lf.process(frame, 2);
        if (n > 4800) {
            ++judged;
            lowDriven += verdict;
        }
    }
    EXPECT_EQ(lowDriven, judged);
    lf.reset();
    int notLowDriven = 0;
    for (int n = 0; n < 48000; ++n) {
        const float tone = static_cast<float>(0.9 * std::sin(2 * std::numbers::pi * 3000.0 / kFs * n));
        const float frame[2] = {tone, tone};
        const bool verdict = lf.process(frame, 2);
        if (n > 4800) notLowDriven += !verdict;
    }
    EXPECT_EQ(notLowDriven, 48000 - 4800 - 1); // the window spans cycles: zero crossings do not count
    // Delay: a step from a loud Nyquist tone to silence turns the verdict once the window has passed it and
    // the verdict has come through the delay.
    lf.reset();
    int firstTrue = -1;
    for (int n = 0; n < 2000; ++n) {
        const float tone = n < 1000 ? (n % 2 ? 0.9f : -0.9f) : 0.0f; // Nyquist: all high band
        const float frame[2] = {tone, tone};
        if (lf.process(frame, 2) && n >= 1000 && firstTrue < 0) firstTrue = n;
    }
    EXPECT_GE(firstTrue, 1000 + delay + 200 - 1);
    EXPECT_LE(firstTrue, 1000 + delay + 200 + 5); // the low band's own ring-down
}
