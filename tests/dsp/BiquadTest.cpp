#include "dsp/Biquad.h"
#include "dsp/Decibels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

// Measured steady-state gain of the running filter on a sine: amplitude by least-squares fit of sin and cos over
// an integer number of cycles after the transient has died away. Independent of the transfer-function code.
double measuredGainDb(const BiquadCoefficients& c, double frequency) {
    Biquad f;
    f.setCoefficients(c);
    f.prepare(kFs, 1, 1);
    const int period = static_cast<int>(std::lround(kFs / frequency));
    (void)period;
    const int settle = static_cast<int>(kFs); // 1 s settles every design here (slowest pole: 20 Hz, Q 10)
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    double sumSin = 0.0, sumCos = 0.0;
    const int cycles = std::max(20, static_cast<int>(frequency / 10.0));
    const int measure = static_cast<int>(std::lround(cycles * kFs / frequency));
    for (int i = 0; i < settle + measure; ++i) {
        const double x = std::sin(w * i);
        const double y = f.processSample(0, x);
        if (i >= settle) {
            sumSin += y * std::sin(w * i);
            sumCos += y * std::cos(w * i);
        }
    }
    const double amp = 2.0 * std::hypot(sumSin, sumCos) / measure;
    return gainToDb(amp);
}

// The analytic continuous-frequency response of the RBJ designs evaluated at the bilinear-warped frequency is the
// z-domain response; we check the filter output against |H(e^jw)| computed from the coefficients.
std::vector<double> logFrequencies(int count) {
    std::vector<double> f;
    for (int i = 0; i < count; ++i)
        f.push_back(20.0 * std::pow(1000.0, static_cast<double>(i) / (count - 1)));
    return f;
}

} // namespace

TEST(BiquadCoefficients, BellHasExactGainAtCentre) {
    for (double gain : {-12.0, -3.0, 3.0, 12.0}) {
        const auto c = makeBell(kFs, 1000.0, 1.0, gain);
        EXPECT_NEAR(magnitudeDb(c, kFs, 1000.0), gain, 1e-9);
        EXPECT_NEAR(magnitudeDb(c, kFs, 5.0), 0.0, 0.01);
    }
}

TEST(BiquadCoefficients, ShelvesReachTheirGain) {
    const auto lo = makeLowShelf(kFs, 200.0, std::numbers::sqrt2 / 2.0, 6.0);
    EXPECT_NEAR(magnitudeDb(lo, kFs, 10.0), 6.0, 0.01);
    EXPECT_NEAR(magnitudeDb(lo, kFs, 200.0), 3.0, 1e-6); // half the gain in dB at f0 (cookbook definition)
    EXPECT_NEAR(magnitudeDb(lo, kFs, 15000.0), 0.0, 0.01);
    const auto hi = makeHighShelf(kFs, 8000.0, std::numbers::sqrt2 / 2.0, -4.0);
    EXPECT_NEAR(magnitudeDb(hi, kFs, 23000.0), -4.0, 0.05);
    EXPECT_NEAR(magnitudeDb(hi, kFs, 8000.0), -2.0, 1e-6);
    EXPECT_NEAR(magnitudeDb(hi, kFs, 50.0), 0.0, 0.01);
}

TEST(BiquadCoefficients, PassAndStopFiltersMatchAnalogPrototypes) {
    // Butterworth (Q = 1/sqrt2) is -3.01 dB at f0; the bilinear transform preserves f0 exactly.
    EXPECT_NEAR(magnitudeDb(makeLowPass(kFs, 1000.0, std::numbers::sqrt2 / 2.0), kFs, 1000.0), -3.0103, 1e-3);
    EXPECT_NEAR(magnitudeDb(makeHighPass(kFs, 1000.0, std::numbers::sqrt2 / 2.0), kFs, 1000.0), -3.0103, 1e-3);
    // Second-order slopes: 12 dB/octave well into the stop band (the bilinear zero at Nyquist makes a LP steeper
    // high up, so measure two octaves in the lower range for the high-pass).
    const auto hp = makeHighPass(kFs, 1000.0, std::numbers::sqrt2 / 2.0);
    EXPECT_NEAR(magnitudeDb(hp, kFs, 62.5) - magnitudeDb(hp, kFs, 125.0), -12.0, 0.05);
    EXPECT_NEAR(magnitudeDb(makeBandPass(kFs, 2000.0, 2.0), kFs, 2000.0), 0.0, 1e-9);
    EXPECT_LT(magnitudeDb(makeNotch(kFs, 2000.0, 2.0), kFs, 2000.0), -120.0);
}

// Every filter type, at 30 log-spaced frequencies 20 Hz - 20 kHz: the running filter's measured sine gain equals
// the magnitude of its transfer function within 0.01 dB.
TEST(Biquad, EveryTypeMatchesTransferFunction) {
    const FilterType types[] = {FilterType::Bell,     FilterType::LowShelf, FilterType::HighShelf,
                                FilterType::LowPass,  FilterType::HighPass, FilterType::BandPass,
                                FilterType::Notch};
    for (FilterType t : types) {
        const auto c = makeFilter(t, kFs, 1000.0, 0.9, 6.0);
        for (double f : logFrequencies(30)) {
            const double expected = magnitudeDb(c, kFs, f);
            if (expected < -80.0)
                continue; // the sine fit cannot resolve below float noise; covered by the notch depth test above
            EXPECT_NEAR(measuredGainDb(c, f), expected, 0.01) << filterTypeName(t) << " at " << f << " Hz";
        }
    }
}

TEST(Biquad, IdentityIsBitTransparent) {
    Biquad f;
    f.prepare(kFs, 64, 2);
    std::vector<float> l(64), r(64);
    for (int i = 0; i < 64; ++i)
        l[static_cast<size_t>(i)] = r[static_cast<size_t>(i)] = 0.123f * static_cast<float>(i % 7) - 0.3f;
    const auto before = l;
    float* p[2] = {l.data(), r.data()};
    f.process(AudioBlock(p, 2, 64));
    EXPECT_EQ(before, l);
}
