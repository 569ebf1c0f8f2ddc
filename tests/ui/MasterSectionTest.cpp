// The master section's controls against the session: compressor details, the multiband compressor's bands
// and crossovers, saturation mix and oversampling, limiter release, lookahead, style and switches. Each
// changes its key through the document, and undo restores it.
#include "ui/MasterSection.h"

#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "ui/CompressorPanel.h"
#include "ui/EqCurveEditor.h"
#include "ui/MultibandPanel.h"
#include "ui/SessionDocument.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QMenu>
#include <QUndoStack>

#include <memory>

using namespace lathe;
using lathe::ui::MasterSection;

namespace {

// The master makeDefaultSession proposes for a folder (core/model/SESSION.md): multiband off with 3 bands
// split at 150 Hz and 2.5 kHz.
core::Session defaultSession() {
    core::Session s;
    s.folder = "/nonexistent/Song";
    s.song = "Song";
    core::StemSettings stem;
    stem.id = "music";
    stem.role = "music";
    stem.path = "/nonexistent/Song/music.wav";
    s.stems.push_back(stem);
    s.master.compressor.enabled = true;
    s.master.compressor.threshold_db = -20;
    s.master.compressor.ratio = 1.5;
    s.master.multiband.crossovers_hz = {150, 2500};
    s.master.multiband.bands = core::defaultMultibandBands(3);
    return s;
}

class MasterSectionTest : public ::testing::Test {
protected:
    void SetUp() override {
        document_.reset(defaultSession(), std::nullopt, QString());
        section_ = std::make_unique<MasterSection>(&document_);
        section_->show();
    }
    const core::MasterSettings& master() const { return document_.session().master; }
    QUndoStack* undo() { return document_.undoStack(); }
    void undoAll() {
        while (undo()->canUndo())
            undo()->undo();
    }

    ui::SessionDocument document_;
    std::unique_ptr<MasterSection> section_;
};

} // namespace

TEST_F(MasterSectionTest, CompressorKneeDetectionLinkAndSidechainEditTheMasterAndUndo) {
    ui::CompressorPanel* panel = section_->compressorPanel();
    panel->kneeBox()->setValue(3.0);
    panel->detectionBox()->setCurrentIndex(panel->detectionBox()->findData("rms"));
    panel->stereoLinkBox()->setValue(75.0);
    panel->sidechainHpfBox()->setValue(90.0);
    EXPECT_DOUBLE_EQ(master().compressor.knee_db, 3.0);
    EXPECT_EQ(master().compressor.detection, "rms");
    EXPECT_DOUBLE_EQ(master().compressor.stereo_link, 0.75);
    EXPECT_DOUBLE_EQ(master().compressor.sidechain_hpf_hz, 90.0);
    EXPECT_EQ(undo()->count(), 4);
    undoAll();
    EXPECT_EQ(master().compressor, defaultSession().master.compressor);
    EXPECT_DOUBLE_EQ(panel->kneeBox()->value(), 6.0);
}

TEST_F(MasterSectionTest, MultibandShowsItsBandsAndEditsCrossoversThresholdsAndRatios) {
    EXPECT_FALSE(section_->multibandPanel()->isVisibleTo(section_.get()));
    section_->multibandBox()->setChecked(true);
    EXPECT_TRUE(master().multiband.enabled);
    // The chain runs one or the other: the multiband controls replace the single compressor's.
    EXPECT_TRUE(section_->multibandPanel()->isVisibleTo(section_.get()));
    EXPECT_FALSE(section_->compressorPanel()->isVisibleTo(section_.get()));

    ui::MultibandPanel* mb = section_->multibandPanel();
    ASSERT_EQ(mb->bandCount(), 3);
    EXPECT_DOUBLE_EQ(mb->crossoverBox(0)->value(), 150.0);
    EXPECT_DOUBLE_EQ(mb->crossoverBox(1)->value(), 2500.0);
    mb->crossoverBox(0)->setValue(200.0);
    mb->thresholdBox(1)->setValue(-30.0);
    mb->ratioBox(2)->setValue(3.0);
    mb->bandEnabledBox(0)->setChecked(false);
    EXPECT_EQ(master().multiband.crossovers_hz, (std::vector<double>{200, 2500}));
    EXPECT_DOUBLE_EQ(master().multiband.bands[1].threshold_db, -30.0);
    EXPECT_DOUBLE_EQ(master().multiband.bands[2].ratio, 3.0);
    EXPECT_FALSE(master().multiband.bands[0].enabled);
    EXPECT_DOUBLE_EQ(master().multiband.bands[0].threshold_db, -20.0); // the others keep their values

    // A split cannot pass its neighbour: the box stops 1 Hz short, and the session never holds falling
    // crossovers (which the session file would refuse).
    mb->crossoverBox(0)->setValue(5000.0);
    EXPECT_DOUBLE_EQ(master().multiband.crossovers_hz[0], 2499.0);
    EXPECT_FALSE(document_.edit("bad", [](core::Session& s) {
        s.master.multiband.crossovers_hz = {3000, 2500};
    }));
    EXPECT_DOUBLE_EQ(master().multiband.crossovers_hz[0], 2499.0);

    undoAll();
    EXPECT_EQ(master().multiband, defaultSession().master.multiband);
    EXPECT_DOUBLE_EQ(mb->crossoverBox(0)->value(), 150.0);
    EXPECT_DOUBLE_EQ(mb->thresholdBox(1)->value(), -20.0);
}

TEST_F(MasterSectionTest, ChangingTheBandCountStartsFromDefaultsAndUndoes) {
    section_->multibandBox()->setChecked(true);
    ui::MultibandPanel* mb = section_->multibandPanel();
    mb->bandCountBox()->setCurrentIndex(mb->bandCountBox()->findData(4));
    EXPECT_EQ(master().multiband.crossovers_hz, (std::vector<double>{120, 1000, 5000}));
    EXPECT_EQ(master().multiband.bands, core::defaultMultibandBands(4));
    EXPECT_EQ(mb->bandCount(), 4);
    ASSERT_NE(mb->crossoverBox(2), nullptr);
    EXPECT_DOUBLE_EQ(mb->crossoverBox(2)->value(), 5000.0);
    mb->ratioBox(3)->setValue(2.5);
    EXPECT_DOUBLE_EQ(master().multiband.bands[3].ratio, 2.5);
    undo()->undo();
    undo()->undo();
    EXPECT_EQ(master().multiband.bands.size(), 3u);
    EXPECT_EQ(mb->bandCount(), 3);
    EXPECT_EQ(mb->crossoverBox(2), nullptr);
    EXPECT_EQ(mb->bandCountBox()->currentData().toInt(), 3);
}

TEST_F(MasterSectionTest, SaturationMixAndOversamplingEditTheMasterAndUndo) {
    section_->saturationMixBox()->setValue(35.0); // percent
    EXPECT_DOUBLE_EQ(master().saturation.mix, 0.35);
    section_->oversamplingBox()->setCurrentIndex(section_->oversamplingBox()->findData(8));
    EXPECT_EQ(master().saturation.oversampling, 8);
    section_->saturationModeBox()->setCurrentIndex(section_->saturationModeBox()->findData("tape"));
    EXPECT_EQ(master().saturation.mode, "tape");
    undoAll();
    EXPECT_EQ(master().saturation, core::SaturationSettings{});
    EXPECT_EQ(section_->oversamplingBox()->currentData().toInt(), 4);
    EXPECT_DOUBLE_EQ(section_->saturationMixBox()->value(), 100.0);
}

TEST_F(MasterSectionTest, LimiterLookaheadAndReleaseEditTheMasterAndUndo) {
    section_->lookaheadBox()->setValue(5.0);
    section_->limiterReleaseBox()->setValue(300.0);
    EXPECT_DOUBLE_EQ(master().limiter.lookahead_ms, 5.0);
    EXPECT_DOUBLE_EQ(master().limiter.release_ms, 300.0);
    undo()->undo();
    EXPECT_DOUBLE_EQ(master().limiter.release_ms, core::LimiterSettings{}.release_ms);
    EXPECT_DOUBLE_EQ(master().limiter.lookahead_ms, 5.0);
    undo()->undo();
    EXPECT_DOUBLE_EQ(master().limiter.lookahead_ms, core::LimiterSettings{}.lookahead_ms);
    EXPECT_DOUBLE_EQ(section_->lookaheadBox()->value(), core::LimiterSettings{}.lookahead_ms);
}

// The limiter's style and switches (issue 21): each edits its key, survives the session file's round trip,
// shows what a loaded session holds, and undoes one step at a time.
TEST_F(MasterSectionTest, LimiterStyleSoftClipBassAwareAndLinkEditTheMasterSaveAndUndo) {
    const core::LimiterSettings defaults;
    EXPECT_EQ(section_->limiterStyleBox()->currentData().toString().toStdString(), defaults.style);
    EXPECT_DOUBLE_EQ(section_->limiterStereoLinkBox()->value(), 100.0 * defaults.stereo_link);

    section_->limiterStyleBox()->setCurrentIndex(section_->limiterStyleBox()->findData("punchy"));
    section_->limiterSoftClipBox()->setChecked(true);
    section_->limiterLowFrequencyBox()->setChecked(true);
    section_->limiterStereoLinkBox()->setValue(60.0);
    EXPECT_EQ(master().limiter.style, "punchy");
    EXPECT_TRUE(master().limiter.soft_clip);
    EXPECT_TRUE(master().limiter.low_frequency_aware);
    EXPECT_DOUBLE_EQ(master().limiter.stereo_link, 0.6);

    // Saved in the session: the file's JSON reads back the same limiter.
    const core::Session saved = core::sessionFromJson(core::toJson(document_.session()), "test.lathe");
    EXPECT_EQ(saved.master.limiter, master().limiter);

    undo()->undo();
    EXPECT_DOUBLE_EQ(master().limiter.stereo_link, defaults.stereo_link);
    EXPECT_TRUE(master().limiter.low_frequency_aware);
    undo()->undo();
    EXPECT_FALSE(master().limiter.low_frequency_aware);
    EXPECT_FALSE(section_->limiterLowFrequencyBox()->isChecked());
    undo()->undo();
    EXPECT_FALSE(master().limiter.soft_clip);
    undo()->undo();
    EXPECT_EQ(master().limiter, defaults);
    EXPECT_EQ(section_->limiterStyleBox()->currentData().toString(), QStringLiteral("transparent"));

    // A session opened with other values shows them.
    core::Session other = defaultSession();
    other.master.limiter.style = "safe";
    other.master.limiter.soft_clip = true;
    other.master.limiter.stereo_link = 0.25;
    document_.reset(other, std::nullopt, QString());
    EXPECT_EQ(section_->limiterStyleBox()->currentData().toString(), QStringLiteral("safe"));
    EXPECT_TRUE(section_->limiterSoftClipBox()->isChecked());
    EXPECT_FALSE(section_->limiterLowFrequencyBox()->isChecked());
    EXPECT_DOUBLE_EQ(section_->limiterStereoLinkBox()->value(), 25.0);
}

TEST_F(MasterSectionTest, MasterEqBandTypeAndOnOffFromTheHandleMenuEditTheMasterAndUndo) {
    ASSERT_TRUE(master().eq.empty());
    std::unique_ptr<QMenu> menu(section_->eqEditor()->createBandMenu(3, nullptr));
    QAction* lowPass = nullptr;
    for (QAction* a : menu->actions())
        if (a->data().toString() == "low_pass") lowPass = a;
    ASSERT_NE(lowPass, nullptr);
    lowPass->trigger();
    ASSERT_EQ(master().eq.size(), 4u);
    EXPECT_EQ(master().eq[3].type, "low_pass");
    menu.reset(section_->eqEditor()->createBandMenu(0, nullptr));
    menu->findChild<QAction*>("bandEnabled")->trigger();
    EXPECT_FALSE(master().eq[0].enabled);
    EXPECT_EQ(undo()->count(), 2);
    undo()->undo();
    EXPECT_TRUE(master().eq[0].enabled);
    EXPECT_EQ(master().eq[3].type, "low_pass");
    undo()->undo();
    EXPECT_TRUE(master().eq.empty());
}

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
