#include "ui/LoudnessMeterWidget.h"

#include "core/engine/AudioEngine.h"

#include <QApplication>
#include <QImage>
#include <gtest/gtest.h>

#include <cmath>

using lathe::ui::LoudnessMeterWidget;
using lathe::ui::LoudnessReadings;

namespace {

// Pixels of the warning red the meter uses for an over-ceiling true peak (and nothing else at these levels).
int redPixels(QWidget& w) {
    const QImage image = w.grab().toImage().convertToFormat(QImage::Format_RGB32);
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() > 200 && c.green() < 110 && c.blue() < 110) ++count;
        }
    return count;
}

} // namespace

TEST(LoudnessMeterWidget, PlrIsTruePeakMinusIntegrated) {
    LoudnessMeterWidget meter;
    EXPECT_TRUE(std::isnan(meter.plrDb())); // nothing measured yet
    LoudnessReadings r;
    r.integratedLufs = -9.5;
    r.truePeakDbtp = -1.2;
    r.loudnessRangeLu = 5.5;
    meter.setReadings(r);
    EXPECT_NEAR(meter.plrDb(), 8.3, 1e-12);
    EXPECT_EQ(meter.readings().loudnessRangeLu, 5.5);
}

TEST(LoudnessMeterWidget, EngineFramesHoldTheMaximumTruePeakAndMapNoReading) {
    LoudnessMeterWidget meter;
    lathe::core::MeterFrame frame;
    frame.momentaryLufs = -12.5f;
    frame.shortTermLufs = -13.0f;
    frame.integratedLufs = -200.0f; // not gated in yet
    for (float peak : {-3.0f, -1.5f, -4.0f}) {
        frame.truePeakDbtp = peak;
        frame.loudnessRangeLu = -peak; // the newest frame's LRA is shown, not a maximum
        meter.setValues(frame);
    }
    EXPECT_FLOAT_EQ(float(meter.readings().loudnessRangeLu), 4.0f);
    EXPECT_FLOAT_EQ(float(meter.readings().truePeakDbtp), -1.5f);
    EXPECT_FLOAT_EQ(float(meter.readings().momentaryLufs), -12.5f);
    EXPECT_TRUE(std::isinf(meter.readings().integratedLufs));
    EXPECT_TRUE(std::isnan(meter.plrDb()));
    meter.reset();
    EXPECT_TRUE(std::isinf(meter.readings().truePeakDbtp));
}

TEST(LoudnessMeterWidget, TruePeakOverTheCeilingIsDrawnInRed) {
    LoudnessMeterWidget meter;
    meter.resize(320, 260);
    meter.setTargetLufs(-14);
    meter.setCeilingDbtp(-1.0);
    LoudnessReadings r;
    r.momentaryLufs = -18;
    r.shortTermLufs = -17;
    r.integratedLufs = -16; // below target: green bars, so red can only come from the peak readout
    r.truePeakDbtp = -1.5;
    meter.setReadings(r);
    EXPECT_FALSE(meter.truePeakOverCeiling());
    EXPECT_EQ(redPixels(meter), 0);

    r.truePeakDbtp = -0.4;
    meter.setReadings(r);
    EXPECT_TRUE(meter.truePeakOverCeiling());
    EXPECT_GT(redPixels(meter), 20);
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
