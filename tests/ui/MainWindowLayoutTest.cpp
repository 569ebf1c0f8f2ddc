// The window's layout at the sizes engineers use (issue 19): every stem strip in view and wide enough, no
// dead space on a large screen, compare figures never clipped, nothing overlapping at 800x600, the shortcuts
// sheet inside the window; and the pro habits on the controls (double-click to default, Shift/Alt-drag for
// fine, wheel).
#include "support/DemoWindow.h"
#include "support/PrivateHomeTestMain.h"

#include "ui/CompareBar.h"
#include "ui/EqCurveEditor.h"
#include "ui/GainReductionMeter.h"
#include "ui/MasterSection.h"
#include "ui/SessionDocument.h"
#include "ui/ShortcutsOverlay.h"
#include "ui/StemStrip.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QGroupBox>
#include <QLabel>
#include <QMimeData>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>
#include <QUrl>
#include <QWheelEvent>

using namespace lathe;
using lathe::ui::test::DemoWindowTest;

namespace {

class MainWindowLayoutTest : public DemoWindowTest {
protected:
    void resizeTo(int width, int height) {
        window_->resize(width, height);
        // The offscreen platform applies the size at once; the layouts settle over a few event turns.
        for (int i = 0; i < 5; ++i) {
            QApplication::processEvents();
            QTest::qWait(20);
        }
        ASSERT_EQ(window_->size(), QSize(width, height));
    }
    QRect inWindow(QWidget* w) const { return QRect(w->mapTo(window_.get(), QPoint(0, 0)), w->size()); }
};

const QList<QSize> kSizes = {QSize(800, 600), QSize(1600, 1000), QSize(3000, 1800)};

} // namespace

TEST_F(MainWindowLayoutTest, EveryStemStripIsFullyVisibleWithoutScrollingAt1600And3000) {
    // The demo's six stems, and eight (two more copied in): every strip in view, nothing in it cut.
    for (const auto& [folder, stems] :
         {std::pair{demoFolder(QStringLiteral("Six Stems")), 6}, std::pair{eightStemFolder(), 8}}) {
        open(folder, false);
        ASSERT_EQ(window_->stemStrips().size(), stems);
        for (const QSize size : {QSize(1600, 1000), QSize(3000, 1800)}) {
            resizeTo(size.width(), size.height());
            auto* scroll = window_->findChild<QScrollArea*>(QStringLiteral("strips"));
            ASSERT_NE(scroll, nullptr);
            EXPECT_EQ(scroll->horizontalScrollBar()->maximum(), 0)
                << stems << " stems scroll sideways at " << size.width();
            const QRect viewport = inWindow(scroll->viewport());
            int stripsWidth = 0;
            for (ui::StemStrip* strip : window_->stemStrips()) {
                const QRect r = inWindow(strip);
                std::printf("%dx%d: %-16s %4d x %3d px at x %4d (viewport %d..%d)\n", size.width(),
                            size.height(), qPrintable(strip->titleText()), r.width(), r.height(), r.x(),
                            viewport.left(), viewport.right());
                const std::string id = strip->stemId().toStdString();
                EXPECT_TRUE(strip->isVisible());
                EXPECT_GE(r.width(), ui::StemStrip::kMinWidth) << id;
                EXPECT_TRUE(viewport.contains(r)) << id << " at " << size.width();
                EXPECT_GE(r.height(), strip->minimumSizeHint().height()) << id << ": its controls squeezed";
                EXPECT_GE(strip->fader()->height(), 90) << "the fader stays usable";
                // Nothing in the strip is cut: every button and label is as wide as its text needs (the
                // title elides a long name; it has a tooltip with the file).
                for (QWidget* w : strip->findChildren<QWidget*>()) {
                    if (!w->isVisible() || w->objectName() == QStringLiteral("stripTitle")) continue;
                    if (!qobject_cast<QAbstractButton*>(w) && !qobject_cast<QLabel*>(w)) continue;
                    EXPECT_GE(w->width(), w->sizeHint().width())
                        << id << ": \""
                        << (qobject_cast<QAbstractButton*>(w) ? qobject_cast<QAbstractButton*>(w)->text()
                                                              : qobject_cast<QLabel*>(w)->text())
                               .toStdString()
                        << "\" cut at " << size.width();
                }
                EXPECT_GE(strip->compressorMeter()->width(), 90) << id << ": room for the meter's readout";
                EXPECT_TRUE(inWindow(strip).contains(inWindow(strip->compressorMeter())));
                stripsWidth += r.width();
            }
            // No dead space: the strips fill their pane, and what they cannot use goes to the master section.
            EXPECT_GE(stripsWidth + (stems - 1) * 4 + 8 + 4, viewport.width())
                << "empty space beside the strips at " << size.width();
            auto* master = window_->findChild<QScrollArea*>(QStringLiteral("masterScroll"));
            EXPECT_GE(master->width(), 330);
            if (size.width() == 3000) {
                EXPECT_GT(master->width(), 400) << "the master section grows with the window";
                EXPECT_TRUE(window_->filesDock()->isVisible()) << "room for the files beside the strips";
            }
        }
    }
}

TEST_F(MainWindowLayoutTest, TheMasterSectionFitsItsColumnAndGrowsWithTheWindow) {
    open(demoFolder(QStringLiteral("Master Song")), false);
    ASSERT_EQ(window_->stemStrips().size(), 6);
    ui::MasterSection* master = window_->masterSection();
    auto* scroll = window_->findChild<QScrollArea*>(QStringLiteral("masterScroll"));
    ASSERT_NE(scroll, nullptr);
    int eqHeightAt1600 = 0;
    for (const QSize size : kSizes) {
        resizeTo(size.width(), size.height());
        // On a narrow window the master section is the second tab of the strips' pane.
        window_->showMasterPane();
        QApplication::processEvents();
        EXPECT_TRUE(scroll->isVisible()) << size.width();
        const QRect viewport = inWindow(scroll->viewport());
        std::printf("%dx%d: master section %d x %d in a %d x %d view, %d column(s), EQ %d px high\n",
                    size.width(), size.height(), master->width(), master->height(), viewport.width(),
                    viewport.height(), master->columnCount(), master->eqEditor()->height());
        // Nothing cut at the column's edge: the section is never wider than what shows of it.
        EXPECT_LE(master->width(), viewport.width()) << "the master section is cut at " << size.width();
        QList<QRect> groups;
        for (QGroupBox* group : master->findChildren<QGroupBox*>()) {
            if (!group->isVisible()) continue;
            const QRect r = inWindow(group);
            std::printf("  %-20s %4d px wide (needs %d)\n", qPrintable(group->title()), r.width(),
                        group->minimumSizeHint().width());
            EXPECT_GE(r.width(), group->minimumSizeHint().width())
                << group->title().toStdString() << " squeezed at " << size.width();
            for (const QRect& other : groups)
                EXPECT_FALSE(r.intersects(other)) << group->title().toStdString() << " overlaps";
            groups << r;
        }
        if (size.width() == 1600) eqHeightAt1600 = master->eqEditor()->height();
        if (size.width() == 3000) {
            // Room for the groups side by side and for all of them at once: no dead width, no scrolling,
            // and the EQ curve takes the height that is left.
            EXPECT_GE(master->columnCount(), 2);
            EXPECT_EQ(scroll->verticalScrollBar()->maximum(), 0) << "the master section scrolls at 3000x1800";
            EXPECT_GT(master->eqEditor()->height(), eqHeightAt1600);
            int right = 0;
            for (const QRect& r : groups)
                right = std::max(right, r.right());
            EXPECT_GE(right, viewport.right() - 12) << "dead width beside the master groups";
        }
    }
}

TEST_F(MainWindowLayoutTest, At800x600NothingOverlapsAndCompareFiguresAreWhole) {
    open(demoFolder(QStringLiteral("Layout Song")));
    for (const QSize size : kSizes) {
        resizeTo(size.width(), size.height());
        ui::CompareBar* compare = window_->compareBar();
        QList<QRect> rects;
        for (int i = 0; i < core::kMonitorSourceCount; ++i) {
            QToolButton* b = compare->button(static_cast<core::MonitorSource>(i));
            const QRect r = inWindow(b);
            // Whole: the button is at least as wide as its text needs, the minus sign included.
            EXPECT_GE(b->width(), b->sizeHint().width()) << b->text().toStdString() << " at " << size.width();
            EXPECT_TRUE(window_->rect().contains(r)) << b->text().toStdString() << " at " << size.width();
            for (const QRect& other : rects)
                EXPECT_FALSE(r.intersects(other)) << "compare buttons overlap at " << size.width();
            rects << r;
        }
        const QString master = compare->button(core::MonitorSource::StereoMaster)->text();
        EXPECT_TRUE(master.contains(QStringLiteral("\n-1")))
            << "the LUFS figure keeps its minus sign: " << master.toStdString();
        EXPECT_TRUE(master.contains(QStringLiteral("· -"))) << master.toStdString();
        EXPECT_EQ(compare->columns(), size.width() >= 1600 ? 6 : 3) << size.width();
        // The docks and the central area share the window without overlapping.
        const QRect central = inWindow(window_->centralWidget());
        if (window_->metersDock()->isVisible())
            EXPECT_FALSE(central.intersects(inWindow(window_->metersDock()))) << size.width();
        // The strips keep their height (the stem tools close on a short window, F4 opens them): every
        // fader has its travel, nothing in a strip is squeezed.
        EXPECT_EQ(window_->stemToolsDock()->isVisible(), size.height() >= 900) << size.height();
        for (ui::StemStrip* strip : window_->stemStrips()) {
            EXPECT_GE(strip->height(), strip->minimumSizeHint().height())
                << strip->stemId().toStdString() << " squeezed at " << size.width();
            EXPECT_GE(strip->fader()->height(), 90)
                << strip->stemId().toStdString() << " at " << size.width();
        }
        // The streaming table in the meters dock shows every column whole (its peak column was cut).
        if (auto* streaming = window_->metersDock()->findChild<QTableWidget*>()) {
            int columns = 0;
            for (int c = 0; c < streaming->columnCount(); ++c)
                columns += streaming->columnWidth(c);
            EXPECT_LE(columns, streaming->viewport()->width()) << "streaming table cut at " << size.width();
            for (int c = 1; c < streaming->columnCount(); ++c)
                EXPECT_GE(streaming->columnWidth(c),
                          streaming->fontMetrics().horizontalAdvance(streaming->item(0, c)->text()))
                    << streaming->item(0, c)->text().toStdString() << " cut at " << size.width();
        } else {
            ADD_FAILURE() << "no streaming table";
        }
        // The shortcuts sheet fits inside the window.
        window_->shortcutsOverlay()->toggle();
        QApplication::processEvents();
        EXPECT_TRUE(window_->rect().contains(window_->shortcutsOverlay()->sheetRect())) << size.width();
        window_->shortcutsOverlay()->toggle();
    }
}

TEST_F(MainWindowLayoutTest, At800x600EveryStripsControlsAreInViewAndNoneIsUnderAScrollBar) {
    // A small laptop screen: several strips side by side, each whole (no vertical scrolling, nothing under
    // the horizontal scroll bar), every strip reachable by scrolling sideways with all its controls in view;
    // the master section one tab away. It showed one strip, its gain box behind the scroll bar.
    open(eightStemFolder(), false);
    ASSERT_EQ(window_->stemStrips().size(), 8);
    resizeTo(800, 600);
    auto* scroll = window_->findChild<QScrollArea*>(QStringLiteral("strips"));
    ASSERT_NE(scroll, nullptr);
    ASSERT_TRUE(scroll->isVisible()) << "the strips show first";
    const QRect viewport = inWindow(scroll->viewport());
    std::printf("800x600: strips viewport %d x %d at (%d, %d)\n", viewport.width(), viewport.height(),
                viewport.x(), viewport.y());
    EXPECT_EQ(scroll->verticalScrollBar()->maximum(), 0) << "a strip is taller than its pane";
    int whole = 0;
    for (ui::StemStrip* strip : window_->stemStrips())
        whole += viewport.contains(inWindow(strip)) ? 1 : 0;
    std::printf("800x600: %d of 8 strips whole without scrolling\n", whole);
    EXPECT_GE(whole, 3) << "strips in view at 800x600";
    for (ui::StemStrip* strip : window_->stemStrips()) {
        const std::string id = strip->stemId().toStdString();
        const QList<QWidget*> controls = {
            strip->gainBox(),        strip->fader(),       strip->muteButton(),      strip->soloButton(),
            strip->polarityButton(), strip->widthSlider(), strip->compressorMeter(), strip->eqThumbnail()};
        for (QWidget* control : controls) {
            // Scrolled to as a user would, the whole control (ensureWidgetVisible would only bring a spin
            // box's text cursor into view).
            const QRect inHost(control->mapTo(scroll->widget(), QPoint(0, 0)), control->size());
            scroll->ensureVisible(inHost.center().x(), inHost.center().y(), inHost.width() / 2 + 1,
                                  inHost.height() / 2 + 1);
            QApplication::processEvents();
            const QRect r = inWindow(control);
            EXPECT_TRUE(control->isVisible()) << id << " " << control->objectName().toStdString();
            EXPECT_TRUE(viewport.contains(r)) << id << " " << control->objectName().toStdString()
                                              << " not fully in view when scrolled to: " << r.x() << ","
                                              << r.y() << " " << r.width() << "x" << r.height();
            for (QScrollBar* bar : {scroll->horizontalScrollBar(), scroll->verticalScrollBar()}) {
                if (bar->isVisible())
                    EXPECT_FALSE(inWindow(bar).intersects(r))
                        << id << " " << control->objectName().toStdString() << " under a scroll bar";
            }
            EXPECT_TRUE(window_->rect().contains(r));
        }
        // The gain box is reachable as the strip's whole column: the strip in view shows it too.
        const QRect stripInHost(strip->mapTo(scroll->widget(), QPoint(0, 0)), strip->size());
        scroll->ensureVisible(stripInHost.center().x(), stripInHost.center().y(), stripInHost.width() / 2 + 1,
                              stripInHost.height() / 2 + 1);
        QApplication::processEvents();
        EXPECT_TRUE(viewport.contains(inWindow(strip->gainBox()))) << id;
    }
    // The master section: one click away, at its full width, its groups unsqueezed.
    auto* master = window_->findChild<QScrollArea*>(QStringLiteral("masterScroll"));
    ASSERT_NE(master, nullptr);
    if (!master->isVisible()) {
        window_->showMasterPane();
        QApplication::processEvents();
    }
    EXPECT_TRUE(master->isVisible());
    EXPECT_GE(master->viewport()->width(), window_->masterSection()->minimumSizeHint().width());
    EXPECT_TRUE(window_->rect().contains(inWindow(master)));
}

TEST_F(MainWindowLayoutTest, StemTitlesReadAsAPersonWritesThem) {
    open(demoFolder(QStringLiteral("Titles Song")), false);
    QStringList titles;
    for (ui::StemStrip* s : window_->stemStrips())
        titles << s->titleText();
    EXPECT_TRUE(titles.contains(QStringLiteral("Lead vocal"))) << titles.join(", ").toStdString();
    for (const QString& t : titles)
        EXPECT_FALSE(t.contains(QLatin1Char('_'))) << t.toStdString();
    core::StemSettings second;
    second.id = "drums_2";
    second.role = "drums";
    EXPECT_EQ(ui::StemStrip::displayTitle(second), QStringLiteral("Drums 2"));
}

TEST_F(MainWindowLayoutTest, DoubleClickResetsShiftDragIsFineAndTheWheelSteps) {
    open(demoFolder(QStringLiteral("Gesture Song")), false);
    resizeTo(1600, 1000);
    ui::StemStrip* strip = window_->stemStrips().front();
    QSlider* fader = strip->fader();
    fader->setValue(-120);
    ASSERT_NEAR(window_->document()->session().stems[0].gain_db, -12.0, 1e-9);
    QTest::mouseDClick(fader, Qt::LeftButton, Qt::NoModifier, fader->rect().center());
    EXPECT_NEAR(window_->document()->session().stems[0].gain_db, 0.0, 1e-9) << "double-click: 0 dB";

    // Shift-drag 40 px up: a tenth of what a plain drag of 40 px moves.
    const double unitsPerPixel = double(fader->maximum() - fader->minimum()) / (fader->height() - 20);
    const QPoint from = fader->rect().center();
    QTest::mousePress(fader, Qt::LeftButton, Qt::ShiftModifier, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(from - QPoint(0, 40)),
                     fader->mapToGlobal(QPointF(from - QPoint(0, 40))), Qt::NoButton, Qt::LeftButton,
                     Qt::ShiftModifier);
    QApplication::sendEvent(fader, &move);
    QTest::mouseRelease(fader, Qt::LeftButton, Qt::ShiftModifier, from - QPoint(0, 40));
    const double fine = window_->document()->session().stems[0].gain_db;
    std::printf("shift-drag 40 px: %+.1f dB (a plain drag: %+.1f dB)\n", fine, 40 * unitsPerPixel / 10.0);
    EXPECT_NEAR(fine, 40 * unitsPerPixel * 0.1 / 10.0, 0.15);
    EXPECT_GT(fine, 0.0);

    // Alt-drag is fine too (the habit of other DAWs): 40 px more up from where the fader now stands.
    QTest::mousePress(fader, Qt::LeftButton, Qt::AltModifier, from);
    QMouseEvent altMove(QEvent::MouseMove, QPointF(from - QPoint(0, 40)),
                        fader->mapToGlobal(QPointF(from - QPoint(0, 40))), Qt::NoButton, Qt::LeftButton,
                        Qt::AltModifier);
    QApplication::sendEvent(fader, &altMove);
    QTest::mouseRelease(fader, Qt::LeftButton, Qt::AltModifier, from - QPoint(0, 40));
    const double altFine = window_->document()->session().stems[0].gain_db - fine;
    std::printf("alt-drag 40 px: %+.1f dB\n", altFine);
    EXPECT_NEAR(altFine, 40 * unitsPerPixel * 0.1 / 10.0, 0.15);

    // The wheel steps the width slider.
    QSlider* width = strip->widthSlider();
    const int before = width->value();
    QWheelEvent wheel(QPointF(width->rect().center()), width->mapToGlobal(QPointF(width->rect().center())),
                      QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(width, &wheel);
    EXPECT_NE(width->value(), before);
    QTest::mouseDClick(width, Qt::LeftButton, Qt::NoModifier, width->rect().center());
    EXPECT_DOUBLE_EQ(window_->document()->session().stems[0].width, 1.0) << "double-click: 100 %";
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "MainWindowLayoutTest");
}
