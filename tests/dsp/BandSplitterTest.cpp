#include "dsp/BandSplitter.h"
#include "dsp/Decibels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;
constexpr double kButterworthQ = std::numbers::sqrt2 / 2.0;

std::vector<double> logFrequencies(int count) {
    std::vector<double> f;
    for (int i = 0; i < count; ++i)
        f.push_back(20.0 * std::pow(1000.0, static_cast<double>(i) / (count - 1)));
    return f;
}

// Crossovers two octaves apart make missing phase compensation visible in the sum (0.2-0.7 dB ripple); the
// wide 4-band layout is a typical mastering split.
const std::vector<std::vector<double>> kLayouts = {
    {1000.0}, {150.0, 600.0}, {80.0, 600.0, 5000.0}, {200.0, 800.0, 3200.0}};

// Complex steady-state response of a signal to a unit sine: least-squares fit of y = a sin + b cos, so the
// result is a + jb relative to the input sin (the phase convention of H(e^jw) for an input sin(wn)).
std::complex<double> fitSine(const std::vector<double>& y, int start, double w) {
    double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
    for (size_t i = static_cast<size_t>(start); i < y.size(); ++i) {
        const double n = static_cast<double>(i);
        const double s = std::sin(w * n), c = std::cos(w * n), v = y[i];
        ss += s * s, cc += c * c, sc += s * c, ys += v * s, yc += v * c;
    }
    const double det = ss * cc - sc * sc;
    const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
    // y = a sin + b cos = Im((a + jb) e^{jwn}) for input Im(e^{jwn}).
    return {a, b};
}

struct Measurement {
    std::vector<std::complex<double>> bands; // per band, relative to the input sine
    std::complex<double> sum;                // of the float band outputs, summed in double
};

// Runs a stereo sine through the splitter in 512-frame blocks and fits every band's output and their sum.
Measurement measure(BandSplitter& splitter, double frequency) {
    splitter.reset();
    const int settle = static_cast<int>(kFs); // slowest poles: 80 Hz LR4, settled to < 1e-9 within 0.2 s
    const int cycles = std::max(20, static_cast<int>(frequency / 10.0));
    const int total = settle + static_cast<int>(std::lround(cycles * kFs / frequency));
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    const int nb = splitter.numBands();
    std::vector<float> inL(static_cast<size_t>(total)), inR(static_cast<size_t>(total));
    for (int i = 0; i < total; ++i)
        inL[static_cast<size_t>(i)] = inR[static_cast<size_t>(i)] = static_cast<float>(0.5 * std::sin(w * i));
    std::vector<std::vector<float>> outL(static_cast<size_t>(nb),
                                         std::vector<float>(static_cast<size_t>(total)));
    auto outR = outL;
    for (int start = 0; start < total; start += kBlock) {
        const int n = std::min(kBlock, total - start);
        float* in[2] = {inL.data() + start, inR.data() + start};
        AudioBlock bands[BandSplitter::kMaxBands];
        float* ptrs[BandSplitter::kMaxBands][2];
        for (int b = 0; b < nb; ++b) {
            ptrs[b][0] = outL[static_cast<size_t>(b)].data() + start;
            ptrs[b][1] = outR[static_cast<size_t>(b)].data() + start;
            bands[b] = AudioBlock(ptrs[b], 2, n);
        }
        splitter.process(AudioBlock(in, 2, n), bands);
    }
    Measurement m;
    std::vector<double> sum(static_cast<size_t>(total), 0.0);
    for (int b = 0; b < nb; ++b) {
        std::vector<double> y(outL[static_cast<size_t>(b)].begin(), outL[static_cast<size_t>(b)].end());
        for (size_t i = 0; i < y.size(); ++i) {
            sum[i] += y[i];
            // Channels carry identical input and must come out identical (independent per-channel state).
            EXPECT_EQ(outL[static_cast<size_t>(b)][i], outR[static_cast<size_t>(b)][i]);
        }
        m.bands.push_back(fitSine(y, settle, w) / 0.5);
    }
    m.sum = fitSine(sum, settle, w) / 0.5;
    return m;
}

void configure(BandSplitter& s, const std::vector<double>& crossovers) {
    s.prepare(kFs, kBlock, 2);
    s.setCrossoverFrequencies(crossovers.data(), static_cast<int>(crossovers.size()));
}

} // namespace

// The allpass used for phase compensation equals LP^2 + HP^2 of the cookbook Butterworth sections (the LR4
// sum).
TEST(BandSplitter, AllPassEqualsLr4Sum) {
    for (double fc : {30.0, 250.0, 1000.0, 8000.0, 19000.0}) {
        const auto lp = makeLowPass(kFs, fc, kButterworthQ), hp = makeHighPass(kFs, fc, kButterworthQ);
        const auto ap = makeLinkwitzRileyAllPass(kFs, fc);
        for (double f : logFrequencies(40)) {
            const auto l = response(lp, kFs, f), h = response(hp, kFs, f);
            const auto expected = l * l + h * h;
            EXPECT_NEAR(std::abs(response(ap, kFs, f) - expected), 0.0, 1e-9) << fc << " / " << f;
            EXPECT_NEAR(std::abs(response(ap, kFs, f)), 1.0, 1e-12);
        }
    }
}

// Analytic: the bands' complex responses sum to unit magnitude (an allpass) for 2, 3 and 4 bands.
TEST(BandSplitter, AnalyticBandsSumFlat) {
    for (const auto& layout : kLayouts) {
        BandSplitter s;
        configure(s, layout);
        ASSERT_EQ(s.numBands(), static_cast<int>(layout.size()) + 1);
        for (double f : logFrequencies(60)) {
            std::complex<double> sum = 0.0;
            for (int b = 0; b < s.numBands(); ++b)
                sum += s.bandResponse(b, f);
            EXPECT_NEAR(gainToDb(std::abs(sum)), 0.0, 1e-6) << s.numBands() << " bands at " << f << " Hz";
        }
    }
}

// Measured: the running splitter's bands, summed, are flat within 0.1 dB at 30 frequencies 20 Hz - 20 kHz;
// each band matches bandResponse within 0.01 dB (where it is above -80 dB) and within 0.1 degree of phase.
TEST(BandSplitter, MeasuredBandsMatchAnalyticAndSumFlat) {
    for (const auto& layout : kLayouts) {
        BandSplitter s;
        configure(s, layout);
        double worstSum = 0.0, worstBand = 0.0;
        for (double f : logFrequencies(30)) {
            const Measurement m = measure(s, f);
            const double sumDb = gainToDb(std::abs(m.sum));
            worstSum = std::max(worstSum, std::abs(sumDb));
            EXPECT_NEAR(sumDb, 0.0, 0.1) << s.numBands() << " bands at " << f << " Hz";
            for (int b = 0; b < s.numBands(); ++b) {
                const auto expected = s.bandResponse(b, f);
                const double expectedDb = gainToDb(std::abs(expected));
                if (expectedDb < -80.0) continue; // below what a float sine fit resolves
                const double measuredDb = gainToDb(std::abs(m.bands[static_cast<size_t>(b)]));
                worstBand = std::max(worstBand, std::abs(measuredDb - expectedDb));
                EXPECT_NEAR(measuredDb, expectedDb, 0.01) << "band " << b << " at " << f << " Hz";
                const double phaseError = std::abs(std::arg(m.bands[static_cast<size_t>(b)] / expected));
                EXPECT_LT(phaseError * 180.0 / std::numbers::pi, 0.1) << "band " << b << " at " << f << " Hz";
            }
        }
        std::printf("%d bands: worst |sum| %.2e dB, worst band error %.2e dB\n", s.numBands(), worstSum,
                    worstBand);
    }
}

// An LR4 output is two cascaded Butterworth sections, each -3.01 dB at the crossover: -6.02 dB per output.
TEST(BandSplitter, Lr4OutputsAreMinus6DbAtCrossover) {
    const double expected = 20.0 * std::log10(0.5);
    for (double fc : {100.0, 1000.0, 10000.0}) {
        BandSplitter s;
        configure(s, {fc});
        EXPECT_NEAR(gainToDb(std::abs(s.bandResponse(0, fc))), expected, 1e-9);
        EXPECT_NEAR(gainToDb(std::abs(s.bandResponse(1, fc))), expected, 1e-9);
        const Measurement m = measure(s, fc);
        EXPECT_NEAR(gainToDb(std::abs(m.bands[0])), expected, 0.01) << fc;
        EXPECT_NEAR(gainToDb(std::abs(m.bands[1])), expected, 0.01) << fc;
    }
    // In a 4-band tree both bands at a crossover are near -6.02 dB there too; they also carry the
    // neighbouring crossovers' LR4 skirts (about 0.003 dB at three octaves' distance, the allpasses have unit
    // magnitude).
    BandSplitter s;
    configure(s, kLayouts[2]);
    for (int k = 0; k < 3; ++k) {
        const double fc = kLayouts[2][static_cast<size_t>(k)];
        EXPECT_NEAR(gainToDb(std::abs(s.bandResponse(k, fc))), expected, 0.01) << "crossover " << k;
        EXPECT_NEAR(gainToDb(std::abs(s.bandResponse(k + 1, fc))), expected, 0.01) << "crossover " << k;
    }
}

// Processing with the input aliased to bands[0] (in place) gives the same bands as separate buffers, and the
// result does not depend on how the signal is cut into blocks.
TEST(BandSplitter, InPlaceAndBlockSizeIndependent) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    constexpr int kFrames = 4000;
    std::vector<float> input(kFrames);
    for (auto& v : input)
        v = dist(rng);

    BandSplitter a, b;
    configure(a, kLayouts[2]);
    configure(b, kLayouts[2]);
    std::vector<std::vector<float>> separate(4, std::vector<float>(kFrames));
    {
        const auto in = input;
        float* pin[1] = {const_cast<float*>(in.data())};
        float* p[4][1] = {
            {separate[0].data()}, {separate[1].data()}, {separate[2].data()}, {separate[3].data()}};
        const AudioBlock bands[4] = {AudioBlock(p[0], 1, kFrames), AudioBlock(p[1], 1, kFrames),
                                     AudioBlock(p[2], 1, kFrames), AudioBlock(p[3], 1, kFrames)};
        a.process(AudioBlock(pin, 1, kFrames), bands);
        EXPECT_EQ(in, input); // input untouched when it aliases no band
    }
    std::vector<std::vector<float>> inPlace(4, std::vector<float>(kFrames));
    inPlace[0] = input;
    std::uniform_int_distribution<int> len(1, kBlock);
    for (int start = 0; start < kFrames;) {
        const int n = std::min(len(rng), kFrames - start);
        float* p[4][1];
        AudioBlock bands[4];
        for (int k = 0; k < 4; ++k) {
            p[k][0] = inPlace[static_cast<size_t>(k)].data() + start;
            bands[k] = AudioBlock(p[k], 1, n);
        }
        b.process(bands[0], bands);
        start += n;
    }
    for (int k = 0; k < 4; ++k)
        EXPECT_EQ(separate[static_cast<size_t>(k)], inPlace[static_cast<size_t>(k)]) << "band " << k;
}

TEST(BandSplitter, CrossoversAreClampedAndOrdered) {
    BandSplitter s;
    s.prepare(kFs, kBlock, 2);
    const double wild[] = {2000.0, 500.0, 1e6};
    s.setCrossoverFrequencies(wild, 3);
    EXPECT_EQ(s.numBands(), 4);
    EXPECT_EQ(s.crossoverFrequency(0), 2000.0);
    EXPECT_EQ(s.crossoverFrequency(1), 2000.0);
    EXPECT_LE(s.crossoverFrequency(2), 0.45 * kFs);
    // Still an allpass sum after clamping.
    for (double f : logFrequencies(20)) {
        std::complex<double> sum = 0.0;
        for (int b = 0; b < 4; ++b)
            sum += s.bandResponse(b, f);
        EXPECT_NEAR(std::abs(sum), 1.0, 1e-9);
    }
}
