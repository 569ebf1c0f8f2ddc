#pragma once

#include "core/batch/BatchRunner.h"

#include <QStringList>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTextBrowser;
class QThread;

namespace lathe::ui {

// The batch queue: client folders and .lathe sessions (added with the buttons or dropped on the window),
// options as the render dialog has them but applied to every song (lathe-cli batch's --mode, --target-lufs,
// --ceiling-dbtp, --rate, --no-mp3, --jobs, --resume), and a run on a worker thread through
// core::BatchRunner, the code `lathe-cli batch` uses: OUTDIR/<song>/ per input, the same completion markers
// and batch-summary.json. While it runs, each row shows its job's state and progress and the overall bar the
// whole batch's; cancel stops the running renders (a render writes under temporary names and renames only
// when complete, so nothing partial is left under a final name). At the end a summary lists every master's
// loudness, true peak and LRA, and every failure with the file and the problem. Split by concern:
// BatchQueueWindow.cpp (the window, inputs and options), BatchQueueRun.cpp (the run and its summary).
class BatchQueueWindow : public QWidget {
    Q_OBJECT
public:
    explicit BatchQueueWindow(QWidget* parent = nullptr);
    ~BatchQueueWindow() override; // cancels and joins a running batch

    // Folders and .lathe files; others are refused with a note in the status line. Duplicates are ignored.
    void addInputs(const QStringList& paths);
    // Every folder directly inside parent (a day of client folders side by side).
    void addFoldersInside(const QString& parent);
    QStringList inputs() const { return inputs_; }
    void clearInputs();
    void removeSelected();

    void setOutputFolder(const QString& folder);
    QString outputFolder() const;
    void setMode(const QString& mode);         // "" = each session's own, "stereo", "stem", "both"
    void setTargetLufs(std::optional<double>); // nullopt = each session's own
    void setCeilingDbtp(std::optional<double>);
    void setOutputSampleRate(int rate); // 0 = each session's own
    void setMp3(bool on);
    void setParallelJobs(int jobs);
    void setResume(bool on);
    // The options as core::BatchRunner takes them.
    core::BatchOptions options() const;

    bool isRunning() const { return running_; }
    QTableWidget* table() const { return table_; }
    QProgressBar* overallProgress() const { return overall_; }
    int overallPercent() const;
    // A row's state: "queued", "rendering", "ok", "failed", "skipped" or "cancelled".
    QString rowStatus(int row) const;
    int rowPercent(int row) const; // -1 while the row's share of the progress is not known
    // The input a row stands for (absolute); rows follow the batch's sorted job order once started.
    QString rowInput(int row) const;
    const std::optional<core::BatchSummary>& summary() const { return summary_; }
    QString summaryText() const; // as shown (plain text)
    QString statusText() const;

public slots:
    void start();
    void cancel();
    void chooseFolders();
    void chooseParentFolder();
    void chooseSessions();
    void chooseOutputFolder();

signals:
    // The batch ended; ok when every job was ok or skipped.
    void batchFinished(bool ok);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    enum Column {
        SongColumn,
        StatusColumn,
        ProgressColumn,
        LoudnessColumn,
        PeakColumn,
        RangeColumn,
        NoteColumn,
        ColumnCount
    };
    void rebuildQueueRows();
    void setRow(int row, const QString& song, const QString& input);
    void setRowStatus(int row, const QString& status);
    void onJobStarted(size_t position);
    void onJobFinished(const core::BatchJobResult& result);
    void onProgress(double fraction);
    void onFinished(std::shared_ptr<core::BatchSummary> summary);
    void setEditing(bool enabled);

    enum RowState { Queued = 0, Rendering = 1, Done = 2 };
    static constexpr const char* kOutputKey = "batch/lastOutput";
    static constexpr const char* kJobsKey = "batch/jobs";
    void updateButtons();
    int rowOfPosition(size_t position) const;

    QStringList inputs_;
    QTableWidget* table_ = nullptr;
    QPushButton* addFolders_ = nullptr;
    QPushButton* addParent_ = nullptr;
    QPushButton* addSessions_ = nullptr;
    QPushButton* remove_ = nullptr;
    QPushButton* clear_ = nullptr;
    QComboBox* mode_ = nullptr;
    QCheckBox* targetOn_ = nullptr;
    QDoubleSpinBox* target_ = nullptr;
    QCheckBox* ceilingOn_ = nullptr;
    QDoubleSpinBox* ceiling_ = nullptr;
    QComboBox* rate_ = nullptr;
    QCheckBox* mp3_ = nullptr;
    QSpinBox* parallel_ = nullptr;
    QCheckBox* resume_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QPushButton* browse_ = nullptr;
    QProgressBar* overall_ = nullptr;
    QLabel* status_ = nullptr;
    QTextBrowser* summaryView_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* openFolder_ = nullptr;

    QThread* worker_ = nullptr;
    std::atomic<bool> cancelFlag_{false};
    bool running_ = false;
    std::vector<core::BatchJob> jobs_; // as planned at start, in row order
    std::vector<int> rowState_;        // per row: 0 queued, 1 rendering, 2 done
    double lastFraction_ = 0;
    std::optional<core::BatchSummary> summary_;
};

} // namespace lathe::ui
