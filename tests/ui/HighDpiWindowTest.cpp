// The window on a scale-2 screen (QT_SCALE_FACTOR=2, issue 19's high-DPI habit): drawn at the screen's
// pixels (a 1600x1000 window is a 3200x2000 picture, not an upscaled 1600x1000 one) and laid out as at scale
// 1 in logical pixels: every stem strip whole, compare figures whole with their minus signs.
#include "support/DemoWindow.h"
#include "support/PrivateHomeTestMain.h"

#include "ui/CompareBar.h"
#include "ui/StemStrip.h"

#include <QApplication>
#include <QImage>
#include <QPixmap>
#include <QScrollArea>
#include <QScrollBar>
#include <QTest>
#include <QToolButton>

using namespace lathe;
using lathe::ui::test::DemoWindowTest;

namespace {

class HighDpiWindowTest : public DemoWindowTest {};

} // namespace

TEST_F(HighDpiWindowTest, AtScaleTwoTheWindowIsDrawnAtTheScreensPixelsAndLaidOutAsAtScaleOne) {
    open(eightStemFolder(), false);
    window_->resize(1600, 1000);
    for (int i = 0; i < 5; ++i) {
        QApplication::processEvents();
        QTest::qWait(20);
    }
    ASSERT_EQ(window_->size(), QSize(1600, 1000));
    EXPECT_DOUBLE_EQ(window_->devicePixelRatioF(), 2.0);
    const QPixmap picture = window_->grab();
    std::printf("scale %.1f: a %d x %d window is a %d x %d picture\n", window_->devicePixelRatioF(),
                window_->width(), window_->height(), picture.width(), picture.height());
    EXPECT_EQ(picture.size(), QSize(3200, 2000)) << "drawn at the screen's pixels, not upscaled";
    auto* scroll = window_->findChild<QScrollArea*>(QStringLiteral("strips"));
    ASSERT_NE(scroll, nullptr);
    EXPECT_EQ(scroll->horizontalScrollBar()->maximum(), 0) << "eight strips scroll sideways at scale 2";
    const QRect viewport(scroll->viewport()->mapTo(window_.get(), QPoint(0, 0)), scroll->viewport()->size());
    for (ui::StemStrip* strip : window_->stemStrips()) {
        const QRect r(strip->mapTo(window_.get(), QPoint(0, 0)), strip->size());
        EXPECT_TRUE(viewport.contains(r)) << strip->stemId().toStdString();
        EXPECT_GE(r.height(), strip->minimumSizeHint().height()) << strip->stemId().toStdString();
    }
    for (int i = 0; i < core::kMonitorSourceCount; ++i) {
        QToolButton* b = window_->compareBar()->button(static_cast<core::MonitorSource>(i));
        EXPECT_GE(b->width(), b->sizeHint().width()) << b->text().toStdString();
    }
    // Text is drawn at device resolution: the picture of the first compare button holds more distinct
    // grey levels along a text row than a pixel-doubled one could (a doubled picture repeats every pixel).
    QToolButton* mix = window_->compareBar()->button(core::MonitorSource::Mix);
    const QImage button = mix->grab().toImage();
    ASSERT_EQ(button.width(), 2 * mix->width());
    int pairsThatDiffer = 0, pairs = 0;
    for (int y = 0; y + 1 < button.height(); y += 2)
        for (int x = 0; x + 1 < button.width(); x += 2) {
            ++pairs;
            if (button.pixel(x, y) != button.pixel(x + 1, y)) ++pairsThatDiffer;
        }
    std::printf("compare button: %d of %d horizontal pixel pairs differ\n", pairsThatDiffer, pairs);
    EXPECT_GT(pairsThatDiffer, 0) << "every pixel pair alike: the button was drawn at scale 1 and doubled";
}

int main(int argc, char** argv) {
    // Before the QApplication: Qt reads the scale factor once, at start.
    qputenv("QT_SCALE_FACTOR", "2");
    return lathe::ui::test::runWithPrivateHome(argc, argv, "HighDpiWindowTest");
}
