#include "MasterSection.h"

#include "EqCurveEditor.h"
#include "GainReductionMeter.h"
#include "SessionDocument.h"
#include "StemStrip.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace lathe::ui {

namespace {

QDoubleSpinBox* makeSpin(double min, double max, double step, int decimals, const QString& suffix) {
    auto* box = new QDoubleSpinBox;
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    box->setSuffix(suffix);
    box->setKeyboardTracking(false);
    box->setAccelerated(true);
    return box;
}

using core::Session;

} // namespace

MasterSection::MasterSection(SessionDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    SessionDocument* doc = document_;

    auto* eqGroup = new QGroupBox(tr("Master EQ"), this);
    auto* eqLayout = new QVBoxLayout(eqGroup);
    eq_ = new EqCurveEditor(eqGroup);
    eq_->setMinimumHeight(120);
    eqLayout->addWidget(eq_);
    layout->addWidget(eqGroup);
    connect(eq_, &EqCurveEditor::bandChanged, this, [doc](int band, const core::EqBandSettings& settings) {
        doc->edit(
            tr("Master EQ"),
            [&](Session& s) {
                if (s.master.eq.empty()) s.master.eq = defaultEqBands();
                if (band >= 0 && band < static_cast<int>(s.master.eq.size())) s.master.eq[band] = settings;
            },
            QStringLiteral("master-eq/%1").arg(band));
    });
    connect(eq_, &EqCurveEditor::bandEditFinished, doc, &SessionDocument::endEditGesture);

    auto* compGroup = new QGroupBox(tr("Compressor"), this);
    auto* compForm = new QFormLayout(compGroup);
    auto* compOn = new QCheckBox(tr("On"));
    auto* threshold = makeSpin(-96, 0, 0.5, 1, tr(" dB"));
    auto* ratio = makeSpin(1, 100, 0.1, 2, tr(":1"));
    auto* attack = makeSpin(0, 1000, 1, 1, tr(" ms"));
    auto* release = makeSpin(1, 10000, 10, 0, tr(" ms"));
    auto* makeup = makeSpin(-48, 48, 0.1, 1, tr(" dB"));
    auto* multiband = new QCheckBox(tr("Multiband instead"));
    auto* compRow = new QHBoxLayout;
    compRow->addWidget(compOn);
    compRow->addWidget(multiband);
    compForm->addRow(compRow);
    compForm->addRow(tr("Threshold"), threshold);
    compForm->addRow(tr("Ratio"), ratio);
    compForm->addRow(tr("Attack"), attack);
    compForm->addRow(tr("Release"), release);
    compForm->addRow(tr("Makeup"), makeup);
    layout->addWidget(compGroup);
    bindFlag(
        doc, compOn, [](Session& s) -> bool& { return s.master.compressor.enabled; },
        tr("Master compressor"));
    bindFlag(
        doc, multiband, [](Session& s) -> bool& { return s.master.multiband.enabled; }, tr("Multiband"));
    bindNumber(
        doc, threshold, [](Session& s) -> double& { return s.master.compressor.threshold_db; },
        tr("Master threshold"));
    bindNumber(
        doc, ratio, [](Session& s) -> double& { return s.master.compressor.ratio; }, tr("Master ratio"));
    bindNumber(
        doc, attack, [](Session& s) -> double& { return s.master.compressor.attack_ms; },
        tr("Master attack"));
    bindNumber(
        doc, release, [](Session& s) -> double& { return s.master.compressor.release_ms; },
        tr("Master release"));
    bindNumber(
        doc, makeup, [](Session& s) -> double& { return s.master.compressor.makeup_db; },
        tr("Master makeup"));

    auto* colourGroup = new QGroupBox(tr("Saturation · image"), this);
    auto* colourForm = new QFormLayout(colourGroup);
    auto* satOn = new QCheckBox(tr("On"));
    auto* satMode = new QComboBox;
    satMode->addItem(tr("Soft clip"), QStringLiteral("soft_clip"));
    satMode->addItem(tr("Tape"), QStringLiteral("tape"));
    auto* drive = makeSpin(0, 36, 0.5, 1, tr(" dB"));
    auto* width = makeSpin(0, 200, 1, 0, tr(" %"));
    auto* balance = makeSpin(-100, 100, 1, 0, QString());
    auto* satRow = new QHBoxLayout;
    satRow->addWidget(satOn);
    satRow->addWidget(satMode, 1);
    colourForm->addRow(tr("Saturation"), satRow);
    colourForm->addRow(tr("Drive"), drive);
    colourForm->addRow(tr("Width"), width);
    colourForm->addRow(tr("Balance"), balance);
    layout->addWidget(colourGroup);
    bindFlag(
        doc, satOn, [](Session& s) -> bool& { return s.master.saturation.enabled; }, tr("Saturation"));
    bindText(
        doc, satMode, [](Session& s) -> std::string& { return s.master.saturation.mode; },
        tr("Saturation mode"));
    bindNumber(
        doc, drive, [](Session& s) -> double& { return s.master.saturation.drive_db; },
        tr("Saturation drive"));
    // Width and balance are shown in percent; the session keeps 0..2 and -1..1.
    connect(doc, &SessionDocument::sessionChanged, width, [doc, width, balance] {
        if (!doc->isOpen()) return;
        const QSignalBlocker a(width), b(balance);
        width->setValue(doc->session().master.width * 100);
        balance->setValue(doc->session().master.balance * 100);
    });
    connect(width, &QDoubleSpinBox::valueChanged, doc, [doc](double v) {
        doc->edit(
            tr("Master width"), [&](Session& s) { s.master.width = v / 100; },
            QStringLiteral("master-width"));
    });
    connect(balance, &QDoubleSpinBox::valueChanged, doc, [doc](double v) {
        doc->edit(
            tr("Balance"), [&](Session& s) { s.master.balance = v / 100; }, QStringLiteral("master-balance"));
    });

    auto* limGroup = new QGroupBox(tr("Limiter · loudness"), this);
    auto* limLayout = new QHBoxLayout(limGroup);
    auto* limForm = new QFormLayout;
    auto* limOn = new QCheckBox(tr("On"));
    ceiling_ = makeSpin(-20, 0, 0.1, 1, tr(" dBTP"));
    ceiling_->setObjectName(QStringLiteral("ceilingBox"));
    ceiling_->setToolTip(tr("True-peak ceiling, measured with 8x oversampling"));
    auto* limRelease = makeSpin(1, 10000, 10, 0, tr(" ms"));
    target_ = makeSpin(-40, 0, 0.5, 1, tr(" LUFS"));
    target_->setObjectName(QStringLiteral("targetBox"));
    target_->setToolTip(tr("Integrated loudness the render aims for"));
    auto* normalize = new QCheckBox(tr("Reach target"));
    normalize->setToolTip(tr("Off: no gain is chosen to meet the target"));
    limForm->addRow(tr("Limiter"), limOn);
    limForm->addRow(tr("Ceiling"), ceiling_);
    limForm->addRow(tr("Release"), limRelease);
    limForm->addRow(tr("Target"), target_);
    limForm->addRow(QString(), normalize);
    limLayout->addLayout(limForm, 1);
    limiterMeter_ = new GainReductionMeter(Qt::Vertical, limGroup);
    limiterMeter_->setToolTip(tr("Limiter gain reduction (double-click resets the hold)"));
    limLayout->addWidget(limiterMeter_);
    layout->addWidget(limGroup);
    bindFlag(
        doc, limOn, [](Session& s) -> bool& { return s.master.limiter.enabled; }, tr("Limiter"));
    bindNumber(
        doc, ceiling_, [](Session& s) -> double& { return s.master.limiter.ceiling_dbtp; }, tr("Ceiling"));
    bindNumber(
        doc, limRelease, [](Session& s) -> double& { return s.master.limiter.release_ms; },
        tr("Limiter release"));
    bindNumber(
        doc, target_, [](Session& s) -> double& { return s.loudness.target_lufs; }, tr("Target loudness"));
    bindFlag(
        doc, normalize, [](Session& s) -> bool& { return s.loudness.normalize; }, tr("Reach target"));
    layout->addStretch(1);

    connect(doc, &SessionDocument::sessionChanged, this, &MasterSection::refresh);
    refresh();
}

void MasterSection::refresh() {
    if (!document_->isOpen()) return;
    const auto& session = document_->session();
    eq_->setSampleRate(session.sample_rate);
    const std::vector<core::EqBandSettings> bands =
        session.master.eq.empty() ? defaultEqBands() : session.master.eq;
    if (eq_->bands() != bands) eq_->setBands(bands);
}

void MasterSection::setLimiterGainReductionDb(double db) {
    limiterMeter_->setGainReductionDb(db);
}

} // namespace lathe::ui
