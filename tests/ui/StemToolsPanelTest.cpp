// The stem tools panel: the dynamic EQ editor (add, edit and remove bands, the sidechain key picker listing
// the other stems, the live band gain), the compressor's key and the peak control toggle, each an undoable
// edit of exactly its key; meter frames reach the right readings.
#include "ui/StemToolsPanel.h"

#include "ui/DynamicEqEditor.h"
#include "ui/GainReductionMeter.h"
#include "ui/SessionDocument.h"

#include "support/StemSessions.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QUndoStack>

#include <memory>

using namespace lathe;
using lathe::ui::StemToolsPanel;

namespace {

class StemToolsPanelTest : public ::testing::Test {
protected:
    void SetUp() override {
        document_.reset(test::sessionWithStems({"kick", "bass", "lead_vocal"}), std::nullopt, QString());
        panel_ = std::make_unique<StemToolsPanel>(&document_);
        panel_->setStem(1); // bass
    }
    const core::StemSettings& bass() const { return document_.session().stems[1]; }

    ui::SessionDocument document_;
    std::unique_ptr<StemToolsPanel> panel_;
};

} // namespace

TEST_F(StemToolsPanelTest, AddEditAndRemoveDynamicEqBands) {
    ui::DynamicEqEditor* eq = panel_->dynamicEq();
    EXPECT_EQ(eq->rowCount(), 0);
    eq->addButton()->click();
    ASSERT_EQ(bass().dynamic_eq.size(), 1u);
    EXPECT_EQ(bass().dynamic_eq[0], core::DynamicEqBandSettings{});
    ASSERT_EQ(eq->rowCount(), 1);
    auto* frequency = qobject_cast<QDoubleSpinBox*>(eq->control(0, "frequency"));
    ASSERT_NE(frequency, nullptr);
    frequency->setValue(65);
    EXPECT_EQ(bass().dynamic_eq[0].frequency_hz, 65);
    auto* threshold = qobject_cast<QDoubleSpinBox*>(eq->control(0, "threshold"));
    threshold->setValue(-30);
    EXPECT_EQ(bass().dynamic_eq[0].threshold_db, -30);
    auto* mode = qobject_cast<QComboBox*>(eq->control(0, "mode"));
    mode->setCurrentIndex(mode->findData("boost_below"));
    EXPECT_EQ(bass().dynamic_eq[0].mode, "boost_below");
    auto* channel = qobject_cast<QComboBox*>(eq->control(0, "channel"));
    channel->setCurrentIndex(channel->findData("mid"));
    EXPECT_EQ(bass().dynamic_eq[0].channel, "mid");
    document_.undoStack()->undo();
    EXPECT_EQ(bass().dynamic_eq[0].channel, "stereo");
    EXPECT_EQ(bass().dynamic_eq[0].mode, "boost_below");
    eq->removeButton()->click();
    EXPECT_TRUE(bass().dynamic_eq.empty());
    EXPECT_EQ(eq->rowCount(), 0);
    document_.undoStack()->undo(); // the band comes back, with its edits
    ASSERT_EQ(eq->rowCount(), 1);
    EXPECT_EQ(bass().dynamic_eq[0].frequency_hz, 65);
    EXPECT_DOUBLE_EQ(qobject_cast<QDoubleSpinBox*>(eq->control(0, "frequency"))->value(), 65);
}

TEST_F(StemToolsPanelTest, SidechainPickersListTheOtherStems) {
    panel_->dynamicEq()->addButton()->click();
    auto* key = qobject_cast<QComboBox*>(panel_->dynamicEq()->control(0, "key"));
    ASSERT_NE(key, nullptr);
    QStringList items;
    for (int i = 0; i < key->count(); ++i)
        items << key->itemData(i).toString();
    EXPECT_EQ(items, (QStringList{"self", "kick", "lead_vocal"})); // not the bass itself
    key->setCurrentIndex(key->findData("kick"));
    EXPECT_EQ(bass().dynamic_eq[0].key, "kick");

    QComboBox* compressorKey = panel_->compressorKeyBox();
    ASSERT_NE(compressorKey, nullptr);
    compressorKey->setCurrentIndex(compressorKey->findData("kick"));
    EXPECT_EQ(bass().compressor.key, "kick");
    // A key naming another stem than the band's is refused by the session's rules only when the compressor
    // is on; here it is off, so the pick stands.
    document_.undoStack()->undo();
    EXPECT_EQ(bass().compressor.key, "self");
    EXPECT_EQ(compressorKey->currentData().toString(), "self");
}

TEST_F(StemToolsPanelTest, PeakControlToggleAndMeters) {
    ASSERT_NE(panel_->peakControlToggle(), nullptr);
    panel_->peakControlToggle()->click();
    EXPECT_TRUE(bass().peak_control.enabled);
    EXPECT_FALSE(document_.session().stems[0].peak_control.enabled);
    document_.undoStack()->undo();
    EXPECT_FALSE(bass().peak_control.enabled);

    panel_->dynamicEq()->addButton()->click();
    core::MeterFrame frame;
    frame.numStems = 3;
    frame.stemDynamicEqGainDb[1][0] = -4.5f;
    frame.stemPeakReductionDb[1] = 2.0f;
    frame.masterDynamicEqGainDb[0] = -1.0f;
    panel_->setMeters(frame);
    EXPECT_DOUBLE_EQ(panel_->dynamicEq()->shownGainDb(0), -4.5);
    EXPECT_DOUBLE_EQ(panel_->peakMeter()->gainReductionDb(), 2.0);
    // The master's tools: no stem group, the master's bands' meters.
    panel_->setStem(-1);
    EXPECT_EQ(panel_->peakControlToggle(), nullptr);
    panel_->dynamicEq()->addButton()->click();
    EXPECT_EQ(document_.session().master.dynamic_eq.size(), 1u);
    EXPECT_EQ(panel_->dynamicEq()->control(0, "key"), nullptr); // the master has no key
    panel_->setMeters(frame);
    EXPECT_DOUBLE_EQ(panel_->dynamicEq()->shownGainDb(0), -1.0);
}

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
