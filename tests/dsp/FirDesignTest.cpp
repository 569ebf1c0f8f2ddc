#include "dsp/FirDesign.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/Decibels.h"
#include "dsp/FrequencyCurve.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

using namespace lathe::dsp;

namespace {

// A curve with the shape of a real match: shelves and bells of several dB, including a low bell at 60 Hz,
// the analytic response of RBJ sections designed at 192 kHz (so the shape is the same at every test rate),
// sampled on the analysis grid.
FrequencyCurve eqCurve() {
    const double fs = 192000.0;
    const BiquadCoefficients sections[] = {
        makeBell(fs, 60.0, 1.2, 3.0),   makeLowShelf(fs, 120.0, 0.7, 4.0),    makeBell(fs, 400.0, 1.0, -3.0),
        makeBell(fs, 2500.0, 1.4, 5.0), makeHighShelf(fs, 8000.0, 0.7, -4.0),
    };
    FrequencyCurve c;
    c.frequencyHz = logFrequencyGrid(10.0, 24000.0, 48);
    for (double f : c.frequencyHz) {
        double db = 0.0;
        for (const auto& s : sections)
            db += magnitudeDb(s, fs, f);
        c.gainDb.push_back(db);
    }
    return c;
}

} // namespace

TEST(FirDesign, TapsScaleWithTheRate) {
    EXPECT_EQ(linearPhaseFirTaps(44100.0), 16383);
    EXPECT_EQ(linearPhaseFirTaps(48000.0), 16383);
    EXPECT_EQ(linearPhaseFirTaps(96000.0), 32767);
    EXPECT_EQ(linearPhaseFirTaps(192000.0), 65535);
}

// The check the other tests rely on: |H| of a two-tap average is |cos(pi f / fs)|.
TEST(FirDesign, MagnitudeOfAKnownFilter) {
    const std::vector<float> h{0.5f, 0.5f};
    for (double f : {0.0, 1000.0, 12000.0, 20000.0})
        EXPECT_NEAR(firMagnitudeDb(h, 48000.0, f), gainToDb(std::cos(std::numbers::pi * f / 48000.0)), 1e-9);
}

// Within 0.1 dB of the requested curve at every third-octave centre from 60 Hz to 20 kHz (and at every
// 1/12 octave, within 0.15 dB: the centres are not a lucky sample), at 44.1, 48 and 96 kHz.
TEST(FirDesign, LinearPhaseMagnitudeFollowsTheCurve) {
    const FrequencyCurve curve = eqCurve();
    for (double fs : {44100.0, 48000.0, 96000.0}) {
        const auto h = designLinearPhaseFir(curve, fs, linearPhaseFirTaps(fs));
        double worst = 0.0;
        for (double f : thirdOctaveCentres(60.0, 20000.0)) {
            const double error = firMagnitudeDb(h, fs, f) - curve.gainDbAt(f);
            EXPECT_NEAR(error, 0.0, 0.1) << fs << " Hz rate, " << f << " Hz";
            worst = std::max(worst, std::abs(error));
        }
        for (double f : logFrequencyGrid(60.0, 20000.0, 12))
            EXPECT_NEAR(firMagnitudeDb(h, fs, f), curve.gainDbAt(f), 0.15)
                << fs << " Hz rate, " << f << " Hz";
        RecordProperty("worst_centre_error_db_" + std::to_string(static_cast<int>(fs)),
                       std::to_string(worst));
    }
}

// Linear phase: the taps are exactly symmetric, so H(f) e^{j w (taps-1)/2} is real at every frequency.
TEST(FirDesign, LinearPhaseTapsAreSymmetric) {
    const auto h = designLinearPhaseFir(eqCurve(), 48000.0, 16383);
    ASSERT_EQ(h.size(), 16383u);
    for (std::size_t i = 0; i < h.size() / 2; ++i)
        ASSERT_EQ(h[i], h[h.size() - 1 - i]) << i;
    const double half = 8191.0;
    for (double f : {50.0, 333.0, 1000.0, 7777.0, 15000.0}) {
        std::complex<double> sum = 0.0;
        const double w = 2.0 * std::numbers::pi * f / 48000.0;
        for (std::size_t n = 0; n < h.size(); ++n)
            sum += static_cast<double>(h[n]) * std::polar(1.0, -w * (static_cast<double>(n) - half));
        EXPECT_LT(std::abs(sum.imag()), 1e-6 * std::abs(sum)) << f;
        EXPECT_GT(sum.real(), 0.0) << f; // no polarity flip anywhere
    }
}

// A flat curve is a pure delay of (taps - 1) / 2 with the curve's gain.
TEST(FirDesign, FlatCurveIsADelayedImpulse) {
    for (double gainDb : {0.0, 6.0, -12.0}) {
        const FrequencyCurve flat{{1000.0}, {gainDb}};
        const auto h = designLinearPhaseFir(flat, 48000.0, 1023);
        for (std::size_t i = 0; i < h.size(); ++i) {
            if (i == 511)
                EXPECT_NEAR(h[i], dbToGain(gainDb), 1e-6);
            else
                ASSERT_NEAR(h[i], 0.0, 1e-6) << i;
        }
    }
}

// Minimum phase: the same magnitude within 0.1 dB from 60 Hz, its energy at the start (no delay, no
// pre-ringing).
TEST(FirDesign, MinimumPhaseSameMagnitudeNoDelay) {
    const FrequencyCurve curve = eqCurve();
    for (double fs : {44100.0, 48000.0}) {
        const auto h = designMinimumPhaseFir(curve, fs, linearPhaseFirTaps(fs));
        for (double f : thirdOctaveCentres(60.0, 20000.0))
            EXPECT_NEAR(firMagnitudeDb(h, fs, f), curve.gainDbAt(f), 0.1) << fs << " Hz rate, " << f << " Hz";
        double total = 0.0, first = 0.0;
        for (std::size_t n = 0; n < h.size(); ++n) {
            total += static_cast<double>(h[n]) * h[n];
            if (n < 48) first += static_cast<double>(h[n]) * h[n];
        }
        EXPECT_GT(first / total, 0.9) << "energy in the first 48 samples";
        const auto peak =
            std::max_element(h.begin(), h.end(), [](float a, float b) { return std::abs(a) < std::abs(b); });
        EXPECT_LT(peak - h.begin(), 8);
    }
    const auto impulse = designMinimumPhaseFir(FrequencyCurve{{1000.0}, {-6.0}}, 48000.0, 1023);
    EXPECT_NEAR(impulse[0], dbToGain(-6.0), 1e-6);
    for (std::size_t n = 1; n < impulse.size(); ++n)
        ASSERT_NEAR(impulse[n], 0.0, 1e-6) << n;
}
