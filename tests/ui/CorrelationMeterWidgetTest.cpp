#include "ui/CorrelationMeterWidget.h"

#include <QApplication>
#include <QImage>
#include <gtest/gtest.h>

#include <cmath>

using lathe::ui::CorrelationMeterWidget;

namespace {

struct Counts {
    int left = 0, right = 0;
};

// Pixels of a colour family left and right of the centre line.
template <typename Pred>
Counts count(CorrelationMeterWidget& w, Pred pred) {
    const QImage image = w.grab().toImage().convertToFormat(QImage::Format_RGB32);
    Counts counts;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (pred(image.pixelColor(x, y))) (x < image.width() / 2 ? counts.left : counts.right)++;
    return counts;
}

bool isRed(const QColor& c) {
    return c.red() > 200 && c.green() < 110 && c.blue() < 110;
}
bool isGreen(const QColor& c) {
    return c.green() > 170 && c.red() < 110;
}

} // namespace

TEST(CorrelationMeterWidget, ClampsToMinusOnePlusOne) {
    CorrelationMeterWidget meter;
    meter.setCorrelation(1.7);
    EXPECT_EQ(meter.correlation(), 1.0);
    meter.setCorrelation(-3.0);
    EXPECT_EQ(meter.correlation(), -1.0);
    meter.setCorrelation(0.25);
    EXPECT_EQ(meter.correlation(), 0.25);
    meter.setCorrelation(std::nan(""));
    EXPECT_TRUE(std::isnan(meter.correlation()));
}

TEST(CorrelationMeterWidget, NegativeCorrelationIsRedOnTheLeftPositiveGreenOnTheRight) {
    CorrelationMeterWidget meter;
    meter.resize(240, 40);
    meter.setCorrelation(-0.8);
    const Counts red = count(meter, isRed);
    EXPECT_GT(red.left, 50);
    EXPECT_EQ(red.right, 0);
    EXPECT_EQ(count(meter, isGreen).left + count(meter, isGreen).right, 0);

    meter.setCorrelation(0.8);
    const Counts green = count(meter, isGreen);
    EXPECT_GT(green.right, 50);
    EXPECT_EQ(green.left, 0);
    const Counts noRed = count(meter, isRed);
    EXPECT_EQ(noRed.left + noRed.right, 0);
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
