#include "MainWindow.h"

#include "AlbumWindow.h"

#include "AudioSettingsDialog.h"
#include "BatchQueueWindow.h"
#include "CompareBar.h"
#include "CorrelationMeterWidget.h"
#include "EngineController.h"
#include "GainReductionMeter.h"
#include "LoudnessMeterWidget.h"
#include "MasterSection.h"
#include "RenderDialog.h"
#include "ScanPanel.h"
#include "SessionDocument.h"
#include "ShortcutsOverlay.h"
#include "SpectrumWidget.h"
#include "StemStrip.h"
#include "StreamingPreviewPanel.h"
#include "TransportBar.h"
#include "WaveformOverview.h"

#include "core/Error.h"
#include "core/io/ClientFolder.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"

#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QThread>

#include <memory>

namespace lathe::ui {

namespace {

constexpr int kMaxRecent = 8;
const char* kRecentKey = "recent/paths";

struct OpenResult {
    core::Session session;
    std::optional<core::FolderScan> scan;
    QString sessionFile;
    QString error;
    QStringList problems; // of a folder that could not be opened: why each file cannot be used
};

QString fileNameOf(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).fileName();
}

bool isSessionFile(const QString& path) {
    return path.endsWith(QStringLiteral(".lathe"), Qt::CaseInsensitive);
}

// Runs on a worker thread: scanning probes every file, which takes seconds on a slow disk.
void openOnWorker(const QString& path, OpenResult& result) {
    try {
        const QFileInfo info(path);
        if (info.isDir()) {
            core::FolderScan scan = core::scanClientFolder(info.absoluteFilePath().toStdString());
            if (scan.stems.empty() && !scan.mix) {
                // The explanation travels with the error: the message names each file and its problem,
                // and the Files panel lists them (never the previous song's "No problems found.").
                std::string why;
                for (const auto& problem : scan.problems) {
                    const QString line = QStringLiteral("%1: %2").arg(
                        fileNameOf(problem.path), QString::fromStdString(problem.problem));
                    result.problems << line;
                    why += "\n  " + line.toStdString();
                }
                throw core::Error(scan.folder, scan.problems.empty()
                                                   ? "no audio files found (WAV, AIFF, FLAC, MP3 or Ogg)"
                                                   : "none of the audio files can be used:" + why);
            }
            result.session = core::makeDefaultSession(scan);
            result.scan = std::move(scan);
        } else if (!info.exists()) {
            throw core::Error(path.toStdString(), "does not exist");
        } else {
            result.session = core::loadSession(info.absoluteFilePath().toStdString());
            result.sessionFile = info.absoluteFilePath();
            try {
                result.scan = core::scanClientFolder(result.session.folder);
            } catch (const std::exception&) {
                // The session names its files; a folder that moved shows up as load errors, not here.
            }
        }
    } catch (const std::exception& e) {
        result.error = QString::fromStdString(e.what());
    }
}

} // namespace

void MainWindow::openFolderDialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open client folder"),
                                                          QSettings().value("recent/lastDir").toString());
    if (!dir.isEmpty()) openPath(dir);
}

void MainWindow::openSessionDialog() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open session"), QSettings().value("recent/lastDir").toString(),
                                     tr("Lathe sessions (*.lathe)"));
    if (!path.isEmpty()) openPath(path);
}

void MainWindow::openPath(const QString& path) {
    if (opener_) {
        pendingOpen_ = path;
        return;
    }
    if (!maybeSave()) return;
    lastError_.clear();
    statusText_->setText(tr("Scanning %1…").arg(QDir::toNativeSeparators(path)));
    auto result = std::make_shared<OpenResult>();
    opener_ = QThread::create([path, result] { openOnWorker(path, *result); });
    connect(opener_, &QThread::finished, this, [this, path, result] {
        opener_->wait();
        opener_->deleteLater();
        opener_ = nullptr;
        if (!result->error.isEmpty()) {
            onOpenFailed(path, result->error, result->problems);
        } else {
            engine_->unload();
            document_->reset(std::move(result->session), std::move(result->scan), result->sessionFile);
            addRecent(QFileInfo(path).absoluteFilePath());
            QSettings().setValue("recent/lastDir", QFileInfo(path).absolutePath());
            emit sessionOpened();
        }
        if (!pendingOpen_.isEmpty()) {
            const QString next = pendingOpen_;
            pendingOpen_.clear();
            openPath(next);
        }
    });
    opener_->start();
}

void MainWindow::onOpenFailed(const QString& path, const QString& error, const QStringList& problems) {
    statusText_->setText(tr("Could not open %1").arg(QDir::toNativeSeparators(path)));
    scanPanel_->showOpenFailure(path, error, problems);
    if (!problems.isEmpty()) filesDock_->raise();
    showError(tr("Cannot open"), error);
    emit openFailed(error);
}

void MainWindow::onDocumentOpened() {
    pages_->setCurrentIndex(1);
    for (QAction* a : documentActions_)
        a->setEnabled(true);
    rebuildStrips();
    measurer_->cancel();
    remeasured_.reset();
    loadedSession_ = document_->session();
    clearReadings();
    engine_->load(document_->session());
    updateOverviewFile();
    updateTitle();
    // Keys 1-6, Space, M... act on the song, not on whichever spin box last had the focus.
    overview_->setFocus();
    // Problems the scan found come forward; otherwise the meters stay in front.
    if (document_->scan() && !document_->scan()->problems.empty()) filesDock_->raise();
}

bool MainWindow::save() {
    if (document_->filePath().isEmpty()) return saveAs();
    QString error;
    if (!document_->save(&error)) {
        showError(tr("Cannot save"), error);
        return false;
    }
    statusText_->setText(tr("Saved %1").arg(QDir::toNativeSeparators(document_->filePath())));
    return true;
}

bool MainWindow::saveAs() {
    if (!document_->isOpen()) return false;
    QString suggestion = document_->filePath();
    if (suggestion.isEmpty()) {
        // Beside the client folder, so the session and the folder move together (see core/model/SESSION.md).
        const QFileInfo folder(QString::fromStdString(document_->session().folder));
        suggestion = folder.absoluteDir().filePath(folder.fileName() + QStringLiteral(".lathe"));
    }
    QString path =
        QFileDialog::getSaveFileName(this, tr("Save session"), suggestion, tr("Lathe sessions (*.lathe)"));
    if (path.isEmpty()) return false;
    if (!isSessionFile(path)) path += QStringLiteral(".lathe");
    QString error;
    if (!document_->saveAs(path, &error)) {
        showError(tr("Cannot save"), error);
        return false;
    }
    addRecent(path);
    statusText_->setText(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool MainWindow::maybeSave() {
    if (!document_->isDirty() || !interactive_) return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("%1 has unsaved changes. Save them?").arg(document_->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::startUp(const QString& path) {
    if (offerRecovery(path)) {
        if (!path.isEmpty())
            statusText_->setText(tr("Recovered unsaved edits (%1 was not opened): save to keep them")
                                     .arg(QDir::toNativeSeparators(path)));
        return;
    }
    if (!path.isEmpty()) openPath(path);
}

RenderDialog* MainWindow::renderDialog() const {
    return renderDialog_;
}

BatchQueueWindow* MainWindow::batchWindow() const {
    return batchWindow_;
}

AlbumWindow* MainWindow::showAlbumWindow() {
    if (!albumWindow_) albumWindow_ = new AlbumWindow(this);
    albumWindow_->show();
    albumWindow_->raise();
    return albumWindow_;
}

BatchQueueWindow* MainWindow::showBatchWindow() {
    if (!batchWindow_) {
        batchWindow_ = new BatchQueueWindow(this);
        // A first batch goes beside the open song's masters, never inside a client folder.
        if (batchWindow_->outputFolder().isEmpty() && document_->isOpen()) {
            const QFileInfo folder(QString::fromStdString(document_->session().folder));
            batchWindow_->setOutputFolder(folder.absoluteDir().filePath(tr("Batch masters")));
        }
    }
    batchWindow_->show();
    batchWindow_->raise();
    batchWindow_->activateWindow();
    return batchWindow_;
}

bool MainWindow::offerRecovery(const QString& insteadOf) {
    if (!SessionDocument::hasRecovery()) return false;
    QString original, error;
    std::optional<core::Session> session = SessionDocument::loadRecovery(&original, &error);
    if (!session) {
        SessionDocument::discardRecovery();
        return false;
    }
    if (interactive_) {
        QString question = tr("Lathe did not close cleanly last time. Recover the unsaved edits to “%1”?")
                               .arg(QString::fromStdString(session->song));
        if (!insteadOf.isEmpty())
            question += QStringLiteral("\n\n") +
                        tr("No discards them and opens %1.").arg(QDir::toNativeSeparators(insteadOf));
        const auto answer = QMessageBox::question(this, tr("Recover unsaved work?"), question,
                                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (answer != QMessageBox::Yes) {
            SessionDocument::discardRecovery();
            return false;
        }
    }
    std::optional<core::FolderScan> scan;
    try {
        scan = core::scanClientFolder(session->folder);
    } catch (const std::exception&) {
    }
    document_->reset(std::move(*session), std::move(scan), original, true);
    statusText_->setText(tr("Recovered unsaved edits: save to keep them"));
    return true;
}

RenderDialog* MainWindow::showRenderDialog() {
    if (!document_->isOpen()) return nullptr;
    if (renderDialog_ && renderDialog_->isRendering()) {
        renderDialog_->raise();
        return renderDialog_;
    }
    delete renderDialog_.data();
    // Each song's masters go where this song's were rendered before (output.folder, kept in the session),
    // else to "<folder> masters" beside its client folder: never into the previous song's folder.
    renderDialog_ = new RenderDialog(document_->session(), this);
    if (!interactive_) renderDialog_->setOverwriteQuestion([](const QStringList&) { return true; });
    connect(renderDialog_, &RenderDialog::renderStarted, this, [this](const core::Session& rendered) {
        if (!document_->isOpen() || document_->session().output.folder == rendered.output.folder) return;
        document_->edit(tr("Render output folder"),
                        [&](core::Session& s) { s.output.folder = rendered.output.folder; });
    });
    renderDialog_->show();
    return renderDialog_;
}

void MainWindow::showAudioSettings() {
    AudioSettingsDialog dialog(engine_->audioStatus(), this);
    if (dialog.exec() == QDialog::Accepted) engine_->openDevice(dialog.deviceName(), dialog.bufferFrames());
}

void MainWindow::openAudioFromSettings() {
    engine_->openDevice(AudioSettingsDialog::savedDevice(), AudioSettingsDialog::savedBufferFrames());
}

QStringList MainWindow::recentPaths() const {
    return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::addRecent(const QString& path) {
    QStringList list = recentPaths();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent)
        list.removeLast();
    QSettings().setValue(kRecentKey, list);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList list = recentPaths();
    for (const QString& path : list) {
        QAction* a = recentMenu_->addAction(QDir::toNativeSeparators(path));
        connect(a, &QAction::triggered, this, [this, path] { openPath(path); });
    }
    recentMenu_->setEnabled(!list.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (renderDialog_ && renderDialog_->isRendering()) {
        if (interactive_ &&
            QMessageBox::question(
                this, tr("Render running"),
                tr("A render is running. Cancel it and quit? No master is left half-written."),
                QMessageBox::Yes | QMessageBox::No, QMessageBox::No) != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        renderDialog_->cancelRender();
    }
    if (batchWindow_ && batchWindow_->isRunning()) {
        if (interactive_ &&
            QMessageBox::question(this, tr("Batch running"), tr("A batch is rendering. Cancel it and quit?"),
                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No) != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        batchWindow_->cancel();
    }
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    document_->close(); // a clean exit: the recovery file goes
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()) {
        const QFileInfo info(urls.front().toLocalFile());
        if (info.isDir() || isSessionFile(info.filePath())) event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty()) return;
    event->acceptProposedAction();
    openPath(urls.front().toLocalFile());
}

} // namespace lathe::ui
