// The automation lane under the overview: clicks add points where they land (snapped to the sections'
// boundaries unless Shift is held), drags move them between their neighbours as one undo step, right-click
// and Delete remove them; every change is an undoable edit of the session's lane for the chosen
// stem/parameter.
#include "ui/AutomationLane.h"

#include "ui/SessionDocument.h"

#include "support/StemSessions.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QTest>
#include <QUndoStack>

#include <memory>

using namespace lathe;
using lathe::ui::AutomationLane;

namespace {

class AutomationLaneTest : public ::testing::Test {
protected:
    void SetUp() override {
        document_.reset(test::sessionWithStems({"drums", "lead_vocal"}), std::nullopt, QString());
        lane_ = std::make_unique<AutomationLane>(&document_);
        lane_->resize(800 + lane_->targetBox()->sizeHint().width(), 80);
        lane_->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(lane_.get()));
        // A 60 s song with sections starting at 20 s and 40 s.
        lane_->setSong(60.0, {20.0, 40.0});
        lane_->setTarget({1, false}); // lead_vocal · gain
    }
    QWidget* view() const { return lane_->laneView(); }
    QPoint at(double seconds, double value) const {
        return QPointF(lane_->xForSeconds(seconds), lane_->yForValue(value)).toPoint();
    }
    const core::AutomationLane& vocalGain() const { return document_.session().stems[1].automation.gain_db; }

    ui::SessionDocument document_;
    std::unique_ptr<AutomationLane> lane_;
};

} // namespace

TEST_F(AutomationLaneTest, TargetsListTheMasterAndEveryStemsGainAndWidth) {
    QComboBox* box = lane_->targetBox();
    ASSERT_EQ(box->count(), 5);
    EXPECT_EQ(box->itemText(0), "Master · gain");
    EXPECT_EQ(box->itemText(3), "lead_vocal · gain");
    EXPECT_EQ(box->itemText(4), "lead_vocal · width");
    EXPECT_EQ(lane_->target(), (ui::AutomationTarget{1, false}));
    EXPECT_DOUBLE_EQ(lane_->minimumValue(), -24.0);
}

TEST_F(AutomationLaneTest, ClickAddsAPointSnappedToASectionAndUndoRemovesIt) {
    // 3 px from the hook's start at 20 s: the point lands on 20 s exactly.
    QPoint p = at(20.0, 3.0);
    p.rx() += 3;
    QTest::mouseClick(view(), Qt::LeftButton, Qt::NoModifier, p);
    ASSERT_EQ(vocalGain().size(), 1u);
    EXPECT_DOUBLE_EQ(vocalGain()[0].time_s, 20.0);
    EXPECT_NEAR(vocalGain()[0].value, 3.0, 0.35); // one pixel of the 48 dB lane is ~0.7 dB
    // Shift: no snapping.
    QTest::mouseClick(view(), Qt::LeftButton, Qt::ShiftModifier, p + QPoint(0, 10));
    ASSERT_EQ(vocalGain().size(), 2u);
    EXPECT_GT(vocalGain()[1].time_s, 20.1);
    document_.undoStack()->undo();
    document_.undoStack()->undo();
    EXPECT_TRUE(vocalGain().empty());
    // The drums' lane and the master's were never touched.
    EXPECT_TRUE(document_.session().stems[0].automation.gain_db.empty());
    EXPECT_TRUE(document_.session().master.automation.gain_db.empty());
}

TEST_F(AutomationLaneTest, DragMovesAPointBetweenItsNeighboursAsOneUndoStep) {
    document_.edit("setup", [](core::Session& s) {
        s.stems[1].automation.gain_db = {{10, 0}, {30, 0}, {50, 0}};
    });
    const int steps = document_.undoStack()->count();
    QTest::mousePress(view(), Qt::LeftButton, Qt::NoModifier, at(30, 0));
    QTest::mouseMove(view(), at(35, 6));
    QTest::mouseMove(view(), at(70, 6)); // past the next point: held at 50 s
    QTest::mouseRelease(view(), Qt::LeftButton, Qt::NoModifier, at(70, 6));
    ASSERT_EQ(vocalGain().size(), 3u);
    EXPECT_NEAR(vocalGain()[1].time_s, 50.0, 1e-9);
    EXPECT_NEAR(vocalGain()[1].value, 6.0, 0.35);
    EXPECT_EQ(document_.undoStack()->count(), steps + 1);
    document_.undoStack()->undo();
    EXPECT_EQ(vocalGain()[1], (core::AutomationPointSettings{30, 0}));
}

TEST_F(AutomationLaneTest, RightClickAndDeleteRemovePoints) {
    document_.edit("setup", [](core::Session& s) {
        s.stems[1].automation.gain_db = {{10, 0}, {30, 3}, {50, 0}};
    });
    QTest::mouseClick(view(), Qt::RightButton, Qt::NoModifier, at(30, 3));
    ASSERT_EQ(vocalGain().size(), 2u);
    EXPECT_DOUBLE_EQ(vocalGain()[1].time_s, 50.0);
    QTest::mouseClick(view(), Qt::LeftButton, Qt::NoModifier, at(10, 0)); // selects
    EXPECT_EQ(lane_->selectedPoint(), 0);
    QTest::keyClick(view(), Qt::Key_Delete);
    ASSERT_EQ(vocalGain().size(), 1u);
    document_.undoStack()->undo();
    EXPECT_EQ(vocalGain().size(), 2u);
}

TEST_F(AutomationLaneTest, WidthLaneEditsTheStemsWidthRide) {
    lane_->setTarget({1, true});
    EXPECT_DOUBLE_EQ(lane_->maximumValue(), 2.0);
    QTest::mouseClick(view(), Qt::LeftButton, Qt::NoModifier, at(5, 0.5));
    ASSERT_EQ(document_.session().stems[1].automation.width.size(), 1u);
    EXPECT_NEAR(document_.session().stems[1].automation.width[0].value, 0.5, 0.03);
    EXPECT_TRUE(vocalGain().empty());
}

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
