#include "dsp/KWeighting.h"
#include "dsp/Decibels.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace lathe::dsp;

// BS.1770's -0.691 dB offset exists because K-weighting reads +0.691 dB at 997 Hz (so a 997 Hz sine's
// loudness is its RMS level), exactly so at 48 kHz, within 0.02 dB at the rates the design is re-derived for;
// the shelf adds ~4 dB at the top; the RLB high-pass takes out the sub-bass.
TEST(KWeighting, ResponseAtLandmarks) {
    for (double fs : {44100.0, 48000.0, 96000.0}) {
        const KWeighting k = makeKWeighting(fs);
        EXPECT_NEAR(powerToDb(kWeightingPowerGain(k, fs, 997.0)), 0.691, fs == 48000.0 ? 0.005 : 0.02) << fs;
        EXPECT_NEAR(powerToDb(kWeightingPowerGain(k, fs, 10000.0)), 4.0, 0.1) << fs;
        EXPECT_LT(powerToDb(kWeightingPowerGain(k, fs, 20.0)), -10.0) << fs;
    }
}
