#include "BatchQueueWindow.h"

#include "core/io/AtomicFile.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTextBrowser>
#include <QThread>

#include <algorithm>
#include <cmath>

// The batch queue's run: starting the batch on a worker thread, following each job and the whole, and the
// summary at the end. The window itself (inputs, options) is in BatchQueueWindow.cpp.
namespace lathe::ui {

namespace {

QString figures(const core::RenderReport& report, double core::DeliverableReport::*field) {
    QStringList parts;
    for (const auto& d : report.deliverables)
        parts << QString::number(d.*field, 'f', 1);
    return parts.join(QStringLiteral(" / "));
}

QString kindLabel(const std::string& kind) {
    return kind == "stem_master" ? QObject::tr("stem") : QObject::tr("stereo");
}

} // namespace

int BatchQueueWindow::rowOfPosition(size_t position) const {
    for (size_t i = 0; i < jobs_.size(); ++i)
        if (jobs_[i].position == position) return static_cast<int>(i);
    return -1;
}

void BatchQueueWindow::start() {
    if (running_) return;
    if (inputs_.isEmpty()) {
        status_->setText(tr("Add client folders or .lathe sessions first."));
        return;
    }
    const QString out = outputFolder();
    if (out.isEmpty()) {
        status_->setText(tr("Choose an output folder first."));
        return;
    }
    std::vector<std::string> inputs;
    for (const QString& input : inputs_)
        inputs.push_back(input.toStdString());
    try {
        jobs_ = core::planBatch(inputs, QDir(out).absolutePath().toStdString());
        core::checkWritePlan(core::batchWritePlan(inputs, out.toStdString()));
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
        return;
    }
    QSettings().setValue(kOutputKey, out);
    QSettings().setValue(kJobsKey, parallel_->value());
    summary_.reset();
    summaryView_->clear();
    openFolder_->setEnabled(false);
    cancelFlag_ = false;
    running_ = true;
    lastFraction_ = 0;
    rebuildQueueRows();
    overall_->setValue(0);
    setEditing(false);
    status_->setText((jobs_.size() == 1 ? tr("Rendering 1 song into %1\u2026")
                                        : tr("Rendering %2 songs into %1\u2026").arg(jobs_.size()))
                         .arg(QDir::toNativeSeparators(out)));

    // Callbacks come from the runner's worker threads, one at a time; each is posted to the GUI thread. The
    // destructor joins the worker, so `this` outlives every post (a post still queued then is dropped).
    auto runner = std::make_shared<core::BatchRunner>(jobs_, options());
    auto lastPermille = std::make_shared<int>(-1);
    core::BatchRunner::Callbacks callbacks;
    callbacks.progress = [this, lastPermille](double fraction) {
        const int permille = int(std::floor(std::clamp(fraction, 0.0, 1.0) * 1000.0));
        if (permille == *lastPermille) return; // only whole steps, so a fast render does not flood the queue
        *lastPermille = permille;
        QMetaObject::invokeMethod(
            this, [this, fraction] { onProgress(fraction); }, Qt::QueuedConnection);
    };
    callbacks.jobStarted = [this](const core::BatchJob& job) {
        const size_t position = job.position;
        QMetaObject::invokeMethod(
            this, [this, position] { onJobStarted(position); }, Qt::QueuedConnection);
    };
    callbacks.jobFinished = [this](const core::BatchJobResult& result) {
        QMetaObject::invokeMethod(
            this, [this, result] { onJobFinished(result); }, Qt::QueuedConnection);
    };
    worker_ = QThread::create([this, runner, callbacks] {
        std::shared_ptr<core::BatchSummary> summary;
        try {
            summary = std::make_shared<core::BatchSummary>(runner->run(callbacks, &cancelFlag_));
        } catch (const std::exception& e) {
            // run() records each job's failure itself; this is a failure of the batch as a whole.
            summary = std::make_shared<core::BatchSummary>();
            for (const auto& job : runner->jobs()) {
                core::BatchJobResult r;
                r.job = job;
                r.song = job.name;
                r.error = e.what();
                summary->jobs.push_back(r);
                ++summary->failed;
            }
        }
        QMetaObject::invokeMethod(
            this, [this, summary] { onFinished(summary); }, Qt::QueuedConnection);
    });
    worker_->start(QThread::LowPriority);
}

void BatchQueueWindow::cancel() {
    if (!running_) return;
    cancelFlag_ = true;
    cancel_->setEnabled(false);
    status_->setText(tr("Cancelling: running renders stop and leave nothing under a final name\u2026"));
}

void BatchQueueWindow::onJobStarted(size_t position) {
    const int row = rowOfPosition(position);
    if (row < 0) return;
    rowState_[size_t(row)] = Rendering;
    setRowStatus(row, tr("rendering"));
    // With more than one song rendering, the runner's overall fraction cannot be split between them: their
    // bars show activity rather than a made-up share.
    const auto running = std::count(rowState_.begin(), rowState_.end(), Rendering);
    for (size_t r = 0; r < rowState_.size(); ++r) {
        if (rowState_[r] != Rendering) continue;
        auto* bar = qobject_cast<QProgressBar*>(table_->cellWidget(int(r), ProgressColumn));
        if (running > 1)
            bar->setRange(0, 0);
        else
            bar->setRange(0, 100);
    }
}

void BatchQueueWindow::onProgress(double fraction) {
    // After a cancel the runner counts every stopped job as done; the bar keeps what was really rendered.
    if (cancelFlag_) return;
    lastFraction_ = std::max(lastFraction_, fraction);
    overall_->setValue(std::max(overall_->value(), int(std::floor(lastFraction_ * 100.0))));
    // One song rendering: its share is what the overall fraction says beyond the songs already done.
    const auto running = std::count(rowState_.begin(), rowState_.end(), Rendering);
    if (running != 1) return;
    const auto done = std::count(rowState_.begin(), rowState_.end(), Done);
    const auto it = std::find(rowState_.begin(), rowState_.end(), Rendering);
    const int row = int(it - rowState_.begin());
    const double share = std::clamp(fraction * double(rowState_.size()) - double(done), 0.0, 1.0);
    auto* bar = qobject_cast<QProgressBar*>(table_->cellWidget(row, ProgressColumn));
    bar->setRange(0, 100);
    bar->setValue(std::max(bar->value(), int(std::floor(share * 100.0))));
}

void BatchQueueWindow::onJobFinished(const core::BatchJobResult& result) {
    const int row = rowOfPosition(result.job.position);
    if (row < 0) return;
    rowState_[size_t(row)] = Done;
    table_->item(row, SongColumn)->setText(QString::fromStdString(result.song));
    auto* bar = qobject_cast<QProgressBar*>(table_->cellWidget(row, ProgressColumn));
    bar->setRange(0, 100);
    QString status;
    switch (result.status) {
    case core::BatchJobStatus::Ok:
        status = QStringLiteral("ok");
        break;
    case core::BatchJobStatus::Skipped:
        status = QStringLiteral("skipped");
        break;
    case core::BatchJobStatus::Failed:
        status = result.error == "cancelled" ? QStringLiteral("cancelled") : QStringLiteral("failed");
        break;
    }
    setRowStatus(row, status);
    if (result.status != core::BatchJobStatus::Failed) {
        bar->setValue(100);
        table_->item(row, LoudnessColumn)
            ->setText(figures(result.report, &core::DeliverableReport::integratedLufs));
        table_->item(row, PeakColumn)
            ->setText(figures(result.report, &core::DeliverableReport::truePeakDbtp));
        table_->item(row, RangeColumn)
            ->setText(figures(result.report, &core::DeliverableReport::loudnessRangeLu));
        QStringList kinds;
        for (const auto& d : result.report.deliverables)
            kinds << kindLabel(d.kind);
        const QString note =
            (result.status == core::BatchJobStatus::Skipped ? tr("already complete: ") : QString()) +
            kinds.join(QStringLiteral(" / ")) +
            tr(" in %1").arg(QDir::toNativeSeparators(QString::fromStdString(result.job.outDir)));
        table_->item(row, NoteColumn)->setText(note);
        table_->item(row, NoteColumn)->setToolTip(note);
    } else {
        // A failed or cancelled job did not render: its bar says so instead of standing full.
        bar->setValue(0);
        bar->setFormat(status == QLatin1String("failed") ? tr("failed") : tr("cancelled"));
        const QString error = QString::fromStdString(result.error);
        table_->item(row, NoteColumn)->setText(error);
        table_->item(row, NoteColumn)->setToolTip(error);
        if (status == QLatin1String("failed"))
            table_->item(row, NoteColumn)->setForeground(QColor(0xff, 0x6b, 0x6b));
    }
}

void BatchQueueWindow::onFinished(std::shared_ptr<core::BatchSummary> summary) {
    if (worker_) {
        worker_->wait();
        delete worker_;
        worker_ = nullptr;
    }
    running_ = false;
    const bool cancelled = cancelFlag_.load();
    summary_ = *summary;
    setEditing(true);
    if (!cancelled) overall_->setValue(100);

    // The same machine-readable summary lathe-cli batch leaves, so a GUI batch can be checked the same way.
    QString summaryNote;
    if (!summary->outDir.empty() && QFileInfo(QString::fromStdString(summary->outDir)).isDir()) {
        try {
            core::writeFileAtomically(summary->outDir + "/batch-summary.json",
                                      core::toJson(*summary).dump(2) + "\n");
        } catch (const std::exception& e) {
            summaryNote =
                QStringLiteral(" ") +
                tr("The summary file could not be written: %1").arg(QString::fromStdString(e.what()));
        }
    }

    QString html = QStringLiteral(
        "<table cellspacing='0' cellpadding='5' style='white-space:nowrap'><tr><th align='left'>Song</th>"
        "<th align='left'>Master</th><th align='right'>LUFS</th><th align='right'>TP dBTP</th>"
        "<th align='right'>LRA LU</th><th align='left'>Status</th></tr>");
    const QString bad = QStringLiteral("#ff6b6b");
    int cancelledJobs = 0;
    for (const auto& r : summary->jobs) {
        const QString song = QString::fromStdString(r.song).toHtmlEscaped();
        if (r.status == core::BatchJobStatus::Failed) {
            const bool wasCancelled = r.error == "cancelled";
            cancelledJobs += wasCancelled;
            html += QStringLiteral("<tr><td nowrap>%1</td><td>\u2013</td><td></td><td></td><td></td>"
                                   "<td><span style='color:%2'>%3</span></td></tr>")
                        .arg(song, wasCancelled ? QStringLiteral("#8f959e") : bad,
                             wasCancelled
                                 ? tr("cancelled")
                                 : tr("failed: %1").arg(QString::fromStdString(r.error).toHtmlEscaped()));
            continue;
        }
        for (const auto& d : r.report.deliverables) {
            const QString peak = d.withinCeiling ? QString::number(d.truePeakDbtp, 'f', 2)
                                                 : QStringLiteral("<span style='color:%1'>%2</span>")
                                                       .arg(bad, QString::number(d.truePeakDbtp, 'f', 2));
            html += QStringLiteral(
                        "<tr><td nowrap>%1</td><td>%2</td><td align='right'>%3</td><td align='right'>%4</td>"
                        "<td align='right'>%5</td><td>%6</td></tr>")
                        .arg(song, kindLabel(d.kind), QString::number(d.integratedLufs, 'f', 2), peak,
                             QString::number(d.loudnessRangeLu, 'f', 1),
                             r.status == core::BatchJobStatus::Skipped ? tr("skipped (already complete)")
                                                                       : tr("ok"));
        }
    }
    html += QStringLiteral("</table>");
    summaryView_->setHtml(html);

    QString line = tr("%1 ok, %2 skipped, %3 failed")
                       .arg(summary->ok)
                       .arg(summary->skipped)
                       .arg(summary->failed - cancelledJobs);
    if (cancelledJobs > 0)
        line += tr(", %1 cancelled (nothing partial was left under a final name)").arg(cancelledJobs);
    status_->setText(line + QLatin1Char('.') + summaryNote);
    openFolder_->setEnabled(true);
    emit batchFinished(summary->failed == 0);
}

} // namespace lathe::ui
