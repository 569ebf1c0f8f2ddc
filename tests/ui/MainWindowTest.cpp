// End-to-end tests of the main window on the offscreen platform: a synthesized client folder is opened the
// way a user opens one, controls are driven with QTest events, and what the window claims is checked against
// the session model, the engine and files on disk.
#include "ui/MainWindow.h"
#include "support/PrivateHomeTestMain.h"
#include "ui/BatchQueueWindow.h"
#include "ui/CompareBar.h"
#include "ui/EngineController.h"
#include "ui/GainReductionMeter.h"
#include "ui/LoudnessMeterWidget.h"
#include "ui/RenderDialog.h"
#include "ui/ScanPanel.h"
#include "ui/SessionDocument.h"
#include "ui/StemStrip.h"
#include "ui/TransportBar.h"

#include "core/analysis/FileAnalysis.h"
#include "core/demo/DemoFolder.h"
#include "core/io/AudioFileReader.h"
#include "core/model/SessionJson.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QMimeData>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSlider>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>
#include <QUrl>

#include <cmath>
#include <memory>
#include <set>

using namespace lathe;
using lathe::ui::MainWindow;

namespace {

constexpr int kOpenTimeoutMs = 30000;
constexpr int kLoadTimeoutMs = 120000;
constexpr int kRenderTimeoutMs = 240000;

// One demo folder for the whole suite: 8 s is long enough for every meter's gating (BS.1770 needs 400 ms
// blocks; LRA 3 s windows) and short enough to render in seconds.
class MainWindowTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        tempRoot_ = new QTemporaryDir;
        ASSERT_TRUE(tempRoot_->isValid());
        core::DemoOptions options;
        options.seconds = 8;
        options.songName = "Demo Song";
        demo_ = core::writeDemoFolder(QDir(tempRoot_->path()).filePath("Demo Song").toStdString(), options);
    }
    static void TearDownTestSuite() {
        delete tempRoot_;
        tempRoot_ = nullptr;
    }

    void SetUp() override {
        ui::SessionDocument::discardRecovery();
        window_ = std::make_unique<MainWindow>();
        window_->setInteractive(false);
        window_->show();
    }
    void TearDown() override {
        window_.reset();
        ui::SessionDocument::discardRecovery();
    }

    void openDemo() {
        window_->openPath(QString::fromStdString(demo_.folder));
        ASSERT_TRUE(QTest::qWaitFor([&] { return window_->document()->isOpen() && !window_->isOpening(); },
                                    kOpenTimeoutMs))
            << window_->lastError().toStdString();
    }
    void waitForEngine() { // playable and measured, the codec preview made: the compare figures are there
        ASSERT_TRUE(QTest::qWaitFor([&] { return window_->engineController()->isCodecPreviewSettled(); },
                                    kLoadTimeoutMs))
            << window_->lastError().toStdString();
    }
    ui::StemStrip* strip(const QString& id) {
        for (ui::StemStrip* s : window_->stemStrips())
            if (s->stemId() == id) return s;
        return nullptr;
    }
    const core::StemSettings& stem(const std::string& id) {
        for (const auto& s : window_->document()->session().stems)
            if (s.id == id) return s;
        throw std::runtime_error("no stem " + id);
    }

    static QTemporaryDir* tempRoot_;
    static core::DemoResult demo_;
    std::unique_ptr<MainWindow> window_;
};

QTemporaryDir* MainWindowTest::tempRoot_ = nullptr;
core::DemoResult MainWindowTest::demo_;

QStringList filesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace

TEST_F(MainWindowTest, OpeningTheDemoFolderShowsEveryFileWithItsRole) {
    openDemo();
    const core::Session& session = window_->document()->session();
    // The demo's six stems are named so that every role is recognised (core/demo/DemoFolder.h).
    const std::set<std::string> expected{"drums", "bass", "music", "lead_vocal", "backing_vocals", "fx"};
    std::set<std::string> shown;
    for (const auto& s : session.stems)
        shown.insert(window_->scanPanel()->roleShownFor(QString::fromStdString(s.id)).toStdString());
    EXPECT_EQ(shown, expected);
    EXPECT_EQ(window_->stemStrips().size(), 6);
    EXPECT_FALSE(session.mix.empty());
    EXPECT_FALSE(session.reference.empty());
    // Every file of the folder appears as a row: six stems, the mix and the reference.
    EXPECT_EQ(window_->scanPanel()->table()->rowCount(), 8);
    EXPECT_TRUE(window_->scanPanel()->problemsShown().isEmpty());
    EXPECT_TRUE(window_->windowTitle().contains("Demo Song"));
}

TEST_F(MainWindowTest, ChangingARoleInTheScanPanelEditsTheSessionAndUndoes) {
    openDemo();
    auto* combo = window_->scanPanel()->findChild<QComboBox*>("role_music");
    ASSERT_NE(combo, nullptr);
    combo->setCurrentIndex(combo->findData("other"));
    EXPECT_EQ(stem("music").role, "other");
    EXPECT_EQ(window_->scanPanel()->roleShownFor("music"), "other");
    window_->document()->undoStack()->undo();
    EXPECT_EQ(stem("music").role, "music");
    EXPECT_EQ(window_->scanPanel()->roleShownFor("music"), "music");
}

TEST_F(MainWindowTest, MovingAStemFaderChangesTheSessionInTenthsOfADecibelAndUndoRestoresIt) {
    openDemo();
    ui::StemStrip* bass = strip("bass");
    ASSERT_NE(bass, nullptr);
    EXPECT_DOUBLE_EQ(stem("bass").gain_db, 0.0);
    EXPECT_FALSE(window_->document()->isDirty());

    bass->fader()->setFocus();
    QTest::keyClick(bass->fader(), Qt::Key_Up); // single step: 0.1 dB
    EXPECT_NEAR(stem("bass").gain_db, 0.1, 1e-9);
    QTest::keyClick(bass->fader(), Qt::Key_PageDown); // page step: 1 dB
    EXPECT_NEAR(stem("bass").gain_db, -0.9, 1e-9);
    bass->fader()->setValue(-35);
    EXPECT_NEAR(stem("bass").gain_db, -3.5, 1e-9);
    // The number box follows the fader.
    EXPECT_NEAR(bass->gainBox()->value(), -3.5, 1e-9);
    EXPECT_TRUE(window_->document()->isDirty());
    EXPECT_TRUE(window_->isWindowModified());
    // Other stems are untouched.
    EXPECT_DOUBLE_EQ(stem("drums").gain_db, 0.0);

    // Keyboard steps and the drag were one gesture (no release in between): one undo step back to 0 dB.
    window_->document()->undoStack()->undo();
    EXPECT_DOUBLE_EQ(stem("bass").gain_db, 0.0);
    EXPECT_EQ(bass->fader()->value(), 0);
    EXPECT_FALSE(window_->document()->isDirty());
    window_->document()->undoStack()->redo();
    EXPECT_NEAR(stem("bass").gain_db, -3.5, 1e-9);
}

TEST_F(MainWindowTest, SeparateFaderGesturesAreSeparateUndoSteps) {
    openDemo();
    ui::StemStrip* drums = strip("drums");
    ASSERT_NE(drums, nullptr);
    drums->fader()->setValue(20);
    window_->document()->endEditGesture();
    drums->fader()->setValue(40);
    EXPECT_NEAR(stem("drums").gain_db, 4.0, 1e-9);
    window_->document()->undoStack()->undo();
    EXPECT_NEAR(stem("drums").gain_db, 2.0, 1e-9);
    window_->document()->undoStack()->undo();
    EXPECT_NEAR(stem("drums").gain_db, 0.0, 1e-9);
}

TEST_F(MainWindowTest, SoloAndMuteButtonsEditTheSession) {
    openDemo();
    ui::StemStrip* vocal = strip("lead_vocal");
    ASSERT_NE(vocal, nullptr);
    QTest::mouseClick(vocal->soloButton(), Qt::LeftButton);
    EXPECT_TRUE(stem("lead_vocal").solo);
    EXPECT_TRUE(vocal->soloButton()->isChecked());
    for (const auto& s : window_->document()->session().stems) {
        if (s.id != "lead_vocal") {
            EXPECT_FALSE(s.solo) << s.id;
        }
    }
    QTest::mouseClick(strip("fx")->muteButton(), Qt::LeftButton);
    EXPECT_TRUE(stem("fx").mute);
    window_->document()->undoStack()->undo();
    window_->document()->undoStack()->undo();
    EXPECT_FALSE(stem("lead_vocal").solo);
    EXPECT_FALSE(stem("fx").mute);
    EXPECT_FALSE(vocal->soloButton()->isChecked());
}

TEST_F(MainWindowTest, CompareButtonsSwitchTheEngineSourceAndShowMeasuredLoudness) {
    openDemo();
    waitForEngine();
    ui::EngineController* engine = window_->engineController();
    ui::CompareBar* compare = window_->compareBar();

    // The mix's loudness on its button agrees with an independent analysis of the file (BS.1770, same
    // gating).
    const core::FileAnalysis mix = core::analyzeFile(window_->document()->session().mix);
    const double shownMix = engine->sourceIntegratedLufs(core::MonitorSource::Mix);
    EXPECT_NEAR(shownMix, mix.integratedLufs, 0.2);
    EXPECT_TRUE(
        compare->button(core::MonitorSource::Mix)->text().contains(QString::number(shownMix, 'f', 1)));
    // The rough master reference is about 7 dB hotter than the mix (core/demo/DemoFolder.h).
    EXPECT_GT(engine->sourceIntegratedLufs(core::MonitorSource::Reference), shownMix + 3.0);

    for (auto source :
         {core::MonitorSource::StereoMaster, core::MonitorSource::StemMaster, core::MonitorSource::Reference,
          core::MonitorSource::Delta, core::MonitorSource::Mix}) {
        QToolButton* button = compare->button(source);
        ASSERT_TRUE(button->isEnabled()) << ui::CompareBar::sourceTitle(source).toStdString();
        QTest::mouseClick(button, Qt::LeftButton);
        EXPECT_EQ(engine->source(), source);
        EXPECT_EQ(engine->engine().source(), source);
        EXPECT_TRUE(button->isChecked());
    }

    // Keys 1-5 select the sources from anywhere in the window.
    window_->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    QTest::keyClick(window_.get(), Qt::Key_3);
    EXPECT_EQ(engine->source(), core::MonitorSource::StemMaster);
    EXPECT_TRUE(compare->button(core::MonitorSource::StemMaster)->isChecked());
    QTest::keyClick(window_.get(), Qt::Key_4);
    EXPECT_EQ(engine->source(), core::MonitorSource::Reference);

    // Loudness match follows the checkbox.
    compare->loudnessMatchBox()->setChecked(false);
    EXPECT_FALSE(engine->engine().loudnessMatch());
    compare->loudnessMatchBox()->setChecked(true);
    EXPECT_TRUE(engine->engine().loudnessMatch());
}

TEST_F(MainWindowTest, RenderFromTheWindowWritesTheMastersWithProgressAtOneHundredPercent) {
    openDemo();
    QTemporaryDir out;
    ASSERT_TRUE(out.isValid());
    const QString outDir = QDir(out.path()).filePath("masters");
    ui::RenderDialog* dialog = window_->showRenderDialog();
    ASSERT_NE(dialog, nullptr);
    dialog->setOutputFolder(outDir);
    dialog->setMode("both");
    dialog->setMp3(false);
    dialog->startRender();
    EXPECT_TRUE(dialog->isRendering());
    // The UI thread keeps running while the render works: the event loop turns here.
    ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog->isRendering(); }, kRenderTimeoutMs));
    ASSERT_TRUE(dialog->errorMessage().isEmpty()) << dialog->errorMessage().toStdString();
    EXPECT_EQ(dialog->progressBar()->value(), 100);
    EXPECT_EQ(dialog->progressValue(), 100);
    const QStringList files = filesIn(outDir);
    EXPECT_EQ(files,
              QStringList({"Demo Song_stem_master.wav", "Demo Song_stereo_master.wav", "report.json"}));
    const core::AudioFileInfo info =
        core::probeAudioFile(QDir(outDir).filePath("Demo Song_stereo_master.wav").toStdString());
    EXPECT_NEAR(info.durationSeconds(), 8.0, 0.05);
    ASSERT_TRUE(dialog->report().has_value());
    for (const auto& d : dialog->report()->deliverables)
        EXPECT_NEAR(d.integratedLufs, window_->document()->session().loudness.target_lufs, 0.2) << d.kind;
}

TEST_F(MainWindowTest, CancellingARenderLeavesNoFiles) {
    openDemo();
    QTemporaryDir out;
    ASSERT_TRUE(out.isValid());
    const QString outDir = QDir(out.path()).filePath("masters");
    ui::RenderDialog* dialog = window_->showRenderDialog();
    ASSERT_NE(dialog, nullptr);
    dialog->setOutputFolder(outDir);
    dialog->setMode("both");
    dialog->setMp3(true);
    dialog->startRender();
    ASSERT_TRUE(dialog->isRendering());
    QTest::qWait(50);
    dialog->cancelRender();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog->isRendering(); }, kRenderTimeoutMs));
    EXPECT_TRUE(dialog->wasCancelled());
    EXPECT_LT(dialog->progressValue(), 100);
    EXPECT_EQ(filesIn(outDir), QStringList()); // no masters, no temporaries, no report
}

TEST_F(MainWindowTest, SaveAsWritesTheSessionAndClearsTheDirtyFlag) {
    openDemo();
    strip("music")->fader()->setValue(-20);
    ASSERT_TRUE(window_->document()->isDirty());
    QTemporaryDir dir;
    const QString path = QDir(dir.path()).filePath("song.lathe");
    QString error;
    ASSERT_TRUE(window_->document()->saveAs(path, &error)) << error.toStdString();
    EXPECT_FALSE(window_->document()->isDirty());
    const core::Session saved = core::loadSession(path.toStdString());
    EXPECT_EQ(saved, window_->document()->session());
    EXPECT_NEAR(saved.stems[2].gain_db + 0.0, stem(saved.stems[2].id).gain_db, 0.0);

    // Reopening the .lathe brings the edit back.
    window_ = std::make_unique<MainWindow>();
    window_->setInteractive(false);
    window_->openPath(path);
    ASSERT_TRUE(QTest::qWaitFor([&] { return window_->document()->isOpen(); }, kOpenTimeoutMs));
    EXPECT_NEAR(stem("music").gain_db, -2.0, 1e-9);
    EXPECT_NEAR(strip("music")->gainBox()->value(), -2.0, 1e-9);
    EXPECT_EQ(window_->document()->filePath(), path);
}

TEST_F(MainWindowTest, SaveAsNeverWritesIntoTheClientFolderOrOverASource) {
    // Issue 14: the GUI's session writer follows the rule of every lathe-cli writer.
    openDemo();
    const std::string stemPath = demo_.files.at(2); // 03_Music.wav
    const auto bytes = [](const std::string& path) {
        QFile file(QString::fromStdString(path));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    };
    const QByteArray stemBytes = bytes(stemPath);
    for (const QString& path :
         {QString::fromStdString(stemPath), QDir(QString::fromStdString(demo_.folder)).filePath("song.lathe"),
          QDir(QString::fromStdString(demo_.folder)).filePath("sub/../song.lathe")}) {
        QString error;
        EXPECT_FALSE(window_->document()->saveAs(path, &error)) << path.toStdString();
        EXPECT_TRUE(error.contains("client folder")) << error.toStdString();
    }
    EXPECT_EQ(bytes(stemPath), stemBytes);
    EXPECT_FALSE(QFile::exists(QDir(QString::fromStdString(demo_.folder)).filePath("song.lathe")));
    EXPECT_TRUE(window_->document()->filePath().isEmpty());
}

TEST_F(MainWindowTest, AutosaveWritesARecoveryFileThatALaterWindowRecovers) {
    openDemo();
    strip("bass")->fader()->setValue(15);
    window_->document()->setAutosaveInterval(50);
    ASSERT_TRUE(QTest::qWaitFor([] { return ui::SessionDocument::hasRecovery(); }, 5000));
    // Simulate a crash: the window goes without a clean close, so the recovery file stays.
    window_.reset();
    ASSERT_TRUE(ui::SessionDocument::hasRecovery());
    window_ = std::make_unique<MainWindow>();
    window_->setInteractive(false);
    ASSERT_TRUE(window_->offerRecovery());
    EXPECT_NEAR(stem("bass").gain_db, 1.5, 1e-9);
    EXPECT_TRUE(window_->document()->isDirty()); // recovered edits are unsaved until saved
    // A clean close removes it.
    window_->close();
    EXPECT_FALSE(ui::SessionDocument::hasRecovery());
}

TEST_F(MainWindowTest, DroppingAFolderOntoTheWindowOpensIt) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QString::fromStdString(demo_.folder))});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window_.get(), &enter);
    EXPECT_TRUE(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window_.get(), &drop);
    ASSERT_TRUE(QTest::qWaitFor([&] { return window_->document()->isOpen(); }, kOpenTimeoutMs));
    EXPECT_EQ(window_->stemStrips().size(), 6);
    EXPECT_TRUE(
        window_->recentPaths().contains(QFileInfo(QString::fromStdString(demo_.folder)).absoluteFilePath()));
}

TEST_F(MainWindowTest, AFolderThatCannotBeOpenedGivesAMessageNamingIt) {
    const QString missing = QDir(tempRoot_->path()).filePath("No Such Folder");
    QSignalSpy failed(window_.get(), &MainWindow::openFailed);
    window_->openPath(missing);
    ASSERT_TRUE(failed.wait(kOpenTimeoutMs));
    EXPECT_TRUE(window_->lastError().contains(missing)) << window_->lastError().toStdString();
    EXPECT_FALSE(window_->document()->isOpen());

    QTemporaryDir empty;
    window_->openPath(empty.path());
    ASSERT_TRUE(failed.wait(kOpenTimeoutMs));
    EXPECT_TRUE(window_->lastError().contains(empty.path())) << window_->lastError().toStdString();
}

TEST_F(MainWindowTest, WithoutAnAudioDeviceTheWindowSaysSoAndStillWorks) {
    // The offscreen test machine has no sound card, or the device cannot be opened: either way the status
    // says what happened and the session still opens, loads and edits.
    window_->engineController()->openDevice("no such device at all", 512);
    EXPECT_FALSE(window_->engineController()->audioStatus().isEmpty());
    openDemo();
    waitForEngine();
    strip("drums")->fader()->setValue(-10);
    EXPECT_NEAR(stem("drums").gain_db, -1.0, 1e-9);
}

TEST_F(MainWindowTest, MeterFramesFeedEachStemsCompressorMeterAndTheLoudnessRange) {
    openDemo();
    ASSERT_EQ(window_->stemStrips().size(), 6);
    // A frame as the engine's poll delivers it: per-stem reduction in session order, and the LRA.
    core::MeterFrame frame;
    frame.numStems = 6;
    for (int i = 0; i < 6; ++i)
        frame.stemGainReductionDb[i] = 1.25f * float(i + 1);
    frame.loudnessRangeLu = 7.3f;
    emit window_->engineController()->metersUpdated(frame);
    for (ui::StemStrip* s : window_->stemStrips())
        EXPECT_NEAR(s->compressorMeter()->gainReductionDb(), 1.25 * (s->stemIndex() + 1), 1e-6)
            << s->stemId().toStdString();
    EXPECT_NEAR(window_->loudnessMeter()->readings().loudnessRangeLu, 7.3, 1e-6);

    // A frame that carries fewer stems (e.g. not the stem master) leaves the rest at no reduction.
    frame.numStems = 2;
    frame.loudnessRangeLu = 4.0f;
    emit window_->engineController()->metersUpdated(frame);
    for (ui::StemStrip* s : window_->stemStrips())
        EXPECT_NEAR(s->compressorMeter()->gainReductionDb(),
                    s->stemIndex() < 2 ? 1.25 * (s->stemIndex() + 1) : 0.0, 1e-6);
    EXPECT_NEAR(window_->loudnessMeter()->readings().loudnessRangeLu, 4.0, 1e-6);
}

TEST_F(MainWindowTest, RecoveryIsOfferedEvenWhenStartedWithAPath) {
    openDemo();
    strip("bass")->fader()->setValue(-25);
    window_->document()->writeRecovery();
    window_.reset(); // no clean close: as after a crash
    ASSERT_TRUE(ui::SessionDocument::hasRecovery());

    window_ = std::make_unique<MainWindow>();
    window_->setInteractive(false); // answers the offer with yes
    window_->startUp(QString::fromStdString(demo_.folder));
    // Recovered at once, and the folder from the command line is not opened over it.
    ASSERT_TRUE(window_->document()->isOpen());
    EXPECT_FALSE(window_->isOpening());
    EXPECT_NEAR(stem("bass").gain_db, -2.5, 1e-9);
    EXPECT_TRUE(window_->document()->isDirty());
    QTest::qWait(200);
    EXPECT_NEAR(stem("bass").gain_db, -2.5, 1e-9);
}

TEST_F(MainWindowTest, WithoutARecoveryFileStartUpOpensThePath) {
    ASSERT_FALSE(ui::SessionDocument::hasRecovery());
    window_->startUp(QString::fromStdString(demo_.folder));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window_->document()->isOpen() && !window_->isOpening(); },
                                kOpenTimeoutMs));
    EXPECT_DOUBLE_EQ(stem("bass").gain_db, 0.0);
    EXPECT_FALSE(window_->document()->isDirty());
}

TEST_F(MainWindowTest, CtrlBOpensTheBatchQueue) {
    window_->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    EXPECT_EQ(window_->batchWindow(), nullptr);
    QTest::keyClick(window_.get(), Qt::Key_B, Qt::ControlModifier);
    ASSERT_NE(window_->batchWindow(), nullptr);
    EXPECT_TRUE(window_->batchWindow()->isVisible());
}

TEST_F(MainWindowTest, KeySixPlaysTheCodecPreviewAndListenOnSetsThePlaybackSimulation) {
    openDemo();
    waitForEngine();
    ui::EngineController* engine = window_->engineController();
    ui::CompareBar* compare = window_->compareBar();
    // The demo is at 48 kHz, a rate MP3 carries: the codec preview is made at load.
    ASSERT_TRUE(engine->sourceAvailable(core::MonitorSource::Codec));
    QToolButton* codec = compare->button(core::MonitorSource::Codec);
    EXPECT_TRUE(codec->isEnabled());
    EXPECT_TRUE(codec->text().startsWith("6")) << codec->text().toStdString();
    EXPECT_TRUE(codec->text().contains("LUFS")) << codec->text().toStdString();
    window_->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    QTest::keyClick(window_.get(), Qt::Key_6);
    EXPECT_EQ(engine->source(), core::MonitorSource::Codec);
    EXPECT_EQ(engine->engine().source(), core::MonitorSource::Codec);
    EXPECT_TRUE(codec->isChecked());

    EXPECT_EQ(engine->engine().playbackSimulation(), dsp::PlaybackSystem::Flat);
    QComboBox* listenOn = compare->listenOnBox();
    ASSERT_EQ(listenOn->count(), dsp::kPlaybackSystemCount);
    listenOn->setCurrentIndex(listenOn->findData(static_cast<int>(dsp::PlaybackSystem::PhoneSpeaker)));
    EXPECT_EQ(engine->engine().playbackSimulation(), dsp::PlaybackSystem::PhoneSpeaker);
    listenOn->setCurrentIndex(listenOn->findData(static_cast<int>(dsp::PlaybackSystem::Car)));
    EXPECT_EQ(engine->engine().playbackSimulation(), dsp::PlaybackSystem::Car);
    // Kept across a reload of the session.
    window_->engineController()->load(window_->document()->session());
    waitForEngine();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !engine->isLoading(); }, kLoadTimeoutMs));
    EXPECT_EQ(engine->engine().playbackSimulation(), dsp::PlaybackSystem::Car);
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "MainWindowTest");
}
