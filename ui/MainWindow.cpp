#include "MainWindow.h"

#include "AudioSettingsDialog.h"
#include "AutomationLane.h"
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
#include "StemToolsPanel.h"
#include "StreamingPreviewPanel.h"
#include "TransportBar.h"
#include "WaveformOverview.h"

#include "core/Error.h"
#include "core/Version.h"
#include "core/io/ClientFolder.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>
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
};

bool isSessionFile(const QString& path) {
    return path.endsWith(QStringLiteral(".lathe"), Qt::CaseInsensitive);
}

// Runs on a worker thread: scanning probes every file, which takes seconds on a slow disk.
void openOnWorker(const QString& path, OpenResult& result) {
    try {
        const QFileInfo info(path);
        if (info.isDir()) {
            core::FolderScan scan = core::scanClientFolder(info.absoluteFilePath().toStdString());
            if (scan.stems.empty() && !scan.mix)
                throw core::Error(scan.folder,
                                  scan.problems.empty()
                                      ? "no audio files found (WAV, AIFF, FLAC, MP3 or Ogg)"
                                      : "none of the audio files can be used (see the problems below)");
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

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    document_ = new SessionDocument(this);
    engine_ = new EngineController(this);
    setAcceptDrops(true);
    buildLayout();
    buildActions();
    updateTitle();
    resize(1600, 1000);

    connect(document_, &SessionDocument::opened, this, &MainWindow::onDocumentOpened);
    connect(document_, &SessionDocument::sessionChanged, this, &MainWindow::onSessionChanged);
    connect(document_, &SessionDocument::dirtyChanged, this, &MainWindow::updateTitle);
    connect(document_, &SessionDocument::filePathChanged, this, &MainWindow::updateTitle);

    connect(engine_, &EngineController::loadStarted, this, [this] {
        loadProgress_->setValue(0);
        loadProgress_->show();
        statusText_->setText(tr("Loading audio and measuring loudness…"));
        transport_->setReady(false);
        refreshCompareFigures();
    });
    connect(engine_, &EngineController::loadProgress, this,
            [this](double f) { loadProgress_->setValue(qRound(std::clamp(f, 0.0, 1.0) * 100)); });
    connect(engine_, &EngineController::loaded, this, [this] {
        loadProgress_->hide();
        statusText_->setText(tr("Ready"));
        transport_->setReady(true);
        refreshCompareFigures();
    });
    connect(engine_, &EngineController::loadFailed, this, [this](const QString& message) {
        loadProgress_->hide();
        statusText_->setText(tr("Playback unavailable"));
        showError(tr("Cannot load the audio"), message);
    });
    connect(engine_, &EngineController::errorOccurred, this,
            [this](const QString& message) { showError(tr("Audio"), message); });
    connect(engine_, &EngineController::audioStatusChanged, transport_, &TransportBar::setAudioStatus);
    connect(engine_, &EngineController::playingChanged, transport_, &TransportBar::setPlaying);
    connect(engine_, &EngineController::positionChanged, this, [this](qint64 frame) {
        transport_->setPosition(frame, engine_->length(), engine_->sampleRate());
        overview_->setPlayheadFrame(qRound64(frame * fileFramesPerEngineFrame()));
    });
    connect(engine_, &EngineController::loopChanged, this, [this](bool enabled, qint64 start, qint64 end) {
        transport_->setLoopEnabled(enabled);
        const double k = fileFramesPerEngineFrame();
        if (enabled)
            overview_->setLoopRegion(qRound64(start * k), qRound64(end * k));
        else
            overview_->clearLoopRegion();
    });
    connect(engine_, &EngineController::metersUpdated, this, &MainWindow::onMeters);
    connect(engine_, &EngineController::spectrumUpdated, this, [this](const core::SpectrumFrame& frame) {
        spectrum_->setSpectrum(frame.magnitudesDb.data(), frame.numBins, frame.binHz);
    });

    connect(transport_, &TransportBar::playToggled, engine_, &EngineController::togglePlay);
    connect(transport_, &TransportBar::returnToStartClicked, engine_, &EngineController::returnToStart);
    connect(transport_, &TransportBar::loopToggled, engine_, &EngineController::setLoopEnabled);
    connect(compare_, &CompareBar::sourceSelected, this, &MainWindow::selectSource);
    connect(compare_, &CompareBar::loudnessMatchToggled, engine_, &EngineController::setLoudnessMatch);
    connect(compare_, &CompareBar::playbackSystemSelected, engine_, &EngineController::setPlaybackSimulation);
    connect(overview_, &WaveformOverview::seekRequested, this,
            [this](qint64 fileFrame) { engine_->seek(qRound64(fileFrame / fileFramesPerEngineFrame())); });
    connect(overview_, &WaveformOverview::loopRequested, this, [this](qint64 start, qint64 end) {
        const double k = fileFramesPerEngineFrame();
        engine_->setLoopRegion(qRound64(start / k), qRound64(end / k));
    });
    connect(overview_, &WaveformOverview::overviewFailed, this,
            [this](const QString& message) { statusText_->setText(tr("No overview: %1").arg(message)); });
    transport_->setAudioStatus(engine_->audioStatus(), engine_->audioAvailable());
}

MainWindow::~MainWindow() {
    if (opener_) {
        opener_->wait();
        delete opener_;
    }
    delete renderDialog_.data(); // joins a running render before the document goes
}

void MainWindow::buildLayout() {
    auto* toolbar = addToolBar(tr("Transport"));
    toolbar->setObjectName(QStringLiteral("transportToolbar"));
    toolbar->setMovable(false);
    toolbar->setFloatable(false);
    transport_ = new TransportBar(toolbar);
    compare_ = new CompareBar(toolbar);
    toolbar->addWidget(compare_);
    toolbar->addSeparator();
    toolbar->addWidget(transport_);

    pages_ = new QStackedWidget(this);
    pages_->addWidget(buildWelcome());

    auto* workspace = new QSplitter(Qt::Vertical);
    // The overview with the automation lane under it, sharing its time axis.
    auto* song = new QWidget(workspace);
    auto* songLayout = new QVBoxLayout(song);
    songLayout->setContentsMargins(0, 0, 0, 0);
    songLayout->setSpacing(2);
    overview_ = new WaveformOverview(song);
    overview_->setMinimumHeight(90);
    automationLane_ = new AutomationLane(document_, song);
    songLayout->addWidget(overview_, 1);
    songLayout->addWidget(automationLane_);
    workspace->addWidget(song);

    auto* body = body_ = new QSplitter(Qt::Horizontal);
    scanPanel_ = new ScanPanel(document_, body);
    scanPanel_->setMinimumWidth(240);
    body->addWidget(scanPanel_);

    auto* stripsScroll = new QScrollArea(body);
    stripsScroll->setWidgetResizable(true);
    stripsScroll->setFrameShape(QFrame::NoFrame);
    stripsHost_ = new QWidget;
    stripsLayout_ = new QHBoxLayout(stripsHost_);
    stripsLayout_->setContentsMargins(6, 6, 6, 6);
    stripsLayout_->setSpacing(6);
    stripsLayout_->addStretch(1);
    stripsScroll->setWidget(stripsHost_);
    body->addWidget(stripsScroll);

    auto* masterScroll = new QScrollArea(body);
    masterScroll->setWidgetResizable(true);
    masterScroll->setFrameShape(QFrame::NoFrame);
    master_ = new MasterSection(document_);
    masterScroll->setWidget(master_);
    masterScroll->setMinimumWidth(360);
    body->addWidget(masterScroll);
    body->setStretchFactor(0, 0);
    body->setStretchFactor(1, 1);
    body->setStretchFactor(2, 0);
    body->setSizes({320, 840, 370});
    workspace->addWidget(body);
    workspace->setStretchFactor(0, 0);
    workspace->setStretchFactor(1, 1);
    workspace->setSizes({200, 730});
    pages_->addWidget(workspace);
    setCentralWidget(pages_);

    metersDock_ = new QDockWidget(tr("Meters"), this);
    metersDock_->setObjectName(QStringLiteral("metersDock"));
    metersDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    auto* meters = new QWidget;
    auto* metersLayout = new QVBoxLayout(meters);
    metersLayout->setContentsMargins(6, 6, 6, 6);
    loudness_ = new LoudnessMeterWidget(meters);
    correlation_ = new CorrelationMeterWidget(meters);
    spectrum_ = new SpectrumWidget(meters);
    streaming_ = new StreamingPreviewPanel(meters);
    auto* corrLabel = new QLabel(tr("Correlation"), meters);
    corrLabel->setObjectName(QStringLiteral("dimLabel"));
    auto* streamLabel = new QLabel(tr("Streaming normalisation (selected source)"), meters);
    streamLabel->setObjectName(QStringLiteral("dimLabel"));
    metersLayout->addWidget(loudness_, 3);
    metersLayout->addWidget(corrLabel);
    metersLayout->addWidget(correlation_);
    metersLayout->addWidget(spectrum_, 2);
    metersLayout->addWidget(streamLabel);
    metersLayout->addWidget(streaming_, 2);
    meters->setMinimumWidth(340);
    metersDock_->setWidget(meters);
    addDockWidget(Qt::RightDockWidgetArea, metersDock_);

    auto* stemToolsDock = new QDockWidget(tr("Stem tools"), this);
    stemToolsDock->setObjectName(QStringLiteral("stemToolsDock"));
    stemToolsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                               QDockWidget::DockWidgetClosable);
    stemTools_ = new StemToolsPanel(document_);
    auto* stemToolsScroll = new QScrollArea;
    stemToolsScroll->setWidgetResizable(true);
    stemToolsScroll->setWidget(stemTools_);
    stemToolsDock->setWidget(stemToolsScroll);
    addDockWidget(Qt::BottomDockWidgetArea, stemToolsDock);
    resizeDocks({metersDock_}, {360}, Qt::Horizontal);

    statusText_ = new QLabel(tr("Open a client folder to begin"));
    loadProgress_ = new QProgressBar;
    loadProgress_->setMaximumWidth(220);
    loadProgress_->setRange(0, 100);
    loadProgress_->hide();
    statusBar()->addWidget(statusText_, 1);
    statusBar()->addPermanentWidget(loadProgress_);

    overlay_ = new ShortcutsOverlay(this);
}

QWidget* MainWindow::buildWelcome() {
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->addStretch(2);
    auto* title = new QLabel(tr("Lathe"));
    title->setStyleSheet(QStringLiteral("font-size: 34px; font-weight: bold;"));
    title->setAlignment(Qt::AlignCenter);
    auto* hint = new QLabel(tr("Open a client folder (a mix, stems, a reference) or a .lathe session.\n"
                               "You can also drop a folder onto this window."));
    hint->setAlignment(Qt::AlignCenter);
    hint->setObjectName(QStringLiteral("dimLabel"));
    auto* buttons = new QHBoxLayout;
    auto* openFolder = new QPushButton(tr("Open folder…"));
    auto* openSession = new QPushButton(tr("Open session…"));
    connect(openFolder, &QPushButton::clicked, this, &MainWindow::openFolderDialog);
    connect(openSession, &QPushButton::clicked, this, &MainWindow::openSessionDialog);
    buttons->addStretch(1);
    buttons->addWidget(openFolder);
    buttons->addWidget(openSession);
    buttons->addStretch(1);
    layout->addWidget(title);
    layout->addWidget(hint);
    layout->addSpacing(12);
    layout->addLayout(buttons);
    layout->addStretch(3);
    return page;
}

void MainWindow::buildActions() {
    auto add = [this](QMenu* menu, const QString& text, const QKeySequence& key, auto slot) {
        auto* action = new QAction(text, this);
        if (!key.isEmpty()) action->setShortcut(key);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        if (menu) menu->addAction(action);
        addAction(action); // shortcuts work even while the menu bar is hidden
        return action;
    };

    QMenu* file = menuBar()->addMenu(tr("&File"));
    add(file, tr("Open &Folder…"), QKeySequence(Qt::CTRL | Qt::Key_O), [this] { openFolderDialog(); });
    add(file, tr("Open &Session…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
        [this] { openSessionDialog(); });
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    documentActions_ << add(file, tr("&Save"), QKeySequence::Save, [this] { save(); });
    documentActions_ << add(file, tr("Save &As…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                            [this] { saveAs(); });
    file->addSeparator();
    documentActions_ << add(file, tr("&Render…"), QKeySequence(Qt::CTRL | Qt::Key_R),
                            [this] { showRenderDialog(); });
    add(file, tr("&Batch Queue…"), QKeySequence(Qt::CTRL | Qt::Key_B), [this] { showBatchWindow(); });
    file->addSeparator();
    add(file, tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), [this] { close(); });

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = document_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = document_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(undo);
    edit->addAction(redo);
    addAction(undo);
    addAction(redo);

    QMenu* playback = menuBar()->addMenu(tr("&Playback"));
    add(playback, tr("Play / Stop"), QKeySequence(Qt::Key_Space), [this] { engine_->togglePlay(); });
    add(playback, tr("Return to Start"), QKeySequence(Qt::Key_Home), [this] { engine_->returnToStart(); });
    add(playback, tr("Loop"), QKeySequence(Qt::Key_L),
        [this] { engine_->setLoopEnabled(!engine_->loopEnabled()); });
    playback->addSeparator();
    for (int i = 0; i < core::kMonitorSourceCount; ++i) {
        const auto source = static_cast<core::MonitorSource>(i);
        add(playback, CompareBar::sourceTitle(source), QKeySequence(Qt::Key_1 + i), [this, source] {
            if (engine_->sourceAvailable(source)) selectSource(source);
        });
    }
    add(playback, tr("Loudness Match"), QKeySequence(Qt::Key_M), [this] {
        const bool on = !compare_->loudnessMatch();
        compare_->setLoudnessMatch(on);
        engine_->setLoudnessMatch(on);
    });
    playback->addSeparator();
    add(playback, tr("Audio Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma),
        [this] { showAudioSettings(); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("Keyboard Shortcuts"), QKeySequence(Qt::Key_F1), [this] { overlay_->toggle(); });
    add(nullptr, QString(), QKeySequence(Qt::Key_Question), [this] { overlay_->toggle(); });
    add(help, tr("About Lathe"), QKeySequence(), [this] {
        QMessageBox::about(this, tr("About Lathe"),
                           tr("Lathe %1 — a mastering workstation.").arg(QString::fromUtf8(core::version())));
    });

    overlay_->setShortcuts({
        {tr("Space"), tr("Play / stop")},
        {tr("Home"), tr("Return to start (or loop start)")},
        {tr("L"), tr("Loop on / off (drag on the waveform to set it)")},
        {tr("1 … 6"), tr("Mix · stereo master · stem master · reference · delta · MP3 codec")},
        {tr("M"), tr("Loudness match on / off")},
        {tr("Click waveform"), tr("Seek")},
        {tr("Ctrl+Z"), tr("Undo")},
        {tr("Ctrl+Shift+Z / Ctrl+Y"), tr("Redo")},
        {tr("Ctrl+O / Ctrl+Shift+O"), tr("Open folder / session")},
        {tr("Ctrl+S / Ctrl+Shift+S"), tr("Save / save as")},
        {tr("Ctrl+R"), tr("Render")},
        {tr("Ctrl+B"), tr("Batch queue: many folders / sessions at once")},
        {tr("Ctrl+,"), tr("Audio settings")},
        {tr("F1 or ?"), tr("This help")},
        {tr("Ctrl+Q"), tr("Quit")},
    });
    for (QAction* a : documentActions_)
        a->setEnabled(false);
}

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
            statusText_->setText(tr("Could not open %1").arg(QDir::toNativeSeparators(path)));
            showError(tr("Cannot open"), result->error);
            emit openFailed(result->error);
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

void MainWindow::onDocumentOpened() {
    pages_->setCurrentIndex(1);
    for (QAction* a : documentActions_)
        a->setEnabled(true);
    rebuildStrips();
    // The strips get every pixel the scan and master panes do not need.
    constexpr int kScanWidth = 320, kMasterWidth = 370;
    body_->setSizes({kScanWidth, std::max(200, body_->width() - kScanWidth - kMasterWidth), kMasterWidth});
    truePeakHoldDbtp_ = -200;
    loudness_->reset();
    spectrum_->clear();
    streaming_->setMeasurement(NAN, NAN);
    engine_->load(document_->session());
    updateOverviewFile();
    updateTitle();
}

void MainWindow::rebuildStrips() {
    for (StemStrip* strip : strips_)
        strip->deleteLater();
    strips_.clear();
    const int count = static_cast<int>(document_->session().stems.size());
    for (int i = 0; i < count; ++i) {
        auto* strip = new StemStrip(document_, i, stripsHost_);
        stripsLayout_->insertWidget(i, strip);
        strips_ << strip;
    }
}

void MainWindow::onSessionChanged() {
    if (!document_->isOpen()) return;
    const core::Session& session = document_->session();
    engine_->update(session);
    loudness_->setTargetLufs(session.loudness.target_lufs);
    loudness_->setCeilingDbtp(session.master.limiter.ceiling_dbtp);
    // The masters' measured loudness follows the edits once the engine has re-measured; ask again shortly.
    QTimer::singleShot(600, this, &MainWindow::refreshCompareFigures);
}

void MainWindow::onMeters(const core::MeterFrame& frame) {
    auto reading = [](float v) {
        return v <= -150.0f ? -std::numeric_limits<double>::infinity() : static_cast<double>(v);
    };
    truePeakHoldDbtp_ = std::max(truePeakHoldDbtp_, static_cast<double>(frame.truePeakDbtp));
    loudness_->setMomentaryLufs(reading(frame.momentaryLufs));
    loudness_->setShortTermLufs(reading(frame.shortTermLufs));
    loudness_->setIntegratedLufs(reading(frame.integratedLufs));
    loudness_->setTruePeakDbtp(reading(static_cast<float>(truePeakHoldDbtp_)));
    loudness_->setLoudnessRangeLu(frame.loudnessRangeLu);
    correlation_->setCorrelation(frame.correlation);
    stemTools_->setMeters(frame);
    master_->setLimiterGainReductionDb(frame.limiterGainReductionDb);
    // The frame holds the stems in session order; a strip past what it carries reads no reduction.
    const int metered = std::clamp(frame.numStems, 0, core::MeterFrame::kMaxMeteredStems);
    for (StemStrip* strip : strips_) {
        const int i = strip->stemIndex();
        strip->compressorMeter()->setGainReductionDb(i < metered ? frame.stemGainReductionDb[i] : 0.0f);
    }
}

void MainWindow::refreshCompareFigures() {
    for (int i = 0; i < core::kMonitorSourceCount; ++i) {
        const auto source = static_cast<core::MonitorSource>(i);
        compare_->setSourceInfo(source, engine_->sourceAvailable(source),
                                engine_->sourceIntegratedLufs(source), engine_->sourceTruePeakDbtp(source));
    }
    compare_->setCurrentSource(engine_->source());
    const core::MonitorSource current = engine_->source();
    if (engine_->sourceAvailable(current)) {
        const double lufs = engine_->sourceIntegratedLufs(current);
        const double peak = engine_->sourceTruePeakDbtp(current);
        streaming_->setMeasurement(lufs, peak);
        // Stopped, the meter shows the whole source as measured at load, so the numbers mean something
        // before (or without) playback; playing, the live readings take over.
        if (!engine_->isPlaying() && lufs > -70) {
            loudness_->setIntegratedLufs(lufs);
            loudness_->setTruePeakDbtp(peak);
        }
    } else {
        streaming_->setMeasurement(NAN, NAN);
    }
}

void MainWindow::selectSource(core::MonitorSource source) {
    engine_->setSource(source);
    compare_->setCurrentSource(source);
    truePeakHoldDbtp_ = -200;
    loudness_->reset();
    refreshCompareFigures();
    updateOverviewFile();
}

void MainWindow::updateOverviewFile() {
    if (!document_->isOpen()) {
        overview_->setFile({});
        automationLane_->setSongFile({});
        return;
    }
    const core::Session& s = document_->session();
    // The reference has its own file; every other source is the song itself, best drawn from the mix.
    std::string file = engine_->source() == core::MonitorSource::Reference ? s.reference : s.mix;
    if (file.empty()) file = !s.mix.empty() ? s.mix : (!s.stems.empty() ? s.stems.front().path : s.reference);
    const QString path = QString::fromStdString(file);
    if (path != overview_->file()) overview_->setFile(path);
    // The lane spans the song and snaps to its sections, whatever source the overview draws.
    automationLane_->setSongFile(QString::fromStdString(!s.mix.empty()    ? s.mix
                                                        : s.stems.empty() ? std::string()
                                                                          : s.stems.front().path));
}

double MainWindow::fileFramesPerEngineFrame() const {
    const int fileRate = overview_->isReady() ? overview_->peaks().sampleRate : 0;
    const int engineRate = engine_->sampleRate();
    if (fileRate <= 0 || engineRate <= 0) return 1.0;
    return static_cast<double>(fileRate) / engineRate;
}

void MainWindow::updateTitle() {
    const QString app = QStringLiteral("Lathe");
    if (!document_->isOpen()) {
        setWindowTitle(app);
        setWindowModified(false);
        return;
    }
    setWindowTitle(QStringLiteral("%1[*] — %2").arg(document_->displayName(), app));
    setWindowModified(document_->isDirty());
}

void MainWindow::showError(const QString& title, const QString& message) {
    lastError_ = message;
    statusText_->setText(message);
    if (!interactive_) return;
    // Window-modal but not blocking: loads and renders keep running behind it.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
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
    renderDialog_ = new RenderDialog(document_->session(), this);
    QString out = QSettings().value("render/lastOutput").toString();
    if (out.isEmpty()) {
        // Never inside the client folder (the renderer refuses it): a sibling named after the song.
        const QFileInfo folder(QString::fromStdString(document_->session().folder));
        out = folder.absoluteDir().filePath(folder.fileName() + tr(" masters"));
    }
    renderDialog_->setOutputFolder(out);
    connect(renderDialog_, &RenderDialog::finished, this, [this](bool ok) {
        if (ok && renderDialog_) QSettings().setValue("render/lastOutput", renderDialog_->outputFolder());
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

bool MainWindow::isSettled() const {
    return document_->isOpen() && !opener_ && !engine_->isLoading() &&
           (overview_->isReady() || !overview_->errorMessage().isEmpty() || overview_->file().isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
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
