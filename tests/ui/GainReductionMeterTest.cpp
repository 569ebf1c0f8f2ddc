#include "ui/GainReductionMeter.h"

#include <QApplication>
#include <QImage>
#include <gtest/gtest.h>

using lathe::ui::GainReductionMeter;

namespace {

// Extent (in pixels along the bar) of the amber fill, measured on the grabbed image.
int amberExtent(GainReductionMeter& meter) {
    const QImage image = meter.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const bool vertical = meter.orientation() == Qt::Vertical;
    const int length = vertical ? image.height() : image.width();
    const int across = vertical ? image.width() : image.height();
    int lit = 0;
    for (int i = 0; i < length; ++i) {
        const QColor c = vertical ? image.pixelColor(across / 2, i) : image.pixelColor(i, across / 2);
        if (c.red() > 200 && c.green() > 150 && c.green() < 200 && c.blue() < 90) ++lit;
    }
    return lit;
}

} // namespace

TEST(GainReductionMeter, TakesEitherSignAndHoldsTheMaximum) {
    GainReductionMeter meter;
    meter.setGainReductionDb(-3.0);
    EXPECT_EQ(meter.gainReductionDb(), 3.0);
    EXPECT_DOUBLE_EQ(meter.filledFraction(), 0.25); // of the default 12 dB range
    meter.setGainReductionDb(5.0);
    meter.setGainReductionDb(1.0);
    EXPECT_EQ(meter.heldMaximumDb(), 5.0);
    meter.resetHold();
    EXPECT_EQ(meter.heldMaximumDb(), 1.0);
    meter.setGainReductionDb(30.0);
    EXPECT_EQ(meter.filledFraction(), 1.0);
}

TEST(GainReductionMeter, FillLengthIsProportionalToReduction) {
    for (auto orientation : {Qt::Vertical, Qt::Horizontal}) {
        GainReductionMeter meter(orientation);
        meter.resize(orientation == Qt::Vertical ? QSize(34, 250) : QSize(300, 30));
        meter.setGainReductionDb(3.0);
        const int three = amberExtent(meter);
        meter.setGainReductionDb(6.0);
        const int six = amberExtent(meter);
        meter.setGainReductionDb(0.0);
        meter.resetHold();
        EXPECT_EQ(amberExtent(meter), 0);
        EXPECT_GT(three, 20);
        // The 2-pixel hold tick sits on the fill's edge and edges are antialiased: up to 2 pixels each way.
        EXPECT_NEAR(six, 2 * three, 4) << (orientation == Qt::Vertical ? "vertical" : "horizontal");
    }
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
