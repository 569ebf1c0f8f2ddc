#include "StemStrip.h"

#include "CompressorPanel.h"
#include "EqCurveEditor.h"
#include "GainReductionMeter.h"
#include "ScanPanel.h"
#include "SessionDocument.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWidget>

namespace lathe::ui {

std::vector<core::EqBandSettings> defaultEqBands() {
    auto band = [](const char* type, double hz, double q) {
        core::EqBandSettings b;
        b.type = type;
        b.frequency_hz = hz;
        b.q = q;
        b.gain_db = 0;
        return b;
    };
    return {band("low_shelf", 100, 0.707), band("bell", 400, 1.0), band("bell", 2500, 1.0),
            band("high_shelf", 8000, 0.707)};
}

namespace {

QToolButton* makeToggle(const QString& text, const QString& objectName, const QString& tip, QWidget* parent) {
    auto* button = new QToolButton(parent);
    button->setText(text);
    button->setObjectName(objectName);
    button->setCheckable(true);
    button->setToolTip(tip);
    button->setMinimumWidth(30);
    return button;
}

} // namespace

StemStrip::StemStrip(SessionDocument* document, int stemIndex, QWidget* parent)
    : QFrame(parent), document_(document), stemIndex_(stemIndex) {
    setObjectName(QStringLiteral("stemStrip"));
    setFixedWidth(196);
    const int i = stemIndex;
    const QString id = stemId();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(6);

    title_ = new QLabel(this);
    title_->setStyleSheet(QStringLiteral("font-weight: bold; font-size: 14px;"));
    role_ = new QLabel(this);
    role_->setObjectName(QStringLiteral("dimLabel"));
    auto* head = new QHBoxLayout;
    head->addWidget(title_, 1);
    head->addWidget(role_);
    layout->addLayout(head);

    eq_ = new EqCurveEditor(this);
    eq_->setMinimumHeight(96);
    eq_->setToolTip(tr("Drag a handle: frequency and gain. Wheel: Q. Right-click: type, on/off."));
    layout->addWidget(eq_);
    connect(eq_, &EqCurveEditor::bandChanged, this,
            [this, i, id](int band, const core::EqBandSettings& settings) {
                document_->edit(
                    tr("EQ of %1").arg(id),
                    [&](core::Session& s) {
                        auto& eq = s.stems[i].eq;
                        if (eq.empty()) eq = defaultEqBands();
                        if (band >= 0 && band < static_cast<int>(eq.size())) eq[band] = settings;
                    },
                    QStringLiteral("stem-eq/%1/%2").arg(i).arg(band));
            });
    connect(eq_, &EqCurveEditor::bandEditFinished, document_, &SessionDocument::endEditGesture);

    auto* comp = new QGridLayout;
    comp->setHorizontalSpacing(4);
    compOn_ = new QCheckBox(tr("Comp"), this);
    compOn_->setToolTip(tr("Compressor on/off"));
    threshold_ = makeParameterSpin(-96, 0, 0.5, 1, tr(" dB"), this);
    threshold_->setToolTip(tr("Threshold"));
    ratio_ = makeParameterSpin(1, 100, 0.1, 1, tr(":1"), this);
    ratio_->setToolTip(tr("Ratio"));
    grMeter_ = new GainReductionMeter(Qt::Horizontal, this);
    grMeter_->setToolTip(tr("Compressor gain reduction"));
    comp->addWidget(compOn_, 0, 0);
    comp->addWidget(threshold_, 0, 1);
    comp->addWidget(ratio_, 0, 2);
    compMore_ = new QToolButton(this);
    compMore_->setObjectName(QStringLiteral("compressorDetails"));
    compMore_->setText(QStringLiteral("\u2026"));
    compMore_->setToolTip(tr("Every compressor setting: knee, attack, release, makeup, detection, stereo "
                             "link, side-chain high-pass"));
    comp->addWidget(grMeter_, 1, 0, 1, 2);
    comp->addWidget(compMore_, 1, 2, Qt::AlignRight);
    layout->addLayout(comp);
    compPopup_ = new QFrame(this, Qt::Popup);
    compPopup_->setObjectName(QStringLiteral("compressorPopup"));
    compPopup_->setFrameShape(QFrame::StyledPanel);
    auto* popupLayout = new QVBoxLayout(compPopup_);
    auto* popupTitle = new QLabel(tr("<b>Compressor · %1</b>").arg(id.toHtmlEscaped()), compPopup_);
    popupLayout->addWidget(popupTitle);
    compPanel_ = new CompressorPanel(
        document_, [i](core::Session& s) -> core::CompressorSettings& { return s.stems[i].compressor; }, id,
        1, compPopup_);
    popupLayout->addWidget(compPanel_);
    connect(compMore_, &QToolButton::clicked, this, &StemStrip::showCompressorDetails);
    bindFlag(
        document_, compOn_, [i](core::Session& s) -> bool& { return s.stems[i].compressor.enabled; },
        tr("Compressor of %1").arg(id));
    bindNumber(
        document_, threshold_,
        [i](core::Session& s) -> double& { return s.stems[i].compressor.threshold_db; },
        tr("Compressor threshold of %1").arg(id));
    bindNumber(
        document_, ratio_, [i](core::Session& s) -> double& { return s.stems[i].compressor.ratio; },
        tr("Compressor ratio of %1").arg(id));

    auto* widthRow = new QHBoxLayout;
    widthLabel_ = new QLabel(this);
    widthLabel_->setMinimumWidth(72);
    width_ = new QSlider(Qt::Horizontal, this);
    width_->setObjectName(QStringLiteral("widthSlider"));
    width_->setRange(0, 200);
    width_->setToolTip(
        tr("Stereo width: 0 % mono, 100 % as recorded, 200 % side doubled. Double-click the label "
           "for 100 %."));
    widthRow->addWidget(widthLabel_);
    widthRow->addWidget(width_, 1);
    layout->addLayout(widthRow);
    bindNumber(
        document_, width_, 100.0, [i](core::Session& s) -> double& { return s.stems[i].width; },
        tr("Width of %1").arg(id));

    auto* buttons = new QHBoxLayout;
    polarity_ =
        makeToggle(QStringLiteral("Ø"), QStringLiteral("polarityButton"), tr("Invert polarity"), this);
    mute_ = makeToggle(QStringLiteral("M"), QStringLiteral("muteButton"), tr("Mute"), this);
    solo_ = makeToggle(QStringLiteral("S"), QStringLiteral("soloButton"), tr("Solo"), this);
    buttons->addWidget(polarity_);
    buttons->addStretch(1);
    buttons->addWidget(mute_);
    buttons->addWidget(solo_);
    layout->addLayout(buttons);
    bindFlag(
        document_, polarity_, [i](core::Session& s) -> bool& { return s.stems[i].polarity_inverted; },
        tr("Polarity of %1").arg(id));
    bindFlag(
        document_, mute_, [i](core::Session& s) -> bool& { return s.stems[i].mute; }, tr("Mute %1").arg(id));
    bindFlag(
        document_, solo_, [i](core::Session& s) -> bool& { return s.stems[i].solo; }, tr("Solo %1").arg(id));

    fader_ = new QSlider(Qt::Vertical, this);
    fader_->setObjectName(QStringLiteral("gainFader"));
    fader_->setRange(kFaderMinTenthsDb, kFaderMaxTenthsDb);
    fader_->setSingleStep(1);
    fader_->setPageStep(10);
    fader_->setTickPosition(QSlider::TicksBothSides);
    fader_->setTickInterval(60);
    fader_->setMinimumHeight(140);
    fader_->setToolTip(tr("Gain in 0.1 dB steps (arrow keys 0.1 dB, Page Up/Down 1 dB)"));
    gainBox_ = makeParameterSpin(-120, 24, 0.1, 1, tr(" dB"), this);
    gainBox_->setObjectName(QStringLiteral("gainBox"));
    auto* faderRow = new QHBoxLayout;
    faderRow->addStretch(1);
    faderRow->addWidget(fader_);
    faderRow->addStretch(1);
    layout->addLayout(faderRow, 1);
    layout->addWidget(gainBox_, 0, Qt::AlignHCenter);
    bindNumber(
        document_, fader_, 10.0, [i](core::Session& s) -> double& { return s.stems[i].gain_db; },
        tr("Gain of %1").arg(id));
    bindNumber(
        document_, gainBox_, [i](core::Session& s) -> double& { return s.stems[i].gain_db; },
        tr("Gain of %1").arg(id));

    connect(document_, &SessionDocument::sessionChanged, this, &StemStrip::refresh);
    refresh();
}

void StemStrip::showCompressorDetails() {
    compPopup_->adjustSize();
    compPopup_->move(compMore_->mapToGlobal(QPoint(compMore_->width(), 0)));
    compPopup_->show();
}

QString StemStrip::stemId() const {
    const auto& stems = document_->session().stems;
    if (stemIndex_ < 0 || stemIndex_ >= static_cast<int>(stems.size())) return {};
    return QString::fromStdString(stems[stemIndex_].id);
}

void StemStrip::refresh() {
    const auto& stems = document_->session().stems;
    if (!document_->isOpen() || stemIndex_ >= static_cast<int>(stems.size())) return;
    const core::StemSettings& stem = stems[stemIndex_];
    title_->setText(QString::fromStdString(stem.id));
    title_->setToolTip(QString::fromStdString(stem.path));
    role_->setText(ScanPanel::roleLabel(QString::fromStdString(stem.role)));
    // An id made from the role ("drums", "drums_2") already says it; the label only adds a changed role.
    role_->setVisible(stem.id.rfind(stem.role, 0) != 0);
    setToolTip(QFileInfo(QString::fromStdString(stem.path)).fileName());
    widthLabel_->setText(tr("Width %1 %").arg(qRound(stem.width * 100)));
    eq_->setSampleRate(document_->session().sample_rate);
    // Only on a real difference: the editor already holds the band it is dragging.
    const std::vector<core::EqBandSettings> bands = stem.eq.empty() ? defaultEqBands() : stem.eq;
    if (eq_->bands() != bands) eq_->setBands(bands);
    threshold_->setEnabled(stem.compressor.enabled);
    ratio_->setEnabled(stem.compressor.enabled);
}

} // namespace lathe::ui
