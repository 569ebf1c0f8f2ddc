#include "CorrelationMeterWidget.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

CorrelationMeterWidget::CorrelationMeterWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void CorrelationMeterWidget::setCorrelation(double correlation) {
    correlation_ = std::isnan(correlation) ? correlation : std::clamp(correlation, -1.0, 1.0);
    update();
}

QSize CorrelationMeterWidget::sizeHint() const {
    return {240, fontMetrics().height() * 2 + 14};
}
QSize CorrelationMeterWidget::minimumSizeHint() const {
    return {120, fontMetrics().height() * 2 + 10};
}

void CorrelationMeterWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    const QFontMetricsF fm(font());
    const QRectF all = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(pal.color(QPalette::Mid));
    p.setBrush(pal.color(QPalette::Base));
    p.drawRoundedRect(all, 4, 4);

    const double pad = 6.0;
    const QRectF labels(all.left() + pad, all.top() + 2, all.width() - 2 * pad, fm.height());
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(labels, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("-1"));
    p.drawText(labels, Qt::AlignHCenter | Qt::AlignVCenter, QStringLiteral("0"));
    p.drawText(labels, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("+1"));
    const QString value =
        std::isnan(correlation_) ? QStringLiteral("\u2013") : QString::number(correlation_, 'f', 2);
    p.setPen(pal.color(QPalette::WindowText));
    p.drawText(labels.adjusted(labels.width() * 0.6, 0, -fm.horizontalAdvance(QStringLiteral("+1")) - 8, 0),
               Qt::AlignRight | Qt::AlignVCenter, value);

    const QRectF track(all.left() + pad, labels.bottom() + 3, all.width() - 2 * pad,
                       std::max(4.0, all.bottom() - labels.bottom() - 3 - pad));
    p.setPen(Qt::NoPen);
    p.setBrush(pal.color(QPalette::Window).darker(130));
    p.drawRect(track);
    const double centre = track.center().x();
    if (!std::isnan(correlation_)) {
        const double x = centre + correlation_ * track.width() / 2.0;
        const QColor colour = correlation_ < 0 ? QColor(0xe0, 0x4f, 0x4f) : QColor(0x4c, 0xc3, 0x7a);
        p.setBrush(colour);
        p.drawRect(
            QRectF(QPointF(std::min(centre, x), track.top()), QPointF(std::max(centre, x), track.bottom())));
        p.setBrush(pal.color(QPalette::WindowText));
        p.drawRect(QRectF(x - 1.5, track.top() - 1, 3, track.height() + 2));
    }
    p.setPen(QPen(pal.color(QPalette::Mid), 1.0));
    p.drawLine(QPointF(centre, track.top()), QPointF(centre, track.bottom()));
}

} // namespace lathe::ui
