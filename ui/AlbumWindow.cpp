#include "AlbumWindow.h"

#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

namespace {

enum Column { Number, Song, AsMixed, AlbumTarget, Rendered, TruePeak, Columns };

QString lufsText(double lufs) {
    return QStringLiteral("%1 LUFS").arg(lufs, 0, 'f', 1);
}

} // namespace

AlbumWindow::AlbumWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
    setWindowTitle(tr("Album"));
    resize(760, 420);
    table_ = new QTableWidget(0, Columns, this);
    table_->setHorizontalHeaderLabels(
        {tr("#"), tr("Song"), tr("As mixed"), tr("Album target"), tr("Rendered"), tr("True peak")});
    table_->horizontalHeader()->setSectionResizeMode(Song, QHeaderView::Stretch);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);

    add_ = new QPushButton(tr("Add songs\u2026"), this);
    up_ = new QPushButton(tr("Move up"), this);
    down_ = new QPushButton(tr("Move down"), this);
    connect(add_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Song folder"));
        if (!dir.isEmpty()) addSongs({dir});
    });
    connect(up_, &QPushButton::clicked, this, [this] {
        const int row = table_->currentRow();
        if (row > 0) moveSong(row, row - 1);
    });
    connect(down_, &QPushButton::clicked, this, [this] {
        const int row = table_->currentRow();
        if (row >= 0 && row + 1 < songs_.size()) moveSong(row, row + 1);
    });

    title_ = new QLineEdit(tr("Album"), this);
    folder_ = new QLineEdit(this);
    target_ = new QDoubleSpinBox(this);
    target_->setRange(-40.0, -5.0);
    target_->setDecimals(1);
    target_->setSuffix(QStringLiteral(" LUFS"));
    target_->setValue(-14.0);
    connect(target_, &QDoubleSpinBox::valueChanged, this, [this] { refreshTable(); });
    gap_ = new QDoubleSpinBox(this);
    gap_->setRange(0.0, 60.0);
    gap_->setDecimals(1);
    gap_->setSuffix(QStringLiteral(" s"));
    gap_->setValue(2.0);

    measure_ = new QPushButton(tr("Measure loudness"), this);
    render_ = new QPushButton(tr("Render album"), this);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setEnabled(false);
    connect(measure_, &QPushButton::clicked, this, &AlbumWindow::measure);
    connect(render_, &QPushButton::clicked, this, &AlbumWindow::render);
    connect(cancel_, &QPushButton::clicked, this, &AlbumWindow::cancel);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    status_ = new QLabel(tr("Add the songs in album order."), this);
    status_->setWordWrap(true);

    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(add_);
    listButtons->addWidget(up_);
    listButtons->addWidget(down_);
    listButtons->addStretch(1);
    auto* form = new QFormLayout;
    form->addRow(tr("Title"), title_);
    form->addRow(tr("Output folder"), folder_);
    form->addRow(tr("Loudest track"), target_);
    form->addRow(tr("Gap between tracks"), gap_);
    auto* runButtons = new QHBoxLayout;
    runButtons->addStretch(1);
    runButtons->addWidget(measure_);
    runButtons->addWidget(cancel_);
    runButtons->addWidget(render_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(table_, 1);
    layout->addLayout(listButtons);
    layout->addLayout(form);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addLayout(runButtons);
}

AlbumWindow::~AlbumWindow() {
    cancelFlag_ = true;
    if (worker_.joinable()) worker_.join();
}

void AlbumWindow::addSongs(const QStringList& paths) {
    for (const QString& path : paths) {
        const QString absolute = QFileInfo(path).absoluteFilePath();
        if (!songs_.contains(absolute)) songs_ << absolute;
    }
    songLufs_.clear(); // the order and the set changed: measure again
    report_.reset();
    refreshTable();
}

void AlbumWindow::moveSong(int from, int to) {
    if (from < 0 || to < 0 || from >= songs_.size() || to >= songs_.size() || from == to) return;
    songs_.move(from, to);
    if (songLufs_.size() == static_cast<size_t>(songs_.size())) {
        const double moved = songLufs_[static_cast<size_t>(from)];
        songLufs_.erase(songLufs_.begin() + from);
        songLufs_.insert(songLufs_.begin() + to, moved);
    }
    report_.reset();
    refreshTable();
    table_->selectRow(to);
}

void AlbumWindow::setTitle(const QString& title) {
    title_->setText(title);
}
void AlbumWindow::setOutputFolder(const QString& folder) {
    folder_->setText(folder);
}
void AlbumWindow::setTargetLufs(double lufs) {
    target_->setValue(lufs);
}
void AlbumWindow::setGapSeconds(double seconds) {
    gap_->setValue(seconds);
}

QString AlbumWindow::cell(int row, int column) const {
    const QTableWidgetItem* item = table_->item(row, column);
    return item ? item->text() : QString();
}

core::AlbumManifest AlbumWindow::manifest() const {
    core::AlbumManifest m;
    m.title = title_->text().trimmed().toStdString();
    m.gapSeconds = gap_->value();
    for (const QString& song : songs_)
        m.songs.push_back(song.toStdString());
    m.path = folder_->text().toStdString();
    return m;
}

core::RenderOverrides AlbumWindow::overrides() const {
    core::RenderOverrides o;
    o.targetLufs = target_->value();
    return o;
}

void AlbumWindow::refreshTable() {
    table_->setRowCount(static_cast<int>(songs_.size()));
    const bool measured = songLufs_.size() == static_cast<size_t>(songs_.size());
    const std::vector<double> targets =
        measured ? core::albumTrackTargets(songLufs_, target_->value()) : std::vector<double>{};
    for (int row = 0; row < songs_.size(); ++row) {
        const auto set = [&](int column, const QString& text) {
            auto* item = new QTableWidgetItem(text);
            if (column != Song) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, column, item);
        };
        set(Number, QString::number(row + 1));
        set(Song, QFileInfo(songs_[row]).fileName());
        set(AsMixed, measured ? lufsText(songLufs_[static_cast<size_t>(row)]) : QStringLiteral("\u2013"));
        set(AlbumTarget, measured ? lufsText(targets[static_cast<size_t>(row)]) : QStringLiteral("\u2013"));
        QString rendered = QStringLiteral("\u2013"), peak = QStringLiteral("\u2013");
        if (report_ && static_cast<size_t>(row) < report_->tracks.size()) {
            const auto& d = report_->tracks[static_cast<size_t>(row)].report.deliverables.front();
            rendered = lufsText(d.integratedLufs);
            peak = QStringLiteral("%1 dBTP").arg(d.truePeakDbtp, 0, 'f', 1);
        }
        set(Rendered, rendered);
        set(TruePeak, peak);
    }
}

void AlbumWindow::setBusy(bool busy) {
    busy_ = busy;
    for (QWidget* w :
         std::initializer_list<QWidget*>{add_, up_, down_, measure_, render_, title_, folder_, target_, gap_})
        w->setEnabled(!busy);
    cancel_->setEnabled(busy);
}

void AlbumWindow::measure() {
    if (busy_ || songs_.isEmpty()) return;
    if (worker_.joinable()) worker_.join();
    error_.clear();
    cancelFlag_ = false;
    setBusy(true);
    status_->setText(tr("Measuring each song as mixed\u2026"));
    const core::AlbumManifest album = manifest();
    const core::RenderOverrides o = overrides();
    worker_ = std::thread([this, album, o] {
        std::vector<double> lufs;
        QString error;
        try {
            core::RenderControl control;
            control.cancel = &cancelFlag_;
            lufs = core::measureSongLoudness(core::openAlbumSongs(album, o), control);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            this, [this, lufs, error] { finishJob(false, lufs, nullptr, error); }, Qt::QueuedConnection);
    });
}

void AlbumWindow::render() {
    if (busy_ || songs_.isEmpty()) return;
    if (folder_->text().trimmed().isEmpty()) {
        error_ = tr("Choose an output folder first.");
        status_->setText(error_);
        emit rendered(false);
        return;
    }
    if (worker_.joinable()) worker_.join();
    error_.clear();
    cancelFlag_ = false;
    setBusy(true);
    progress_->setValue(0);
    status_->setText(tr("Rendering the album\u2026"));
    const core::AlbumManifest album = manifest();
    const core::RenderOverrides o = overrides();
    const std::string outDir = folder_->text().trimmed().toStdString();
    worker_ = std::thread([this, album, o, outDir] {
        std::shared_ptr<core::AlbumReport> report;
        QString error;
        try {
            core::RenderControl control;
            control.cancel = &cancelFlag_;
            control.progress = [this](double f) {
                const int percent = std::clamp(static_cast<int>(f * 100.0), 0, 100);
                QMetaObject::invokeMethod(
                    this, [this, percent] { progress_->setValue(std::max(progress_->value(), percent)); },
                    Qt::QueuedConnection);
            };
            report = std::make_shared<core::AlbumReport>(core::renderAlbum(album, outDir, o, control));
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        std::vector<double> lufs;
        if (report)
            for (const auto& t : report->tracks)
                lufs.push_back(t.sourceLufs);
        QMetaObject::invokeMethod(
            this, [this, lufs, report, error] { finishJob(true, lufs, report, error); },
            Qt::QueuedConnection);
    });
}

void AlbumWindow::cancel() {
    cancelFlag_ = true;
}

void AlbumWindow::finishJob(bool render, std::vector<double> lufs, std::shared_ptr<core::AlbumReport> report,
                            const QString& error) {
    if (worker_.joinable()) worker_.join();
    setBusy(false);
    error_ = error;
    const bool ok = error.isEmpty() && (!render || report);
    if (ok) {
        songLufs_ = std::move(lufs);
        if (report) report_ = *report;
        progress_->setValue(render ? 100 : progress_->value());
        status_->setText(render ? tr("Album written: %1").arg(QString::fromStdString(report->albumWav))
                                : tr("Measured. The loudest song gets the target; the others keep their "
                                     "distance from it."));
    } else {
        status_->setText(QStringLiteral("<span style='color:#ff6b6b'>%1</span>")
                             .arg((error.isEmpty() ? tr("Cancelled.") : error).toHtmlEscaped()));
    }
    refreshTable();
    if (render)
        emit rendered(ok);
    else
        emit measured(ok);
}

} // namespace lathe::ui
