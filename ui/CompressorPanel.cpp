#include "CompressorPanel.h"

#include "SessionDocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>

#include <algorithm>

namespace lathe::ui {

QDoubleSpinBox* makeParameterSpin(double min, double max, double step, int decimals, const QString& suffix,
                                  QWidget* parent) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    box->setSuffix(suffix);
    box->setKeyboardTracking(false);
    box->setAccelerated(true);
    return box;
}

void addParameterRows(QGridLayout* grid, int firstRow, const QList<QPair<QString, QWidget*>>& rows,
                      int columns) {
    columns = std::max(1, columns);
    for (int i = 0; i < rows.size(); ++i) {
        const int row = firstRow + i / columns;
        const int column = 2 * (i % columns);
        auto* label = new QLabel(rows[i].first, grid->parentWidget());
        label->setBuddy(rows[i].second);
        grid->addWidget(label, row, column);
        grid->addWidget(rows[i].second, row, column + 1);
    }
    for (int c = 0; c < columns; ++c)
        grid->setColumnStretch(2 * c + 1, 1);
}

CompressorPanel::CompressorPanel(SessionDocument* document, CompressorField field, const QString& owner,
                                 int columns, QWidget* parent)
    : QWidget(parent) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setVerticalSpacing(3);
    grid->setHorizontalSpacing(6);
    enabled_ = new QCheckBox(tr("Compressor on"), this);
    enabled_->setObjectName(QStringLiteral("compressorOn"));
    threshold_ = makeParameterSpin(-96, 0, 0.5, 1, tr(" dB"), this);
    ratio_ = makeParameterSpin(1, 100, 0.1, 2, tr(":1"), this);
    knee_ = makeParameterSpin(0, 48, 0.5, 1, tr(" dB"), this);
    knee_->setToolTip(tr("Soft knee width: the ratio eases in over this range around the threshold"));
    attack_ = makeParameterSpin(0, 1000, 1, 1, tr(" ms"), this);
    release_ = makeParameterSpin(1, 10000, 10, 0, tr(" ms"), this);
    makeup_ = makeParameterSpin(-48, 48, 0.1, 1, tr(" dB"), this);
    detection_ = new QComboBox(this);
    detection_->addItem(tr("Peak"), QStringLiteral("peak"));
    detection_->addItem(tr("RMS"), QStringLiteral("rms"));
    detection_->setToolTip(tr("Peak reacts to transients; RMS follows the average level, gentler on drums"));
    link_ = makeParameterSpin(0, 100, 5, 0, tr(" %"), this);
    link_->setToolTip(tr("Stereo link: 100 % both channels get the same gain (the image stays put), "
                         "0 % each channel is compressed on its own"));
    sidechainHpf_ = makeParameterSpin(0, 20000, 10, 0, tr(" Hz"), this);
    sidechainHpf_->setSpecialValueText(tr("Off"));
    threshold_->setToolTip(tr("Threshold"));
    ratio_->setToolTip(tr("Ratio"));
    sidechainHpf_->setToolTip(
        tr("Side-chain high-pass: the detector ignores lows below this, so the kick does not pump the mix"));

    grid->addWidget(enabled_, 0, 0, 1, 2);
    // Paired by what an engineer sets together: level (threshold/ratio), timing, shape, detector.
    addParameterRows(grid, 1,
                     {{tr("Threshold"), threshold_},
                      {tr("Ratio"), ratio_},
                      {tr("Attack"), attack_},
                      {tr("Release"), release_},
                      {tr("Knee"), knee_},
                      {tr("Makeup"), makeup_},
                      {tr("Detection"), detection_},
                      {tr("Link"), link_},
                      {tr("SC HPF"), sidechainHpf_}},
                     columns);

    using core::Session;
    bindFlag(
        document, enabled_, [field](Session& s) -> bool& { return field(s).enabled; },
        tr("Compressor of %1").arg(owner));
    bindNumber(
        document, threshold_, [field](Session& s) -> double& { return field(s).threshold_db; },
        tr("Threshold of %1").arg(owner));
    bindNumber(
        document, ratio_, [field](Session& s) -> double& { return field(s).ratio; },
        tr("Ratio of %1").arg(owner));
    bindNumber(
        document, knee_, [field](Session& s) -> double& { return field(s).knee_db; },
        tr("Knee of %1").arg(owner));
    bindNumber(
        document, attack_, [field](Session& s) -> double& { return field(s).attack_ms; },
        tr("Attack of %1").arg(owner));
    bindNumber(
        document, release_, [field](Session& s) -> double& { return field(s).release_ms; },
        tr("Release of %1").arg(owner));
    bindNumber(
        document, makeup_, [field](Session& s) -> double& { return field(s).makeup_db; },
        tr("Makeup of %1").arg(owner));
    bindText(
        document, detection_, [field](Session& s) -> std::string& { return field(s).detection; },
        tr("Detection of %1").arg(owner));
    bindNumber(
        document, link_, [field](Session& s) -> double& { return field(s).stereo_link; },
        tr("Stereo link of %1").arg(owner), 100.0);
    bindNumber(
        document, sidechainHpf_, [field](Session& s) -> double& { return field(s).sidechain_hpf_hz; },
        tr("Side-chain high-pass of %1").arg(owner));
}

} // namespace lathe::ui
