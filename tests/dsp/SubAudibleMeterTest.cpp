// SubAudibleMeter against analytic figures: levels from the signal's mean square, a tone's share of energy
// above the sub-audible band from the boxcar and Butterworth responses the meter is designed from.
#include "dsp/SubAudibleMeter.h"

#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

using lathe::dsp::SubAudibleMeter;

namespace {

struct Measured {
    double levelDb = 0, audibleShareDb = 0;
};

// Ten seconds of amplitude * sin(2 pi f t) + offset on both channels, fed in blocks of 512.
Measured measure(double sampleRate, double frequency, double amplitude, double offset) {
    const int frames = static_cast<int>(10 * sampleRate);
    std::vector<float> left(static_cast<size_t>(frames)), right(static_cast<size_t>(frames));
    for (int i = 0; i < frames; ++i) {
        const double x = amplitude * std::sin(2.0 * std::numbers::pi * frequency * i / sampleRate) + offset;
        left[static_cast<size_t>(i)] = right[static_cast<size_t>(i)] = static_cast<float>(x);
    }
    SubAudibleMeter meter;
    meter.prepare(sampleRate, 2);
    for (int start = 0; start < frames; start += 512) {
        const float* block[2] = {left.data() + start, right.data() + start};
        meter.process(block, std::min(512, frames - start));
    }
    return {meter.levelDb(), meter.audibleShareDb()};
}

// The share the meter's design gives a tone at f: 1 - |B(f)|^2 |H(f)|^2, B the boxcar of D = round(fs / 750)
// samples, H the 4th-order Butterworth low-pass at 20 Hz made at fs / D by the bilinear transform (prewarped
// at 20 Hz, so f maps to the analog 20 tan(pi f / fr) / tan(pi 20 / fr)).
double expectedShareDb(double sampleRate, double frequency) {
    const double blockFrames = std::round(sampleRate / 750.0);
    const double reducedRate = sampleRate / blockFrames;
    const double boxcar = std::sin(std::numbers::pi * frequency * blockFrames / sampleRate) /
                          (blockFrames * std::sin(std::numbers::pi * frequency / sampleRate));
    const double analogHz = 20.0 * std::tan(std::numbers::pi * frequency / reducedRate) /
                            std::tan(std::numbers::pi * 20.0 / reducedRate);
    const double lowPassPower = 1.0 / (1.0 + std::pow(analogHz / 20.0, 8.0));
    return 10.0 * std::log10(1.0 - boxcar * boxcar * lowPassPower);
}

class SubAudibleMeterAtRate : public ::testing::TestWithParam<double> {};

TEST_P(SubAudibleMeterAtRate, DcIsAllSubAudibleAtItsOwnLevel) {
    const Measured m = measure(GetParam(), 0.0, 0.0, 0.25);
    EXPECT_NEAR(m.levelDb, 20.0 * std::log10(0.25), 0.01);
    EXPECT_LT(m.audibleShareDb, -100.0) << "a file's first block is not an onset";
}

TEST_P(SubAudibleMeterAtRate, ToneSharesFollowTheButterworthLowPass) {
    for (const double hz : {5.0, 10.0, 20.0, 25.0, 30.0, 40.0}) {
        const Measured m = measure(GetParam(), hz, 0.5, 0.0);
        EXPECT_NEAR(m.levelDb, 20.0 * std::log10(0.5 / std::sqrt(2.0)), 0.01) << hz;
        if (hz >= 20.0) {
            EXPECT_NEAR(m.audibleShareDb, expectedShareDb(GetParam(), hz), 0.1) << hz << " Hz";
        } else {
            // Tens of dB down, the low-pass's transient at the tone's onset (about 0.2 % of the energy over
            // ten seconds) outweighs the steady-state share: compare energies, and the verdict.
            EXPECT_NEAR(std::pow(10.0, m.audibleShareDb / 10.0),
                        std::pow(10.0, expectedShareDb(GetParam(), hz) / 10.0), 0.003)
                << hz << " Hz";
            EXPECT_LT(m.audibleShareDb, -20.0) << hz << " Hz is sub-audible";
        }
    }
}

TEST_P(SubAudibleMeterAtRate, AudibleToneCountsWholeAndAnOffsetTakesItsShare) {
    EXPECT_GT(measure(GetParam(), 1000.0, 0.5, 0.0).audibleShareDb, -0.001);
    EXPECT_GT(measure(GetParam(), 60.0, 0.5, 0.0).audibleShareDb, -0.01); // a bass note is audible
    // 1 kHz at 0.1 (mean square 0.005) over an offset of 0.1 (0.01): a third of the energy is audible.
    const Measured m = measure(GetParam(), 1000.0, 0.1, 0.1);
    EXPECT_NEAR(m.audibleShareDb, 10.0 * std::log10(0.005 / 0.015), 0.02);
    EXPECT_NEAR(m.levelDb, 10.0 * std::log10(0.015), 0.01);
}

INSTANTIATE_TEST_SUITE_P(Rates, SubAudibleMeterAtRate, ::testing::Values(44100.0, 48000.0, 96000.0));

TEST(SubAudibleMeter, SilenceReadsSilentAndFullyAudible) {
    const Measured m = measure(48000.0, 0.0, 0.0, 0.0);
    EXPECT_EQ(m.levelDb, -200.0);
    EXPECT_EQ(m.audibleShareDb, 0.0);
}

TEST(SubAudibleMeter, ProcessDoesNotAllocate) {
#ifdef LATHE_COUNT_MALLOC
    std::vector<float> x(4800, 0.25f);
    const float* block[2] = {x.data(), x.data()};
    SubAudibleMeter meter;
    meter.prepare(48000.0, 2);
    lathe::test::armMallocCounter();
    for (int i = 0; i < 10; ++i)
        meter.process(block, 4800);
    meter.reset();
    meter.process(block, 4800);
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
#else
    GTEST_SKIP() << "allocation counting is off";
#endif
}

} // namespace
