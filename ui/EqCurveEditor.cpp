#include "EqCurveEditor.h"

#include "core/chain/ChainSettingsMapping.h"
#include "dsp/BiquadCoefficients.h"

#include <QActionGroup>
#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

namespace {

const double kLogSpan = std::log(EqCurveEditor::kMaxHz / EqCurveEditor::kMinHz);

// Distinct hues per band so a handle and its own curve are easy to pair up on a dark background.
QColor bandColour(int index) {
    static const QColor colours[] = {QColor(0xff, 0x8a, 0x4c), QColor(0xf2, 0xd0, 0x4f),
                                     QColor(0x7c, 0xd9, 0x6b), QColor(0x4f, 0xd1, 0xd9),
                                     QColor(0x5c, 0x9c, 0xff), QColor(0xa7, 0x7b, 0xff),
                                     QColor(0xff, 0x6b, 0xc1), QColor(0xc9, 0xc9, 0xc9)};
    return colours[std::size_t(index) % std::size(colours)];
}

double bandMagnitudeDb(const core::EqBandSettings& settings, double sampleRate, double hz) {
    const dsp::EqBand band = core::toEqBand(settings);
    const auto coefficients = dsp::makeFilter(band.type, sampleRate, band.frequencyHz, band.q, band.gainDb);
    return dsp::magnitudeDb(coefficients, sampleRate, hz);
}

QString formatFrequency(double hz) {
    return hz >= 1000 ? QStringLiteral("%1 kHz").arg(hz / 1000, 0, 'f', hz >= 10000 ? 1 : 2)
                      : QStringLiteral("%1 Hz").arg(hz, 0, 'f', 0);
}

} // namespace

bool eqBandHasGain(const core::EqBandSettings& band) {
    return band.type == "bell" || band.type == "low_shelf" || band.type == "high_shelf";
}

const std::vector<std::pair<std::string, QString>>& EqCurveEditor::bandTypes() {
    static const std::vector<std::pair<std::string, QString>> types{
        {"bell", tr("Bell")},         {"low_shelf", tr("Low shelf")}, {"high_shelf", tr("High shelf")},
        {"low_pass", tr("Low-pass")}, {"high_pass", tr("High-pass")}, {"band_pass", tr("Band-pass")},
        {"notch", tr("Notch")},
    };
    return types;
}

void EqCurveEditor::setBandEnabled(int index, bool enabled) {
    if (index < 0 || index >= int(bands_.size()) || bands_[std::size_t(index)].enabled == enabled) return;
    bands_[std::size_t(index)].enabled = enabled;
    update();
    emit bandChanged(index, bands_[std::size_t(index)]);
    emit bandEditFinished(index);
}

void EqCurveEditor::setBandType(int index, const std::string& type) {
    const auto& types = bandTypes();
    const bool known =
        std::any_of(types.begin(), types.end(), [&](const auto& t) { return t.first == type; });
    if (!known || index < 0 || index >= int(bands_.size()) || bands_[std::size_t(index)].type == type) return;
    bands_[std::size_t(index)].type = type;
    update();
    emit bandChanged(index, bands_[std::size_t(index)]);
    emit bandEditFinished(index);
}

QMenu* EqCurveEditor::createBandMenu(int index, QWidget* parent) {
    auto* menu = new QMenu(parent);
    if (index < 0 || index >= int(bands_.size())) return menu;
    const core::EqBandSettings& band = bands_[std::size_t(index)];
    QAction* on = menu->addAction(tr("Band %1 on").arg(index + 1));
    on->setObjectName(QStringLiteral("bandEnabled"));
    on->setCheckable(true);
    on->setChecked(band.enabled);
    connect(on, &QAction::toggled, this, [this, index](bool checked) { setBandEnabled(index, checked); });
    menu->addSeparator();
    auto* group = new QActionGroup(menu);
    for (const auto& [type, label] : bandTypes()) {
        QAction* a = menu->addAction(label);
        a->setCheckable(true);
        a->setChecked(band.type == type);
        a->setData(QString::fromStdString(type));
        group->addAction(a);
        const std::string name = type;
        connect(a, &QAction::triggered, this, [this, index, name] { setBandType(index, name); });
    }
    return menu;
}

void EqCurveEditor::contextMenuEvent(QContextMenuEvent* event) {
    int band = bandAt(event->pos());
    if (band < 0) band = selected_;
    if (band < 0) {
        event->ignore();
        return;
    }
    if (band != selected_) {
        selected_ = band;
        emit bandSelected(band);
        update();
    }
    QMenu* menu = createBandMenu(band, this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos());
    event->accept();
}

EqCurveEditor::EqCurveEditor(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setToolTip(tr("Drag a handle: frequency and gain. Wheel over it: Q."));
}

void EqCurveEditor::setBands(const std::vector<core::EqBandSettings>& bands) {
    bands_ = bands;
    if (selected_ >= int(bands_.size())) selected_ = -1;
    if (dragging_ >= int(bands_.size())) dragging_ = -1;
    update();
}

void EqCurveEditor::setSampleRate(double sampleRate) {
    if (sampleRate > 0) sampleRate_ = sampleRate;
    update();
}

void EqCurveEditor::setGainRangeDb(double rangeDb) {
    gainRangeDb_ = std::max(1.0, rangeDb);
    update();
}

double EqCurveEditor::responseDb(double frequencyHz) const {
    double sum = 0.0;
    for (const auto& band : bands_)
        if (band.enabled) sum += bandMagnitudeDb(band, sampleRate_, frequencyHz);
    return sum;
}

QRectF EqCurveEditor::plotRect() const {
    const QFontMetricsF fm(font());
    const double left = fm.horizontalAdvance(QStringLiteral("+18")) + 10.0;
    // Half a label of room above and right, so the +range and 20k labels on the plot's edges are not clipped.
    const double top = fm.height() / 2.0 + 4.0;
    const double right = fm.horizontalAdvance(QStringLiteral("20k")) / 2.0 + 6.0;
    return QRectF(left, top, std::max(10.0, width() - left - right),
                  std::max(10.0, height() - top - fm.height() - 8.0));
}

double EqCurveEditor::xForFrequency(double hz) const {
    const QRectF r = plotRect();
    return r.left() + r.width() * std::log(hz / kMinHz) / kLogSpan;
}

double EqCurveEditor::frequencyForX(double x) const {
    const QRectF r = plotRect();
    return kMinHz * std::exp(kLogSpan * (x - r.left()) / r.width());
}

double EqCurveEditor::yForGain(double db) const {
    const QRectF r = plotRect();
    return r.top() + r.height() * (gainRangeDb_ - db) / (2.0 * gainRangeDb_);
}

double EqCurveEditor::gainForY(double y) const {
    const QRectF r = plotRect();
    return gainRangeDb_ - (y - r.top()) * 2.0 * gainRangeDb_ / r.height();
}

QPointF EqCurveEditor::handlePosition(int index) const {
    const auto& band = bands_[std::size_t(index)];
    const double gain = eqBandHasGain(band) ? std::clamp(band.gain_db, -gainRangeDb_, gainRangeDb_) : 0.0;
    return {xForFrequency(std::clamp(band.frequency_hz, kMinHz, kMaxHz)), yForGain(gain)};
}

int EqCurveEditor::bandAt(const QPointF& pos) const {
    // The nearest handle within reach, so overlapping handles still pick the one the pointer is closest to.
    int best = -1;
    double bestDistance = kHandleRadius + 4.0;
    for (int i = 0; i < int(bands_.size()); ++i) {
        const QPointF d = handlePosition(i) - pos;
        const double distance = std::hypot(d.x(), d.y());
        if (distance <= bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

std::vector<std::pair<double, QRectF>> EqCurveEditor::frequencyLabels() const {
    QFont small = font();
    small.setPointSizeF(std::max(6.5, font().pointSizeF() * 0.85));
    const QFontMetricsF fm(small);
    const QRectF r = plotRect();
    // Most telling first: decades, then the 2-5-10 steps. A label that would touch one already placed (or
    // stick out of the widget) is left out, so a narrow strip shows 100 / 1k / 10k and a wide one all ten.
    std::vector<std::pair<double, QRectF>> placed;
    for (double hz : {100.0, 1000.0, 10000.0, 20.0, 20000.0, 500.0, 5000.0, 50.0, 200.0, 2000.0}) {
        const QString text = hz >= 1000 ? QStringLiteral("%1k").arg(hz / 1000) : QString::number(hz);
        const double w = fm.horizontalAdvance(text) + 2.0;
        const double x = xForFrequency(hz);
        const QRectF box(x - w / 2, r.bottom() + 3, w, fm.height());
        if (box.left() < 0 || box.right() > width()) continue;
        const QRectF spaced = box.adjusted(-3, 0, 3, 0);
        const bool clash = std::any_of(placed.begin(), placed.end(),
                                       [&](const auto& other) { return other.second.intersects(spaced); });
        if (!clash) placed.emplace_back(hz, box);
    }
    return placed;
}

QSize EqCurveEditor::sizeHint() const {
    return {420, 200};
}
QSize EqCurveEditor::minimumSizeHint() const {
    return {200, 100};
}

void EqCurveEditor::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const int band = bandAt(event->position());
    if (band != selected_) {
        selected_ = band;
        emit bandSelected(band);
    }
    if (band >= 0) {
        dragging_ = band;
        dragOffset_ = handlePosition(band) - event->position();
        setCursor(Qt::ClosedHandCursor);
    }
    update();
}

void EqCurveEditor::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_ < 0) {
        setCursor(bandAt(event->position()) >= 0 ? Qt::OpenHandCursor : Qt::ArrowCursor);
        return;
    }
    const QRectF r = plotRect();
    const QPointF target = event->position() + dragOffset_;
    auto band = bands_[std::size_t(dragging_)];
    band.frequency_hz = frequencyForX(std::clamp(target.x(), r.left(), r.right()));
    if (eqBandHasGain(band)) band.gain_db = gainForY(std::clamp(target.y(), r.top(), r.bottom()));
    if (band == bands_[std::size_t(dragging_)]) return;
    bands_[std::size_t(dragging_)] = band;
    update();
    emit bandChanged(dragging_, band);
}

void EqCurveEditor::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || dragging_ < 0) return;
    const int band = dragging_;
    dragging_ = -1;
    setCursor(Qt::OpenHandCursor);
    emit bandEditFinished(band);
}

void EqCurveEditor::wheelEvent(QWheelEvent* event) {
    int band = bandAt(event->position());
    if (band < 0) band = selected_;
    if (band < 0) {
        event->ignore();
        return;
    }
    const double notches = event->angleDelta().y() / 120.0;
    if (notches == 0.0) return;
    auto settings = bands_[std::size_t(band)];
    settings.q = std::clamp(settings.q * std::pow(kQStepPerNotch, notches), kMinQ, kMaxQ);
    event->accept();
    if (settings == bands_[std::size_t(band)]) return;
    bands_[std::size_t(band)] = settings;
    selected_ = band;
    update();
    emit bandChanged(band, settings);
    emit bandEditFinished(band);
}

void EqCurveEditor::setMatchCurve(const dsp::MatchCurve* curve, bool active) {
    matchTone_ = curve ? curve->tone : dsp::FrequencyCurve{};
    matchWidth_ = curve ? curve->width : std::vector<dsp::MatchWidthCorrection>{};
    matchActive_ = curve && active;
    update();
}

template <typename CurvePath>
void EqCurveEditor::paintMatchCurve(QPainter& p, const CurvePath& curve) const {
    if (matchTone_.empty()) return;
    const Qt::PenStyle style = matchActive_ ? Qt::SolidLine : Qt::DashLine;
    // The side's extra gain per band, as steps under the tone curve.
    const QColor side(120, 170, 255, matchActive_ ? 200 : 120);
    p.setPen(QPen(side, 1.5, style));
    for (const auto& band : matchWidth_) {
        const double y = yForGain(std::clamp(band.sideGainDb, -gainRangeDb_, gainRangeDb_));
        p.drawLine(QPointF(xForFrequency(std::max(kMinHz, band.lowHz)), y),
                   QPointF(xForFrequency(std::min(kMaxHz, band.highHz)), y));
    }
    p.setPen(QPen(QColor(255, 170, 60, matchActive_ ? 235 : 150), 2.0, style));
    p.drawPath(curve([&](double hz) { return matchTone_.gainDbAt(hz); }));
    const QRectF r = plotRect();
    p.drawText(QRectF(r.left() + 4, r.top() + 2, r.width() - 8, 16), Qt::AlignLeft | Qt::AlignTop,
               matchActive_ ? tr("Match") : tr("Match (preview)"));
}

void EqCurveEditor::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    QFont small = font();
    small.setPointSizeF(std::max(6.5, font().pointSizeF() * 0.85));
    p.setFont(small);
    const QFontMetricsF fm(small);
    const QRectF all = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(pal.color(QPalette::Mid));
    p.setBrush(pal.color(QPalette::Base));
    p.drawRoundedRect(all, 4, 4);
    const QRectF r = plotRect();

    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(110);
    for (double hz : {20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0}) {
        const double x = xForFrequency(hz);
        p.setPen(QPen(grid, 1.0));
        p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
    }
    p.setPen(pal.color(QPalette::PlaceholderText));
    for (const auto& [hz, label] : frequencyLabels())
        p.drawText(label, Qt::AlignCenter,
                   hz >= 1000 ? QStringLiteral("%1k").arg(hz / 1000) : QString::number(hz));
    const double step = gainRangeDb_ > 12 ? 6.0 : 3.0;
    // A label every step while they clear each other; on a short curve (a strip's thumbnail) every second,
    // third... line, down to 0 dB alone, instead of labels printed over each other.
    const double pxPerDb = r.height() / (2.0 * gainRangeDb_);
    double labelStep = step;
    while (labelStep * pxPerDb < fm.height() + 1.0 && labelStep <= gainRangeDb_)
        labelStep += step;
    for (double db = -std::floor(gainRangeDb_ / step) * step; db <= gainRangeDb_ + 1e-9; db += step) {
        const double y = yForGain(db);
        QColor line = grid;
        if (std::abs(db) < 1e-9) line = pal.color(QPalette::Mid).lighter(140);
        p.setPen(QPen(line, 1.0));
        p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y));
        const double multiple = db / labelStep;
        if (std::abs(multiple - std::round(multiple)) > 1e-9) continue;
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(all.left() + 2, y - fm.height() / 2, r.left() - all.left() - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter,
                   (db > 0 ? QStringLiteral("+") : QString()) + QString::number(db));
    }

    p.save();
    p.setClipRect(r.adjusted(-1, -1, 1, 1));
    const int points = std::max(64, int(r.width()));
    auto curve = [&](auto&& dbAt) {
        QPainterPath path;
        for (int i = 0; i <= points; ++i) {
            const double x = r.left() + r.width() * i / points;
            const double y =
                yForGain(std::clamp(dbAt(frequencyForX(x)), -gainRangeDb_ * 1.5, gainRangeDb_ * 1.5));
            if (i == 0)
                path.moveTo(x, y);
            else
                path.lineTo(x, y);
        }
        return path;
    };
    for (int i = 0; i < int(bands_.size()); ++i) {
        const auto& band = bands_[std::size_t(i)];
        if (!band.enabled) continue;
        QColor c = bandColour(i);
        c.setAlpha(i == selected_ ? 170 : 70);
        p.setPen(QPen(c, 1.0));
        p.drawPath(curve([&](double hz) { return bandMagnitudeDb(band, sampleRate_, hz); }));
    }
    QPainterPath total = curve([&](double hz) { return responseDb(hz); });
    QPainterPath area = total;
    area.lineTo(r.right(), yForGain(0));
    area.lineTo(r.left(), yForGain(0));
    area.closeSubpath();
    QColor accent = pal.color(QPalette::Highlight);
    QColor fill = accent;
    fill.setAlpha(45);
    p.setPen(Qt::NoPen);
    p.setBrush(fill);
    p.drawPath(area);
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(accent.lighter(135), 2.0));
    p.drawPath(total);
    paintMatchCurve(p, curve);
    p.restore();

    QFont handleFont = small;
    handleFont.setBold(true);
    p.setFont(handleFont);
    for (int i = 0; i < int(bands_.size()); ++i) {
        const QPointF c = handlePosition(i);
        QColor colour = bandColour(i);
        if (!bands_[std::size_t(i)].enabled) colour.setAlpha(90);
        p.setPen(QPen(i == selected_ ? pal.color(QPalette::BrightText) : colour.darker(160),
                      i == selected_ ? 2 : 1));
        p.setBrush(colour);
        p.drawEllipse(c, kHandleRadius, kHandleRadius);
        p.setPen(QColor(0x10, 0x10, 0x10));
        p.drawText(QRectF(c.x() - kHandleRadius, c.y() - kHandleRadius, 2 * kHandleRadius, 2 * kHandleRadius),
                   Qt::AlignCenter, QString::number(i + 1));
    }

    if (selected_ >= 0) {
        const auto& band = bands_[std::size_t(selected_)];
        QString text = QStringLiteral("%1  %2  %3")
                           .arg(QString::number(selected_ + 1), QString::fromStdString(band.type),
                                formatFrequency(band.frequency_hz));
        if (eqBandHasGain(band))
            text += QStringLiteral("  %1%2 dB")
                        .arg(band.gain_db > 0 ? QStringLiteral("+") : QString())
                        .arg(band.gain_db, 0, 'f', 1);
        text += QStringLiteral("  Q %1").arg(band.q, 0, 'f', 2);
        p.setFont(small);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(r.adjusted(6, 2, -6, 0), Qt::AlignLeft | Qt::AlignTop, text);
    }
}

} // namespace lathe::ui
