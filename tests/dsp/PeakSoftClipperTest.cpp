#include "dsp/PeakSoftClipper.h"
#include "dsp/Decibels.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

using namespace lathe::dsp;

// The static curve at its defining points: untouched up to clipDb below the ceiling, half the clip amount at
// the ceiling, the whole clip amount from clipDb above it on.
TEST(PeakSoftClipper, StaticCurveMatchesItsDefinition) {
    const double ceiling = dbToGain(-1.0);
    for (double clipDb : {0.5, 1.0, 2.0}) {
        EXPECT_EQ(peakSoftClipGain(ceiling * dbToGain(-clipDb), ceiling, clipDb), 1.0);
        EXPECT_EQ(peakSoftClipGain(0.5 * ceiling * dbToGain(-clipDb), ceiling, clipDb), 1.0);
        EXPECT_NEAR(gainToDb(peakSoftClipGain(ceiling, ceiling, clipDb)), -clipDb / 2.0, 1e-12);
        EXPECT_NEAR(gainToDb(peakSoftClipGain(ceiling * dbToGain(clipDb), ceiling, clipDb)), -clipDb, 1e-12);
        EXPECT_NEAR(gainToDb(peakSoftClipGain(ceiling * 10.0, ceiling, clipDb)), -clipDb, 1e-12);
        // Smoothstep in between: at a quarter of the knee, 5/32 of the clip amount.
        EXPECT_NEAR(gainToDb(peakSoftClipGain(ceiling * dbToGain(-clipDb / 2.0), ceiling, clipDb)),
                    -clipDb * 5.0 / 32.0, 1e-12);
        // The output level rises with the input level everywhere, with a slope of at least 0.25 (in dB).
        double previousOut = -1e9, previousIn = -1e9;
        for (double in = -3.0 * clipDb; in <= 3.0 * clipDb; in += clipDb / 200.0) {
            const double x = ceiling * dbToGain(in);
            const double out = gainToDb(x * peakSoftClipGain(x, ceiling, clipDb));
            if (previousIn > -1e8) {
                EXPECT_GE((out - previousOut) / (in - previousIn), 0.25 - 1e-6) << in;
            }
            previousOut = out;
            previousIn = in;
        }
    }
    EXPECT_EQ(peakSoftClipGain(10.0, 1.0, 0.0), 1.0); // clip amount 0: off
}

// Oversampled: a 1 kHz sine 3 dB over the ceiling comes out clipDb lower at its peak (the curve's flat part),
// and a quiet sine comes out as the input delayed by the oversampler's latency.
TEST(PeakSoftClipper, OversampledSineLosesTheClipAmountAndQuietPassesDelayed) {
    const double fs = 48000.0, ceiling = dbToGain(-1.0);
    for (int factor : {2, 4, 8}) {
        PeakSoftClipper clipper;
        clipper.prepare(fs, 256, 1, factor);
        clipper.setCurve(ceiling, 1.0);
        const int latency = clipper.latencyFrames();
        for (double levelDb : {-1.0 + 3.0, -1.0 - 6.0}) {
            clipper.reset();
            std::vector<float> x(9600), y(9600);
            for (std::size_t n = 0; n < x.size(); ++n)
                x[n] =
                    static_cast<float>(ceiling * dbToGain(levelDb + 1.0) *
                                       std::sin(2 * std::numbers::pi * 1000.0 / fs * static_cast<double>(n)));
            y = x;
            for (std::size_t s = 0; s < y.size(); s += 256) {
                float* p[1] = {y.data() + s};
                const int n = static_cast<int>(std::min<std::size_t>(256, y.size() - s));
                lathe::test::armMallocCounter();
                clipper.process(AudioBlock(p, 1, n));
                EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
            }
            double peak = 0.0, worstQuiet = 0.0;
            for (std::size_t n = 4800; n < y.size(); ++n) {
                peak = std::max(peak, std::abs(static_cast<double>(y[n])));
                worstQuiet = std::max(worstQuiet, std::abs(static_cast<double>(y[n]) -
                                                           x[n - static_cast<std::size_t>(latency)]));
            }
            if (levelDb > -1.0) {
                EXPECT_NEAR(gainToDb(peak), levelDb - 1.0, 0.02)
                    << factor; // 1 kHz has no inter-sample overshoot to speak of
            } else {
                EXPECT_LT(worstQuiet, 1e-4) << factor; // below the knee: only the oversampler's ripple
            }
        }
    }
}
