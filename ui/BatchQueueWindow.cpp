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

bool isSessionFile(const QString& path) {
    return path.endsWith(QStringLiteral(".lathe"), Qt::CaseInsensitive);
}

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
    parallel_->setValue(
        std::clamp(QSettings().value(BatchQueueWindow::kJobsKey, cores).toInt(), 1, parallel_->maximum()));
    parallel_->setToolTip(cores == 1
                              ? tr("Songs rendered at the same time (this machine has 1 core)")
                              : tr("Songs rendered at the same time (this machine has %1 cores)").arg(cores));
    resume_ = new QCheckBox(tr("Skip songs already rendered (verified)"), this);
    resume_->setToolTip(tr("A song whose masters are complete and valid for the same settings is not "
                           "rendered again (as lathe-cli batch --resume)"));
    folder_ = new QLineEdit(QSettings().value(BatchQueueWindow::kOutputKey).toString(), this);
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
        status_->setText(inputs_.isEmpty()
                             ? tr("Add client folders or .lathe sessions (or drop them here).")
                             : (inputs_.size() == 1 ? tr("1 song in the queue.")
                                                    : tr("%1 songs in the queue.").arg(inputs_.size())));
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
