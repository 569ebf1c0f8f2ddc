#pragma once

#include "core/model/Session.h"
#include "core/render/Renderer.h"

#include <QDialog>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTextBrowser;

namespace lathe::ui {

class RenderResultsTable;

// Choose what to render, run core::renderSession on a worker thread (the GUI stays live), show progress with
// a cancel, then the loudness report per deliverable and a button opening the output folder. Errors are shown
// in the dialog as text naming the file; nothing throws out of it.
class RenderDialog : public QDialog {
    Q_OBJECT
public:
    explicit RenderDialog(const core::Session& session, QWidget* parent = nullptr);
    ~RenderDialog() override; // cancels and joins a running render

    // The session with the dialog's choices applied (output.mode, loudness.target_lufs,
    // master.limiter.ceiling_dbtp, output.sample_rate, output.mp3, and a preset's output.deliverables).
    core::Session configuredSession() const;

    void setOutputFolder(const QString& folder);
    QString outputFolder() const;
    void setMode(const QString& mode); // "stereo", "stem" or "both"
    void setTargetLufs(double lufs);
    void setCeilingDbtp(double dbtp);
    void setOutputSampleRate(int rate); // 0 = session rate
    void setMp3(bool on);
    // A named deliverable set (core::deliverablePreset), or "" for the session's own files.
    void setPreset(const QString& name);
    void setBitDepth(int bits); // 16, 24 or 32 (float)
    void setDither(bool on);
    // The session's remembered output folder (output.folder), else "<folder> masters" beside the client
    // folder.
    static QString defaultOutputFolder(const core::Session& session);
    // Files of this render that already exist in the output folder (names only); the render asks before
    // replacing them.
    QStringList existingOutputs() const;
    // Answers "replace these masters?" instead of a message box (tests, scripted use).
    void setOverwriteQuestion(std::function<bool(const QStringList&)> question) {
        overwriteQuestion_ = std::move(question);
    }

    bool isRendering() const { return worker_.joinable() && !finishedHandled_; }
    int progressValue() const; // 0..100
    QProgressBar* progressBar() const { return progress_; }
    const std::optional<core::RenderReport>& report() const { return report_; }
    QString reportText() const; // the report as shown (plain text): the results table's rows, then the rest
    RenderResultsTable* resultsTable() const { return results_; }
    QString errorMessage() const { return error_; }
    QString statusText() const; // the line under the progress bar ("Done: 2 masters in …")
    bool wasCancelled() const { return cancelled_; }

public slots:
    void startRender();
    void cancelRender();
    void openOutputFolder();

    // Escape / the window's close button while rendering cancels the render instead of hiding the dialog.
    void reject() override;

signals:
    // The render ended: ok with a report, or not (cancelled, or failed: errorMessage() names the file).
    // Distinct from QDialog::finished(int), which reports the dialog closing.
    void finished(bool ok);
    // A render was confirmed and starts with this session (its output.folder is where it writes).
    void renderStarted(const core::Session& session);

private:
    void chooseOutputFolder();
    bool confirmOverwrite(const QStringList& existing);
    void onRenderDone(std::shared_ptr<core::RenderReport> report, QString error, bool cancelled);
    void setEditing(bool enabled);
    static QString formatReport(const core::RenderReport& report);

    core::Session session_;
    QComboBox* mode_ = nullptr;
    QDoubleSpinBox* target_ = nullptr;
    QDoubleSpinBox* ceiling_ = nullptr;
    QComboBox* rate_ = nullptr;
    QComboBox* preset_ = nullptr;
    QComboBox* bitDepth_ = nullptr;
    QCheckBox* dither_ = nullptr;
    QCheckBox* mp3_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QPushButton* browse_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    RenderResultsTable* results_ = nullptr;
    QTextBrowser* reportView_ = nullptr;
    QPushButton* render_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* openFolder_ = nullptr;
    QPushButton* close_ = nullptr;

    std::thread worker_;
    std::atomic<bool> cancelFlag_{false};
    std::shared_ptr<std::atomic<int>> lastPercent_;
    bool finishedHandled_ = true;
    bool cancelled_ = false;
    std::optional<core::RenderReport> report_;
    QString error_;
    std::function<bool(const QStringList&)> overwriteQuestion_;
};

} // namespace lathe::ui
