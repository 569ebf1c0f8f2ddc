#include "CompareBar.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QToolButton>

#include <cmath>

namespace lathe::ui {

QString CompareBar::sourceTitle(core::MonitorSource source) {
    switch (source) {
    case core::MonitorSource::Mix:
        return tr("Mix");
    case core::MonitorSource::StereoMaster:
        return tr("Stereo master");
    case core::MonitorSource::StemMaster:
        return tr("Stem master");
    case core::MonitorSource::Reference:
        return tr("Reference");
    case core::MonitorSource::Delta:
        return tr("Delta");
    }
    return {};
}

CompareBar::CompareBar(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(4);
    group_ = new QButtonGroup(this);
    group_->setExclusive(true);
    for (int i = 0; i < core::kMonitorSourceCount; ++i) {
        const auto source = static_cast<core::MonitorSource>(i);
        auto* button = new QToolButton(this);
        button->setObjectName(QStringLiteral("compareButton"));
        button->setCheckable(true);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        buttons_[i] = button;
        group_->addButton(button, i);
        layout->addWidget(button);
        setSourceInfo(source, false, NAN, NAN);
    }
    match_ = new QCheckBox(tr("Loudness match"), this);
    match_->setToolTip(
        tr("Play every source at the same integrated loudness, so you compare sound, not level"));
    match_->setChecked(true);
    layout->addSpacing(8);
    layout->addWidget(match_);
    layout->addStretch(1);
    buttons_[0]->setChecked(true);

    connect(group_, &QButtonGroup::idClicked, this, [this](int id) {
        current_ = static_cast<core::MonitorSource>(id);
        emit sourceSelected(current_);
    });
    connect(match_, &QCheckBox::toggled, this, &CompareBar::loudnessMatchToggled);
}

void CompareBar::setCurrentSource(core::MonitorSource source) {
    current_ = source;
    const QSignalBlocker block(group_);
    buttons_[static_cast<int>(source)]->setChecked(true);
}

void CompareBar::setSourceInfo(core::MonitorSource source, bool available, double integratedLufs,
                               double truePeakDbtp) {
    const int index = static_cast<int>(source);
    QToolButton* button = buttons_[index];
    // Below BS.1770's absolute gate (-70 LUFS) there is no loudness to show: the delta of stems that null
    // against the mix lands here, and "silent" says that better than -200.
    constexpr double kSilentLufs = -70.0;
    QString figures = QStringLiteral("—");
    if (available && std::isfinite(integratedLufs) && integratedLufs > kSilentLufs)
        figures = QStringLiteral("%1 LUFS · %2 dBTP")
                      .arg(integratedLufs, 0, 'f', 1)
                      .arg(std::isfinite(truePeakDbtp) && truePeakDbtp > -150
                               ? QString::number(truePeakDbtp, 'f', 1)
                               : QStringLiteral("—"));
    else if (available)
        figures = tr("silent (nulls)");
    button->setText(QStringLiteral("%1  %2\n%3").arg(index + 1).arg(sourceTitle(source), figures));
    button->setEnabled(available);
    button->setToolTip(available
                           ? tr("Listen to the %1 (key %2)").arg(sourceTitle(source).toLower()).arg(index + 1)
                           : tr("%1: not available for this session").arg(sourceTitle(source)));
}

void CompareBar::setLoudnessMatch(bool enabled) {
    const QSignalBlocker block(match_);
    match_->setChecked(enabled);
}

bool CompareBar::loudnessMatch() const {
    return match_->isChecked();
}

} // namespace lathe::ui
