// A stem or master chain at neutral settings must not touch the audio at all: not "inaudibly", but bit for
// bit. Mastering engineers null-test their tools; a neutral chain that adds float noise fails that test.
// These run the chains the engine and the render run (core/chain), configured from session settings.
#include "core/chain/MasterChain.h"
#include "core/chain/StemChain.h"
#include "core/chain/StereoBlock.h"
#include "support/TestSignals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace lathe::core {
namespace {

constexpr double kFs = 48000.0;
constexpr int kFrames = 48000;

// Half a sine, a little noise on the left; another sine on the right.
void makeProgramme(std::vector<float>& l, std::vector<float>& r) {
    l.assign(kFrames, 0.0f);
    r.assign(kFrames, 0.0f);
    std::uint32_t state = 1;
    for (int i = 0; i < kFrames; ++i) {
        state = state * 1664525u + 1013904223u;
        l[static_cast<size_t>(i)] =
            static_cast<float>(0.5 * std::sin(0.031 * i) + ((state >> 9) / 8388608.0 - 1.0) * 0.3);
        r[static_cast<size_t>(i)] = static_cast<float>(0.4 * std::sin(0.017 * i + 1.0));
    }
}

// Bands present but flat: a 0 dB bell and 0 dB shelves, plus a disabled cut.
std::vector<EqBandSettings> flatEq() {
    return {{true, "bell", 1000.0, 1.0, 0.0},
            {true, "low_shelf", 100.0, 0.707, 0.0},
            {true, "high_shelf", 10000.0, 0.707, 0.0},
            {false, "high_pass", 30.0, 0.707, 0.0}};
}

} // namespace

TEST(NeutralChain, ZeroGainFlatEqUnityRatioUnityWidthIsBitTransparent) {
    StemSettings stem;
    stem.gain_db = 0.0;
    stem.eq = flatEq();
    stem.compressor.enabled = true;
    stem.compressor.ratio = 1.0;
    stem.compressor.threshold_db = -40.0; // far below the signal: only the ratio keeps it neutral
    stem.compressor.makeup_db = 0.0;
    stem.width = 1.0;
    StemChain chain;
    chain.prepare(kFs, 1024);
    chain.configure(stem, true);
    chain.reset();

    std::vector<float> l, r;
    makeProgramme(l, r);
    const auto inL = l, inR = r;
    // Odd block sizes on purpose: the neutral path must not depend on blocking.
    test::inOddBlocks(l, r, [&](float* bl, float* br, int n) { chain.process(stereoBlock(bl, br, n)); });
    EXPECT_EQ(inL, l);
    EXPECT_EQ(inR, r);
    EXPECT_EQ(chain.compressorGainReductionDb(), 0.0);
}

// The master with everything bypassed (an aggressive compressor, multiband and saturation switched off, the
// limiter off and no loudness gain) adds no latency and leaves every bit alone.
TEST(NeutralChain, MasterWithEveryProcessorOffIsBitTransparent) {
    MasterSettings master;
    master.eq = flatEq();
    master.compressor.enabled = false;
    master.compressor.threshold_db = -60.0;
    master.compressor.ratio = 20.0;
    master.multiband.enabled = false;
    master.multiband.bands.assign(master.multiband.crossovers_hz.size() + 1, master.compressor);
    master.saturation.enabled = false;
    master.saturation.drive_db = 24.0;
    master.width = 1.0;
    master.balance = 0.0;
    master.limiter.enabled = false;
    master.limiter.ceiling_dbtp = -6.0;
    MasterChain chain;
    chain.prepare(kFs, 1024, master);
    chain.setLimiterInputGainDb(0.0);
    chain.reset();
    EXPECT_EQ(chain.preLimiterLatencyFrames(), 0);
    EXPECT_EQ(chain.limiterLatencyFrames(), 0);

    std::vector<float> l, r;
    makeProgramme(l, r);
    const auto inL = l, inR = r;
    test::inOddBlocks(l, r, [&](float* bl, float* br, int n) {
        chain.processPreLimiter(stereoBlock(bl, br, n));
        chain.processLimiter(stereoBlock(bl, br, n));
    });
    EXPECT_EQ(inL, l);
    EXPECT_EQ(inR, r);
}

} // namespace lathe::core
