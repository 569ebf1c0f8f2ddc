#include "core/analysis/SectionFinder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

using namespace lathe;

TEST(SectionFinder, FindsLevelStepsAndNamesTheLoudestTheHook) {
    // Noise at -30, -10 and -25 dB RMS for 4 s each: two boundaries, at 4 and 8 s.
    const double fs = 8000.0;
    const double levels[3] = {-30.0, -10.0, -25.0};
    std::vector<float> x;
    uint32_t seed = 9;
    for (double level : levels) {
        // Uniform noise has RMS amplitude / sqrt(3).
        const double amplitude = std::pow(10.0, level / 20.0) * std::sqrt(3.0);
        for (int i = 0; i < 4 * 8000; ++i) {
            seed = seed * 1664525u + 1013904223u;
            x.push_back(static_cast<float>(amplitude * (seed / 4294967296.0 * 2.0 - 1.0)));
        }
    }
    const auto sections = core::findSections(x, fs);
    ASSERT_EQ(sections.size(), 3u);
    EXPECT_NEAR(sections[0].endSeconds, 4.0, 0.15);
    EXPECT_NEAR(sections[1].endSeconds, 8.0, 0.15);
    EXPECT_DOUBLE_EQ(sections[0].startSeconds, 0.0);
    EXPECT_NEAR(sections[2].endSeconds, 12.0, 1e-9);
    EXPECT_EQ(sections[0].label, "intro");
    EXPECT_EQ(sections[1].label, "hook");
    EXPECT_EQ(sections[2].label, "outro");
    EXPECT_NEAR(sections[1].levelDb, -10.0, 0.5);
}

TEST(SectionFinder, SteadySongIsOneSection) {
    std::vector<float> x(8000 * 10);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(0.3 * std::sin(2.0 * 3.14159265 * 220.0 * i / 8000.0));
    const auto sections = core::findSections(x, 8000.0);
    ASSERT_EQ(sections.size(), 1u);
    EXPECT_EQ(sections[0].label, "hook");
}

// The GUI's automation lane feeds a song block by block (SectionLevels: 8 bytes per 0.1 s, never the song
// whole): the sections are those of the whole-signal finder, boundaries and labels exactly, levels to
// rounding.
TEST(SectionFinder, BlockByBlockLevelsFindTheSameSections) {
    const double fs = 44100.0;
    const double levels[4] = {-28.0, -12.0, -20.0, -9.0};
    std::vector<float> x;
    uint32_t seed = 5;
    for (double level : levels) {
        const double amplitude = std::pow(10.0, level / 20.0) * std::sqrt(3.0);
        for (int i = 0; i < 5 * 44100 + 123; ++i) {
            seed = seed * 1664525u + 1013904223u;
            x.push_back(static_cast<float>(amplitude * (seed / 4294967296.0 * 2.0 - 1.0)));
        }
    }
    const auto whole = core::findSections(x, fs);
    core::SectionLevels streamed(fs);
    for (std::size_t at = 0; at < x.size(); at += 1000)
        streamed.add(x.data() + at, static_cast<int64_t>(std::min<std::size_t>(1000, x.size() - at)));
    EXPECT_EQ(streamed.frames(), static_cast<int64_t>(x.size()));
    const auto blocks = core::findSections(streamed);
    ASSERT_EQ(whole.size(), 4u);
    ASSERT_EQ(blocks.size(), whole.size());
    for (std::size_t k = 0; k < whole.size(); ++k) {
        EXPECT_DOUBLE_EQ(blocks[k].startSeconds, whole[k].startSeconds) << k;
        EXPECT_DOUBLE_EQ(blocks[k].endSeconds, whole[k].endSeconds) << k;
        EXPECT_EQ(blocks[k].label, whole[k].label) << k;
        EXPECT_NEAR(blocks[k].levelDb, whole[k].levelDb, 1e-6) << k;
    }
}
