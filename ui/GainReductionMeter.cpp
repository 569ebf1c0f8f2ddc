#include "GainReductionMeter.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

GainReductionMeter::GainReductionMeter(Qt::Orientation orientation, QWidget* parent)
    : QWidget(parent), orientation_(orientation) {
    setToolTip(tr("Gain reduction (double-click resets the held maximum)"));
}

void GainReductionMeter::setGainReductionDb(double db) {
    reductionDb_ = std::isfinite(db) ? std::abs(db) : 0.0;
    heldDb_ = std::max(heldDb_, reductionDb_);
    update();
}

void GainReductionMeter::resetHold() {
    heldDb_ = reductionDb_;
    update();
}

void GainReductionMeter::setRangeDb(double rangeDb) {
    rangeDb_ = std::max(1.0, rangeDb);
    update();
}

void GainReductionMeter::setOrientation(Qt::Orientation orientation) {
    orientation_ = orientation;
    updateGeometry();
    update();
}

double GainReductionMeter::filledFraction() const {
    return std::clamp(reductionDb_ / rangeDb_, 0.0, 1.0);
}

QSize GainReductionMeter::sizeHint() const {
    return orientation_ == Qt::Vertical ? QSize(34, 160) : QSize(200, 30);
}
QSize GainReductionMeter::minimumSizeHint() const {
    return orientation_ == Qt::Vertical ? QSize(26, 60) : QSize(80, 22);
}

void GainReductionMeter::mouseDoubleClickEvent(QMouseEvent* event) {
    resetHold();
    event->accept();
}

void GainReductionMeter::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    QFont small = font();
    small.setPointSizeF(std::max(6.5, font().pointSizeF() * 0.8));
    p.setFont(small);
    const QFontMetricsF fm(small);
    const QRectF all = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(pal.color(QPalette::Mid));
    p.setBrush(pal.color(QPalette::Base));
    p.drawRoundedRect(all, 3, 3);

    // No reduction reads "0.0", not "-0.0": a minus sign that says nothing draws the eye for no reason.
    const QString readout =
        reductionDb_ < 0.05 ? QStringLiteral("0.0") : QStringLiteral("-%1").arg(reductionDb_, 0, 'f', 1);
    const QColor amber(0xe8, 0xb3, 0x3c);
    const bool vertical = orientation_ == Qt::Vertical;
    QRectF track;
    if (vertical) {
        track = QRectF(all.left() + 4, all.top() + 4, all.width() - 8, all.height() - fm.height() - 10);
    } else {
        const double textWidth = fm.horizontalAdvance(QStringLiteral("-00.0")) + 6;
        track = QRectF(all.left() + 4, all.top() + 4, all.width() - textWidth - 10, all.height() - 8);
    }
    p.setPen(Qt::NoPen);
    p.setBrush(pal.color(QPalette::Window).darker(130));
    p.drawRect(track);

    // Ticks every 3 dB (every 6 past 24 dB of range) so the scale reads at a glance.
    const double step = rangeDb_ > 24 ? 6.0 : 3.0;
    QColor tick = pal.color(QPalette::Mid);
    p.setPen(QPen(tick, 1.0));
    for (double db = step; db < rangeDb_; db += step) {
        const double t = db / rangeDb_;
        if (vertical) {
            const double y = track.top() + t * track.height();
            p.drawLine(QPointF(track.left(), y), QPointF(track.left() + track.width() * 0.3, y));
        } else {
            const double x = track.right() - t * track.width();
            p.drawLine(QPointF(x, track.bottom()), QPointF(x, track.bottom() - track.height() * 0.3));
        }
    }

    const double fill = filledFraction();
    const double held = std::clamp(heldDb_ / rangeDb_, 0.0, 1.0);
    p.setPen(Qt::NoPen);
    p.setBrush(amber);
    if (vertical) {
        p.drawRect(QRectF(track.left(), track.top(), track.width(), fill * track.height()));
        p.setBrush(pal.color(QPalette::WindowText));
        if (held > 0)
            p.drawRect(QRectF(track.left(), track.top() + held * track.height() - 1, track.width(), 2));
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRectF(all.left(), track.bottom() + 3, all.width(), fm.height()), Qt::AlignCenter,
                   readout);
    } else {
        p.drawRect(
            QRectF(track.right() - fill * track.width(), track.top(), fill * track.width(), track.height()));
        p.setBrush(pal.color(QPalette::WindowText));
        if (held > 0)
            p.drawRect(QRectF(track.right() - held * track.width() - 1, track.top(), 2, track.height()));
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRectF(track.right() + 4, all.top(), all.right() - track.right() - 6, all.height()),
                   Qt::AlignRight | Qt::AlignVCenter, readout);
    }
}

} // namespace lathe::ui
