#include "MasterSection.h"

#include "ColumnFlowLayout.h"
#include "CompressorPanel.h"
#include "EqCurveEditor.h"
#include "GainReductionMeter.h"
#include "MatchPanel.h"
#include "MultibandPanel.h"
#include "SessionDocument.h"
#include "StemStrip.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace lathe::ui {

using core::Session;

MasterSection::MasterSection(SessionDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    // One column in a narrow window; on a wide one the groups stand side by side (in signal order) and the
    // EQ curve grows into the height, so the master section fills what the strips leave it.
    auto* layout = new ColumnFlowLayout(this, kColumnWidth, 3);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    SessionDocument* doc = document_;

    // The match stage runs first in the chain, so its panel comes first.
    auto* matchGroup = new QGroupBox(tr("Match"), this);
    auto* matchLayout = new QVBoxLayout(matchGroup);
    match_ = new MatchPanel(doc, matchGroup);
    matchLayout->addWidget(match_);
    layout->addWidget(matchGroup);

    auto* eqGroup = new QGroupBox(tr("Master EQ"), this);
    auto* eqLayout = new QVBoxLayout(eqGroup);
    eq_ = new EqCurveEditor(eqGroup);
    eq_->setMinimumHeight(120);
    eq_->setToolTip(tr("Drag a handle: frequency and gain. Wheel: Q. Right-click: type, on/off."));
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
    // The match runs just before the EQ: its correction is drawn over the EQ's curve.
    connect(match_, &MatchPanel::matchChanged, this, &MasterSection::showMatchCurve);

    auto* compGroup = new QGroupBox(tr("Compressor"), this);
    auto* compLayout = new QVBoxLayout(compGroup);
    multiband_ = new QCheckBox(tr("Multiband instead"), compGroup);
    multiband_->setObjectName(QStringLiteral("multibandOn"));
    compressor_ = new CompressorPanel(
        doc, [](Session& s) -> core::CompressorSettings& { return s.master.compressor; }, tr("master"), 2,
        compGroup);
    compressorMeter_ = new GainReductionMeter(Qt::Horizontal, compGroup);
    compressorMeter_->setObjectName(QStringLiteral("masterCompressorMeter"));
    compressorMeter_->setToolTip(tr("Master compressor gain reduction"));
    auto* compHead = new QHBoxLayout;
    compHead->addWidget(multiband_);
    compHead->addWidget(compressorMeter_, 1);
    compLayout->addLayout(compHead);
    compLayout->addWidget(compressor_);
    layout->addWidget(compGroup);
    bindFlag(
        doc, multiband_, [](Session& s) -> bool& { return s.master.multiband.enabled; }, tr("Multiband"));

    multibandGroup_ = new QGroupBox(tr("Multiband"), this);
    auto* multibandLayout = new QVBoxLayout(multibandGroup_);
    multibandPanel_ = new MultibandPanel(doc, multibandGroup_);
    multibandLayout->addWidget(multibandPanel_);
    layout->addWidget(multibandGroup_);

    auto* colourGroup = new QGroupBox(tr("Saturation · image"), this);
    auto* colourGrid = new QGridLayout(colourGroup);
    colourGrid->setVerticalSpacing(3);
    auto* satOn = new QCheckBox(tr("Saturation"));
    saturationMode_ = new QComboBox;
    saturationMode_->addItem(tr("Soft clip"), QStringLiteral("soft_clip"));
    saturationMode_->addItem(tr("Tape"), QStringLiteral("tape"));
    auto* drive = makeParameterSpin(0, 36, 0.5, 1, tr(" dB"));
    saturationMix_ = makeParameterSpin(0, 100, 5, 0, tr(" %"));
    saturationMix_->setToolTip(tr("Wet share: 100 % fully saturated, lower blends the dry signal back"));
    oversampling_ = new QComboBox;
    for (int factor : {1, 2, 4, 8})
        oversampling_->addItem(factor == 1 ? tr("No oversampling") : tr("%1x oversampled").arg(factor),
                               factor);
    oversampling_->setToolTip(tr("Saturation runs oversampled so its harmonics do not alias back down"));
    auto* width = makeParameterSpin(0, 200, 1, 0, tr(" %"));
    auto* balance = makeParameterSpin(-100, 100, 1, 0, QString());
    balance->setToolTip(tr("-100 left only, 0 centre, +100 right only"));
    auto* satRow = new QHBoxLayout;
    satRow->addWidget(satOn);
    satRow->addWidget(saturationMode_, 1);
    satRow->addWidget(oversampling_, 1);
    colourGrid->addLayout(satRow, 0, 0, 1, 4);
    addParameterRows(
        colourGrid, 1,
        {{tr("Drive"), drive}, {tr("Mix"), saturationMix_}, {tr("Width"), width}, {tr("Balance"), balance}},
        2);
    layout->addWidget(colourGroup);
    bindFlag(
        doc, satOn, [](Session& s) -> bool& { return s.master.saturation.enabled; }, tr("Saturation"));
    bindText(
        doc, saturationMode_, [](Session& s) -> std::string& { return s.master.saturation.mode; },
        tr("Saturation mode"));
    bindNumber(
        doc, drive, [](Session& s) -> double& { return s.master.saturation.drive_db; },
        tr("Saturation drive"));
    bindNumber(
        doc, saturationMix_, [](Session& s) -> double& { return s.master.saturation.mix; },
        tr("Saturation mix"), 100.0);
    bindChoice(
        doc, oversampling_, [](Session& s) -> int& { return s.master.saturation.oversampling; },
        tr("Saturation oversampling"));
    // Width and balance are shown in percent; the session keeps 0..2 and -1..1.
    bindNumber(
        doc, width, [](Session& s) -> double& { return s.master.width; }, tr("Master width"), 100.0);
    bindNumber(
        doc, balance, [](Session& s) -> double& { return s.master.balance; }, tr("Balance"), 100.0);

    auto* limGroup = new QGroupBox(tr("Limiter · loudness"), this);
    auto* limLayout = new QHBoxLayout(limGroup);
    auto* limForm = new QFormLayout;
    auto* limOn = new QCheckBox(tr("On"));
    ceiling_ = makeParameterSpin(-20, 0, 0.1, 1, tr(" dBTP"));
    ceiling_->setObjectName(QStringLiteral("ceilingBox"));
    ceiling_->setToolTip(tr("True-peak ceiling, measured with 8x oversampling"));
    limiterStyle_ = new QComboBox;
    limiterStyle_->setObjectName(QStringLiteral("limiterStyle"));
    limiterStyle_->addItem(tr("Transparent"), QStringLiteral("transparent"));
    limiterStyle_->addItem(tr("Punchy"), QStringLiteral("punchy"));
    limiterStyle_->addItem(tr("Safe"), QStringLiteral("safe"));
    limiterStyle_->setToolTip(
        tr("Transparent: gain recovers fast after short peaks, slowly after sustained overload. "
           "Punchy: the same, with a later onset that lets more of each transient through. "
           "Safe: one release time (the limiter of older sessions)"));
    limiterRelease_ = makeParameterSpin(1, 10000, 10, 0, tr(" ms"));
    limiterRelease_->setToolTip(
        tr("Release; with Transparent and Punchy, the slow one after sustained overload"));
    softClip_ = new QCheckBox(tr("Soft clip first"));
    softClip_->setObjectName(QStringLiteral("limiterSoftClip"));
    softClip_->setToolTip(
        tr("An oversampled soft clipper shaves up to 1 dB off short peaks before the limiter"));
    lowFrequencyAware_ = new QCheckBox(tr("Bass-aware"));
    lowFrequencyAware_->setObjectName(QStringLiteral("limiterLowFrequencyAware"));
    lowFrequencyAware_->setToolTip(
        tr("Overloads the sub causes are released slowly, so the bass does not pump the whole mix "
           "(not with Safe)"));
    stereoLink_ = makeParameterSpin(0, 100, 5, 0, tr(" %"));
    stereoLink_->setObjectName(QStringLiteral("limiterStereoLink"));
    stereoLink_->setToolTip(tr("100 %: one gain for both channels (the image cannot shift); lower lets the "
                               "channel that needs less reduction keep some level"));
    lookahead_ = makeParameterSpin(0, 20, 0.1, 1, tr(" ms"));
    lookahead_->setToolTip(tr("Lookahead: the limiter sees peaks this early and turns down smoothly. "
                              "Longer is cleaner on transients and adds latency"));
    target_ = makeParameterSpin(-40, 0, 0.5, 1, tr(" LUFS"));
    target_->setObjectName(QStringLiteral("targetBox"));
    target_->setToolTip(tr("Integrated loudness the render aims for"));
    auto* normalize = new QCheckBox(tr("Reach target"));
    normalize->setToolTip(tr("Off: no gain is chosen to meet the target"));
    limForm->addRow(tr("Limiter"), limOn);
    limForm->addRow(tr("Ceiling"), ceiling_);
    limForm->addRow(tr("Style"), limiterStyle_);
    limForm->addRow(tr("Release"), limiterRelease_);
    limForm->addRow(tr("Lookahead"), lookahead_);
    auto* limSwitches = new QHBoxLayout;
    limSwitches->addWidget(softClip_);
    limSwitches->addWidget(lowFrequencyAware_);
    limForm->addRow(QString(), limSwitches);
    limForm->addRow(tr("Stereo link"), stereoLink_);
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
        doc, limiterRelease_, [](Session& s) -> double& { return s.master.limiter.release_ms; },
        tr("Limiter release"));
    bindNumber(
        doc, lookahead_, [](Session& s) -> double& { return s.master.limiter.lookahead_ms; },
        tr("Limiter lookahead"));
    bindText(
        doc, limiterStyle_, [](Session& s) -> std::string& { return s.master.limiter.style; },
        tr("Limiter style"));
    bindFlag(
        doc, softClip_, [](Session& s) -> bool& { return s.master.limiter.soft_clip; },
        tr("Limiter soft clip"));
    bindFlag(
        doc, lowFrequencyAware_, [](Session& s) -> bool& { return s.master.limiter.low_frequency_aware; },
        tr("Bass-aware limiting"));
    bindNumber(
        doc, stereoLink_, [](Session& s) -> double& { return s.master.limiter.stereo_link; },
        tr("Limiter stereo link"), 100.0);
    bindNumber(
        doc, target_, [](Session& s) -> double& { return s.loudness.target_lufs; }, tr("Target loudness"));
    bindFlag(
        doc, normalize, [](Session& s) -> bool& { return s.loudness.normalize; }, tr("Reach target"));

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
    showMatchCurve();
    // The chain runs one or the other: show the controls of the one that is in use.
    const bool multiband = session.master.multiband.enabled;
    compressor_->setVisible(!multiband);
    multibandGroup_->setVisible(multiband);
}

int MasterSection::columnCount() const {
    return static_cast<ColumnFlowLayout*>(layout())->columnCount();
}

void MasterSection::showMatchCurve() {
    eq_->setMatchCurve(match_->hasMatch() ? &match_->curve() : nullptr, match_->toneApplied());
}

void MasterSection::setLimiterGainReductionDb(double db) {
    limiterMeter_->setGainReductionDb(db);
}

void MasterSection::setDynamicsGainReduction(double compressorDb, const float* bandDb, int bands) {
    compressorMeter_->setGainReductionDb(compressorDb);
    for (int b = 0; b < multibandPanel_->bandCount(); ++b)
        multibandPanel_->setBandGainReductionDb(b, b < bands ? bandDb[b] : 0.0);
}

} // namespace lathe::ui
