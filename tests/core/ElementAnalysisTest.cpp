#include "core/ElementAnalysis.h"
#include "core/ClientFolder.h"
#include "support/DefectiveFolders.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

using namespace lathe;

namespace {

core::LoadedAudio stereo(std::vector<float> l, std::vector<float> r, const std::string& name) {
    core::LoadedAudio a;
    a.info.path = "/x/" + name;
    a.info.sampleRate = 48000;
    a.info.channels = 2;
    a.info.frames = static_cast<int64_t>(l.size());
    a.channels = {std::move(l), std::move(r)};
    return a;
}

std::vector<float> sine(std::size_t n, double hz, double amplitude) {
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<float>(amplitude * std::sin(2.0 * 3.14159265358979 * hz * i / 48000.0));
    return x;
}

} // namespace

TEST(ElementAnalysis, WidthBrightnessAndLimiterDriverOnKnownSignals) {
    const std::size_t n = 48000 * 4;
    // A centred 60 Hz bass, a 8 kHz "hat" only on the left (side = mid: 0 dB width), and a vocal sine with
    // short loud bursts that make the sum's peaks.
    auto bass = sine(n, 60.0, 0.2);
    auto hat = sine(n, 8000.0, 0.05);
    auto vocal = sine(n, 440.0, 0.05);
    for (std::size_t i = 0; i < n; i += 4800)
        for (std::size_t j = i; j < std::min(n, i + 200); ++j)
            vocal[j] *= 12.0f;
    const auto b = stereo(bass, bass, "bass.wav"), h = stereo(hat, std::vector<float>(n, 0.0f), "hat.wav"),
               v = stereo(vocal, vocal, "vocal.wav");
    const auto a = core::analyzeElements(
        nullptr, {{&b, core::StemRole::Bass}, {&h, core::StemRole::Drums}, {&v, core::StemRole::LeadVocal}});
    ASSERT_EQ(a.stems.size(), 3u);
    EXPECT_EQ(a.stems[0].widthDb, -200.0);
    EXPECT_NEAR(a.stems[1].widthDb, 0.0, 0.01);
    // All of the hat's energy is in 5-12 kHz (less the second-order skirts at 8 kHz, about 1 dB), none of the
    // bass's.
    EXPECT_NEAR(a.stems[1].brightnessDb, 0.0, 1.5);
    EXPECT_LT(a.stems[0].brightnessDb, -60.0);
    // A 60 Hz sine at 0.2 peak: RMS 0.141 -> -17 dBFS, all inside 30-120 Hz (less the band edges' ripple).
    EXPECT_NEAR(a.stems[0].lowBandDb, 20.0 * std::log10(0.2 / std::sqrt(2.0)), 1.0);
    EXPECT_EQ(a.limiterDriver, "/x/vocal.wav");
    EXPECT_GT(a.stems[2].peakShare, 0.9);
    ASSERT_TRUE(a.cymbalsOverVocalDb);
    // The vocal's only highs are the clicks of its bursts' hard edges.
    EXPECT_GT(*a.cymbalsOverVocalDb, 6.0);
}

TEST(ElementAnalysis, DemoKickAnd808ShareTheLowEnd) {
    // The demo plays its 808 on the kicks by construction: both are present in most low-end frames.
    test::TempDir dir;
    test::writeDefectiveFolder(dir.path(), test::Defect::Clean);
    const auto a = core::analyzeFolderElements(core::scanClientFolder(dir.path()));
    std::cout << "  low-end overlap " << a.lowEndOverlap << ", masking " << a.lowEndMasking
              << ", limiter driver " << a.limiterDriver << "\n";
    ASSERT_TRUE(a.hasKickAndBass);
    EXPECT_GT(a.lowEndOverlap, 0.5);
    EXPECT_GE(a.lowEndOverlap, a.lowEndMasking);
    EXPECT_EQ(a.sections.empty(), false);
}
