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
#include "MatchPanel.h"
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

#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabBar>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

namespace {

constexpr int kStripsMargin = 4;
constexpr int kStripSpacing = 4;
constexpr int kMasterMinWidth = 330;
constexpr int kMetersMinWidth = 280;
// Files beside the strips from this window width: 8 compact strips, the master section, the meters and the
// files all fit without squeezing the strips.
constexpr int kFilesBesideWidth = 2200;
// The stem tools dock stands under the strips from this window height: below it the faders need the room.
constexpr int kStemToolsMinWindowHeight = 900;
constexpr int kSongHeight = 170; // the waveform and automation lane, when the strips leave room for it
// Below this window width the strips and the master section share one pane as two tabs: side by side they
// left one strip in view at 800 px (the meters, the master's widest group and one strip filled the width).
constexpr int kPanesBesideWidth = 1100;
// Below this window height the automation lane folds away until the window grows again: on a short screen
// the faders need the height more.
constexpr int kLaneMinWindowHeight = 700;

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    document_ = new SessionDocument(this);
    engine_ = new EngineController(this);
    measurer_ = new SourceMeasurer(this);
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
        statusText_->setText(engine_->isMeasured() ? tr("Ready") : tr("Ready · measuring loudness…"));
        transport_->setReady(true);
        remeasured_.reset();
        refreshCompareFigures();
        refreshMeasuring();
        // Edits made while loading were queued for the engine; the figures must follow them too.
        onSessionChanged();
    });
    connect(engine_, &EngineController::measured, this, [this] {
        if (statusText_->text() == tr("Ready · measuring loudness…")) statusText_->setText(tr("Ready"));
        refreshCompareFigures();
        refreshMeasuring();
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
    // The match's source, reference and matched spectra stay under the live trace (issue 18).
    connect(master_->matchPanel(), &MatchPanel::matchChanged, this,
            [this] { spectrum_->setMatchSpectra(master_->matchPanel()->spectra()); });

    connect(transport_, &TransportBar::playToggled, engine_, &EngineController::togglePlay);
    connect(transport_, &TransportBar::returnToStartClicked, engine_, &EngineController::returnToStart);
    connect(transport_, &TransportBar::loopToggled, engine_, &EngineController::setLoopEnabled);
    connect(compare_, &CompareBar::sourceSelected, this, &MainWindow::selectSource);
    connect(compare_, &CompareBar::codecSelected, this, &MainWindow::selectCodec);
    connect(engine_, &EngineController::codecPreviewChanged, this, &MainWindow::onCodecPreviewChanged);
    connect(compare_, &CompareBar::loudnessMatchToggled, this, [this](bool on) {
        engine_->setLoudnessMatch(on);
        refreshMonitorGain();
    });
    connect(measurer_, &SourceMeasurer::measuringChanged, this, &MainWindow::refreshMeasuring);
    connect(measurer_, &SourceMeasurer::measured, this, &MainWindow::onMeasured);
    connect(measurer_, &SourceMeasurer::measureFailed, this, [this](const QString& message) {
        statusText_->setText(tr("Cannot re-measure: %1").arg(message));
    });
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
    // Transport and compare across the whole window: the compare figures need the width, and wrap onto two
    // rows of three on a narrow screen rather than clip.
    auto* toolbar = addToolBar(tr("Transport and compare"));
    toolbar->setObjectName(QStringLiteral("transportToolbar"));
    toolbar->setMovable(false);
    toolbar->setFloatable(false);
    compare_ = new CompareBar(toolbar);
    transport_ = new TransportBar(compare_);
    compare_->setLeadingWidget(transport_);
    compare_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(compare_);

    pages_ = new QStackedWidget(this);
    pages_->addWidget(buildWelcome());

    auto* workspace = new QSplitter(Qt::Vertical);
    workspace_ = workspace;
    workspace->setObjectName(QStringLiteral("workspace"));
    // The overview with the automation lane under it, sharing its time axis.
    auto* song = new QWidget(workspace);
    auto* songLayout = new QVBoxLayout(song);
    songLayout->setContentsMargins(0, 0, 0, 0);
    songLayout->setSpacing(2);
    overview_ = new WaveformOverview(song);
    overview_->setMinimumHeight(64);
    overview_->setFocusPolicy(Qt::ClickFocus);
    automationLane_ = new AutomationLane(document_, song);
    songLayout->addWidget(overview_, 1);
    songLayout->addWidget(automationLane_);
    workspace->addWidget(song);

    body_ = new QSplitter(Qt::Horizontal);
    body_->setObjectName(QStringLiteral("body"));
    body_->setChildrenCollapsible(false);
    stripsScroll_ = new QScrollArea(body_);
    stripsScroll_->setObjectName(QStringLiteral("strips"));
    stripsScroll_->setWidgetResizable(true);
    stripsScroll_->setFrameShape(QFrame::NoFrame);
    // Sideways is how the strips scroll; the window keeps them whole in height (fitWorkspace), and only a
    // window too short for any layout scrolls them up and down rather than hide their lower controls.
    stripsScroll_->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    stripsHost_ = new QWidget;
    stripsLayout_ = new QHBoxLayout(stripsHost_);
    stripsLayout_->setContentsMargins(kStripsMargin, kStripsMargin, kStripsMargin, kStripsMargin);
    stripsLayout_->setSpacing(kStripSpacing);
    stripsScroll_->setWidget(stripsHost_);
    body_->addWidget(stripsScroll_);

    auto* masterScroll = new QScrollArea(body_);
    masterScroll->setObjectName(QStringLiteral("masterScroll"));
    masterScroll->setWidgetResizable(true);
    masterScroll->setFrameShape(QFrame::NoFrame);
    masterScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    master_ = new MasterSection(document_);
    masterScroll->setWidget(master_);
    // Its widest group and the scroll bar: a narrower column would cut every group at its right edge.
    masterScroll->setMinimumWidth(
        std::max(kMasterMinWidth,
                 master_->minimumSizeHint().width() + masterScroll->verticalScrollBar()->sizeHint().width()));
    body_->addWidget(masterScroll);
    // Extra width goes to the strips up to their widest, then to the master section (rebuildStrips caps
    // the strips' pane), so a wide screen has no dead space.
    body_->setStretchFactor(0, 1);
    body_->setStretchFactor(1, 1);
    body_->installEventFilter(this);
    auto* bodyPane = new QWidget(workspace);
    auto* bodyLayout = new QVBoxLayout(bodyPane);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    bodyLayout->setSpacing(0);
    bodyTabs_ = new QTabBar(bodyPane);
    bodyTabs_->setObjectName(QStringLiteral("bodyTabs"));
    bodyTabs_->addTab(tr("Stems"));
    bodyTabs_->addTab(tr("Master"));
    bodyTabs_->setTabToolTip(0, tr("The stem strips (Ctrl+1)"));
    bodyTabs_->setTabToolTip(1, tr("The master section (Ctrl+2)"));
    bodyTabs_->setDrawBase(false);
    bodyTabs_->hide();
    connect(bodyTabs_, &QTabBar::currentChanged, this, &MainWindow::placeBodyPanes);
    bodyLayout->addWidget(bodyTabs_);
    bodyLayout->addWidget(body_, 1);
    workspace->addWidget(bodyPane);
    workspace->setStretchFactor(0, 0);
    workspace->setStretchFactor(1, 1);
    workspace->setSizes({kSongHeight, 760});
    workspace->installEventFilter(this);
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
    meters->setMinimumWidth(kMetersMinWidth);
    // On a short screen the meters scroll rather than set the window's minimum height.
    auto* metersScroll = new QScrollArea;
    metersScroll->setObjectName(QStringLiteral("metersScroll"));
    metersScroll->setWidgetResizable(true);
    metersScroll->setFrameShape(QFrame::NoFrame);
    metersScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    metersScroll->setWidget(meters);
    metersScroll->setMinimumWidth(kMetersMinWidth);
    metersDock_->setWidget(metersScroll);
    addDockWidget(Qt::RightDockWidgetArea, metersDock_);

    filesDock_ = new QDockWidget(tr("Files"), this);
    filesDock_->setObjectName(QStringLiteral("filesDock"));
    filesDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    scanPanel_ = new ScanPanel(document_, filesDock_);
    scanPanel_->setMinimumWidth(240);
    filesDock_->setWidget(scanPanel_);
    addDockWidget(Qt::RightDockWidgetArea, filesDock_);
    tabifyDockWidget(metersDock_, filesDock_);
    metersDock_->raise();
    resizeDocks({metersDock_}, {kMetersMinWidth + 20}, Qt::Horizontal);

    stemToolsDock_ = new QDockWidget(tr("Stem tools"), this);
    stemToolsDock_->setObjectName(QStringLiteral("stemToolsDock"));
    stemToolsDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                                QDockWidget::DockWidgetClosable);
    stemTools_ = new StemToolsPanel(document_);
    auto* stemToolsScroll = new QScrollArea;
    stemToolsScroll->setWidgetResizable(true);
    stemToolsScroll->setWidget(stemTools_);
    stemToolsDock_->setWidget(stemToolsScroll);
    addDockWidget(Qt::BottomDockWidgetArea, stemToolsDock_);

    statusText_ = new QLabel(tr("Open a client folder to begin"));
    statusText_->setMinimumWidth(1); // a long message is cut, never widening the window
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

void MainWindow::rebuildStrips() {
    for (StemStrip* strip : strips_)
        strip->deleteLater();
    strips_.clear();
    while (QLayoutItem* item = stripsLayout_->takeAt(0))
        delete item; // the old strips go with deleteLater; spacers and stretches here
    const int count = static_cast<int>(document_->session().stems.size());
    for (int i = 0; i < count; ++i) {
        auto* strip = new StemStrip(document_, i, stripsHost_);
        stripsLayout_->addWidget(strip);
        strips_ << strip;
    }
    // The strips' pane is never wider than its strips at their widest: the master section takes the rest.
    const int widest =
        count * StemStrip::kMaxWidth + std::max(0, count - 1) * kStripSpacing + 2 * kStripsMargin;
    stripsScroll_->setMaximumWidth(count > 0 ? widest : QWIDGETSIZE_MAX);
    placeBodyPanes();
    fitBody();
    fitWorkspace();
}

void MainWindow::placeFilesDock() {
    // Beside the strips when the window has room for it at its side, tabbed with the meters otherwise (the
    // stems come first; the Files tab is one click away and comes forward when the scan found problems).
    const bool beside = width() >= kFilesBesideWidth;
    if (beside == filesBeside_) return;
    filesBeside_ = beside;
    if (beside) {
        addDockWidget(Qt::LeftDockWidgetArea, filesDock_);
        filesDock_->show();
        resizeDocks({filesDock_}, {320}, Qt::Horizontal);
    } else {
        addDockWidget(Qt::RightDockWidgetArea, filesDock_);
        tabifyDockWidget(metersDock_, filesDock_);
        metersDock_->raise();
    }
}

void MainWindow::placeBodyPanes() {
    const bool tabs = width() < kPanesBesideWidth;
    bodyTabs_->setVisible(tabs);
    stripsScroll_->setVisible(!tabs || bodyTabs_->currentIndex() == 0);
    body_->widget(1)->setVisible(!tabs || bodyTabs_->currentIndex() == 1);
    const bool tall = height() >= kLaneMinWindowHeight;
    automationLane_->setVisible(tall);
    overview_->setMinimumHeight(tall ? 64 : 44);
    fitBody();
    fitWorkspace();
}

void MainWindow::showStripsPane() {
    bodyTabs_->setCurrentIndex(0);
    placeBodyPanes();
}

void MainWindow::showMasterPane() {
    bodyTabs_->setCurrentIndex(1);
    placeBodyPanes();
}

void MainWindow::fitBody() {
    // The strips get what they can use (up to their widest), the master section at least its minimum and
    // everything else. As tabs, the one pane shown takes the whole width.
    if (stripsScroll_->isHidden() || body_->widget(1)->isHidden()) return;
    const int total = body_->width() - body_->handleWidth();
    if (total <= 0) return;
    const int count = static_cast<int>(strips_.size());
    const int widest = count > 0
                           ? count * StemStrip::kMaxWidth + (count - 1) * kStripSpacing + 2 * kStripsMargin
                           : total / 2;
    const int strips = std::clamp(total - body_->widget(1)->minimumWidth(), 0, widest);
    body_->setSizes({strips, total - strips});
}

void MainWindow::fitWorkspace() {
    // The waveform gives up height before the strips do: on a short window the faders keep their travel.
    const int total = workspace_->height() - workspace_->handleWidth();
    if (total <= 0) return;
    int need = strips_.isEmpty() ? 0 : strips_.front()->minimumSizeHint().height() + 2 * kStripsMargin;
    // The horizontal scroll bar takes its height from the strips' pane when they do not all fit.
    const int count = static_cast<int>(strips_.size());
    const int stripsMinWidth =
        count * StemStrip::kMinWidth + std::max(0, count - 1) * kStripSpacing + 2 * kStripsMargin;
    if (count > 0 && stripsMinWidth > stripsScroll_->width())
        need += stripsScroll_->horizontalScrollBar()->sizeHint().height();
    if (!bodyTabs_->isHidden()) need += bodyTabs_->sizeHint().height();
    const int songMin = workspace_->widget(0)->minimumSizeHint().height();
    const int song = std::clamp(total - need, std::min(songMin, kSongHeight), kSongHeight);
    workspace_->setSizes({song, total - song});
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    if (watched == body_ && event->type() == QEvent::Resize) fitBody();
    if (watched == workspace_ && event->type() == QEvent::Resize) fitWorkspace();
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::placeStemToolsDock() {
    // On a short screen the stem tools under the strips would leave the faders no height: closed there
    // (View > Stem tools, F4, opens them), open again when the window grows tall enough for both.
    const bool room = height() >= kStemToolsMinWindowHeight;
    if (stemToolsRoom_ && room == *stemToolsRoom_) return;
    stemToolsRoom_ = room;
    stemToolsDock_->setVisible(room);
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    placeFilesDock();
    placeStemToolsDock();
    placeBodyPanes();
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

bool MainWindow::isSettled() const {
    return document_->isOpen() && !opener_ && !engine_->isLoading() &&
           (!engine_->isLoaded() || engine_->isMeasured()) &&
           (overview_->isReady() || !overview_->errorMessage().isEmpty() || overview_->file().isEmpty());
}

double MainWindow::fileFramesPerEngineFrame() const {
    const int fileRate = overview_->isReady() ? overview_->peaks().sampleRate : 0;
    const int engineRate = engine_->sampleRate();
    if (fileRate <= 0 || engineRate <= 0) return 1.0;
    return static_cast<double>(fileRate) / engineRate;
}

} // namespace lathe::ui
