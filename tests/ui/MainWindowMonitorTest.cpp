// What the window says about what is heard (issue 19): the monitor gain shown apart from the meters, compare
// figures that follow every edit, a meter for every stem and every dynamics stage, nothing of the previous
// song left on screen, and the transport and compare row reachable from the keyboard.
#include "support/DemoWindow.h"
#include "support/PrivateHomeTestMain.h"

#include "ui/CompareBar.h"
#include "ui/CompressorPanel.h"
#include "ui/CorrelationMeterWidget.h"
#include "ui/EngineController.h"
#include "ui/GainReductionMeter.h"
#include "ui/LoudnessMeterWidget.h"
#include "ui/MasterSection.h"
#include "ui/MultibandPanel.h"
#include "ui/SessionDocument.h"
#include "ui/ShortcutsOverlay.h"
#include "ui/SourceMeasurer.h"
#include "ui/StemLevelMeter.h"
#include "ui/StemStrip.h"
#include "ui/TransportBar.h"

#include "core/analysis/FileAnalysis.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QTest>
#include <QToolButton>

#include <cmath>

using namespace lathe;
using lathe::ui::test::DemoWindowTest;

namespace {

class MainWindowMonitorTest : public DemoWindowTest {
protected:
    QString buttonText(core::MonitorSource source) { return window_->compareBar()->button(source)->text(); }
    // The LUFS figure on a compare button ("3  Stem master\n-14.0 LUFS · -1.0 dBTP").
    static double lufsOn(const QString& text) {
        const QString figures = text.section(QLatin1Char('\n'), 1);
        bool ok = false;
        const double v = figures.section(QStringLiteral(" LUFS"), 0, 0).toDouble(&ok);
        return ok ? v : NAN;
    }
};

} // namespace

TEST_F(MainWindowMonitorTest, TheMonitorGainIsShownApartFromTheMetersWhichReadTheSource) {
    open(demoFolder(QStringLiteral("Monitor Song")));
    ui::CompareBar* compare = window_->compareBar();
    ui::EngineController* engine = window_->engineController();
    ASSERT_TRUE(compare->loudnessMatch()) << "loudness match is on by default";
    QTest::mouseClick(compare->button(core::MonitorSource::StereoMaster), Qt::LeftButton);
    const double gain = engine->engine().monitorGainDb(core::MonitorSource::StereoMaster);
    // The stereo master is mastered to -14 LUFS, the mix is quieter: matching turns the master down.
    std::printf("stereo master: %.2f LUFS, monitor gain %.2f dB\n",
                engine->sourceIntegratedLufs(core::MonitorSource::StereoMaster), gain);
    EXPECT_LT(gain, -1.0);
    EXPECT_EQ(compare->monitorGainLabel()->text(), QStringLiteral("monitor %1 dB").arg(gain, 0, 'f', 1));
    // Stopped, the loudness meter shows the source itself, not the matched level.
    EXPECT_NEAR(window_->loudnessMeter()->readings().integratedLufs,
                engine->sourceIntegratedLufs(core::MonitorSource::StereoMaster), 0.05);

    compare->loudnessMatchBox()->setChecked(false);
    EXPECT_EQ(compare->monitorGainLabel()->text(), QStringLiteral("monitor 0.0 dB"));
    QTest::keyClick(window_.get(), Qt::Key_M);
    EXPECT_TRUE(compare->loudnessMatch());
    EXPECT_EQ(compare->monitorGainLabel()->text(), QStringLiteral("monitor %1 dB").arg(gain, 0, 'f', 1));
}

TEST_F(MainWindowMonitorTest, CompareFiguresAreRemeasuredAfterAnEditAndSayMeasuringMeanwhile) {
    const QString folder = demoFolder(QStringLiteral("Edited Song"));
    open(folder);
    window_->sourceMeasurer()->setDelayMs(0);
    // The demo's stems sum to its mix: the delta nulls.
    ASSERT_TRUE(buttonText(core::MonitorSource::Delta).contains(QStringLiteral("silent")))
        << buttonText(core::MonitorSource::Delta).toStdString();
    const QString mixBefore = buttonText(core::MonitorSource::Mix);

    // Drums up 6 dB: the delta is now the drums times (10^(6/20) - 1) = 0.995, i.e. the drums stem 0.04 dB
    // down.
    const bool edited = window_->document()->edit(QStringLiteral("drums up"), [](core::Session& s) {
        for (auto& stem : s.stems)
            if (stem.id == "drums") stem.gain_db = 6.0;
    });
    ASSERT_TRUE(edited);
    EXPECT_TRUE(window_->compareBar()->isMeasuring());
    EXPECT_TRUE(buttonText(core::MonitorSource::Delta).contains(QStringLiteral("measuring")));
    EXPECT_TRUE(buttonText(core::MonitorSource::StemMaster).contains(QStringLiteral("measuring")));
    EXPECT_EQ(buttonText(core::MonitorSource::Mix), mixBefore) << "an edit does not change the mix";

    ASSERT_TRUE(QTest::qWaitFor([&] { return !window_->sourceMeasurer()->isMeasuring(); }, kLoadTimeoutMs));
    EXPECT_FALSE(window_->compareBar()->isMeasuring());
    const QString delta = buttonText(core::MonitorSource::Delta);
    const core::FileAnalysis drums = core::analyzeFile(QDir(folder).filePath("01_Drums.wav").toStdString());
    std::printf("delta after the edit: \"%s\"; the drums stem alone: %.2f LUFS\n",
                qPrintable(delta.section('\n', 1)), drums.integratedLufs);
    EXPECT_FALSE(delta.contains(QStringLiteral("silent"))) << delta.toStdString();
    EXPECT_NEAR(lufsOn(delta), drums.integratedLufs - 0.04, 0.3);

    // Undo: back at what was loaded, the figures measured at load hold again, without measuring.
    window_->document()->undoStack()->undo();
    EXPECT_FALSE(window_->sourceMeasurer()->isMeasuring());
    EXPECT_TRUE(buttonText(core::MonitorSource::Delta).contains(QStringLiteral("silent")));
}

TEST_F(MainWindowMonitorTest, EveryStemHasALevelMeterAndEveryDynamicsStageAGainReductionMeter) {
    open(demoFolder(QStringLiteral("Metered Song")), false);
    ASSERT_EQ(window_->stemStrips().size(), 6);
    ASSERT_TRUE(window_->document()->edit(QStringLiteral("multiband"),
                                          [](core::Session& s) { s.master.multiband.enabled = true; }));
    ui::MultibandPanel* multiband = window_->masterSection()->multibandPanel();
    ASSERT_EQ(multiband->bandCount(), 3);
    core::MeterFrame frame;
    frame.numStems = 6;
    for (int i = 0; i < 6; ++i) {
        frame.stemPeakDbfs[static_cast<size_t>(i)] = -3.0f * float(i + 1);
        frame.stemRmsDbfs[static_cast<size_t>(i)] = -3.0f * float(i + 1) - 6.0f;
    }
    frame.masterCompressorGainReductionDb = 2.5f;
    frame.numBands = 3;
    frame.bandGainReductionDb[0] = 1.0f;
    frame.bandGainReductionDb[1] = 2.0f;
    frame.bandGainReductionDb[2] = 3.0f;
    emit window_->engineController()->metersUpdated(frame);
    QTest::qWait(50); // widgets added to a shown window appear at the next event turn
    for (ui::StemStrip* s : window_->stemStrips()) {
        const int i = s->stemIndex();
        EXPECT_NEAR(s->levelMeter()->peakDbfs(), -3.0 * (i + 1), 1e-6) << s->stemId().toStdString();
        EXPECT_NEAR(s->levelMeter()->rmsDbfs(), -3.0 * (i + 1) - 6.0, 1e-6);
        EXPECT_TRUE(s->levelMeter()->isVisible());
    }
    EXPECT_NEAR(window_->masterSection()->compressorMeter()->gainReductionDb(), 2.5, 1e-6);
    for (int b = 0; b < 3; ++b) {
        EXPECT_NEAR(multiband->bandMeter(b)->gainReductionDb(), b + 1.0, 1e-6) << "band " << b;
        EXPECT_TRUE(multiband->bandMeter(b)->isVisible());
        // Every band setting is reachable, not only threshold and ratio.
        ASSERT_NE(multiband->bandDetails(b), nullptr);
        multiband->bandDetails(b)->attackBox()->setValue(42.0);
        EXPECT_DOUBLE_EQ(window_->document()->session().master.multiband.bands[size_t(b)].attack_ms, 42.0);
    }
}

TEST_F(MainWindowMonitorTest, OpeningAnotherSongClearsThePreviousSongsReadings) {
    open(demoFolder(QStringLiteral("First Song")), false);
    core::MeterFrame frame;
    frame.correlation = 0.7f;
    frame.momentaryLufs = -9.0f;
    frame.numStems = 6;
    frame.stemPeakDbfs.fill(-6.0f);
    emit window_->engineController()->metersUpdated(frame);
    window_->transportBar()->setPosition(48000 * 3, 48000 * 6, 48000);
    ASSERT_NEAR(window_->loudnessMeter()->readings().momentaryLufs, -9.0, 1e-6);

    open(demoFolder(QStringLiteral("Second Song")), false);
    EXPECT_TRUE(std::isnan(window_->findChild<ui::CorrelationMeterWidget*>()->correlation()));
    EXPECT_FALSE(std::isfinite(window_->loudnessMeter()->readings().momentaryLufs));
    EXPECT_TRUE(window_->transportBar()->positionText().startsWith(ui::TransportBar::formatTime(0) +
                                                                   QStringLiteral(" / ")))
        << window_->transportBar()->positionText().toStdString();
    for (ui::StemStrip* s : window_->stemStrips())
        EXPECT_LE(s->levelMeter()->peakDbfs(), -200.0);
}

TEST_F(MainWindowMonitorTest, TransportCompareRowAndUndoAreReachableFromTheKeyboard) {
    open(demoFolder(QStringLiteral("Shortcut Song"), 12.0));
    window_->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    ui::EngineController* engine = window_->engineController();
    // Keys go where the user's would: to the widget with the focus (the waveform, once a song is open).
    QWidget* focus = QApplication::focusWidget();
    ASSERT_NE(focus, nullptr);
    // Every key of the compare row, each one a change: from the reference, 1 … 6 in turn.
    QTest::mouseClick(window_->compareBar()->button(core::MonitorSource::Reference), Qt::LeftButton);
    ASSERT_EQ(engine->source(), core::MonitorSource::Reference);
    focus = QApplication::focusWidget();
    ASSERT_NE(focus, nullptr);
    for (int i = 0; i < core::kMonitorSourceCount; ++i) {
        const auto source = static_cast<core::MonitorSource>(i);
        ASSERT_TRUE(engine->sourceAvailable(source))
            << ui::CompareBar::sourceTitle(source).toStdString() << " loaded " << engine->isLoaded()
            << " loading " << engine->isLoading() << " engine " << engine->engine().sourceAvailable(source);
        QTest::keyClick(focus, static_cast<Qt::Key>(Qt::Key_1 + i));
        EXPECT_EQ(engine->source(), source) << "key " << i + 1;
        EXPECT_EQ(engine->engine().source(), source) << "key " << i + 1;
        EXPECT_TRUE(window_->compareBar()->button(source)->isChecked()) << "key " << i + 1;
    }
    // And with a strip's fader holding the focus (a control that takes no digits).
    ui::StemStrip* first = window_->stemStrips().front();
    first->fader()->setFocus();
    ASSERT_TRUE(QTest::qWaitFor([&] { return first->fader()->hasFocus(); }, 1000));
    QTest::keyClick(first->fader(), Qt::Key_2);
    EXPECT_EQ(engine->source(), core::MonitorSource::StereoMaster);
    QTest::keyClick(focus, Qt::Key_3);
    EXPECT_EQ(engine->source(), core::MonitorSource::StemMaster);
    QTest::keyClick(focus, Qt::Key_4);
    EXPECT_EQ(engine->source(), core::MonitorSource::Reference);
    QTest::keyClick(focus, Qt::Key_P);
    EXPECT_EQ(window_->compareBar()->playbackSystem(), dsp::PlaybackSystem::PhoneSpeaker);
    EXPECT_EQ(engine->playbackSimulation(), dsp::PlaybackSystem::PhoneSpeaker);
    QTest::keyClick(focus, Qt::Key_Right, Qt::ControlModifier);
    EXPECT_EQ(engine->engine().position(), 5 * engine->sampleRate());
    QTest::keyClick(focus, Qt::Key_Left, Qt::ControlModifier);
    EXPECT_EQ(engine->engine().position(), 0);
    // A loop from 2 s to 4 s: [ and ] jump to its ends.
    engine->setLoopRegion(2 * engine->sampleRate(), 4 * engine->sampleRate());
    QTest::keyClick(focus, Qt::Key_BracketRight);
    EXPECT_EQ(engine->engine().position(), 4 * engine->sampleRate());
    QTest::keyClick(focus, Qt::Key_BracketLeft);
    EXPECT_EQ(engine->engine().position(), 2 * engine->sampleRate());
    QTest::keyClick(focus, Qt::Key_L);
    EXPECT_FALSE(engine->loopEnabled());

    // An edit undone and redone from the keyboard.
    ui::StemStrip* strip = window_->stemStrips().front();
    strip->fader()->setValue(-30);
    ASSERT_NEAR(window_->document()->session().stems[0].gain_db, -3.0, 1e-9);
    QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_NEAR(window_->document()->session().stems[0].gain_db, 0.0, 1e-9);
    QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_NEAR(window_->document()->session().stems[0].gain_db, -3.0, 1e-9);

    // Every one of them is in the overlay.
    QStringList keys;
    for (const auto& [key, what] : window_->shortcutsOverlay()->shortcuts())
        keys << key;
    for (const char* expected :
         {"Space", "Home", "L", "1 … 6", "M", "P", "Ctrl+Left / Ctrl+Right", "[ / ]", "Ctrl+Z"})
        EXPECT_TRUE(keys.contains(QString::fromUtf8(expected))) << expected;
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "MainWindowMonitorTest");
}

TEST_F(MainWindowMonitorTest, TheCodecListSwitchesTheCodecPreviewWhichSaysBuildingUntilItPlays) {
    open(demoFolder(QStringLiteral("Codec Song")));
    ui::CompareBar* compare = window_->compareBar();
    ui::EngineController* engine = window_->engineController();
    QToolButton* codecButton = compare->button(core::MonitorSource::Codec);
    ASSERT_TRUE(engine->sourceAvailable(core::MonitorSource::Codec));
    EXPECT_TRUE(buttonText(core::MonitorSource::Codec).contains(QStringLiteral("MP3 320 kb/s")))
        << buttonText(core::MonitorSource::Codec).toStdString();
    const double mp3Lufs = lufsOn(buttonText(core::MonitorSource::Codec));
    QTest::mouseClick(codecButton, Qt::LeftButton);
    EXPECT_EQ(engine->source(), core::MonitorSource::Codec);

    QComboBox* box = compare->codecBox();
    const int opus = box->findData(QStringLiteral("opus:64"));
    ASSERT_GE(opus, 0);
    box->setCurrentIndex(opus);
    EXPECT_EQ(core::deliverableSpecText(engine->codecPreview()), "opus:64");
    EXPECT_TRUE(buttonText(core::MonitorSource::Codec).contains(QStringLiteral("Opus 64 kb/s")));
    // Made in the background: the button says so until the new preview plays, then shows its figures.
    if (engine->codecPreviewState().building)
        EXPECT_TRUE(buttonText(core::MonitorSource::Codec).contains(QStringLiteral("building…")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !buttonText(core::MonitorSource::Codec).contains("building…"); },
                                60000));
    const core::AudioEngine::CodecPreviewState state = engine->codecPreviewState();
    ASSERT_TRUE(state.ready.has_value());
    EXPECT_EQ(core::deliverableSpecText(*state.ready), "opus:64");
    const double opusLufs = lufsOn(buttonText(core::MonitorSource::Codec));
    std::printf("codec button: MP3 320 %.1f LUFS, Opus 64 %.1f LUFS\n", mp3Lufs, opusLufs);
    EXPECT_NEAR(opusLufs, engine->sourceIntegratedLufs(core::MonitorSource::Codec), 0.051);
    EXPECT_EQ(engine->source(), core::MonitorSource::Codec) << "the source stays the codec";
    // Kept when the song is loaded again (the codec builder makes the first preview once the measuring
    // thread has played the stereo master: wait for it).
    engine->load(window_->document()->session());
    ASSERT_TRUE(QTest::qWaitFor([&] { return engine->isCodecPreviewSettled(); }, 60000));
    EXPECT_EQ(core::deliverableSpecText(engine->codecPreview()), "opus:64");
    const core::AudioEngine::CodecPreviewState reloaded = engine->codecPreviewState();
    ASSERT_TRUE(reloaded.ready.has_value());
    EXPECT_EQ(core::deliverableSpecText(*reloaded.ready), "opus:64");
}
