// A stem strip's controls against the session: each one changes exactly its key through the document, and
// undo puts the value back. No audio is needed: the session names files that are never read here.
#include "ui/StemStrip.h"

#include "ui/CompressorPanel.h"
#include "ui/EqCurveEditor.h"
#include "ui/GainReductionMeter.h"
#include "ui/SessionDocument.h"

#include "support/StemSessions.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QMenu>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

#include <memory>

using namespace lathe;
using lathe::ui::StemStrip;

namespace {

class StemStripTest : public ::testing::Test {
protected:
    void SetUp() override {
        document_.reset(test::sessionWithStems({"drums", "bass"}, true), std::nullopt, QString());
        strip_ = std::make_unique<StemStrip>(&document_, 1);
    }
    const core::StemSettings& bass() const { return document_.session().stems[1]; }
    QUndoStack* undo() { return document_.undoStack(); }

    ui::SessionDocument document_;
    std::unique_ptr<StemStrip> strip_;
};

QAction* typeAction(QMenu& menu, const QString& type) {
    for (QAction* a : menu.actions())
        if (a->data().toString() == type) return a;
    return nullptr;
}

} // namespace

TEST_F(StemStripTest, EqBandTypeFromTheHandleMenuEditsTheStemAndUndoes) {
    ASSERT_TRUE(bass().eq.empty());
    std::unique_ptr<QMenu> menu(strip_->eqEditor()->createBandMenu(1, nullptr));
    QAction* highPass = typeAction(*menu, "high_pass");
    ASSERT_NE(highPass, nullptr);
    highPass->trigger();
    // An EQ that had no bands gets the four shown ones, band 2 now a high-pass; the other stem is untouched.
    ASSERT_EQ(bass().eq.size(), 4u);
    EXPECT_EQ(bass().eq[1].type, "high_pass");
    EXPECT_EQ(bass().eq[0].type, "low_shelf");
    EXPECT_TRUE(document_.session().stems[0].eq.empty());
    EXPECT_EQ(undo()->count(), 1);
    undo()->undo();
    EXPECT_TRUE(bass().eq.empty());
    EXPECT_EQ(strip_->eqEditor()->bands()[1].type, "bell"); // the editor follows the undo
}

TEST_F(StemStripTest, EqBandOnOffFromTheHandleMenuEditsTheStemAndUndoes) {
    document_.edit("setup", [](core::Session& s) { s.stems[1].eq = ui::defaultEqBands(); });
    std::unique_ptr<QMenu> menu(strip_->eqEditor()->createBandMenu(2, nullptr));
    QAction* on = menu->findChild<QAction*>("bandEnabled");
    ASSERT_NE(on, nullptr);
    on->trigger();
    EXPECT_FALSE(bass().eq[2].enabled);
    EXPECT_TRUE(bass().eq[1].enabled);
    undo()->undo();
    EXPECT_TRUE(bass().eq[2].enabled);
    EXPECT_TRUE(strip_->eqEditor()->bands()[2].enabled);
}

TEST_F(StemStripTest, TheSmallEqCurveOnlyShowsAndAClickOpensTheFullEditorWhichEditsTheStem) {
    strip_->resize(StemStrip::kMinWidth, 520);
    strip_->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(strip_.get()));
    ui::EqCurveEditor* mini = strip_->eqThumbnail();
    // A drag on the small curve moves nothing: at strip size a handle is too easy to catch by accident.
    const QPoint handle = mini->handlePosition(1).toPoint();
    QTest::mousePress(mini, Qt::LeftButton, {}, handle);
    QTest::mouseMove(mini, handle + QPoint(0, -15));
    QTest::mouseRelease(mini, Qt::LeftButton, {}, handle + QPoint(0, -15));
    EXPECT_TRUE(bass().eq.empty()) << "the small curve edited the stem";
    // The click opened the full editor instead, large enough to work in.
    ASSERT_TRUE(strip_->eqPopup()->isVisible());
    ui::EqCurveEditor* full = strip_->eqEditor();
    EXPECT_GE(full->width(), 480);
    EXPECT_GE(full->height(), 240);

    // A band dragged up there edits the stem, and the small curve follows.
    const QPoint start = full->handlePosition(1).toPoint();
    QTest::mousePress(full, Qt::LeftButton, {}, start);
    QTest::mouseMove(full, start + QPoint(0, -20));
    QTest::mouseRelease(full, Qt::LeftButton, {}, start + QPoint(0, -20));
    ASSERT_EQ(bass().eq.size(), 4u);
    EXPECT_GT(bass().eq[1].gain_db, 0.5);
    EXPECT_EQ(mini->bands(), bass().eq);
    EXPECT_EQ(undo()->count(), 1);
    undo()->undo();
    EXPECT_TRUE(bass().eq.empty());
    EXPECT_EQ(mini->bands()[1].gain_db, 0.0);
    strip_->eqPopup()->hide();
}

TEST_F(StemStripTest, CompressorDetailsEditKneeDetectionLinkAndSidechainThenUndo) {
    ui::CompressorPanel* panel = strip_->compressorPanel();
    ASSERT_NE(panel, nullptr);
    strip_->show();
    QTest::mouseClick(strip_->compressorDetailsButton(), Qt::LeftButton);
    EXPECT_TRUE(panel->isVisible());
    const core::CompressorSettings before = bass().compressor;

    panel->kneeBox()->setValue(12.0);
    EXPECT_DOUBLE_EQ(bass().compressor.knee_db, 12.0);
    panel->detectionBox()->setCurrentIndex(panel->detectionBox()->findData("rms"));
    EXPECT_EQ(bass().compressor.detection, "rms");
    panel->stereoLinkBox()->setValue(40.0); // shown in percent
    EXPECT_DOUBLE_EQ(bass().compressor.stereo_link, 0.4);
    panel->sidechainHpfBox()->setValue(120.0);
    EXPECT_DOUBLE_EQ(bass().compressor.sidechain_hpf_hz, 120.0);
    panel->attackBox()->setValue(3.0);
    panel->releaseBox()->setValue(80.0);
    panel->makeupBox()->setValue(1.5);
    EXPECT_DOUBLE_EQ(bass().compressor.attack_ms, 3.0);
    EXPECT_DOUBLE_EQ(bass().compressor.release_ms, 80.0);
    EXPECT_DOUBLE_EQ(bass().compressor.makeup_db, 1.5);
    // The strip's own threshold/ratio and the panel's are one setting.
    panel->thresholdBox()->setValue(-30.0);
    EXPECT_DOUBLE_EQ(bass().compressor.threshold_db, -30.0);
    EXPECT_EQ(document_.session().stems[0].compressor, core::CompressorSettings{});

    // Each control was its own undo step; undoing them all gives back the compressor exactly.
    EXPECT_EQ(undo()->count(), 8);
    undo()->undo();
    EXPECT_DOUBLE_EQ(bass().compressor.threshold_db, before.threshold_db);
    while (undo()->canUndo())
        undo()->undo();
    EXPECT_EQ(bass().compressor, before);
    EXPECT_DOUBLE_EQ(panel->stereoLinkBox()->value(), 100.0);
    EXPECT_EQ(panel->detectionBox()->currentData().toString(), "peak");
    EXPECT_DOUBLE_EQ(panel->sidechainHpfBox()->value(), 0.0);
    EXPECT_EQ(panel->sidechainHpfBox()->text(), "Off");
}

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
