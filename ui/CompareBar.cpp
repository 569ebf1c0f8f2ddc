#include "CompareBar.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>

#include <algorithm>
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
    case core::MonitorSource::Codec:
        return tr("MP3 codec");
    }
    return {};
}

QString CompareBar::playbackSystemTitle(dsp::PlaybackSystem system) {
    switch (system) {
    case dsp::PlaybackSystem::Flat:
        return tr("Flat (studio)");
    case dsp::PlaybackSystem::PhoneSpeaker:
        return tr("Phone speaker");
    case dsp::PlaybackSystem::LaptopSpeakers:
        return tr("Laptop speakers");
    case dsp::PlaybackSystem::Earbuds:
        return tr("Earbuds");
    case dsp::PlaybackSystem::Car:
        return tr("Car");
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
    listenOn_ = new QComboBox(this);
    listenOn_->setObjectName(QStringLiteral("listenOn"));
    for (int i = 0; i < dsp::kPlaybackSystemCount; ++i) {
        const auto system = static_cast<dsp::PlaybackSystem>(i);
        listenOn_->addItem(playbackSystemTitle(system), i);
    }
    listenOn_->setToolTip(tr("Hear the source as a small playback system would play it (the meters still "
                             "read the source itself). Flat is the studio monitors, untouched."));
    auto* listenLabel = new QLabel(tr("Listen on"), this);
    listenLabel->setBuddy(listenOn_);
    layout->addSpacing(8);
    layout->addWidget(listenLabel);
    layout->addWidget(listenOn_);
    layout->addStretch(1);
    connect(listenOn_, &QComboBox::currentIndexChanged, this, [this](int) {
        emit playbackSystemSelected(static_cast<dsp::PlaybackSystem>(listenOn_->currentData().toInt()));
    });
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
    QString tip = available
                      ? tr("Listen to the %1 (key %2)").arg(sourceTitle(source).toLower()).arg(index + 1)
                      : tr("%1: not available for this session").arg(sourceTitle(source));
    if (source == core::MonitorSource::Codec)
        tip += tr("\nThe stereo master after an MP3 round trip (320 kb/s), as made at load: what lossy "
                  "streaming does to it. Not available at rates MP3 does not carry (only 32, 44.1, 48 kHz).");
    button->setToolTip(tip);
}

void CompareBar::setLoudnessMatch(bool enabled) {
    const QSignalBlocker block(match_);
    match_->setChecked(enabled);
}

void CompareBar::setPlaybackSystem(dsp::PlaybackSystem system) {
    const QSignalBlocker block(listenOn_);
    listenOn_->setCurrentIndex(std::max(0, listenOn_->findData(static_cast<int>(system))));
}

dsp::PlaybackSystem CompareBar::playbackSystem() const {
    return static_cast<dsp::PlaybackSystem>(listenOn_->currentData().toInt());
}

bool CompareBar::loudnessMatch() const {
    return match_->isChecked();
}

} // namespace lathe::ui
