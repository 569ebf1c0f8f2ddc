#pragma once

#include "core/engine/AudioEngine.h"

#include "SourceMeasurer.h"

#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <optional>

class QAction;
class QDockWidget;
class QHBoxLayout;
class QLabel;
class QMenu;
class QProgressBar;
class QScrollArea;
class QSplitter;
class QStackedWidget;
class QTabBar;
class QThread;

namespace lathe::ui {

class AlbumWindow;
class AutomationLane;
class BatchQueueWindow;
class CompareBar;
class CorrelationMeterWidget;
class EngineController;
class LoudnessMeterWidget;
class MasterSection;
class RenderDialog;
class ScanPanel;
class SessionDocument;
class ShortcutsOverlay;
class SourceMeasurer;
class SpectrumWidget;
class StemStrip;
class StemToolsPanel;
class StreamingPreviewPanel;
class TransportBar;
class WaveformOverview;

// The workstation window: transport and the A/B compare row across the top, the waveform of what is playing
// under it, then a compact strip per stem (every stem in view) beside the master chain, which takes what the
// strips do not need; meters in a dock on the right, the folder scan ("Files") in a dock tabbed with them (or
// beside the strips on a wide screen). Opening a folder or session scans and loads on worker threads; the
// window stays usable and shows progress. The class is split by concern: MainWindow.cpp (layout),
// MainWindowActions.cpp (menus and shortcuts), MainWindowFiles.cpp (open, save, recovery, render, batch,
// quit), MainWindowMonitor.cpp (meters, compare figures, what is heard).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // A client folder or a .lathe session; asynchronous (sessionOpened or openFailed follows). Unsaved edits
    // are offered for saving first.
    void openPath(const QString& path);
    bool isOpening() const { return opener_ != nullptr; }
    // Opens the audio device remembered in QSettings (tests leave this out: they need no sound card).
    void openAudioFromSettings();
    // Offers the recovery file left by a session that did not close cleanly. Returns true if recovered.
    // insteadOf: the folder or session the command line asked for, named in the question (declining opens
    // it).
    bool offerRecovery(const QString& insteadOf = {});
    // What `lathe [PATH]` does once the window shows: a recovery file is offered first, with or without a
    // path (a crash's unsaved edits matter more than what was asked for); the path opens when there is
    // nothing to recover or the offer is declined.
    void startUp(const QString& path);
    // The batch queue window (File ▸ Batch Queue, Ctrl+B), made on first use; it outlives a closed session.
    BatchQueueWindow* showBatchWindow();
    BatchQueueWindow* batchWindow() const;
    AlbumWindow* showAlbumWindow(); // the album view (File > Album)
    RenderDialog* showRenderDialog();
    // Asks to save unsaved edits: true when it is fine to go on (saved or discarded).
    bool maybeSave();
    // Dialogs (messages, prompts) are skipped when false: for tests, which would block on them.
    void setInteractive(bool interactive) { interactive_ = interactive; }

    SessionDocument* document() const { return document_; }
    EngineController* engineController() const { return engine_; }
    ScanPanel* scanPanel() const { return scanPanel_; }
    QList<StemStrip*> stemStrips() const { return strips_; }
    MasterSection* masterSection() const { return master_; }
    // On a narrow window the strips and the master section are two tabs of one pane (Ctrl+1 / Ctrl+2 pick
    // them); on a wide one they stand side by side and these only scroll nothing.
    void showStripsPane();
    void showMasterPane();
    TransportBar* transportBar() const { return transport_; }
    CompareBar* compareBar() const { return compare_; }
    WaveformOverview* waveformOverview() const { return overview_; }
    AutomationLane* automationLane() const { return automationLane_; }
    StemToolsPanel* stemTools() const { return stemTools_; }
    LoudnessMeterWidget* loudnessMeter() const { return loudness_; }
    SpectrumWidget* spectrumWidget() const { return spectrum_; }
    StreamingPreviewPanel* streamingPreview() const { return streaming_; }
    RenderDialog* renderDialog() const;
    ShortcutsOverlay* shortcutsOverlay() const { return overlay_; }
    QDockWidget* filesDock() const { return filesDock_; }
    QDockWidget* metersDock() const { return metersDock_; }
    QDockWidget* stemToolsDock() const { return stemToolsDock_; }
    SourceMeasurer* sourceMeasurer() const { return measurer_; }
    QString lastError() const { return lastError_; }
    QStringList recentPaths() const;
    // Everything the window is waiting for is in: the session, the engine load and the waveform overview.
    bool isSettled() const;

signals:
    void sessionOpened();
    void openFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    void buildLayout();
    QWidget* buildWelcome();
    void rebuildStrips();
    void rebuildRecentMenu();
    void addRecent(const QString& path);
    void onDocumentOpened();
    void onSessionChanged();
    void onMeters(const core::MeterFrame& frame);
    void onMeasured(const SourceFigures& figures);
    void refreshCompareFigures();
    // "measuring…" on the compare buttons: every one while the opened song is measured, those an edit
    // changes while it is re-measured.
    void refreshMeasuring();
    void refreshMonitorGain();
    void clearReadings();
    void placeFilesDock();
    void placeStemToolsDock();
    void fitBody();
    void fitWorkspace();
    void placeBodyPanes();
    void onOpenFailed(const QString& path, const QString& error, const QStringList& problems);
    void nudge(double seconds);
    void selectSource(core::MonitorSource source);
    void selectCodec(const core::DeliverableSpec& codec);
    void onCodecPreviewChanged();
    void updateOverviewFile();
    void updateTitle();
    void showError(const QString& title, const QString& message);
    void openFolderDialog();
    void openSessionDialog();
    bool save();
    bool saveAs();
    void showAudioSettings();
    double fileFramesPerEngineFrame() const;

    SessionDocument* document_ = nullptr;
    EngineController* engine_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    ScanPanel* scanPanel_ = nullptr;
    QWidget* stripsHost_ = nullptr;
    QHBoxLayout* stripsLayout_ = nullptr;
    QScrollArea* stripsScroll_ = nullptr;
    QSplitter* body_ = nullptr;
    QTabBar* bodyTabs_ = nullptr;    // "Stems | Master" on a narrow window
    QSplitter* workspace_ = nullptr; // the song (waveform, lane) over the body (strips, master)
    QList<StemStrip*> strips_;
    MasterSection* master_ = nullptr;
    TransportBar* transport_ = nullptr;
    CompareBar* compare_ = nullptr;
    WaveformOverview* overview_ = nullptr;
    AutomationLane* automationLane_ = nullptr; // issue 16: under the overview
    StemToolsPanel* stemTools_ = nullptr;      // issue 16: in its own dock
    LoudnessMeterWidget* loudness_ = nullptr;
    CorrelationMeterWidget* correlation_ = nullptr;
    SpectrumWidget* spectrum_ = nullptr;
    StreamingPreviewPanel* streaming_ = nullptr;
    QDockWidget* metersDock_ = nullptr;
    QDockWidget* filesDock_ = nullptr;
    bool filesBeside_ = false; // the files dock stands on the left rather than tabbed with the meters
    QDockWidget* stemToolsDock_ = nullptr;
    std::optional<bool> stemToolsRoom_; // the window was tall enough for the stem tools when last resized
    SourceMeasurer* measurer_ = nullptr;
    // Figures re-measured after edits; until the first arrives, the engine's from load.
    std::optional<SourceFigures> remeasured_;
    core::Session loadedSession_; // what the engine loaded: the figures measured at load describe it
    ShortcutsOverlay* overlay_ = nullptr;
    QPointer<RenderDialog> renderDialog_;
    QPointer<BatchQueueWindow> batchWindow_;
    QPointer<AlbumWindow> albumWindow_;
    QLabel* statusText_ = nullptr;
    QProgressBar* loadProgress_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QList<QAction*> documentActions_;
    QThread* opener_ = nullptr;
    QString pendingOpen_;
    QString lastError_;
    bool interactive_ = true;
    double truePeakHoldDbtp_ = -200;
};

} // namespace lathe::ui
