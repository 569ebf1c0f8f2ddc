#include "dsp/TruePeakMeter.h"
#include "dsp/Decibels.h"
#include "dsp/PolyphaseInterpolator.h"
#include "support/ReferenceTruePeak.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr double kPi = std::numbers::pi;

double meterDbtp(const std::vector<std::vector<float>>& channels, int blockFrames = 512) {
    TruePeakMeter meter;
    meter.prepare(kFs, blockFrames, static_cast<int>(channels.size()));
    auto copy = channels;
    const int frames = static_cast<int>(copy[0].size());
    for (int start = 0; start < frames; start += blockFrames) {
        float* ptrs[AudioBlock::kMaxChannels];
        for (std::size_t c = 0; c < copy.size(); ++c)
            ptrs[c] = copy[c].data() + start;
        meter.process(AudioBlock(ptrs, static_cast<int>(copy.size()), std::min(blockFrames, frames - start)));
    }
    meter.flush();
    return meter.truePeakDbtp();
}

// Raised-cosine fade over the first and last 10 ms. A tone switched on or off abruptly is a step, and a
// step's band-limited reconstruction overshoots (Gibbs): that onset, not the steady tone, would set the true
// peak.
double fade(int i, int frames) {
    const int length = static_cast<int>(0.01 * kFs);
    const int edge = std::min(i, frames - 1 - i);
    return edge >= length ? 1.0 : 0.5 - 0.5 * std::cos(kPi * edge / length);
}

std::vector<float> sine(double frequency, double amplitude, double phaseRad, int frames) {
    std::vector<float> x(static_cast<std::size_t>(frames));
    for (int i = 0; i < frames; ++i)
        x[static_cast<std::size_t>(i)] = static_cast<float>(
            fade(i, frames) * amplitude * std::sin(2.0 * kPi * frequency / kFs * i + phaseRad));
    return x;
}

// What an ideal 8x meter reads on a sine: the analytic waveform's largest magnitude on the 8x grid. Computed
// from the formula, not from any filter. The float rounding of the input (about 1e-7) is far below the
// tolerances.
double ideal8xSineDb(double frequency, double amplitude, double phaseRad, int frames) {
    double peak = 0.0;
    // The fades only lower the waveform, so the steady part holds the peak.
    for (int k = 0; k < frames * 8; ++k)
        peak =
            std::max(peak, std::abs(amplitude * std::sin(2.0 * kPi * frequency / kFs * k / 8.0 + phaseRad)));
    return gainToDb(peak);
}

} // namespace

// The design itself: every branch is an all-pass fractional delay within 0.001 dB up to 0.45 fs, so the
// reconstruction error is an order below the 0.01 dB the meter is specified for.
TEST(PolyphaseInterpolator, BranchesAreFlatToPointFourFiveFs) {
    for (int factor : {4, 8}) {
        const auto h = designInterpolatorKernel(factor, TruePeakMeter::kTapsPerPhase);
        double worst = 0.0;
        for (int m = 0; m < factor; ++m)
            for (double f = 0.0; f <= 0.45; f += 0.0025)
                worst = std::max(worst, std::abs(gainToDb(interpolatorPhaseMagnitude(h, factor, m, f))));
        std::printf("factor %d: worst branch deviation to 0.45 fs = %.5f dB\n", factor, worst);
        EXPECT_LT(worst, 0.001);
    }
}

TEST(PolyphaseInterpolator, PhaseZeroReproducesInputAfterDelay) {
    PolyphaseInterpolator p;
    p.prepare(8, 64, 1);
    std::vector<float> x(300);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)) * 0.9);
    float points[8];
    for (int n = 0; n < 300; ++n) {
        p.process(0, x[static_cast<std::size_t>(n)], points);
        if (n >= p.delayFrames()) {
            ASSERT_EQ(points[0], x[static_cast<std::size_t>(n - p.delayFrames())]) << n;
        }
    }
}

// Points land at n - delay + m / factor: a sine interpolated at those times matches the analytic value.
TEST(PolyphaseInterpolator, PointsLieAtFractionalTimes) {
    PolyphaseInterpolator p;
    p.prepare(4, 48, 1);
    const double w = 2.0 * kPi * 0.21;
    float points[4];
    double worst = 0.0;
    for (int n = 0; n < 400; ++n) {
        p.process(0, static_cast<float>(std::sin(w * n)), points);
        if (n < 100) continue;
        for (int m = 0; m < 4; ++m) {
            const double t = n - p.delayFrames() + m / 4.0;
            worst = std::max(worst, std::abs(points[m] - std::sin(w * t)));
        }
    }
    EXPECT_LT(worst, 2e-4);
}

// EBU Tech 3341 (2016) true-peak cases 15-19, at 48 kHz.
TEST(TruePeakMeter, EbuTech3341Cases15To19) {
    struct Case {
        int number;
        double frequency;
        double phaseDeg;
        double peakDbfs;
    };
    const Case cases[] = {{15, kFs / 4, 0.0, -6.0},
                          {16, kFs / 4, 45.0, -6.0},
                          {17, kFs / 6, 60.0, -6.0},
                          {18, kFs / 8, 67.5, -6.0},
                          {19, kFs / 4, 45.0, 3.0}};
    for (const auto& c : cases) {
        const auto x = sine(c.frequency, dbToGain(c.peakDbfs), c.phaseDeg * kPi / 180.0, 48000);
        const double tp = meterDbtp({x, x});
        std::printf("case %d: %.4f dBTP (expected %.1f)\n", c.number, tp, c.peakDbfs);
        EXPECT_NEAR(tp, c.peakDbfs, 0.05) << "case " << c.number;
    }
}

// Sines from 20 Hz to 0.45 fs at frequencies that do not divide the sample rate (so over a second the 8x grid
// passes arbitrarily close to every crest) read the analytic peak within 0.05 dB, and the ideal 8x grid value
// within 0.005 dB.
TEST(TruePeakMeter, SinesReadAnalyticPeak) {
    double worstAnalytic = 0.0, worstGrid = 0.0;
    for (int i = 0; i < 24; ++i) {
        const double frequency = 20.0 * std::pow(0.45 * kFs / 20.0, i / 23.0) * (i == 23 ? 1.0 : 0.99731);
        for (double phase : {0.0, 0.7854, 2.1}) {
            const double amplitude = 0.7;
            const auto x = sine(frequency, amplitude, phase, 48000);
            const double tp = meterDbtp({x});
            const double analytic = gainToDb(amplitude);
            const double grid = ideal8xSineDb(frequency, amplitude, phase, 48000);
            worstAnalytic = std::max(worstAnalytic, std::abs(tp - analytic));
            worstGrid = std::max(worstGrid, std::abs(tp - grid));
            EXPECT_NEAR(tp, analytic, 0.05) << frequency << " Hz, phase " << phase;
            EXPECT_NEAR(tp, grid, 0.005) << frequency << " Hz, phase " << phase;
        }
    }
    std::printf("worst |error| vs analytic peak %.5f dB, vs ideal 8x grid %.5f dB\n", worstAnalytic,
                worstGrid);
}

// A lone sample reconstructs to a sinc whose maximum is the sample itself; two equal adjacent samples peak
// halfway between at 2 * sinc(1/2) = 4 / pi (+2.098 dB), a point on the 8x grid. The doublet is broadband (2
// cos(pi f)), and the interpolator rolls off above 0.45 fs, hence 0.02 dB rather than the in-band 0.005 dB.
TEST(TruePeakMeter, ImpulseAndDoublet) {
    std::vector<float> impulse(1000, 0.0f);
    impulse[500] = 0.5f;
    EXPECT_NEAR(meterDbtp({impulse}), gainToDb(0.5), 1e-6);
    std::vector<float> doublet(1000, 0.0f);
    doublet[500] = doublet[501] = 1.0f;
    EXPECT_NEAR(meterDbtp({doublet}), gainToDb(4.0 / kPi), 0.02);
}

// A naive (unfiltered) square wave of period N samples is periodic, so its band-limited reconstruction is the
// trigonometric interpolant of one period (DFT coefficients). Its value on the 8x grid is what the meter must
// read, within 0.02 dB: a naive square has harmonics aliased right up to Nyquist, where the interpolator
// rolls off.
TEST(TruePeakMeter, SquareWaveMatchesTrigonometricInterpolation) {
    for (int period : {48, 480}) {
        std::vector<double> one(static_cast<std::size_t>(period));
        for (int i = 0; i < period; ++i)
            one[static_cast<std::size_t>(i)] = i < period / 2 ? 0.5 : -0.5;
        std::vector<std::complex<double>> coeffs(static_cast<std::size_t>(period / 2 + 1));
        for (int k = 0; k <= period / 2; ++k) {
            std::complex<double> s = 0.0;
            for (int i = 0; i < period; ++i)
                s += one[static_cast<std::size_t>(i)] * std::polar(1.0, -2.0 * kPi * k * i / period);
            coeffs[static_cast<std::size_t>(k)] = s / static_cast<double>(period);
        }
        double expected = 0.0;
        for (int j = 0; j < period * 8; ++j) {
            const double t = j / 8.0;
            double v = coeffs[0].real();
            for (int k = 1; k < period / 2; ++k)
                v += 2.0 * std::real(coeffs[static_cast<std::size_t>(k)] *
                                     std::polar(1.0, 2.0 * kPi * k * t / period));
            v += std::real(coeffs[static_cast<std::size_t>(period / 2)]) * std::cos(kPi * t); // Nyquist term
            expected = std::max(expected, std::abs(v));
        }
        std::vector<float> x(48000);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = static_cast<float>(fade(static_cast<int>(i), 48000) *
                                      one[i % static_cast<std::size_t>(period)]);
        const double tp = meterDbtp({x});
        std::printf("square period %d: meter %.4f dBTP, trigonometric %.4f dBTP, soxr %.4f dBTP\n", period,
                    tp, gainToDb(expected), referenceTruePeakDbtp({x}, kFs));
        EXPECT_NEAR(tp, gainToDb(expected), 0.02);
        EXPECT_GT(tp, gainToDb(0.5) + 0.5); // the Gibbs overshoot is real: well above the sample peak
    }
}

TEST(TruePeakMeter, ChannelsBlocksAndReset) {
    TruePeakMeter meter;
    meter.prepare(kFs, 64, 2);
    auto l = sine(1000.0, 0.25, 0.0, 4000);
    auto r = sine(1000.0, 0.5, 0.0, 4000);
    const auto lBefore = l;
    // Uneven block sizes, including single frames.
    int start = 0, size = 1;
    while (start < 4000) {
        const int count = std::min(size, 4000 - start);
        float* p[2] = {l.data() + start, r.data() + start};
        meter.process(AudioBlock(p, 2, count));
        start += count;
        size = size % 64 + 7;
    }
    EXPECT_EQ(l, lBefore); // the meter never writes
    EXPECT_NEAR(meter.channelTruePeakDbtp(0), gainToDb(0.25), 0.01);
    EXPECT_NEAR(meter.channelTruePeakDbtp(1), gainToDb(0.5), 0.01);
    EXPECT_NEAR(meter.truePeakDbtp(), gainToDb(0.5), 0.01);
    meter.reset();
    EXPECT_LE(meter.truePeakDbtp(), kSilenceDb);
}

// The soxr reference agrees with the meter on in-band material, which is what lets the limiter tests use
// both.
TEST(ReferenceTruePeak, AgreesWithMeterOnInBandSines) {
    for (double frequency : {997.0, 11987.0, 19993.0}) {
        const auto x = sine(frequency, 0.5, 0.3, 48000);
        EXPECT_NEAR(referenceTruePeakDbtp({x}, kFs), meterDbtp({x}), 0.01) << frequency;
    }
}

// The even phases of the 8x kernel are the 4x kernel (designInterpolatorKernel's shape depends only on the
// taps per phase and the band edges), so an 8x meter's half-factor reading is bit for bit a 4x meter's
// reading, on full-band noise (where 4x and 8x differ) and on an inter-sample peak.
TEST(TruePeakMeter, HalfFactorReadingIsThatOfAFourTimesMeter) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    std::vector<float> noise(20000);
    for (auto& v : noise)
        v = u(rng);
    const auto tone = sine(kFs / 4, dbToGain(-6.0), kPi / 4, 20000);
    for (const auto& x : {noise, tone}) {
        std::vector<float> copy = x;
        float* ptrs[1] = {copy.data()};
        TruePeakMeter eight, four;
        eight.prepare(kFs, 4096, 1, 8);
        four.prepare(kFs, 4096, 1, 4);
        eight.process(AudioBlock(ptrs, 1, static_cast<int>(copy.size())));
        four.process(AudioBlock(ptrs, 1, static_cast<int>(copy.size())));
        eight.flush();
        four.flush();
        EXPECT_EQ(eight.halfFactorTruePeakDbtp(), four.truePeakDbtp());
        EXPECT_LE(eight.halfFactorTruePeakDbtp(), eight.truePeakDbtp());
    }
}
