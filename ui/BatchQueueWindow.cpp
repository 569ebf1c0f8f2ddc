#include "BatchQueueWindow.h"

#include "core/io/AtomicFile.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMetaObject>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTextBrowser>
#include <QThread>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <thread>

namespace lathe::ui {

namespace {

enum RowState { Queued = 0, Rendering = 1, Done = 2 };

bool isSessionFile(const QString& path) {
    return path.endsWith(QStringLiteral(".lathe"), Qt::CaseInsensitive);
}

QString figures(const core::RenderReport& report, double core::DeliverableReport::*field) {
    QStringList parts;
    for (const auto& d : report.deliverables)
        parts << QString::number(d.*field, 'f', 1);
    return parts.join(QStringLiteral(" / "));
}

QString kindLabel(const std::string& kind) {
    return kind == "stem_master" ? QObject::tr("stem") : QObject::tr("stereo");
}

const char* kOutputKey = "batch/lastOutput";
const char* kJobsKey = "batch/jobs";

} // namespace

BatchQueueWindow::BatchQueueWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
    setWindowTitle(tr("Batch queue — Lathe"));
    setAcceptDrops(true);
    resize(980, 640);

    table_ = new QTableWidget(0, ColumnCount, this);
    table_->setHorizontalHeaderLabels(
        {tr("Song"), tr("Status"), tr("Progress"), tr("LUFS"), tr("TP dBTP"), tr("LRA LU"), tr("Note")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);
    auto* header = table_->horizontalHeader();
    header->setSectionResizeMode(SongColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(StatusColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ProgressColumn, QHeaderView::Fixed);
    header->setSectionResizeMode(LoudnessColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(PeakColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(RangeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(NoteColumn, QHeaderView::Stretch);
    table_->setColumnWidth(SongColumn, 220);
    table_->setColumnWidth(ProgressColumn, 130);
    table_->setToolTip(tr("Drop client folders or .lathe sessions here"));

    addFolders_ = new QPushButton(tr("Add folder\u2026"), this);
    addParent_ = new QPushButton(tr("Add all folders in\u2026"), this);
    addParent_->setToolTip(tr("Adds every folder inside the one you pick: a day of client folders at once"));
    addSessions_ = new QPushButton(tr("Add sessions\u2026"), this);
    remove_ = new QPushButton(tr("Remove"), this);
    clear_ = new QPushButton(tr("Clear"), this);
    connect(addFolders_, &QPushButton::clicked, this, &BatchQueueWindow::chooseFolders);
    connect(addParent_, &QPushButton::clicked, this, &BatchQueueWindow::chooseParentFolder);
    connect(addSessions_, &QPushButton::clicked, this, &BatchQueueWindow::chooseSessions);
    connect(remove_, &QPushButton::clicked, this, &BatchQueueWindow::removeSelected);
    connect(clear_, &QPushButton::clicked, this, &BatchQueueWindow::clearInputs);
    connect(table_, &QTableWidget::itemSelectionChanged, this, &BatchQueueWindow::updateButtons);
    auto* queueButtons = new QHBoxLayout;
    queueButtons->addWidget(addFolders_);
    queueButtons->addWidget(addParent_);
    queueButtons->addWidget(addSessions_);
    queueButtons->addStretch(1);
    queueButtons->addWidget(remove_);
    queueButtons->addWidget(clear_);

    mode_ = new QComboBox(this);
    mode_->addItem(tr("As each session says"), QString());
    mode_->addItem(tr("Stereo masters (from the mix)"), QStringLiteral("stereo"));
    mode_->addItem(tr("Stem masters (from the stems)"), QStringLiteral("stem"));
    mode_->addItem(tr("Both"), QStringLiteral("both"));
    targetOn_ = new QCheckBox(tr("Set for all"), this);
    target_ = new QDoubleSpinBox(this);
    target_->setRange(-40.0, 0.0);
    target_->setDecimals(1);
    target_->setSingleStep(0.5);
    target_->setSuffix(tr(" LUFS"));
    target_->setValue(-14.0);
    target_->setEnabled(false);
    ceilingOn_ = new QCheckBox(tr("Set for all"), this);
    ceiling_ = new QDoubleSpinBox(this);
    ceiling_->setRange(-20.0, 0.0);
    ceiling_->setDecimals(1);
    ceiling_->setSingleStep(0.1);
    ceiling_->setSuffix(tr(" dBTP"));
    ceiling_->setValue(-1.0);
    ceiling_->setEnabled(false);
    connect(targetOn_, &QCheckBox::toggled, target_, &QWidget::setEnabled);
    connect(ceilingOn_, &QCheckBox::toggled, ceiling_, &QWidget::setEnabled);
    const QString ownValue =
        tr("Unticked: each song keeps its session's value (a folder: -14 LUFS, -1 dBTP)");
    targetOn_->setToolTip(ownValue);
    ceilingOn_->setToolTip(ownValue);
    rate_ = new QComboBox(this);
    rate_->addItem(tr("Each session's rate"), 0);
    for (int rate : {44100, 48000, 88200, 96000})
        rate_->addItem(QStringLiteral("%1 Hz").arg(rate), rate);
    mp3_ = new QCheckBox(tr("MP3 references"), this);
    mp3_->setChecked(true);
    mp3_->setToolTip(tr("Off: WAV masters only. On: an MP3 of each master where the session asks for one"));
    parallel_ = new QSpinBox(this);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    parallel_->setRange(1, std::max(8, cores * 2));
    parallel_->setMinimumWidth(70);
    parallel_->setValue(std::clamp(QSettings().value(kJobsKey, cores).toInt(), 1, parallel_->maximum()));
    parallel_->setToolTip(
        tr("Songs rendered at the same time (this machine has %n core(s))", nullptr, cores));
    resume_ = new QCheckBox(tr("Skip songs already rendered (verified)"), this);
    resume_->setToolTip(tr("A song whose masters are complete and valid for the same settings is not "
                           "rendered again (as lathe-cli batch --resume)"));
    folder_ = new QLineEdit(QSettings().value(kOutputKey).toString(), this);
    folder_->setPlaceholderText(tr("Each song goes to <output folder>/<song>/"));
    browse_ = new QPushButton(tr("Choose\u2026"), this);
    connect(browse_, &QPushButton::clicked, this, &BatchQueueWindow::chooseOutputFolder);

    // Two columns of options; the boxes keep their natural width (a job count stretched across half the
    // window reads as a progress bar), the trailing column takes the slack.
    auto* options = new QGridLayout;
    options->addWidget(new QLabel(tr("Render"), this), 0, 0);
    options->addWidget(mode_, 0, 1, 1, 2);
    options->addWidget(new QLabel(tr("Sample rate"), this), 0, 3);
    options->addWidget(rate_, 0, 4);
    options->addWidget(new QLabel(tr("Target loudness"), this), 1, 0);
    options->addWidget(target_, 1, 1);
    options->addWidget(targetOn_, 1, 2);
    options->addWidget(new QLabel(tr("Parallel jobs"), this), 1, 3);
    options->addWidget(parallel_, 1, 4, Qt::AlignLeft);
    options->addWidget(new QLabel(tr("True-peak ceiling"), this), 2, 0);
    options->addWidget(ceiling_, 2, 1);
    options->addWidget(ceilingOn_, 2, 2);
    options->addWidget(mp3_, 2, 3, 1, 2);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse_);
    options->addWidget(new QLabel(tr("Output folder"), this), 3, 0);
    options->addLayout(folderRow, 3, 1, 1, 5);
    options->addWidget(resume_, 4, 1, 1, 5);
    options->setColumnStretch(5, 1);
    options->setColumnMinimumWidth(2, 110);
    options->setHorizontalSpacing(10);

    overall_ = new QProgressBar(this);
    overall_->setRange(0, 100);
    overall_->setValue(0);
    overall_->setFormat(tr("Batch %p %"));
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summaryView_ = new QTextBrowser(this);
    summaryView_->setPlaceholderText(
        tr("When the batch is done, every master's loudness, true peak and LRA are listed here."));
    summaryView_->setMinimumHeight(120);

    start_ = new QPushButton(tr("Start batch"), this);
    start_->setDefault(true);
    cancel_ = new QPushButton(tr("Cancel batch"), this);
    cancel_->setEnabled(false);
    openFolder_ = new QPushButton(tr("Open output folder"), this);
    openFolder_->setEnabled(false);
    connect(start_, &QPushButton::clicked, this, &BatchQueueWindow::start);
    connect(cancel_, &QPushButton::clicked, this, &BatchQueueWindow::cancel);
    connect(openFolder_, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(outputFolder())); });
    auto* runButtons = new QHBoxLayout;
    runButtons->addWidget(openFolder_);
    runButtons->addStretch(1);
    runButtons->addWidget(cancel_);
    runButtons->addWidget(start_);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(queueButtons);
    layout->addWidget(table_, 3);
    layout->addLayout(options);
    layout->addWidget(overall_);
    layout->addWidget(status_);
    layout->addWidget(summaryView_, 2);
    layout->addLayout(runButtons);

    rebuildQueueRows();
}

BatchQueueWindow::~BatchQueueWindow() {
    cancelFlag_ = true;
    if (worker_) {
        worker_->wait();
        delete worker_;
        worker_ = nullptr;
    }
}

void BatchQueueWindow::addInputs(const QStringList& paths) {
    if (running_) return;
    QStringList refused;
    for (const QString& path : paths) {
        const QFileInfo info(path);
        if (!info.exists() || !(info.isDir() || (info.isFile() && isSessionFile(path)))) {
            refused << QDir::toNativeSeparators(path);
            continue;
        }
        const QString absolute = QDir::cleanPath(info.absoluteFilePath());
        if (!inputs_.contains(absolute)) inputs_ << absolute;
    }
    // The order the batch runs in (core::planBatch sorts by path), so the rows do not jump at start.
    std::sort(inputs_.begin(), inputs_.end(),
              [](const QString& a, const QString& b) { return a.toStdString() < b.toStdString(); });
    jobs_.clear();
    rebuildQueueRows();
    if (!refused.isEmpty())
        status_->setText(
            tr("Not a client folder or a .lathe session: %1").arg(refused.join(QStringLiteral(", "))));
}

void BatchQueueWindow::addFoldersInside(const QString& parent) {
    QStringList folders;
    const QDir dir(parent);
    for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        folders << dir.filePath(name);
    if (folders.isEmpty()) {
        status_->setText(tr("%1 holds no folders").arg(QDir::toNativeSeparators(parent)));
        return;
    }
    addInputs(folders);
}

void BatchQueueWindow::clearInputs() {
    if (running_) return;
    inputs_.clear();
    jobs_.clear();
    rebuildQueueRows();
}

void BatchQueueWindow::removeSelected() {
    if (running_) return;
    QStringList keep;
    QList<int> rows;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows())
        rows << index.row();
    for (int row = 0; row < inputs_.size(); ++row)
        if (!rows.contains(row)) keep << inputs_[row];
    inputs_ = keep;
    jobs_.clear();
    rebuildQueueRows();
}

void BatchQueueWindow::rebuildQueueRows() {
    table_->clearContents();
    rowState_.clear();
    if (!jobs_.empty()) {
        table_->setRowCount(static_cast<int>(jobs_.size()));
        for (int row = 0; row < table_->rowCount(); ++row)
            setRow(row, QString::fromStdString(jobs_[size_t(row)].name),
                   QString::fromStdString(jobs_[size_t(row)].input));
    } else {
        table_->setRowCount(static_cast<int>(inputs_.size()));
        for (int row = 0; row < inputs_.size(); ++row)
            setRow(row, QFileInfo(inputs_[row]).completeBaseName(), inputs_[row]);
    }
    rowState_.assign(size_t(table_->rowCount()), Queued);
    table_->setCurrentCell(-1, -1);
    if (!running_)
        status_->setText(inputs_.isEmpty() ? tr("Add client folders or .lathe sessions (or drop them here).")
                                           : tr("%n song(s) in the queue.", nullptr, int(inputs_.size())));
    updateButtons();
}

void BatchQueueWindow::setRow(int row, const QString& song, const QString& input) {
    auto* name = new QTableWidgetItem(song);
    name->setToolTip(QDir::toNativeSeparators(input));
    name->setData(Qt::UserRole, input);
    table_->setItem(row, SongColumn, name);
    for (int c : {StatusColumn, LoudnessColumn, PeakColumn, RangeColumn, NoteColumn})
        table_->setItem(row, c, new QTableWidgetItem);
    for (int c : {LoudnessColumn, PeakColumn, RangeColumn})
        table_->item(row, c)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto* bar = new QProgressBar;
    bar->setRange(0, 100);
    bar->setValue(0);
    bar->setTextVisible(true);
    table_->setCellWidget(row, ProgressColumn, bar);
    setRowStatus(row, tr("queued"));
}

void BatchQueueWindow::setRowStatus(int row, const QString& status) {
    QTableWidgetItem* item = table_->item(row, StatusColumn);
    item->setText(status);
    QColor colour = palette().color(QPalette::WindowText);
    if (status == QLatin1String("ok")) colour = QColor(0x7c, 0xd9, 0x6b);
    if (status == QLatin1String("failed")) colour = QColor(0xff, 0x6b, 0x6b);
    if (status == QLatin1String("cancelled") || status == QLatin1String("queued"))
        colour = QColor(0x8f, 0x95, 0x9e);
    if (status == QLatin1String("rendering")) colour = palette().color(QPalette::Highlight).lighter(130);
    item->setForeground(colour);
}

void BatchQueueWindow::updateButtons() {
    const bool idle = !running_;
    remove_->setEnabled(idle && !table_->selectionModel()->selectedRows().isEmpty());
    clear_->setEnabled(idle && !inputs_.isEmpty());
    start_->setEnabled(idle && !inputs_.isEmpty());
}

void BatchQueueWindow::setOutputFolder(const QString& folder) {
    folder_->setText(folder);
}
QString BatchQueueWindow::outputFolder() const {
    return folder_->text().trimmed();
}
void BatchQueueWindow::setMode(const QString& mode) {
    mode_->setCurrentIndex(std::max(0, mode_->findData(mode)));
}
void BatchQueueWindow::setTargetLufs(std::optional<double> lufs) {
    targetOn_->setChecked(lufs.has_value());
    if (lufs) target_->setValue(*lufs);
}
void BatchQueueWindow::setCeilingDbtp(std::optional<double> dbtp) {
    ceilingOn_->setChecked(dbtp.has_value());
    if (dbtp) ceiling_->setValue(*dbtp);
}
void BatchQueueWindow::setOutputSampleRate(int rate) {
    rate_->setCurrentIndex(std::max(0, rate_->findData(rate)));
}
void BatchQueueWindow::setMp3(bool on) {
    mp3_->setChecked(on);
}
void BatchQueueWindow::setParallelJobs(int jobs) {
    parallel_->setValue(jobs);
}
void BatchQueueWindow::setResume(bool on) {
    resume_->setChecked(on);
}

core::BatchOptions BatchQueueWindow::options() const {
    core::BatchOptions o;
    const QString mode = mode_->currentData().toString();
    if (!mode.isEmpty()) o.render.mode = mode.toStdString();
    if (targetOn_->isChecked()) o.render.targetLufs = target_->value();
    if (ceilingOn_->isChecked()) o.render.ceilingDbtp = ceiling_->value();
    if (const int rate = rate_->currentData().toInt(); rate > 0) o.render.sampleRate = rate;
    o.render.noMp3 = !mp3_->isChecked();
    o.parallelJobs = parallel_->value();
    o.resume = resume_->isChecked();
    return o;
}

int BatchQueueWindow::overallPercent() const {
    return overall_->value();
}

QString BatchQueueWindow::rowStatus(int row) const {
    const QTableWidgetItem* item = table_->item(row, StatusColumn);
    return item ? item->text() : QString();
}

int BatchQueueWindow::rowPercent(int row) const {
    const auto* bar = qobject_cast<QProgressBar*>(table_->cellWidget(row, ProgressColumn));
    if (!bar || bar->maximum() == 0) return -1;
    return bar->value();
}

QString BatchQueueWindow::rowInput(int row) const {
    const QTableWidgetItem* item = table_->item(row, SongColumn);
    return item ? item->data(Qt::UserRole).toString() : QString();
}

QString BatchQueueWindow::summaryText() const {
    return summaryView_->toPlainText();
}

QString BatchQueueWindow::statusText() const {
    return status_->text();
}

void BatchQueueWindow::setEditing(bool enabled) {
    for (QWidget* w : std::initializer_list<QWidget*>{addFolders_, addParent_, addSessions_, mode_, targetOn_,
                                                      rate_, mp3_, parallel_, resume_, folder_, browse_})
        w->setEnabled(enabled);
    target_->setEnabled(enabled && targetOn_->isChecked());
    ceilingOn_->setEnabled(enabled);
    ceiling_->setEnabled(enabled && ceilingOn_->isChecked());
    cancel_->setEnabled(!enabled);
    updateButtons();
}

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
    status_->setText(tr("Rendering %n song(s) into %1\u2026", nullptr, int(jobs_.size()))
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

    QString html =
        QStringLiteral("<table cellspacing='0' cellpadding='5'><tr><th align='left'>Song</th>"
                       "<th align='left'>Master</th><th align='right'>LUFS</th><th align='right'>TP dBTP</th>"
                       "<th align='right'>LRA LU</th><th align='left'>Status</th></tr>");
    const QString bad = QStringLiteral("#ff6b6b");
    int cancelledJobs = 0;
    for (const auto& r : summary->jobs) {
        const QString song = QString::fromStdString(r.song).toHtmlEscaped();
        if (r.status == core::BatchJobStatus::Failed) {
            const bool wasCancelled = r.error == "cancelled";
            cancelledJobs += wasCancelled;
            html += QStringLiteral("<tr><td>%1</td><td>\u2013</td><td></td><td></td><td></td>"
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
            html +=
                QStringLiteral("<tr><td>%1</td><td>%2</td><td align='right'>%3</td><td align='right'>%4</td>"
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
        line += tr(", %n cancelled (nothing partial was left under a final name)", nullptr, cancelledJobs);
    status_->setText(line + QLatin1Char('.') + summaryNote);
    openFolder_->setEnabled(true);
    emit batchFinished(summary->failed == 0);
}

void BatchQueueWindow::chooseFolders() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a client folder"),
                                                          QSettings().value("recent/lastDir").toString());
    if (!dir.isEmpty()) addInputs({dir});
}

void BatchQueueWindow::chooseParentFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add every client folder inside"),
                                                          QSettings().value("recent/lastDir").toString());
    if (!dir.isEmpty()) addFoldersInside(dir);
}

void BatchQueueWindow::chooseSessions() {
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add sessions"),
                                                            QSettings().value("recent/lastDir").toString(),
                                                            tr("Lathe sessions (*.lathe)"));
    if (!files.isEmpty()) addInputs(files);
}

void BatchQueueWindow::chooseOutputFolder() {
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Output folder"), outputFolder());
    if (!chosen.isEmpty()) folder_->setText(chosen);
}

void BatchQueueWindow::dragEnterEvent(QDragEnterEvent* event) {
    for (const QUrl& url : event->mimeData()->urls()) {
        if (!url.isLocalFile()) continue;
        const QFileInfo info(url.toLocalFile());
        if (info.isDir() || isSessionFile(info.filePath())) {
            event->acceptProposedAction();
            return;
        }
    }
}

void BatchQueueWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    if (paths.isEmpty() || running_) return;
    event->acceptProposedAction();
    addInputs(paths);
}

void BatchQueueWindow::closeEvent(QCloseEvent* event) {
    // Closing only hides the queue: a running batch goes on (File ▸ Batch Queue brings it back).
    event->accept();
}

} // namespace lathe::ui
