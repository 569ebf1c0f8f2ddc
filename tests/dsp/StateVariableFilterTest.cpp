#include "dsp/StateVariableFilter.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/Decibels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;

std::vector<double> testFrequencies() {
    std::vector<double> f;
    for (int i = 0; i <= 40; ++i)
        f.push_back(20.0 * std::pow(1100.0, i / 40.0)); // 20 Hz .. 22 kHz
    return f;
}

// DFT of the filter's impulse response at one frequency: what the running recursion does, independent of
// the closed form under test.
std::complex<double> measuredResponse(const SvfCoefficients& c, double frequency) {
    SvfState s;
    std::complex<double> sum = 0.0;
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    for (int n = 0; n < 1 << 16; ++n)
        sum += svfProcess(c, s, n == 0 ? 1.0 : 0.0) * std::polar(1.0, -w * n);
    return sum;
}

} // namespace

// The TPT bell and shelves are the cookbook's: same transfer function as makeBell / makeLowShelf /
// makeHighShelf (complex, so phase too), for cuts and boosts, narrow and wide, low and high.
TEST(StateVariableFilter, BellAndShelvesAreTheCookbookDesigns) {
    for (const double gainDb : {-18.0, -6.0, -0.5, 3.0, 12.0})
        for (const double q : {0.3, 0.707, 2.0, 8.0})
            for (const double f0 : {40.0, 1000.0, 9000.0, 20000.0}) {
                const std::pair<SvfCoefficients, BiquadCoefficients> pairs[] = {
                    {makeSvfBell(kFs, f0, q, gainDb), makeBell(kFs, f0, q, gainDb)},
                    {makeSvfLowShelf(kFs, f0, q, gainDb), makeLowShelf(kFs, f0, q, gainDb)},
                    {makeSvfHighShelf(kFs, f0, q, gainDb), makeHighShelf(kFs, f0, q, gainDb)}};
                for (const auto& [svf, rbj] : pairs)
                    for (const double f : testFrequencies()) {
                        const auto a = response(svf, kFs, f), b = response(rbj, kFs, f);
                        ASSERT_LT(std::abs(a - b), 1e-9 * std::abs(b))
                            << f0 << " Hz q " << q << " " << gainDb << " dB at " << f;
                    }
            }
}

TEST(StateVariableFilter, PassFiltersAreTheCookbookDesigns) {
    for (const double q : {0.5, 0.707, 3.0})
        for (const double f0 : {60.0, 2000.0, 15000.0})
            for (const double f : testFrequencies()) {
                EXPECT_LT(std::abs(response(makeSvfBandPass(kFs, f0, q), kFs, f) -
                                   response(makeBandPass(kFs, f0, q), kFs, f)),
                          1e-9);
                EXPECT_LT(std::abs(response(makeSvfLowPass(kFs, f0, q), kFs, f) -
                                   response(makeLowPass(kFs, f0, q), kFs, f)),
                          1e-9);
                EXPECT_LT(std::abs(response(makeSvfHighPass(kFs, f0, q), kFs, f) -
                                   response(makeHighPass(kFs, f0, q), kFs, f)),
                          1e-9);
            }
}

// The per-sample recursion realises the closed form.
TEST(StateVariableFilter, RecursionMatchesItsTransferFunction) {
    const SvfCoefficients designs[] = {
        makeSvfBell(kFs, 500.0, 1.5, -9.0), makeSvfLowShelf(kFs, 100.0, 0.707, 6.0),
        makeSvfHighShelf(kFs, 8000.0, 0.9, -4.0), makeSvfBandPass(kFs, 7000.0, 2.0)};
    for (const auto& c : designs)
        for (const double f : {50.0, 300.0, 1000.0, 5000.0, 12000.0})
            EXPECT_LT(std::abs(measuredResponse(c, f) - response(c, kFs, f)), 1e-9) << f;
}

TEST(StateVariableFilter, ZeroDecibelBellAndShelvesAreTheIdentity) {
    const SvfCoefficients designs[] = {makeSvfBell(kFs, 500.0, 1.5, 0.0),
                                       makeSvfLowShelf(kFs, 100.0, 0.707, 0.0),
                                       makeSvfHighShelf(kFs, 8000.0, 0.9, 0.0)};
    for (const auto& c : designs) {
        SvfState s;
        for (int n = 0; n < 1000; ++n) {
            const double x = std::sin(0.37 * n) * 0.8 + 0.1;
            ASSERT_EQ(svfProcess(c, s, x), x);
        }
    }
}
