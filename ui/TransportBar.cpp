#include "TransportBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QStyle>
#include <QToolButton>

#include <cmath>

namespace lathe::ui {

TransportBar::TransportBar(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    home_ = new QToolButton(this);
    home_->setIcon(style()->standardIcon(QStyle::SP_MediaSkipBackward));
    home_->setToolTip(tr("Return to start (Home)"));
    play_ = new QToolButton(this);
    play_->setObjectName(QStringLiteral("playButton"));
    play_->setCheckable(true);
    play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    play_->setToolTip(tr("Play / stop (Space)"));
    loop_ = new QToolButton(this);
    loop_->setCheckable(true);
    loop_->setText(tr("Loop"));
    loop_->setToolTip(tr("Loop (L); drag on the waveform to choose the region"));
    for (QToolButton* b : {home_, play_})
        b->setIconSize(QSize(20, 20));
    position_ = new QLabel(this);
    position_->setObjectName(QStringLiteral("positionLabel"));
    position_->setMinimumWidth(170);
    audio_ = new QLabel(this);
    audio_->setObjectName(QStringLiteral("dimLabel"));
    // A long device message is cut (the tooltip has it whole), never widening the window.
    audio_->setMinimumWidth(1);
    audio_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(home_);
    layout->addWidget(play_);
    layout->addWidget(loop_);
    layout->addSpacing(8);
    layout->addWidget(position_);
    layout->addWidget(audio_, 1);

    connect(home_, &QToolButton::clicked, this, &TransportBar::returnToStartClicked);
    connect(play_, &QToolButton::clicked, this, [this] {
        // The engine decides whether it plays; the button shows its state, not the click.
        const QSignalBlocker block(play_);
        play_->setChecked(!play_->isChecked());
        emit playToggled();
    });
    connect(loop_, &QToolButton::toggled, this, &TransportBar::loopToggled);
    setPosition(0, 0, 0);
    setReady(false);
}

void TransportBar::setPlaying(bool playing) {
    play_->setChecked(playing);
    play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaStop : QStyle::SP_MediaPlay));
}

void TransportBar::setLoopEnabled(bool enabled) {
    const QSignalBlocker block(loop_);
    loop_->setChecked(enabled);
}

QString TransportBar::formatTime(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    const qint64 ms = qRound64(seconds * 1000);
    return QStringLiteral("%1:%2.%3")
        .arg(ms / 60000)
        .arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'))
        .arg(ms % 1000, 3, 10, QLatin1Char('0'));
}

void TransportBar::setPosition(qint64 frame, qint64 lengthFrames, int sampleRate) {
    const double rate = sampleRate > 0 ? sampleRate : 1;
    position_->setText(QStringLiteral("%1 / %2").arg(formatTime(sampleRate > 0 ? frame / rate : 0),
                                                     formatTime(sampleRate > 0 ? lengthFrames / rate : 0)));
}

QString TransportBar::positionText() const {
    return position_->text();
}

void TransportBar::setReady(bool ready) {
    for (QToolButton* b : {home_, play_, loop_})
        b->setEnabled(ready);
}

void TransportBar::setAudioStatus(const QString& text, bool available) {
    audio_->setText(available ? text : QStringLiteral("⚠ ") + text);
    audio_->setToolTip(text);
    audio_->setStyleSheet(available ? QString() : QStringLiteral("color: #e6c83a;"));
}

} // namespace lathe::ui
