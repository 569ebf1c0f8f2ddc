#include "StemStrip.h"

#include "CompressorPanel.h"
#include "ControlGestures.h"
#include "EqCurveEditor.h"
#include "GainReductionMeter.h"
#include "ScanPanel.h"
#include "SessionDocument.h"
#include "StemLevelMeter.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScreen>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWidget>

#include <algorithm>

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
    button->setMinimumWidth(26);
    return button;
}

} // namespace

StemStrip::StemStrip(SessionDocument* document, int stemIndex, QWidget* parent)
    : QFrame(parent), document_(document), stemIndex_(stemIndex) {
    setObjectName(QStringLiteral("stemStrip"));
    // Compact and resizable: eight strips fit beside the master section at 1600 px, and on a wide screen
    // they grow (up to kMaxWidth, the master section takes the rest) instead of leaving dead space.
    setMinimumWidth(kMinWidth);
    setMaximumWidth(kMaxWidth);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    const int i = stemIndex;
    const QString id = stemId();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(5, 4, 5, 5);
    layout->setSpacing(4);

    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("stripTitle"));
    title_->setStyleSheet(QStringLiteral("font-weight: bold;"));
    title_->setMinimumWidth(1); // elided in refresh(), never widening the strip
    layout->addWidget(title_);

    // The strip shows a small curve; a click opens the full editor (drag, wheel, right-click) in a popup.
    miniEq_ = new EqCurveEditor(this);
    miniEq_->setObjectName(QStringLiteral("miniEq"));
    miniEq_->setMinimumSize(kMinWidth - 12, 44);
    miniEq_->setMaximumHeight(72);
    miniEq_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    miniEq_->setCursor(Qt::PointingHandCursor);
    miniEq_->setToolTip(tr("EQ: click to edit"));
    miniEq_->installEventFilter(this);
    layout->addWidget(miniEq_);
    eqPopup_ = new QFrame(this, Qt::Popup);
    eqPopup_->setObjectName(QStringLiteral("eqPopup"));
    eqPopup_->setFrameShape(QFrame::StyledPanel);
    auto* eqPopupLayout = new QVBoxLayout(eqPopup_);
    eqPopupTitle_ = new QLabel(eqPopup_);
    eqPopupLayout->addWidget(eqPopupTitle_);
    eq_ = new EqCurveEditor(eqPopup_);
    eq_->setMinimumSize(480, 240);
    eq_->setToolTip(tr("Drag a handle: frequency and gain. Wheel: Q. Right-click: type, on/off."));
    eqPopupLayout->addWidget(eq_);
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

    auto* comp = new QHBoxLayout;
    comp->setSpacing(3);
    compOn_ = new QCheckBox(tr("Comp"), this);
    compOn_->setToolTip(tr("Compressor on/off"));
    grMeter_ = new GainReductionMeter(Qt::Horizontal, this);
    grMeter_->setToolTip(tr("Compressor gain reduction"));
    grMeter_->setObjectName(QStringLiteral("stripCompressorMeter"));
    grMeter_->setMinimumSize(kMinWidth - 12, 18);
    grMeter_->setMaximumHeight(22);
    compMore_ = new QToolButton(this);
    compMore_->setObjectName(QStringLiteral("compressorDetails"));
    compMore_->setText(QStringLiteral("\u2026"));
    compMore_->setToolTip(tr("Every compressor setting: threshold, ratio, knee, attack, release, makeup, "
                             "detection, stereo link, side-chain high-pass"));
    // The meter has its own row under the switch: beside it, a strip at its narrowest cut "Comp" and left
    // the meter no room for its track and readout.
    comp->addWidget(compOn_);
    comp->addStretch(1);
    comp->addWidget(compMore_);
    layout->addLayout(comp);
    layout->addWidget(grMeter_);
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

    widthLabel_ = new QLabel(this);
    widthLabel_->setObjectName(QStringLiteral("dimLabel"));
    width_ = new QSlider(Qt::Horizontal, this);
    width_->setObjectName(QStringLiteral("widthSlider"));
    width_->setRange(0, 200);
    width_->setMinimumWidth(30);
    width_->setToolTip(tr("Stereo width: 0 % mono, 100 % as recorded, 200 % side doubled. Double-click: "
                          "100 %."));
    auto* widthRow = new QHBoxLayout;
    widthRow->setSpacing(3);
    widthRow->addWidget(widthLabel_);
    widthRow->addWidget(width_, 1);
    layout->addLayout(widthRow);
    bindNumber(
        document_, width_, 100.0, [i](core::Session& s) -> double& { return s.stems[i].width; },
        tr("Width of %1").arg(id));

    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(2);
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
    fader_->setMinimumHeight(100);
    fader_->setToolTip(tr("Gain in 0.1 dB steps (arrow keys 0.1 dB, Page Up/Down 1 dB, double-click 0 dB)"));
    levelMeter_ = new StemLevelMeter(this);
    levelMeter_->setToolTip(tr("The stem's level after its chain: peak (line) and RMS (bar), dBFS"));
    gainBox_ = makeParameterSpin(-120, 24, 0.1, 1, tr(" dB"), this);
    gainBox_->setObjectName(QStringLiteral("gainBox"));
    gainBox_->setMinimumWidth(64);
    auto* faderRow = new QHBoxLayout;
    faderRow->setSpacing(4);
    faderRow->addStretch(1);
    faderRow->addWidget(fader_);
    faderRow->addWidget(levelMeter_);
    faderRow->addStretch(1);
    layout->addLayout(faderRow, 1);
    layout->addWidget(gainBox_, 0, Qt::AlignHCenter);
    bindNumber(
        document_, fader_, 10.0, [i](core::Session& s) -> double& { return s.stems[i].gain_db; },
        tr("Gain of %1").arg(id));
    bindNumber(
        document_, gainBox_, [i](core::Session& s) -> double& { return s.stems[i].gain_db; },
        tr("Gain of %1").arg(id));

    // Double-click: back to unity gain / as-recorded width; Shift-drag: fine.
    ControlGestures::install(fader_, 0);
    ControlGestures::install(gainBox_, 0.0);
    ControlGestures::install(width_, 100);

    connect(document_, &SessionDocument::sessionChanged, this, &StemStrip::refresh);
    refresh();
}

bool StemStrip::eventFilter(QObject* watched, QEvent* event) {
    if (watched == miniEq_) {
        switch (event->type()) {
        case QEvent::MouseButtonPress:
        case QEvent::MouseButtonDblClick:
            showEqEditor();
            return true;
        case QEvent::MouseMove:
        case QEvent::MouseButtonRelease:
        case QEvent::Wheel:
        case QEvent::ContextMenu:
            return true; // the small curve only shows; the popup edits
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

void StemStrip::showEqEditor() {
    eqPopup_->adjustSize();
    const QRect screen = this->screen() ? this->screen()->availableGeometry() : QRect();
    QPoint at = miniEq_->mapToGlobal(QPoint(0, miniEq_->height()));
    if (screen.isValid()) {
        at.setX(
            std::clamp(at.x(), screen.left(), std::max(screen.left(), screen.right() - eqPopup_->width())));
        at.setY(
            std::clamp(at.y(), screen.top(), std::max(screen.top(), screen.bottom() - eqPopup_->height())));
    }
    eqPopup_->move(at);
    eqPopup_->show();
}

void StemStrip::setLevels(float peakDbfs, float rmsDbfs) {
    levelMeter_->setLevels(peakDbfs, rmsDbfs);
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

QString StemStrip::displayTitle(const core::StemSettings& stem) {
    // The role as a person writes it; a second stem of one role keeps its number ("Drums 2"), and an id the
    // engineer chose that is not the role's stays as written.
    const QString id = QString::fromStdString(stem.id);
    const QString role = QString::fromStdString(stem.role);
    if (id == role) return ScanPanel::roleLabel(role);
    if (id.startsWith(role + QLatin1Char('_'))) {
        bool number = false;
        const int n = id.mid(role.size() + 1).toInt(&number);
        if (number) return QStringLiteral("%1 %2").arg(ScanPanel::roleLabel(role)).arg(n);
    }
    return ScanPanel::roleLabel(id);
}

void StemStrip::refresh() {
    const auto& stems = document_->session().stems;
    if (!document_->isOpen() || stemIndex_ >= static_cast<int>(stems.size())) return;
    const core::StemSettings& stem = stems[stemIndex_];
    titleText_ = displayTitle(stem);
    updateTitle();
    const QString file = QFileInfo(QString::fromStdString(stem.path)).fileName();
    title_->setToolTip(tr("%1\nRole: %2 · id %3")
                           .arg(file, ScanPanel::roleLabel(QString::fromStdString(stem.role)),
                                QString::fromStdString(stem.id)));
    setToolTip(file);
    eqPopupTitle_->setText(tr("<b>EQ · %1</b>").arg(titleText_.toHtmlEscaped()));
    widthLabel_->setText(tr("W %1 %").arg(qRound(stem.width * 100)));
    eq_->setSampleRate(document_->session().sample_rate);
    miniEq_->setSampleRate(document_->session().sample_rate);
    // Only on a real difference: the editor already holds the band it is dragging.
    const std::vector<core::EqBandSettings> bands = stem.eq.empty() ? defaultEqBands() : stem.eq;
    if (eq_->bands() != bands) eq_->setBands(bands);
    if (miniEq_->bands() != bands) miniEq_->setBands(bands);
}

void StemStrip::updateTitle() {
    title_->setText(
        title_->fontMetrics().elidedText(titleText_, Qt::ElideRight, std::max(10, title_->width())));
}

void StemStrip::resizeEvent(QResizeEvent* event) {
    QFrame::resizeEvent(event);
    updateTitle();
}

} // namespace lathe::ui
