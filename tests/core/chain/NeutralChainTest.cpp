// A stem or master chain at neutral settings must not touch the audio at all: not "inaudibly", but bit for
// bit. Mastering engineers null-test their tools; a neutral chain that adds float noise fails that test.
#include "dsp/Compressor.h"
#include "dsp/Gain.h"
#include "dsp/ParametricEq.h"
#include "dsp/StereoWidth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace lathe::dsp;

TEST(NeutralChain, ZeroGainFlatEqUnityRatioUnityWidthIsBitTransparent) {
    constexpr double fs = 48000.0;
    constexpr int kFrames = 48000;
    Gain gain;
    ParametricEq eq;
    Compressor compressor;
    StereoWidth width;
    gain.setGainDb(0.0);
    // Bands present but flat: a 0 dB bell and 0 dB shelves, plus a disabled cut.
    eq.setNumBands(4);
    eq.setBand(0, {true, FilterType::Bell, 1000.0, 1.0, 0.0});
    eq.setBand(1, {true, FilterType::LowShelf, 100.0, 0.707, 0.0});
    eq.setBand(2, {true, FilterType::HighShelf, 10000.0, 0.707, 0.0});
    eq.setBand(3, {false, FilterType::HighPass, 30.0, 0.707, 0.0});
    CompressorParameters p;
    p.ratio = 1.0;
    p.thresholdDb = -40.0; // far below the signal: only the ratio keeps it neutral
    p.makeupDb = 0.0;
    compressor.setParameters(p);
    width.setWidth(1.0);
    width.setBalance(0.0);
    gain.prepare(fs, 512, 2);
    eq.prepare(fs, 512, 2);
    compressor.prepare(fs, 512, 2);
    width.prepare(fs, 512, 2);

    std::vector<float> l(kFrames), r(kFrames);
    std::uint32_t state = 1;
    for (int i = 0; i < kFrames; ++i) {
        state = state * 1664525u + 1013904223u;
        l[static_cast<size_t>(i)] =
            static_cast<float>(0.5 * std::sin(0.031 * i) + ((state >> 9) / 8388608.0 - 1.0) * 0.3);
        r[static_cast<size_t>(i)] = static_cast<float>(0.4 * std::sin(0.017 * i + 1.0));
    }
    const auto inL = l, inR = r;
    // Odd block sizes on purpose: the neutral path must not depend on blocking.
    for (int start = 0, n = 1; start < kFrames; start += n, n = (n * 7 + 3) % 700 + 1) {
        const int count = std::min(n, kFrames - start);
        float* ch[2] = {l.data() + start, r.data() + start};
        AudioBlock block(ch, 2, count);
        gain.process(block);
        eq.process(block);
        compressor.process(block);
        width.process(block);
    }
    EXPECT_EQ(inL, l);
    EXPECT_EQ(inR, r);
    EXPECT_EQ(compressor.maxGainReductionDb(), 0.0);
}
