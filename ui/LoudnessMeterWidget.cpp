#include "LoudnessMeterWidget.h"

#include "core/engine/AudioEngine.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

namespace {

// The engine reports -200 for "no reading"; anything this low is silence for display purposes.
constexpr double kNoReadingBelow = -150.0;

bool hasReading(double value) {
    return std::isfinite(value) && value > kNoReadingBelow;
}

double orNone(float value) {
    return value > kNoReadingBelow ? double(value) : -std::numeric_limits<double>::infinity();
}

QString formatValue(double value, int decimals = 1) {
    if (!hasReading(value)) return QStringLiteral("\u2013\u2013.\u2013");
    return QString::number(value, 'f', decimals);
}

// Green below the target, amber within 1 LU above it, red beyond: what a mastering engineer scans for.
QColor levelColour(double lufs, double target) {
    if (lufs > target + 1.0) return QColor(0xe0, 0x4f, 0x4f);
    if (lufs > target - 1.0) return QColor(0xe8, 0xb3, 0x3c);
    return QColor(0x4c, 0xc3, 0x7a);
}

} // namespace

LoudnessMeterWidget::LoudnessMeterWidget(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
}

void LoudnessMeterWidget::setReadings(const LoudnessReadings& readings) {
    readings_ = readings;
    update();
}

void LoudnessMeterWidget::setValues(const core::MeterFrame& frame) {
    readings_.momentaryLufs = orNone(frame.momentaryLufs);
    readings_.shortTermLufs = orNone(frame.shortTermLufs);
    readings_.integratedLufs = orNone(frame.integratedLufs);
    readings_.loudnessRangeLu = frame.loudnessRangeLu;
    const double peak = orNone(frame.truePeakDbtp);
    if (peak > readings_.truePeakDbtp || !hasReading(readings_.truePeakDbtp)) readings_.truePeakDbtp = peak;
    update();
}

void LoudnessMeterWidget::setMomentaryLufs(double lufs) {
    readings_.momentaryLufs = lufs;
    update();
}
void LoudnessMeterWidget::setShortTermLufs(double lufs) {
    readings_.shortTermLufs = lufs;
    update();
}
void LoudnessMeterWidget::setIntegratedLufs(double lufs) {
    readings_.integratedLufs = lufs;
    update();
}
void LoudnessMeterWidget::setLoudnessRangeLu(double lu) {
    readings_.loudnessRangeLu = lu;
    update();
}
void LoudnessMeterWidget::setTruePeakDbtp(double dbtp) {
    readings_.truePeakDbtp = dbtp;
    update();
}
void LoudnessMeterWidget::reset() {
    readings_ = LoudnessReadings{};
    update();
}
void LoudnessMeterWidget::setTargetLufs(double lufs) {
    targetLufs_ = lufs;
    update();
}
void LoudnessMeterWidget::setCeilingDbtp(double dbtp) {
    ceilingDbtp_ = dbtp;
    update();
}

double LoudnessMeterWidget::plrDb() const {
    if (!hasReading(readings_.truePeakDbtp) || !hasReading(readings_.integratedLufs))
        return std::numeric_limits<double>::quiet_NaN();
    return readings_.truePeakDbtp - readings_.integratedLufs;
}

bool LoudnessMeterWidget::truePeakOverCeiling() const {
    return hasReading(readings_.truePeakDbtp) && readings_.truePeakDbtp > ceilingDbtp_ + 1e-9;
}

QSize LoudnessMeterWidget::sizeHint() const {
    return {300, 260};
}
QSize LoudnessMeterWidget::minimumSizeHint() const {
    return {220, 180};
}

void LoudnessMeterWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    const QRectF all = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(pal.color(QPalette::Mid));
    p.setBrush(pal.color(QPalette::Base));
    p.drawRoundedRect(all, 4, 4);

    const QFont baseFont = font();
    QFont small = baseFont;
    small.setPointSizeF(std::max(6.5, baseFont.pointSizeF() * 0.8));
    const QFontMetricsF smallMetrics(small);

    // Bars: M, S, I on a LUFS scale, the scale labels on the left.
    const double pad = 8.0;
    const double labelWidth = smallMetrics.horizontalAdvance(QStringLiteral("-48")) + 4.0;
    const double barWidth = std::clamp(width() * 0.07, 12.0, 22.0);
    const double barGap = 5.0;
    const double barsLeft = all.left() + pad + labelWidth;
    const double barsTop = all.top() + pad + smallMetrics.height() * 0.5;
    const double barsBottom = all.bottom() - pad - smallMetrics.height() - 2.0;
    const double barsRight = barsLeft + 3 * barWidth + 2 * barGap;
    auto yFor = [&](double lufs) {
        const double t = (std::clamp(lufs, kScaleMinLufs, kScaleMaxLufs) - kScaleMinLufs) /
                         (kScaleMaxLufs - kScaleMinLufs);
        return barsBottom - t * (barsBottom - barsTop);
    };

    p.setFont(small);
    for (int lufs = int(kScaleMinLufs); lufs <= int(kScaleMaxLufs); lufs += 6) {
        const double y = yFor(lufs);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(all.left() + pad - 2, y - 8, labelWidth - 2, 16), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(lufs));
        QColor grid = pal.color(QPalette::Mid);
        grid.setAlpha(110);
        p.setPen(QPen(grid, 1.0));
        p.drawLine(QPointF(barsLeft - 2, y), QPointF(barsRight + 2, y));
    }

    const double values[3] = {readings_.momentaryLufs, readings_.shortTermLufs, readings_.integratedLufs};
    const QString names[3] = {QStringLiteral("M"), QStringLiteral("S"), QStringLiteral("I")};
    for (int i = 0; i < 3; ++i) {
        const double x = barsLeft + i * (barWidth + barGap);
        const QRectF track(x, barsTop, barWidth, barsBottom - barsTop);
        QColor trackColour = pal.color(QPalette::Window).darker(130);
        p.setPen(Qt::NoPen);
        p.setBrush(trackColour);
        p.drawRect(track);
        if (hasReading(values[i]) && values[i] > kScaleMinLufs) {
            const double top = yFor(values[i]);
            QRectF fill(x, top, barWidth, barsBottom - top);
            p.setBrush(levelColour(values[i], targetLufs_));
            p.drawRect(fill);
        }
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRectF(x - 4, barsBottom + 2, barWidth + 8, smallMetrics.height()), Qt::AlignCenter,
                   names[i]);
    }
    // Target line across the bars.
    const double targetY = yFor(targetLufs_);
    p.setPen(QPen(pal.color(QPalette::Highlight), 2.0));
    p.drawLine(QPointF(barsLeft - 4, targetY), QPointF(barsRight + 4, targetY));

    // Numbers on the right: integrated and true peak big, the rest small.
    const double textLeft = barsRight + 14.0;
    const QRectF textArea(textLeft, all.top() + pad, all.right() - pad - textLeft, all.height() - 2 * pad);
    QFont big = baseFont;
    big.setPointSizeF(std::clamp(textArea.height() / 9.0, 11.0, 30.0));
    big.setBold(true);
    const QFontMetricsF bigMetrics(big);
    double y = textArea.top();

    auto caption = [&](const QString& text) {
        p.setFont(small);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(textArea.left(), y, textArea.width(), smallMetrics.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, text);
        y += smallMetrics.height();
    };
    auto bigNumber = [&](const QString& value, const QString& unit, const QColor& colour) {
        p.setFont(big);
        p.setPen(colour);
        const QRectF box(textArea.left(), y, textArea.width(), bigMetrics.height());
        p.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, value);
        const double advance = bigMetrics.horizontalAdvance(value);
        p.setFont(small);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(
            QRectF(textArea.left() + advance + 4, y, textArea.width() - advance - 4, bigMetrics.height()),
            Qt::AlignLeft | Qt::AlignBottom, unit);
        y += bigMetrics.height() + 4;
    };

    caption(tr("INTEGRATED"));
    const QColor integratedColour = hasReading(readings_.integratedLufs)
                                        ? levelColour(readings_.integratedLufs, targetLufs_)
                                        : pal.color(QPalette::WindowText);
    bigNumber(formatValue(readings_.integratedLufs), QStringLiteral("LUFS"), integratedColour);
    caption(tr("TRUE PEAK"));
    bigNumber(formatValue(readings_.truePeakDbtp), QStringLiteral("dBTP"),
              truePeakOverCeiling() ? QColor(0xff, 0x4d, 0x4d) : pal.color(QPalette::WindowText));

    p.setFont(baseFont);
    const QFontMetricsF metrics(baseFont);
    const struct {
        QString label;
        QString value;
    } rows[] = {
        {tr("Momentary"), formatValue(readings_.momentaryLufs) + QStringLiteral(" LUFS")},
        {tr("Short-term"), formatValue(readings_.shortTermLufs) + QStringLiteral(" LUFS")},
        {tr("LRA"), QString::number(readings_.loudnessRangeLu, 'f', 1) + QStringLiteral(" LU")},
        {tr("PLR"),
         (std::isnan(plrDb()) ? QStringLiteral("\u2013\u2013.\u2013") : QString::number(plrDb(), 'f', 1)) +
             QStringLiteral(" dB")},
    };
    for (const auto& row : rows) {
        if (y + metrics.height() > textArea.bottom() + 1) break;
        const QRectF line(textArea.left(), y, textArea.width(), metrics.height());
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter, row.label);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(line, Qt::AlignRight | Qt::AlignVCenter, row.value);
        y += metrics.height() + 2;
    }
}

} // namespace lathe::ui
