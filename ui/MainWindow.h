#pragma once

#include "core/engine/AudioEngine.h"

#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <QStringList>

class QAction;
class QDockWidget;
class QHBoxLayout;
class QLabel;
class QMenu;
class QProgressBar;
class QSplitter;
class QStackedWidget;
class QThread;

namespace lathe::ui {

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
class SpectrumWidget;
class StemStrip;
class StemToolsPanel;
class StreamingPreviewPanel;
class TransportBar;
class WaveformOverview;

// The workstation window: the scan on the left, a strip per stem in the middle, the master chain on the
// right, the waveform of what is playing on top, transport and the A/B compare row in the toolbar, meters in
// a dock. Opening a folder or session scans and loads on worker threads; the window stays usable and shows
// progress.
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
    TransportBar* transportBar() const { return transport_; }
    CompareBar* compareBar() const { return compare_; }
    WaveformOverview* waveformOverview() const { return overview_; }
    AutomationLane* automationLane() const { return automationLane_; }
    StemToolsPanel* stemTools() const { return stemTools_; }
    LoudnessMeterWidget* loudnessMeter() const { return loudness_; }
    StreamingPreviewPanel* streamingPreview() const { return streaming_; }
    RenderDialog* renderDialog() const;
    ShortcutsOverlay* shortcutsOverlay() const { return overlay_; }
    QString lastError() const { return lastError_; }
    QStringList recentPaths() const;
    // Everything the window is waiting for is in: the session, the engine load and the waveform overview.
    bool isSettled() const;

signals:
    void sessionOpened();
    void openFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
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
    void refreshCompareFigures();
    void selectSource(core::MonitorSource source);
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
    QSplitter* body_ = nullptr;
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
    ShortcutsOverlay* overlay_ = nullptr;
    QPointer<RenderDialog> renderDialog_;
    QPointer<BatchQueueWindow> batchWindow_;
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
