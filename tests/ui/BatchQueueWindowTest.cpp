// The batch queue window on the offscreen platform: two synthesized client folders go through
// core::BatchRunner on the window's worker thread while the event loop keeps turning; what the rows and the
// summary claim is checked against the files on disk, measured again independently.
#include "ui/BatchQueueWindow.h"
#include "support/PrivateHomeTestMain.h"

#include "core/analysis/FileAnalysis.h"
#include "core/demo/DemoFolder.h"
#include "core/io/AudioFileReader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMimeData>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <fstream>
#include <map>
#include <memory>

using namespace lathe;
using lathe::ui::BatchQueueWindow;

// Readable failure messages for Qt strings.
void PrintTo(const QString& text, std::ostream* os) {
    *os << '"' << text.toStdString() << '"';
}

namespace {

constexpr double kSeconds = 5.0;
constexpr int kBatchTimeoutMs = 300000;

class BatchQueueWindowTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = new QTemporaryDir;
        ASSERT_TRUE(root_->isValid());
        for (auto [name, seed] : {std::pair{"Song A", 1u}, std::pair{"Song B", 2u}}) {
            core::DemoOptions options;
            options.seconds = kSeconds;
            options.seed = seed;
            options.songName = name;
            folders_ << QString::fromStdString(
                core::writeDemoFolder(QDir(root_->path()).filePath("songs/" + QString(name)).toStdString(),
                                      options)
                    .folder);
        }
    }
    static void TearDownTestSuite() {
        delete root_;
        root_ = nullptr;
        folders_.clear();
    }

    static QTemporaryDir* root_;
    static QStringList folders_; // Song A, Song B
};

QTemporaryDir* BatchQueueWindowTest::root_ = nullptr;
QStringList BatchQueueWindowTest::folders_;

QStringList filesUnder(const QString& dir) {
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    return files;
}

} // namespace

TEST_F(BatchQueueWindowTest, InputsAreSortedDeduplicatedAndOnlyFoldersOrSessionsAreTaken) {
    BatchQueueWindow window;
    window.addInputs({folders_[1], folders_[0], folders_[1] + "/",
                      QDir(folders_[0]).filePath("Song A Mix.wav"),
                      QDir(root_->path()).filePath("no such folder")});
    ASSERT_EQ(window.inputs(), QStringList({folders_[0], folders_[1]}));
    EXPECT_EQ(window.table()->rowCount(), 2);
    EXPECT_EQ(window.rowStatus(0), "queued");
    EXPECT_EQ(window.rowInput(1), folders_[1]);
    // The refused paths are named, so the engineer knows what was left out.
    EXPECT_TRUE(window.statusText().contains("Song A Mix.wav")) << window.statusText().toStdString();
    EXPECT_TRUE(window.statusText().contains("no such folder"));

    window.table()->selectRow(0);
    window.removeSelected();
    EXPECT_EQ(window.inputs(), QStringList({folders_[1]}));
    window.clearInputs();
    EXPECT_TRUE(window.inputs().isEmpty());
    EXPECT_EQ(window.table()->rowCount(), 0);
}

TEST_F(BatchQueueWindowTest, DroppingFoldersAddsThemAll) {
    BatchQueueWindow window;
    window.show();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(folders_[0]), QUrl::fromLocalFile(folders_[1])});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    EXPECT_TRUE(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    EXPECT_EQ(window.inputs(), QStringList({folders_[0], folders_[1]}));

    // "Add all folders in…" takes every folder of the parent the songs sit in.
    BatchQueueWindow other;
    other.addFoldersInside(QFileInfo(folders_[0]).absolutePath());
    EXPECT_EQ(other.inputs(), QStringList({folders_[0], folders_[1]}));
}

TEST_F(BatchQueueWindowTest, OptionsBecomeTheRunnersOverrides) {
    BatchQueueWindow window;
    core::BatchOptions o = window.options();
    // Untouched, every song keeps its own session's values (as lathe-cli batch without options).
    EXPECT_FALSE(o.render.mode.has_value());
    EXPECT_FALSE(o.render.targetLufs.has_value());
    EXPECT_FALSE(o.render.ceilingDbtp.has_value());
    EXPECT_FALSE(o.render.sampleRate.has_value());
    EXPECT_FALSE(o.render.noMp3);
    window.setMode("stem");
    window.setTargetLufs(-10.5);
    window.setCeilingDbtp(-0.5);
    window.setOutputSampleRate(44100);
    window.setMp3(false);
    window.setParallelJobs(3);
    window.setResume(true);
    o = window.options();
    EXPECT_EQ(o.render.mode, std::optional<std::string>("stem"));
    EXPECT_EQ(o.render.targetLufs, std::optional<double>(-10.5));
    EXPECT_EQ(o.render.ceilingDbtp, std::optional<double>(-0.5));
    EXPECT_EQ(o.render.sampleRate, std::optional<int>(44100));
    EXPECT_TRUE(o.render.noMp3);
    EXPECT_EQ(o.parallelJobs, 3);
    EXPECT_TRUE(o.resume);
    window.setTargetLufs(std::nullopt);
    EXPECT_FALSE(window.options().render.targetLufs.has_value());
}

TEST_F(BatchQueueWindowTest, TwoFoldersRenderToOkWithTheirMastersAndMeasuredLoudness) {
    BatchQueueWindow window;
    window.show();
    window.addInputs({folders_[1], folders_[0]});
    QTemporaryDir out;
    ASSERT_TRUE(out.isValid());
    const QString outDir = QDir(out.path()).filePath("masters");
    window.setOutputFolder(outDir);
    window.setMode("both");
    window.setTargetLufs(-12.0);
    window.setMp3(false);
    window.setParallelJobs(2);
    QSignalSpy finished(&window, &BatchQueueWindow::batchFinished);
    window.start();
    ASSERT_TRUE(window.isRunning());
    // The GUI thread is free while the batch runs: this wait turns the event loop that delivers its progress.
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.isRunning(); }, kBatchTimeoutMs));
    ASSERT_EQ(finished.count(), 1);
    EXPECT_TRUE(finished.first().first().toBool()) << window.statusText().toStdString();
    EXPECT_EQ(window.overallPercent(), 100);

    ASSERT_TRUE(window.summary().has_value());
    const core::BatchSummary& summary = *window.summary();
    EXPECT_EQ(summary.ok, 2);
    EXPECT_EQ(summary.failed, 0);
    ASSERT_EQ(window.table()->rowCount(), 2);
    for (int row = 0; row < 2; ++row) {
        const QString song = row == 0 ? "Song A" : "Song B";
        EXPECT_EQ(window.rowStatus(row), "ok") << row;
        EXPECT_EQ(window.rowPercent(row), 100) << row;
        const core::BatchJobResult& job = summary.jobs[size_t(row)];
        EXPECT_EQ(QString::fromStdString(job.song), song);
        const QString songDir = QDir(outDir).filePath(song);
        QStringList expected{"batch-session.json", "report.json", song + "_stem_master.wav",
                             song + "_stereo_master.wav"};
        expected.sort();
        EXPECT_EQ(QDir(songDir).entryList(QDir::Files | QDir::Hidden, QDir::Name), expected);
        ASSERT_EQ(job.report.deliverables.size(), 2u);
        QStringList shownLufs;
        for (const auto& d : job.report.deliverables) {
            // Measured again from the file: the level the row and summary show is the file's.
            const core::FileAnalysis analysis = core::analyzeFile(d.wavPath);
            EXPECT_NEAR(analysis.integratedLufs, d.integratedLufs, 0.05) << d.wavPath;
            EXPECT_NEAR(analysis.integratedLufs, -12.0, 0.2) << d.wavPath;
            EXPECT_NEAR(analysis.durationSeconds, kSeconds, 0.05) << d.wavPath;
            EXPECT_TRUE(window.summaryText().contains(QString::number(d.integratedLufs, 'f', 2)));
            EXPECT_TRUE(window.summaryText().contains(QString::number(d.loudnessRangeLu, 'f', 1)));
            shownLufs << QString::number(d.integratedLufs, 'f', 1);
        }
        EXPECT_EQ(window.table()->item(row, 3)->text(), shownLufs.join(" / "));
    }
    // The same machine-readable summary as lathe-cli batch.
    std::ifstream in(QDir(outDir).filePath("batch-summary.json").toStdString());
    ASSERT_TRUE(in.good());
    const nlohmann::json json = nlohmann::json::parse(in);
    EXPECT_EQ(json.at("ok"), 2);
    ASSERT_EQ(json.at("jobs").size(), 2u);
    EXPECT_EQ(json.at("jobs")[0].at("status"), "ok");
}

TEST_F(BatchQueueWindowTest, AFailedJobShowsAnEmptyFailedBarAndCountsReadAsWords) {
    QTemporaryDir bad;
    ASSERT_TRUE(bad.isValid());
    const QString folder = QDir(bad.path()).filePath("Broken Song");
    ASSERT_TRUE(QDir().mkpath(folder));
    std::ofstream(QDir(folder).filePath("01_DRUMS.wav").toStdString()) << "not audio\n";
    BatchQueueWindow window;
    window.show();
    window.addInputs({folder, folders_[0]});
    EXPECT_EQ(window.statusText(), QStringLiteral("2 songs in the queue."));
    QTemporaryDir out;
    window.setOutputFolder(QDir(out.path()).filePath("masters"));
    window.setMode("stereo");
    window.setMp3(false);
    window.start();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.isRunning(); }, kBatchTimeoutMs));
    int failedRow = -1;
    for (int row = 0; row < window.table()->rowCount(); ++row)
        if (window.rowStatus(row) == "failed") failedRow = row;
    ASSERT_GE(failedRow, 0);
    EXPECT_EQ(window.rowPercent(failedRow), 0) << "a failed job is not a full bar";
    auto* bar = qobject_cast<QProgressBar*>(window.table()->cellWidget(failedRow, 2));
    ASSERT_NE(bar, nullptr);
    EXPECT_EQ(bar->text(), QStringLiteral("failed"));
    EXPECT_FALSE(window.statusText().contains(QStringLiteral("(s)"))) << window.statusText().toStdString();
    EXPECT_TRUE(window.statusText().startsWith(QStringLiteral("1 ok, 0 skipped, 1 failed")))
        << window.statusText().toStdString();
}

TEST_F(BatchQueueWindowTest, LongNamesStayOnOneLineElidedInTheMiddle) {
    // A client's folder name as they come: long, and told apart from its siblings only by its end.
    const QString longName =
        QStringLiteral("Artist Name - A Rather Long Song Title (Extended Club Mix) - mastering v12 final");
    const QString folder = QDir(root_->path()).filePath(longName);
    ASSERT_TRUE(QDir().mkpath(folder));
    BatchQueueWindow window;
    window.show();
    window.addInputs({folder, folders_[0]});
    ASSERT_EQ(window.table()->rowCount(), 2);
    QTableWidget* table = window.table();
    int row = -1;
    for (int r = 0; r < table->rowCount(); ++r)
        if (window.rowInput(r) == folder) row = r;
    ASSERT_GE(row, 0);
    table->item(row, 6)->setText(QStringLiteral("stereo master / stem master in ") +
                                 QDir::toNativeSeparators(folder + QStringLiteral(" masters")));
    QApplication::processEvents();
    const int line = table->fontMetrics().height();
    const int songWidth = table->columnWidth(0);
    ASSERT_LT(songWidth, table->fontMetrics().horizontalAdvance(longName)) << "the name must not fit";
    // Sized to their contents (what a double-click on a row's border does), the rows stay one line high:
    // the name is elided in the middle, keeping its start and its version, and the tooltip has it whole.
    table->resizeRowsToContents();
    std::printf("row height %d px for a %d px line; song column %d px\n", table->rowHeight(row), line,
                songWidth);
    EXPECT_LT(table->rowHeight(row), 2 * line) << "the name or note wrapped onto a second line";
    EXPECT_EQ(table->textElideMode(), Qt::ElideMiddle);
    EXPECT_EQ(table->item(row, 0)->text(), longName);
    EXPECT_TRUE(table->item(row, 0)->toolTip().contains(longName));
    // The same table with wrapping on would have grown: the check above can fail.
    table->setWordWrap(true);
    table->resizeRowsToContents();
    EXPECT_GE(table->rowHeight(row), 2 * line) << "a wrapping table grows for this name";
}

TEST_F(BatchQueueWindowTest, CancellingLeavesNoPartialDeliverableUnderAFinalName) {
    BatchQueueWindow window;
    window.show();
    window.addInputs({folders_[0], folders_[1]});
    QTemporaryDir out;
    ASSERT_TRUE(out.isValid());
    const QString outDir = QDir(out.path()).filePath("masters");
    window.setOutputFolder(outDir);
    window.setMode("both");
    window.setMp3(true);
    window.setParallelJobs(1); // one song after the other: the first is done when the second is cancelled
    QSignalSpy finished(&window, &BatchQueueWindow::batchFinished);
    window.start();
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.rowStatus(1) == "rendering"; }, kBatchTimeoutMs));
    EXPECT_EQ(window.rowStatus(0), "ok");
    window.cancel();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.isRunning(); }, kBatchTimeoutMs));
    ASSERT_EQ(finished.count(), 1);
    EXPECT_FALSE(finished.first().first().toBool());
    EXPECT_LT(window.overallPercent(), 100);
    EXPECT_EQ(window.rowStatus(0), "ok");
    EXPECT_EQ(window.rowStatus(1), "cancelled");
    ASSERT_TRUE(window.summary().has_value());
    const core::BatchSummary& summary = *window.summary();
    ASSERT_EQ(summary.jobs.size(), 2u);
    EXPECT_EQ(summary.ok, 1);
    EXPECT_EQ(summary.jobs[1].error, "cancelled");
    EXPECT_TRUE(window.statusText().contains("1 cancelled")) << window.statusText().toStdString();

    // Every audio file under a final name is complete: it opens and has the length its report gives (the
    // song's). The cancelled song left nothing at all, and no temporary survives anywhere.
    std::map<QString, double> reported;
    for (const auto& d : summary.jobs[0].report.deliverables) {
        reported[QString::fromStdString(d.wavPath)] = d.durationSeconds;
        reported[QString::fromStdString(d.mp3Path)] = d.durationSeconds;
    }
    int audioFiles = 0;
    for (const QString& file : filesUnder(outDir)) {
        const QString name = QFileInfo(file).fileName();
        EXPECT_FALSE(name.contains(".partial")) << file.toStdString();
        if (!name.endsWith(".wav") && !name.endsWith(".mp3")) continue;
        ++audioFiles;
        ASSERT_TRUE(reported.count(file)) << file.toStdString() << " is not a reported deliverable";
        EXPECT_NEAR(reported[file], kSeconds, 0.05);
        const core::AudioFileInfo info = core::probeAudioFile(file.toStdString());
        // MP3 decoders may add up to a frame of padding; WAVs are exact to a few samples of resampling.
        EXPECT_NEAR(info.durationSeconds(), reported[file], name.endsWith(".mp3") ? 0.06 : 0.001)
            << file.toStdString();
    }
    EXPECT_EQ(audioFiles, 4); // the finished song's two masters and their MP3s
    EXPECT_TRUE(filesUnder(QString::fromStdString(summary.jobs[1].job.outDir)).isEmpty())
        << filesUnder(QString::fromStdString(summary.jobs[1].job.outDir)).join(", ").toStdString();
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "BatchQueueWindowTest");
}
