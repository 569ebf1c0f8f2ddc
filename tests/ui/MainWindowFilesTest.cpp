// Opening, rendering and quitting (issue 19): each song renders into its own "<folder> masters" (remembered
// in its session), existing masters are never replaced without asking, the render dialog offers the word
// length, dither, sample rate and which masters, quitting during a render asks first, and a folder that
// cannot be opened says why in full.
#include "support/DemoWindow.h"
#include "support/PrivateHomeTestMain.h"

#include "ui/RenderDialog.h"
#include "ui/ScanPanel.h"
#include "ui/SessionDocument.h"

#include "core/io/AudioFileReader.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace lathe;
using lathe::ui::test::DemoWindowTest;

namespace {

class MainWindowFilesTest : public DemoWindowTest {
protected:
    // Renders with the dialog as set up and waits; returns whether it rendered.
    bool render(ui::RenderDialog* dialog) {
        QSignalSpy finished(dialog, &ui::RenderDialog::finished);
        dialog->startRender();
        EXPECT_TRUE(QTest::qWaitFor([&] { return !finished.isEmpty(); }, kRenderTimeoutMs));
        return !finished.isEmpty() && finished.front().front().toBool();
    }
    static QString mastersBeside(const QString& folder) {
        const QFileInfo info(folder);
        return info.absoluteDir().filePath(info.fileName() + QStringLiteral(" masters"));
    }
};

} // namespace

TEST_F(MainWindowFilesTest, EachSongRendersIntoItsOwnMastersFolderRememberedInItsSession) {
    const QString first = demoFolder(QStringLiteral("Song One"), 5.0);
    const QString second = demoFolder(QStringLiteral("Song Two"), 5.0);
    open(first, false);
    ui::RenderDialog* dialog = window_->showRenderDialog();
    EXPECT_EQ(dialog->outputFolder(), mastersBeside(first));
    // The engineer picks another folder for this song; it is kept in the session.
    const QString chosen = QDir(root()).filePath(QStringLiteral("Delivery/Song One final"));
    dialog->setOutputFolder(chosen);
    dialog->setMp3(false);
    ASSERT_TRUE(render(dialog)) << dialog->errorMessage().toStdString();
    EXPECT_EQ(QString::fromStdString(window_->document()->session().output.folder), chosen);
    const QString session = QDir(root()).filePath(QStringLiteral("Song One.lathe"));
    QString error;
    ASSERT_TRUE(window_->document()->saveAs(session, &error)) << error.toStdString();

    // The next song does not inherit it: its own "<folder> masters" beside it, and no file of it lands in
    // the first song's folder.
    const QStringList before = QDir(chosen).entryList(QDir::Files);
    open(second, false);
    dialog = window_->showRenderDialog();
    EXPECT_EQ(dialog->outputFolder(), mastersBeside(second));
    dialog->setMp3(false);
    ASSERT_TRUE(render(dialog)) << dialog->errorMessage().toStdString();
    EXPECT_EQ(QDir(chosen).entryList(QDir::Files), before);
    EXPECT_TRUE(QFileInfo::exists(QDir(mastersBeside(second)).filePath("Song Two_stereo_master.wav")));

    // Back to the first song's session: its folder again.
    open(session, false);
    dialog = window_->showRenderDialog();
    EXPECT_EQ(dialog->outputFolder(), chosen);
}

TEST_F(MainWindowFilesTest, ExistingMastersAreReplacedOnlyWhenTheEngineerSaysSo) {
    const QString folder = demoFolder(QStringLiteral("Overwrite Song"), 5.0);
    open(folder, false);
    ui::RenderDialog* dialog = window_->showRenderDialog();
    dialog->setMp3(false);
    dialog->setMode(QStringLiteral("stereo"));
    ASSERT_TRUE(render(dialog));
    const QString master = QDir(dialog->outputFolder()).filePath("Overwrite Song_stereo_master.wav");
    const QDateTime written = QFileInfo(master).lastModified();

    QStringList asked;
    dialog->setOverwriteQuestion([&](const QStringList& existing) {
        asked = existing;
        return false;
    });
    QTest::qWait(1100); // a replaced file would show a later modification time
    EXPECT_FALSE(render(dialog));
    EXPECT_TRUE(asked.contains(QStringLiteral("Overwrite Song_stereo_master.wav")))
        << asked.join(", ").toStdString();
    EXPECT_EQ(QFileInfo(master).lastModified(), written) << "declined: the master is untouched";

    dialog->setOverwriteQuestion([](const QStringList&) { return true; });
    EXPECT_TRUE(render(dialog));
    EXPECT_GT(QFileInfo(master).lastModified(), written);
}

TEST_F(MainWindowFilesTest, TheRenderDialogSetsWordLengthAndDither) {
    open(demoFolder(QStringLiteral("Word Song"), 5.0), false);
    ui::RenderDialog* dialog = window_->showRenderDialog();
    dialog->setMp3(false);
    dialog->setMode(QStringLiteral("stereo"));
    auto* dither = dialog->findChild<QCheckBox*>(QStringLiteral("dither"));
    ASSERT_NE(dither, nullptr);
    dialog->setBitDepth(32);
    EXPECT_FALSE(dither->isEnabled()) << "nothing to dither in a float master";
    dialog->setBitDepth(16);
    EXPECT_TRUE(dither->isEnabled());
    dialog->setDither(true);
    EXPECT_EQ(dialog->configuredSession().output.bit_depth, 16);
    EXPECT_TRUE(dialog->configuredSession().output.dither);
    ASSERT_TRUE(render(dialog));
    const auto info = core::probeAudioFile(
        QDir(dialog->outputFolder()).filePath("Word Song_stereo_master.wav").toStdString());
    EXPECT_EQ(info.bitDepth, 16);
    EXPECT_TRUE(dialog->reportText().contains(QStringLiteral("Word Song_stereo_master.wav")));
}

TEST_F(MainWindowFilesTest, TheRenderDialogSetsTheSampleRateAndWhichMastersAreWritten) {
    open(demoFolder(QStringLiteral("Rate Song"), 5.0), false);
    ui::RenderDialog* dialog = window_->showRenderDialog();
    dialog->setOverwriteQuestion([](const QStringList&) { return true; });
    dialog->setMp3(false);
    // The stem master alone, at 44.1 kHz from the 48 kHz demo.
    dialog->setMode(QStringLiteral("stem"));
    dialog->setOutputSampleRate(44100);
    EXPECT_EQ(dialog->configuredSession().output.sample_rate, 44100);
    ASSERT_TRUE(render(dialog)) << dialog->errorMessage().toStdString();
    const QDir out(dialog->outputFolder());
    const QString stem = out.filePath(QStringLiteral("Rate Song_stem_master.wav"));
    const QString stereo = out.filePath(QStringLiteral("Rate Song_stereo_master.wav"));
    ASSERT_TRUE(QFileInfo::exists(stem));
    EXPECT_EQ(core::probeAudioFile(stem.toStdString()).sampleRate, 44100);
    EXPECT_FALSE(QFileInfo::exists(stereo)) << "only the stem master was asked for";
    EXPECT_TRUE(dialog->statusText().startsWith(QStringLiteral("Done: 1 master in")))
        << dialog->statusText().toStdString();

    // Both masters at the session's own rate; the count reads as words.
    dialog->setMode(QStringLiteral("both"));
    dialog->setOutputSampleRate(0);
    ASSERT_TRUE(render(dialog)) << dialog->errorMessage().toStdString();
    EXPECT_EQ(core::probeAudioFile(stereo.toStdString()).sampleRate, 48000);
    EXPECT_EQ(core::probeAudioFile(stem.toStdString()).sampleRate, 48000);
    EXPECT_TRUE(dialog->statusText().startsWith(QStringLiteral("Done: 2 masters in")))
        << dialog->statusText().toStdString();
}

TEST_F(MainWindowFilesTest, QuittingDuringARenderAsksFirst) {
    open(demoFolder(QStringLiteral("Quit Song"), 20.0), false);
    window_->setInteractive(true);
    ui::RenderDialog* dialog = window_->showRenderDialog();
    dialog->setMp3(true);
    dialog->setOverwriteQuestion([](const QStringList&) { return true; });
    dialog->startRender();
    ASSERT_TRUE(dialog->isRendering());
    bool asked = false;
    QTimer::singleShot(200, [&] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) return;
        asked = true;
        box->button(QMessageBox::No)->click();
    });
    EXPECT_FALSE(window_->close()) << "declined: the window stays";
    EXPECT_TRUE(asked);
    EXPECT_TRUE(dialog->isRendering() || !dialog->wasCancelled());
    dialog->cancelRender();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog->isRendering(); }, kRenderTimeoutMs));
    window_->setInteractive(false);
}

TEST_F(MainWindowFilesTest, AFolderThatCannotBeOpenedExplainsWhyInsteadOfThePreviousSongsProblems) {
    open(demoFolder(QStringLiteral("Good Song"), 5.0), false);
    ASSERT_TRUE(window_->scanPanel()->problemsText().contains(QStringLiteral("No problems found")));
    // A text file named like a stem is the folder's only "audio".
    const QString bad = QDir(root()).filePath(QStringLiteral("Bad Folder"));
    ASSERT_TRUE(QDir().mkpath(bad));
    QFile text(QDir(bad).filePath(QStringLiteral("01_DRUMS.wav")));
    ASSERT_TRUE(text.open(QIODevice::WriteOnly));
    text.write("these are the lyrics, not audio\n");
    text.close();

    QSignalSpy failed(window_.get(), &ui::MainWindow::openFailed);
    window_->openPath(bad);
    ASSERT_TRUE(failed.wait(kOpenTimeoutMs));
    const QString error = window_->lastError();
    std::printf("error: %s\npanel: %s\n", qPrintable(error),
                qPrintable(window_->scanPanel()->problemsText()));
    EXPECT_TRUE(error.contains(QStringLiteral("01_DRUMS.wav"))) << "the message carries its explanation";
    EXPECT_FALSE(error.contains(QStringLiteral("see the problems below")));
    const QString panel = window_->scanPanel()->problemsText();
    EXPECT_FALSE(panel.contains(QStringLiteral("No problems found"))) << panel.toStdString();
    EXPECT_TRUE(panel.contains(QStringLiteral("01_DRUMS.wav"))) << panel.toStdString();
    EXPECT_TRUE(panel.contains(QStringLiteral("Bad Folder"))) << panel.toStdString();
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "MainWindowFilesTest");
}
