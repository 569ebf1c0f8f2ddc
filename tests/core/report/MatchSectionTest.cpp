// The HTML report's "Against the reference" section draws the curve it is given and names the figures.
#include "core/report/MatchSection.h"

#include <gtest/gtest.h>

namespace lathe::core {
namespace {

TEST(MatchSection, DrawsTheCurveAndTheWidthAndNamesTheLoudness) {
    MatchReport m;
    m.toneCurve = {{20, 0}, {1000, -12}, {20000, 12}};
    m.widthBands = {{1250, 2500, 3, -8, -5}};
    m.sourceLufs = -18.2;
    m.referenceLufs = -11.9;
    m.sourcePlrDb = 14.3;
    m.referencePlrDb = 10.8;
    const std::string html = matchSectionHtml(m);
    // 20 Hz at the left edge (x 40), 1 kHz at 40 + 590 log(50) / log(1000) = 374.1, 20 kHz at 630; +-12 dB at
    // the plot's edges (y 190 and 10), 0 dB in the middle (y 100).
    EXPECT_NE(html.find("points='40.0,100.0 374.1,190.0 630.0,10.0 '"), std::string::npos) << html;
    EXPECT_NE(html.find("stroke='#4a7bd0'"), std::string::npos);
    EXPECT_NE(html.find("-18.2 LUFS"), std::string::npos);
    EXPECT_NE(html.find("-11.9 LUFS"), std::string::npos);
    EXPECT_NE(html.find("10.8 dB"), std::string::npos);
}

} // namespace
} // namespace lathe::core
