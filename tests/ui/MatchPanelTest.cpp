// Master > Match: every control edits master.match through the document (undoable), and the curve is
// computed off the GUI thread from the files and drawn.
#include "ui/MatchPanel.h"

#include "support/PrivateHomeTestMain.h"
#include "support/TestAudio.h"
#include "ui/SessionDocument.h"

#include <gtest/gtest.h>

#include <QCheckBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QSlider>
#include <QUndoStack>

#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>

using namespace lathe;

namespace {

// Noise and the same noise 6 dB louder: a flat curve and a 6 LU loudness difference.
void writePair(const std::string& mix, const std::string& reference) {
    std::mt19937 rng(7);
    std::normal_distribution<float> n(0.0f, 0.05f);
    test::PlanarAudio a(2, std::vector<float>(48000 * 8));
    for (auto& ch : a)
        for (float& v : ch)
            v = n(rng);
    test::writeTestAudio(mix, a, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    for (auto& ch : a)
        for (float& v : ch)
            v *= 2.0f;
    test::writeTestAudio(reference, a, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
}

class MatchPanelTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("XDG_CACHE_HOME", dir_.file("cache").c_str(), 1);
        core::Session s;
        s.folder = dir_.path();
        s.song = "Song";
        s.mix = dir_.file("mix.wav");
        s.reference = dir_.file("reference.wav");
        writePair(s.mix, s.reference);
        document_.reset(s, std::nullopt, QString());
        panel_ = std::make_unique<ui::MatchPanel>(&document_);
        panel_->show();
    }
    const core::MatchSettings& match() const { return document_.session().master.match; }
    bool waitForCurve() {
        QElapsedTimer t;
        t.start();
        while ((panel_->computing() || !panel_->hasMatch()) && t.elapsed() < 20000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        return panel_->hasMatch() && !panel_->report().toneCurve.empty();
    }

    test::TempDir dir_;
    ui::SessionDocument document_;
    std::unique_ptr<ui::MatchPanel> panel_;
};

} // namespace

TEST_F(MatchPanelTest, ControlsEditMasterMatchAndUndo) {
    EXPECT_FALSE(panel_->enabledBox()->isChecked());
    EXPECT_FALSE(panel_->amountSlider()->isEnabled()) << "the parts wait for the match to be on";
    panel_->enabledBox()->setChecked(true);
    EXPECT_TRUE(match().enabled);
    EXPECT_TRUE(panel_->amountSlider()->isEnabled());
    panel_->amountSlider()->setValue(40);
    panel_->widthBox()->setChecked(false);
    panel_->maxCorrectionBox()->setValue(6);
    panel_->rangeStartBox()->setValue(2);
    panel_->rangeEndBox()->setValue(6);
    EXPECT_DOUBLE_EQ(match().tone_amount_pct, 40);
    EXPECT_FALSE(match().width);
    EXPECT_DOUBLE_EQ(match().max_correction_db, 6);
    EXPECT_DOUBLE_EQ(match().range_start_s, 2);
    EXPECT_DOUBLE_EQ(match().range_end_s, 6);
    EXPECT_EQ(panel_->referenceLabel()->text(), QStringLiteral("reference.wav"));
    while (document_.undoStack()->canUndo())
        document_.undoStack()->undo();
    EXPECT_EQ(match(), core::MatchSettings{});
    EXPECT_EQ(panel_->amountSlider()->value(), 100);
}

TEST_F(MatchPanelTest, DrawsTheCurveAndTheLoudnessFromTheFiles) {
    ASSERT_TRUE(waitForCurve());
    // The same noise 6 dB louder: the tone curve is flat and the loudness part aims 6 LU higher.
    for (const auto& p : panel_->report().toneCurve)
        if (p.frequencyHz >= 60 && p.frequencyHz <= 14000) EXPECT_NEAR(p.gainDb, 0.0, 0.3) << p.frequencyHz;
    const QString summary = panel_->summaryLabel()->text();
    EXPECT_TRUE(summary.contains(QStringLiteral("target"))) << summary.toStdString();
    // A setting elsewhere in the session does not recompute it; the amount does.
    document_.edit(QStringLiteral("width"), [](core::Session& s) { s.master.width = 1.2; });
    EXPECT_FALSE(panel_->computing());
    document_.edit(QStringLiteral("amount"), [](core::Session& s) { s.master.match.tone_amount_pct = 50; });
    EXPECT_TRUE(panel_->computing());
    ASSERT_TRUE(waitForCurve());
}

int main(int argc, char** argv) {
    return ui::test::runWithPrivateHome(argc, argv, "MatchPanelTest");
}
