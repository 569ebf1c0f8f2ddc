#include "MatchPanel.h"

#include "SessionDocument.h"
#include "WaveformOverview.h"

#include "core/analysis/MatchCache.h"
#include "core/analysis/MatchSession.h"
#include "core/model/SessionJson.h"
#include "core/render/MatchReporting.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <memory>

namespace lathe::ui {

using core::Session;

struct MatchPanel::Result {
    bool ok = true;
    QString error;
    core::MatchReport report;
    dsp::MatchCurve curve;
    core::MatchSpectra spectra;
};

namespace {

// What the curve depends on: the files and master.match (a change elsewhere does not recompute it).
uint64_t curveKey(const Session& s) {
    uint64_t key = core::hashText(core::matchReferencePath(s) + "\n" + s.mix);
    key = core::hashCombine(key, core::hashText(core::toJson(s)["master"]["match"].dump()));
    for (const auto& stem : s.stems)
        key = core::hashCombine(key, core::hashText(stem.path));
    return key;
}

} // namespace

MatchPanel::MatchPanel(SessionDocument* document, QWidget* parent) : QWidget(parent), document_(document) {
    SessionDocument* doc = document;
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* top = new QHBoxLayout();
    enabled_ = new QCheckBox(tr("Match to reference"), this);
    enabled_->setObjectName(QStringLiteral("matchOn"));
    reference_ = new QLabel(this);
    reference_->setObjectName(QStringLiteral("matchReference"));
    // A long file name must not widen the master column past the window: it is cut, the tooltip has it whole.
    reference_->setMinimumWidth(40);
    reference_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    chooseReference_ = new QPushButton(tr("Reference…"), this);
    top->addWidget(enabled_);
    top->addStretch(1);
    top->addWidget(chooseReference_);
    layout->addLayout(top);
    // The file's name on its own line, wrapping: in the master column at 1600 px it must not widen the
    // section past its width (everything in it would be cut at the edge).
    reference_->setWordWrap(true);
    layout->addWidget(reference_);

    auto* parts = new QGridLayout();
    tone_ = new QCheckBox(tr("Tone"), this);
    loudness_ = new QCheckBox(tr("Loudness"), this);
    width_ = new QCheckBox(tr("Width"), this);
    dynamics_ = new QCheckBox(tr("Dynamics hint"), this);
    loudness_->setToolTip(tr("The reference's integrated loudness becomes the target (the limiter holds the "
                             "ceiling); takes effect when the session is loaded again"));
    dynamics_->setToolTip(tr("Report the reference's PLR against the master's; never changes the sound"));
    int part = 0;
    for (QCheckBox* b : {tone_, loudness_, width_, dynamics_}) { // two by two: narrow enough for the column
        parts->addWidget(b, part / 2, part % 2);
        ++part;
    }
    parts->setColumnStretch(2, 1);
    layout->addLayout(parts);

    auto* grid = new QGridLayout();
    amount_ = new QSlider(Qt::Horizontal, this);
    amount_->setRange(0, 100);
    amount_->setObjectName(QStringLiteral("matchAmount"));
    amountLabel_ = new QLabel(this);
    maxCorrection_ = new QDoubleSpinBox(this);
    maxCorrection_->setRange(0, 24);
    maxCorrection_->setSuffix(tr(" dB"));
    maxCorrection_->setDecimals(1);
    rangeStart_ = new QDoubleSpinBox(this);
    rangeEnd_ = new QDoubleSpinBox(this);
    for (QDoubleSpinBox* b : {rangeStart_, rangeEnd_}) {
        b->setRange(0, 86400);
        b->setDecimals(1);
        b->setSuffix(tr(" s"));
    }
    rangeEnd_->setSpecialValueText(tr("end"));
    grid->addWidget(new QLabel(tr("Tone amount"), this), 0, 0);
    grid->addWidget(amount_, 0, 1);
    grid->addWidget(amountLabel_, 0, 2);
    grid->addWidget(new QLabel(tr("Max correction"), this), 1, 0);
    grid->addWidget(maxCorrection_, 1, 1, 1, 2);
    grid->addWidget(new QLabel(tr("Reference range"), this), 2, 0);
    auto* range = new QHBoxLayout();
    range->addWidget(rangeStart_);
    range->addWidget(new QLabel(QStringLiteral("–"), this));
    range->addWidget(rangeEnd_);
    grid->addLayout(range, 2, 1, 1, 2);
    layout->addLayout(grid);

    // The reference's overview: a drag picks the range (a chorus), drawn there; the curve itself is drawn
    // over the master EQ.
    overview_ = new WaveformOverview(this);
    overview_->setObjectName(QStringLiteral("matchReferenceOverview"));
    overview_->setDragSelects(WaveformOverview::DragSelects::MatchRange);
    overview_->setMinimumHeight(44);
    overview_->setMaximumHeight(64);
    overview_->setToolTip(tr("The reference: drag across the part to match to (a chorus)"));
    layout->addWidget(overview_);
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("matchSummary"));
    summary_->setWordWrap(true);
    layout->addWidget(summary_);

    bindFlag(
        doc, enabled_, [](Session& s) -> bool& { return s.master.match.enabled; }, tr("Match on/off"));
    bindFlag(
        doc, tone_, [](Session& s) -> bool& { return s.master.match.tone; }, tr("Match tone"));
    bindFlag(
        doc, loudness_, [](Session& s) -> bool& { return s.master.match.loudness; }, tr("Match loudness"));
    bindFlag(
        doc, width_, [](Session& s) -> bool& { return s.master.match.width; }, tr("Match width"));
    bindFlag(
        doc, dynamics_, [](Session& s) -> bool& { return s.master.match.dynamics_hint; },
        tr("Match dynamics hint"));
    bindNumber(
        doc, amount_, 1.0, [](Session& s) -> double& { return s.master.match.tone_amount_pct; },
        tr("Match amount"));
    bindNumber(
        doc, maxCorrection_, [](Session& s) -> double& { return s.master.match.max_correction_db; },
        tr("Match max correction"));
    bindNumber(
        doc, rangeStart_, [](Session& s) -> double& { return s.master.match.range_start_s; },
        tr("Match range start"));
    bindNumber(
        doc, rangeEnd_, [](Session& s) -> double& { return s.master.match.range_end_s; },
        tr("Match range end"));
    connect(overview_, &WaveformOverview::matchRangeRequested, this, [doc](double start, double end) {
        // One undo step for both ends, rounded to what the range boxes show.
        doc->edit(tr("Match range"), [&](Session& s) {
            s.master.match.range_start_s = std::round(start * 10.0) / 10.0;
            s.master.match.range_end_s = std::round(end * 10.0) / 10.0;
        });
    });
    connect(chooseReference_, &QPushButton::clicked, this, [this, doc] {
        const QString start = QString::fromStdString(doc->session().folder);
        const QString file = QFileDialog::getOpenFileName(this, tr("Reference to match"), start,
                                                          tr("Audio (*.wav *.flac *.aif *.aiff *.mp3)"));
        if (file.isEmpty()) return;
        doc->edit(tr("Match reference"), [&](Session& s) { s.master.match.reference = file.toStdString(); });
    });
    connect(doc, &SessionDocument::sessionChanged, this, &MatchPanel::refresh);
    refresh();
}

MatchPanel::~MatchPanel() {
    if (auto* thread = qobject_cast<QThread*>(running_)) thread->wait();
}

void MatchPanel::refresh() {
    const Session& s = document_->session();
    const std::string ref = core::matchReferencePath(s);
    reference_->setText(ref.empty() ? tr("no reference in this session")
                                    : QFileInfo(QString::fromStdString(ref)).fileName());
    reference_->setToolTip(QString::fromStdString(ref));
    amountLabel_->setText(QStringLiteral("%1 %").arg(s.master.match.tone_amount_pct, 0, 'f', 0));
    const bool on = s.master.match.enabled;
    for (QWidget* w : std::initializer_list<QWidget*>{tone_, loudness_, width_, dynamics_, amount_,
                                                      maxCorrection_, rangeStart_, rangeEnd_})
        w->setEnabled(on);
    const QString refPath = document_->isOpen() ? QString::fromStdString(ref) : QString();
    if (overview_->file() != refPath) overview_->setFile(refPath);
    overview_->setMatchRange(s.master.match.range_start_s, s.master.match.range_end_s);
    if (!document_->isOpen() || ref.empty() || (s.mix.empty() && s.stems.empty())) {
        clearMatch();
        summary_->setText(ref.empty() ? tr("Add a reference to match to.") : QString());
        computedKey_ = 0;
        return;
    }
    if (curveKey(s) != computedKey_) startComputing();
}

// The analyses read whole files the first time (then the cache): never on the GUI thread.
void MatchPanel::startComputing() {
    if (running_) {
        again_ = true;
        return;
    }
    Session s = document_->session();
    s.master.match.enabled = true; // the curve is shown before it is switched on, to judge it first
    const uint64_t key = curveKey(document_->session());
    const bool stemMaster = s.mix.empty();
    // The destructor waits for the thread, so `this` outlives it; a result queued to a panel destroyed
    // meanwhile is dropped by Qt with the panel.
    QThread* thread = QThread::create([this, s, key, stemMaster] {
        auto result = std::make_shared<Result>();
        try {
            const core::MasterMatch plan = core::planMasterMatch(s, stemMaster);
            const Session matched = core::withMatchedLoudness(s);
            result->report = core::describeMatch(s.master.match, plan, matched.loudness.target_lufs);
            result->curve = plan.curve;
            result->spectra = core::matchSpectra(plan, s.master.match.loudness);
        } catch (const std::exception& e) {
            result->ok = false;
            result->error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, result, key] {
                // A session that no longer asks for a curve (its reference removed meanwhile) drops it; one
                // that asks for another (again_) shows this one until that is ready, so a drag is followed.
                if (!again_ && key != curveKey(document_->session())) return;
                computedKey_ = key;
                showResult(*result);
            },
            Qt::QueuedConnection);
    });
    running_ = thread;
    connect(thread, &QThread::finished, this, [this, thread] {
        thread->deleteLater();
        running_ = nullptr;
        if (again_) {
            again_ = false;
            refresh();
        }
        emit curveReady();
    });
    thread->start();
}

bool MatchPanel::toneApplied() const {
    const core::MatchSettings& m = document_->session().master.match;
    return m.enabled && m.tone && m.tone_amount_pct > 0;
}

void MatchPanel::clearMatch() {
    const bool had = hasMatch_;
    hasMatch_ = false;
    curve_ = {};
    shown_ = {};
    spectra_ = {};
    if (had) emit matchChanged();
}

void MatchPanel::showResult(const Result& result) {
    if (!result.ok) {
        clearMatch();
        summary_->setText(result.error);
        return;
    }
    const core::MatchReport& report = result.report;
    hasMatch_ = true;
    curve_ = result.curve;
    shown_ = report;
    spectra_ = result.spectra;
    QString text = tr("Reference %1 LUFS, mix %2 LUFS")
                       .arg(report.referenceLufs, 0, 'f', 1)
                       .arg(report.sourceLufs, 0, 'f', 1);
    if (report.loudness) text += tr(" → target %1 LUFS").arg(report.loudnessTargetLufs, 0, 'f', 1);
    if (report.dynamicsHint)
        text += tr(" · PLR reference %1 dB, mix %2 dB")
                    .arg(report.referencePlrDb, 0, 'f', 1)
                    .arg(report.sourcePlrDb, 0, 'f', 1);
    summary_->setText(text);
    emit matchChanged();
}

} // namespace lathe::ui
