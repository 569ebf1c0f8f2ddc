#include "ui/StreamingPreviewPanel.h"

#include <QApplication>
#include <QTableWidget>
#include <gtest/gtest.h>

#include <cmath>

using lathe::ui::streamingOutcome;
using lathe::ui::streamingPlatforms;
using lathe::ui::StreamingPreviewPanel;

namespace {

const lathe::ui::StreamingPlatform& platform(const QString& name) {
    for (const auto& p : streamingPlatforms())
        if (p.name == name) return p;
    throw std::runtime_error("no platform " + name.toStdString());
}

} // namespace

TEST(StreamingPreviewPanel, PlatformsAndReferencesAreTheDocumentedOnes) {
    const std::pair<const char*, double> expected[] = {{"Spotify", -14},      {"Apple Music", -16},
                                                       {"YouTube", -14},      {"Tidal", -14},
                                                       {"Amazon Music", -14}, {"Deezer", -15}};
    ASSERT_EQ(streamingPlatforms().size(), std::size(expected));
    for (const auto& [name, lufs] : expected)
        EXPECT_EQ(platform(QString::fromLatin1(name)).referenceLufs, lufs) << name;
    EXPECT_TRUE(platform("Spotify").turnsUp);
    EXPECT_TRUE(platform("Apple Music").turnsUp);
    EXPECT_FALSE(platform("YouTube").turnsUp);
    EXPECT_FALSE(platform("Deezer").turnsUp);
}

TEST(StreamingPreviewPanel, LoudMasterIsTurnedDownByTheGapEverywhere) {
    const double lufs = -9.0, peak = -0.3;
    for (const auto& p : streamingPlatforms()) {
        const auto o = streamingOutcome(p, lufs, peak);
        EXPECT_NEAR(o.gainDb, p.referenceLufs - lufs, 1e-12) << p.name.toStdString();
        EXPECT_NEAR(o.resultingPeakDbtp, peak + p.referenceLufs - lufs, 1e-12);
        EXPECT_NEAR(o.resultingLufs, p.referenceLufs, 1e-12);
    }
}

TEST(StreamingPreviewPanel, QuietMasterIsRaisedOnlyWherePlatformsTurnUpAndOnlyToThePeakLimit) {
    // -20 LUFS, -6 dBTP: Spotify's gap is 6 dB but only 5 dB of peak headroom to -1 dBTP; Apple's gap (4 dB)
    // fits under the headroom; the others leave it alone.
    EXPECT_NEAR(streamingOutcome(platform("Spotify"), -20, -6).gainDb, 5.0, 1e-12);
    EXPECT_NEAR(streamingOutcome(platform("Spotify"), -20, -6).resultingPeakDbtp, -1.0, 1e-12);
    EXPECT_NEAR(streamingOutcome(platform("Apple Music"), -20, -6).gainDb, 4.0, 1e-12);
    EXPECT_NEAR(streamingOutcome(platform("Apple Music"), -20, -6).resultingPeakDbtp, -2.0, 1e-12);
    for (const char* name : {"YouTube", "Tidal", "Amazon Music", "Deezer"}) {
        EXPECT_EQ(streamingOutcome(platform(name), -20, -6).gainDb, 0.0) << name;
        EXPECT_EQ(streamingOutcome(platform(name), -20, -6).resultingPeakDbtp, -6.0) << name;
    }
    // Peaks already above the limit: no upward gain at all, never a negative "turn up".
    EXPECT_EQ(streamingOutcome(platform("Spotify"), -18, -0.5).gainDb, 0.0);
}

TEST(StreamingPreviewPanel, TableShowsTheOutcomesAndFlagsPeaksOverFullScale) {
    StreamingPreviewPanel panel;
    panel.setMeasurement(-14.0, 0.5);
    auto* table = panel.table();
    ASSERT_EQ(panel.outcomes().size(), streamingPlatforms().size());
    for (int row = 0; row < table->rowCount(); ++row) {
        const auto& p = streamingPlatforms()[std::size_t(row)];
        const auto o = streamingOutcome(p, -14.0, 0.5);
        EXPECT_EQ(table->item(row, 0)->text(), p.name);
        EXPECT_NEAR(table->item(row, 2)->text().section(' ', 0, 0).toDouble(), o.gainDb, 0.051);
        EXPECT_NEAR(table->item(row, 3)->text().section(' ', 0, 0).toDouble(), o.resultingPeakDbtp, 0.051);
        const bool flagged = table->item(row, 3)->data(Qt::ForegroundRole).isValid();
        EXPECT_EQ(flagged, o.resultingPeakDbtp > 0.0) << p.name.toStdString();
    }
    // Spotify leaves a -14 LUFS master as is, so its +0.5 dBTP peak is played as is; Apple turns it down 2
    // dB.
    EXPECT_EQ(table->item(0, 3)->text(), QStringLiteral("0.5 dBTP"));
    EXPECT_EQ(table->item(1, 2)->text(), QStringLiteral("-2.0 dB"));

    panel.setMeasurement(-std::numeric_limits<double>::infinity(), -200);
    EXPECT_TRUE(panel.outcomes().empty());
    EXPECT_EQ(table->item(0, 2)->text(), QStringLiteral("\u2013"));
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
