#include "RenderDialog.h"

#include "RenderResultsTable.h"

#include "core/Error.h"
#include "core/model/DeliverableSpec.h"
#include "core/model/SessionSource.h"
#include "core/render/Renderer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>

namespace lathe::ui {

namespace {

QString fileName(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).fileName();
}

QString db(double value, const char* unit) {
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(unit));
}

} // namespace

QString RenderDialog::defaultOutputFolder(const core::Session& session) {
    if (!session.output.folder.empty()) return QString::fromStdString(session.output.folder);
    if (session.folder.empty()) return QDir::home().filePath(QStringLiteral("Lathe masters"));
    // Beside the client folder, never inside it: the client's delivery stays exactly as sent.
    const QFileInfo folder(QDir::cleanPath(QString::fromStdString(session.folder)));
    return folder.absoluteDir().filePath(folder.fileName() + QStringLiteral(" masters"));
}

RenderDialog::RenderDialog(const core::Session& session, QWidget* parent)
    : QDialog(parent), session_(session), lastPercent_(std::make_shared<std::atomic<int>>(-1)) {
    setWindowTitle(tr("Render"));
    setMinimumWidth(560);

    mode_ = new QComboBox(this);
    mode_->addItem(tr("Stereo master (from the mix)"), QStringLiteral("stereo"));
    mode_->addItem(tr("Stem master (from the stems)"), QStringLiteral("stem"));
    mode_->addItem(tr("Both"), QStringLiteral("both"));
    setMode(QString::fromStdString(session.output.mode));

    target_ = new QDoubleSpinBox(this);
    target_->setRange(-40.0, -5.0);
    target_->setDecimals(1);
    target_->setSingleStep(0.5);
    target_->setSuffix(QStringLiteral(" LUFS"));
    target_->setValue(session.loudness.target_lufs);

    ceiling_ = new QDoubleSpinBox(this);
    ceiling_->setRange(-6.0, 0.0);
    ceiling_->setDecimals(1);
    ceiling_->setSingleStep(0.1);
    ceiling_->setSuffix(QStringLiteral(" dBTP"));
    ceiling_->setValue(session.master.limiter.ceiling_dbtp);

    rate_ = new QComboBox(this);
    rate_->addItem(tr("Session rate (%1 Hz)").arg(session.sample_rate), 0);
    for (int rate : {44100, 48000, 88200, 96000})
        rate_->addItem(QStringLiteral("%1 Hz").arg(rate), rate);
    setOutputSampleRate(session.output.sample_rate);

    bitDepth_ = new QComboBox(this);
    bitDepth_->setObjectName(QStringLiteral("bitDepth"));
    bitDepth_->addItem(tr("16-bit PCM"), 16);
    bitDepth_->addItem(tr("24-bit PCM"), 24);
    bitDepth_->addItem(tr("32-bit float"), 32);
    setBitDepth(session.output.bit_depth);
    dither_ = new QCheckBox(tr("Dither (TPDF) when reducing to 16 or 24 bits"), this);
    dither_->setObjectName(QStringLiteral("dither"));
    dither_->setChecked(session.output.dither);
    // A float master keeps every bit: there is nothing to dither.
    connect(bitDepth_, &QComboBox::currentIndexChanged, this,
            [this] { dither_->setEnabled(bitDepth_->currentData().toInt() != 32 && render_->isEnabled()); });

    mp3_ = new QCheckBox(tr("Also write a %1 kbps MP3 of each master").arg(session.output.mp3_bitrate_kbps),
                         this);
    mp3_->setChecked(session.output.mp3);

    // The deliverable set: the session's own (today's 24-bit WAV + MP3 when it names none) or a preset. A
    // preset names its files, so the MP3 switch has no say then.
    preset_ = new QComboBox(this);
    QStringList own;
    for (const auto& spec : session.output.deliverables)
        own << QString::fromStdString(core::deliverableSpecText(spec));
    preset_->addItem(own.isEmpty() ? tr("WAV at the output rate + MP3 (the session's)")
                                   : tr("The session's: %1").arg(own.join(QStringLiteral(", "))),
                     QString());
    preset_->addItem(tr("Streaming: 24/48 WAV, AAC 256, Opus 160, MP3 320"), QStringLiteral("streaming"));
    preset_->addItem(tr("CD: 16/44.1 WAV + FLAC, dithered once"), QStringLiteral("cd"));
    preset_->addItem(tr("Hi-res: 24/96 WAV + FLAC, 24/48 WAV"), QStringLiteral("hi-res"));
    preset_->addItem(tr("References: MP3 320, AAC 256"), QStringLiteral("references"));
    connect(preset_, &QComboBox::currentIndexChanged, this,
            [this] { mp3_->setEnabled(preset_->currentData().toString().isEmpty() && !isRendering()); });

    folder_ = new QLineEdit(defaultOutputFolder(session), this);
    browse_ = new QPushButton(tr("Choose\u2026"), this);
    connect(browse_, &QPushButton::clicked, this, &RenderDialog::chooseOutputFolder);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse_);

    auto* form = new QFormLayout;
    form->addRow(tr("Render"), mode_);
    form->addRow(tr("Target loudness"), target_);
    form->addRow(tr("True-peak ceiling"), ceiling_);
    form->addRow(tr("Sample rate"), rate_);
    form->addRow(tr("Word length"), bitDepth_);
    form->addRow(QString(), dither_);
    form->addRow(tr("Deliverables"), preset_);
    form->addRow(QString(), mp3_);
    form->addRow(tr("Output folder"), folderRow);

    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    progress_->setValue(0);
    status_ = new QLabel(tr("Ready."), this);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    results_ = new RenderResultsTable(this);
    results_->hide(); // until a render has results
    reportView_ = new QTextBrowser(this);
    reportView_->setMinimumHeight(180);
    reportView_->setPlaceholderText(tr("The loudness report appears here when the render is done."));

    render_ = new QPushButton(tr("Render"), this);
    render_->setDefault(true);
    cancel_ = new QPushButton(tr("Cancel render"), this);
    cancel_->setEnabled(false);
    openFolder_ = new QPushButton(tr("Open output folder"), this);
    openFolder_->setEnabled(false);
    close_ = new QPushButton(tr("Close"), this);
    connect(render_, &QPushButton::clicked, this, &RenderDialog::startRender);
    connect(cancel_, &QPushButton::clicked, this, &RenderDialog::cancelRender);
    connect(openFolder_, &QPushButton::clicked, this, &RenderDialog::openOutputFolder);
    connect(close_, &QPushButton::clicked, this, &QDialog::reject);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(openFolder_);
    buttons->addStretch(1);
    buttons->addWidget(cancel_);
    buttons->addWidget(render_);
    buttons->addWidget(close_);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addSpacing(6);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addWidget(results_);
    layout->addWidget(reportView_, 1);
    layout->addLayout(buttons);
    dither_->setEnabled(bitDepth_->currentData().toInt() != 32);
}

RenderDialog::~RenderDialog() {
    cancelFlag_ = true;
    if (worker_.joinable()) worker_.join();
}

core::Session RenderDialog::configuredSession() const {
    core::Session s = session_;
    s.output.mode = mode_->currentData().toString().toStdString();
    s.loudness.target_lufs = target_->value();
    s.master.limiter.ceiling_dbtp = ceiling_->value();
    s.output.sample_rate = rate_->currentData().toInt();
    s.output.mp3 = mp3_->isChecked();
    if (const auto preset = core::deliverablePreset(preset_->currentData().toString().toStdString()))
        s.output.deliverables = *preset;
    s.output.bit_depth = bitDepth_->currentData().toInt();
    s.output.dither = dither_->isChecked();
    s.output.folder = outputFolder().toStdString();
    return s;
}

void RenderDialog::setOutputFolder(const QString& folder) {
    folder_->setText(folder);
}
QString RenderDialog::outputFolder() const {
    return folder_->text().trimmed();
}
void RenderDialog::setMode(const QString& mode) {
    const int index = mode_->findData(mode);
    if (index >= 0) mode_->setCurrentIndex(index);
}
void RenderDialog::setTargetLufs(double lufs) {
    target_->setValue(lufs);
}
void RenderDialog::setCeilingDbtp(double dbtp) {
    ceiling_->setValue(dbtp);
}
void RenderDialog::setOutputSampleRate(int rate) {
    const int index = rate_->findData(rate);
    rate_->setCurrentIndex(index >= 0 ? index : 0);
}
void RenderDialog::setMp3(bool on) {
    mp3_->setChecked(on);
}
void RenderDialog::setPreset(const QString& name) {
    const int index = preset_->findData(name);
    preset_->setCurrentIndex(index >= 0 ? index : 0);
}
void RenderDialog::setBitDepth(int bits) {
    const int index = bitDepth_->findData(bits);
    if (index >= 0) bitDepth_->setCurrentIndex(index);
}
void RenderDialog::setDither(bool on) {
    dither_->setChecked(on);
}

QStringList RenderDialog::existingOutputs() const {
    QStringList existing;
    const QString folder = outputFolder();
    if (folder.isEmpty()) return existing;
    try {
        const core::WritePlan plan = core::renderWritePlan(configuredSession(), folder.toStdString());
        for (const std::string& out : plan.outputs)
            if (QFileInfo::exists(QString::fromStdString(out))) existing << fileName(out);
    } catch (const std::exception&) {
        // A song that cannot name its files: startRender says why.
    }
    return existing;
}

bool RenderDialog::confirmOverwrite(const QStringList& existing) {
    if (overwriteQuestion_) return overwriteQuestion_(existing);
    QString list;
    for (const QString& name : existing)
        list += QStringLiteral("\n  ") + name;
    return QMessageBox::question(this, tr("Replace masters?"),
                                 tr("%1 already holds:%2\n\nReplace them with this render?")
                                     .arg(QDir::toNativeSeparators(outputFolder()), list),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
}

int RenderDialog::progressValue() const {
    return progress_->value();
}

QString RenderDialog::statusText() const {
    return status_->text();
}

QString RenderDialog::reportText() const {
    const QString table = results_->plainText();
    return table.isEmpty() ? reportView_->toPlainText()
                           : table + QLatin1Char('\n') + reportView_->toPlainText();
}

void RenderDialog::chooseOutputFolder() {
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Output folder"), outputFolder(),
                                                             QFileDialog::ShowDirsOnly);
    if (!chosen.isEmpty()) folder_->setText(chosen);
}

void RenderDialog::setEditing(bool enabled) {
    for (QWidget* w : std::initializer_list<QWidget*>{mode_, target_, ceiling_, rate_, bitDepth_, preset_,
                                                      mp3_, folder_, browse_, render_, close_})
        w->setEnabled(enabled);
    dither_->setEnabled(enabled && bitDepth_->currentData().toInt() != 32);
    cancel_->setEnabled(!enabled);
}

void RenderDialog::startRender() {
    if (worker_.joinable() && !finishedHandled_) return;
    if (worker_.joinable()) worker_.join();

    report_.reset();
    error_.clear();
    cancelled_ = false;
    reportView_->clear();
    results_->clearResults();
    results_->hide();
    openFolder_->setEnabled(false);
    progress_->setValue(0);

    const core::Session session = configuredSession();
    const QString folder = outputFolder();
    if (folder.isEmpty()) {
        error_ = tr("Choose an output folder first.");
        status_->setText(error_);
        emit finished(false);
        return;
    }
    try {
        core::checkWritePlan(core::renderWritePlan(session, folder.toStdString()));
    } catch (const std::exception& e) {
        error_ = QString::fromStdString(e.what());
        status_->setText(error_);
        emit finished(false);
        return;
    }
    if (const QStringList existing = existingOutputs(); !existing.isEmpty() && !confirmOverwrite(existing)) {
        cancelled_ = true;
        status_->setText(
            tr("Not rendered: the masters in %1 were kept.").arg(QDir::toNativeSeparators(folder)));
        emit finished(false);
        return;
    }
    emit renderStarted(session);

    cancelFlag_ = false;
    lastPercent_->store(-1);
    finishedHandled_ = false;
    setEditing(false);
    status_->setText(tr("Rendering into %1\u2026").arg(QDir::toNativeSeparators(folder)));

    // Progress arrives on render threads; only whole-percent changes are queued to the GUI thread so a fast
    // render does not flood the event loop. The destructor joins the worker, so `this` outlives every post.
    auto lastPercent = lastPercent_;
    core::RenderControl control;
    control.cancel = &cancelFlag_;
    control.progress = [this, lastPercent](double fraction) {
        const int percent = std::clamp(int(std::floor(fraction * 100.0)), 0, 100);
        if (lastPercent->exchange(percent) == percent) return;
        QMetaObject::invokeMethod(
            this, [this, percent] { progress_->setValue(std::max(progress_->value(), percent)); },
            Qt::QueuedConnection);
    };
    const std::string outDir = folder.toStdString();
    worker_ = std::thread([this, session, outDir, control] {
        std::shared_ptr<core::RenderReport> report;
        QString error;
        bool cancelled = false;
        try {
            report = std::make_shared<core::RenderReport>(core::renderSession(session, outDir, control));
        } catch (const core::RenderCancelled&) {
            cancelled = true;
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        } catch (...) {
            error = QStringLiteral("%1: the render failed for an unknown reason")
                        .arg(QString::fromStdString(outDir));
        }
        QMetaObject::invokeMethod(
            this, [this, report, error, cancelled] { onRenderDone(report, error, cancelled); },
            Qt::QueuedConnection);
    });
}

void RenderDialog::cancelRender() {
    if (worker_.joinable() && !finishedHandled_) {
        cancelFlag_ = true;
        cancel_->setEnabled(false);
        status_->setText(tr("Cancelling\u2026"));
    }
}

void RenderDialog::onRenderDone(std::shared_ptr<core::RenderReport> report, QString error, bool cancelled) {
    if (worker_.joinable()) worker_.join();
    finishedHandled_ = true;
    setEditing(true);
    cancelled_ = cancelled;
    const bool ok = report != nullptr;
    if (ok) {
        progress_->setValue(100);
        report_ = *report;
        results_->setReport(*report);
        results_->show();
        reportView_->setHtml(formatReport(*report));
        const int masters = int(report->deliverables.size());
        status_->setText((masters == 1 ? tr("Done: 1 master in %1.") : tr("Done: %2 masters in %1."))
                             .arg(QDir::toNativeSeparators(outputFolder()))
                             .arg(masters));
        openFolder_->setEnabled(true);
    } else if (cancelled) {
        progress_->setValue(0);
        status_->setText(tr("Render cancelled. No files were left under final names."));
    } else {
        error_ = error;
        status_->setText(QStringLiteral("<span style='color:#ff6b6b'>%1</span>").arg(error.toHtmlEscaped()));
    }
    emit finished(ok);
}

void RenderDialog::reject() {
    if (isRendering()) {
        cancelRender();
        return;
    }
    QDialog::reject();
}

void RenderDialog::openOutputFolder() {
    QDesktopServices::openUrl(QUrl::fromLocalFile(outputFolder()));
}

QString RenderDialog::formatReport(const core::RenderReport& report) {
    QString html;
    html += QStringLiteral("<p><b>%1</b> &nbsp; target %2 LUFS, ceiling %3 dBTP, %4 Hz</p>")
                .arg(QString::fromStdString(report.song).toHtmlEscaped())
                .arg(report.targetLufs, 0, 'f', 1)
                .arg(report.ceilingDbtp, 0, 'f', 1)
                .arg(report.outputSampleRate);
    // The masters' figures are in the results table above (RenderResultsTable).
    const QString bad = QStringLiteral("#ff6b6b");
    // The rest of each set: every file with its spec and, for lossy ones, the decoded true peak; a line per
    // file, never wrapped inside a name.
    QStringList lines;
    for (const auto& d : report.deliverables)
        for (const auto& f : d.files) {
            if (f.path == d.wavPath) continue;
            QString line =
                QStringLiteral("%1 &nbsp; %2 Hz").arg(fileName(f.path).toHtmlEscaped()).arg(f.sampleRate);
            if (f.decodedTruePeakDbtp) {
                const QString tp = db(*f.decodedTruePeakDbtp, "dBTP");
                line += QStringLiteral(" &nbsp; decoded TP %1")
                            .arg(f.decodedExceedsCeiling
                                     ? QStringLiteral("<span style='color:%1'>%2</span>").arg(bad, tp)
                                     : tp);
            } else {
                line += QStringLiteral(" &nbsp; %1 &nbsp; TP %2")
                            .arg(db(f.integratedLufs, "LUFS"), db(f.truePeakDbtp, "dBTP"));
            }
            lines << line;
        }
    if (!lines.isEmpty())
        html +=
            QStringLiteral("<p style='white-space:nowrap'>%1</p>").arg(lines.join(QStringLiteral("<br>")));
    if (!report.deliverables.empty() && !report.deliverables.front().streaming.empty()) {
        html += QStringLiteral(
                    "<p><b>Streaming normalization</b> (%1)</p><table cellspacing='0' cellpadding='2'>")
                    .arg(QString::fromStdString(report.deliverables.front().kind));
        for (const auto& p : report.deliverables.front().streaming)
            html +=
                QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>TP %3</td></tr>")
                    .arg(QString::fromStdString(p.platform).toHtmlEscaped(), db(p.gainDb, "dB"),
                         db(p.resultingTruePeakDbtp, "dBTP"));
        html += QStringLiteral("</table>");
    }
    for (const auto& n : report.notes)
        html += QStringLiteral("<p>%1</p>").arg(QString::fromStdString(n).toHtmlEscaped());
    if (!report.warnings.empty()) {
        html += QStringLiteral("<p><b>Warnings</b></p><ul>");
        for (const auto& w : report.warnings)
            html += QStringLiteral("<li>%1</li>").arg(QString::fromStdString(w).toHtmlEscaped());
        html += QStringLiteral("</ul>");
    }
    return html;
}

} // namespace lathe::ui
