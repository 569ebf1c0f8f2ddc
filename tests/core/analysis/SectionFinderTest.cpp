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
