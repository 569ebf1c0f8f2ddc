#include "SpectrumWidget.h"

#include "core/analysis/MatchSpectra.h"
#include "core/engine/AudioEngine.h"

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace lathe::ui {

namespace {

const double kLogSpan = std::log(SpectrumWidget::kMaxHz / SpectrumWidget::kMinHz);

} // namespace

SpectrumWidget::SpectrumWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    clear();
}

double SpectrumWidget::pointFrequency(int point) {
    return kMinHz * std::exp(kLogSpan * double(point) / double(kDisplayPoints - 1));
}

int SpectrumWidget::pointForFrequency(double hz) {
    const double t = std::log(std::max(hz, 1e-9) / kMinHz) / kLogSpan;
    return std::clamp(int(std::lround(t * (kDisplayPoints - 1))), 0, kDisplayPoints - 1);
}

void SpectrumWidget::clear() {
    display_.assign(kDisplayPoints, minDb_);
    peak_.assign(kDisplayPoints, minDb_);
    peakAge_.assign(kDisplayPoints, 0.0);
    lastFrameMs_ = -1;
    update();
}

void SpectrumWidget::setMatchSpectra(const core::MatchSpectra& spectra) {
    const std::vector<double>* levels[] = {&spectra.sourceDb, &spectra.referenceDb, &spectra.matchedDb};
    const auto& hz = spectra.frequencyHz;
    for (int t = 0; t < 3; ++t) {
        auto& trace = matchDensity_[t];
        trace.clear();
        if (hz.size() < 2) continue;
        trace.assign(kDisplayPoints, std::nan(""));
        // Linear in log frequency between the analysis' points, as dsp::FrequencyCurve reads a curve.
        for (int i = 0; i < kDisplayPoints; ++i) {
            const double f = pointFrequency(i);
            if (f < hz.front() || f > hz.back()) continue;
            const auto upper = std::lower_bound(hz.begin(), hz.end(), f);
            const std::size_t k1 = std::size_t(upper - hz.begin());
            const std::size_t k0 = k1 == 0 ? 0 : k1 - 1;
            const std::vector<double>& db = *levels[t];
            const double span = std::log(hz[k1] / hz[k0]);
            const double frac = span > 0 ? std::log(f / hz[k0]) / span : 0.0;
            trace[std::size_t(i)] = db[k0] + frac * (db[k1] - db[k0]);
        }
    }
    update();
}

double SpectrumWidget::densityOffsetDb() const {
    return 10.0 * std::log10(3.0 * binHz_);
}

double SpectrumWidget::matchTraceDb(MatchTrace trace, int point) const {
    const auto& t = matchDensity_[int(trace)];
    if (point < 0 || point >= int(t.size())) return std::nan("");
    return t[std::size_t(point)] + densityOffsetDb();
}

void SpectrumWidget::setDbRange(double minDb, double maxDb) {
    if (maxDb <= minDb) return;
    minDb_ = minDb;
    maxDb_ = maxDb;
    for (auto* trace : {&display_, &peak_})
        for (double& v : *trace)
            v = std::max(v, minDb_);
    update();
}

void SpectrumWidget::setSpectrum(const core::SpectrumFrame& frame, double elapsedSeconds) {
    setSpectrum(frame.magnitudesDb.data(), std::min<int>(frame.numBins, int(frame.magnitudesDb.size())),
                frame.binHz, elapsedSeconds);
}

void SpectrumWidget::setSpectrum(const std::vector<float>& magnitudesDb, double binHz,
                                 double elapsedSeconds) {
    setSpectrum(magnitudesDb.data(), int(magnitudesDb.size()), binHz, elapsedSeconds);
}

void SpectrumWidget::setSpectrum(const float* magnitudesDb, int numBins, double binHz,
                                 double elapsedSeconds) {
    if (numBins < 2 || binHz <= 0) return;
    binHz_ = binHz;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    double dt = elapsedSeconds;
    if (dt <= 0) dt = lastFrameMs_ < 0 ? 0.0 : std::clamp((now - lastFrameMs_) / 1000.0, 0.0, 1.0);
    lastFrameMs_ = now;

    // Each display point covers the half-way span to its neighbours; it shows the loudest bin in that span
    // (so a narrow tone is not lost between points at high frequencies) or, where bins are sparser than
    // points (low frequencies), the value interpolated linearly in dB between the two nearest bins.
    const double halfStep = std::exp(0.5 * kLogSpan / double(kDisplayPoints - 1));
    const double fall = kFallDbPerSecond * dt;
    for (int i = 0; i < kDisplayPoints; ++i) {
        const double f = pointFrequency(i);
        const int lo = int(std::ceil(f / halfStep / binHz));
        const int hi = int(std::floor(f * halfStep / binHz));
        double level;
        if (hi >= lo && lo < numBins) {
            level = -1e9;
            for (int b = std::max(lo, 0); b <= std::min(hi, numBins - 1); ++b)
                level = std::max(level, double(magnitudesDb[b]));
        } else {
            const double pos = f / binHz;
            const int b0 = std::clamp(int(pos), 0, numBins - 1);
            const int b1 = std::min(b0 + 1, numBins - 1);
            const double frac = std::clamp(pos - b0, 0.0, 1.0);
            level = magnitudesDb[b0] + frac * (magnitudesDb[b1] - magnitudesDb[b0]);
        }
        level = std::max(level, minDb_);
        const std::size_t k = std::size_t(i);
        display_[k] = std::max(level, display_[k] - fall);
        if (display_[k] >= peak_[k]) {
            peak_[k] = display_[k];
            peakAge_[k] = 0.0;
        } else {
            peakAge_[k] += dt;
            if (peakAge_[k] > kPeakHoldSeconds) peak_[k] = std::max(display_[k], peak_[k] - fall);
        }
    }
    update();
}

QSize SpectrumWidget::sizeHint() const {
    return {480, 200};
}
QSize SpectrumWidget::minimumSizeHint() const {
    return {200, 90};
}

void SpectrumWidget::paintMatchTraces(QPainter& p, const QRectF& plot) const {
    if (!hasMatchSpectra()) return;
    p.setBrush(Qt::NoBrush); // open traces: a brush would fill each one's chord
    const auto xFor = [&](double hz) {
        return plot.left() + plot.width() * std::log(hz / kMinHz) / kLogSpan;
    };
    const auto yFor = [&](double db) {
        return plot.top() + plot.height() * (maxDb_ - std::clamp(db, minDb_, maxDb_)) / (maxDb_ - minDb_);
    };
    struct Style {
        MatchTrace trace;
        QColor colour;
        Qt::PenStyle pen;
        QString label;
    };
    const Style styles[] = {
        {MatchTrace::Source, palette().color(QPalette::WindowText), Qt::DashLine, tr("source")},
        {MatchTrace::Reference, QColor(110, 200, 120), Qt::SolidLine, tr("reference")},
        {MatchTrace::Matched, QColor(255, 170, 60), Qt::SolidLine, tr("matched")},
    };
    for (const Style& style : styles) {
        QPainterPath path;
        bool drawing = false;
        for (int i = 0; i < kDisplayPoints; ++i) {
            const double db = matchTraceDb(style.trace, i);
            if (std::isnan(db)) {
                drawing = false;
                continue;
            }
            const QPointF pt(xFor(pointFrequency(i)), yFor(db));
            if (drawing)
                path.lineTo(pt);
            else
                path.moveTo(pt);
            drawing = true;
        }
        QColor c = style.colour;
        c.setAlpha(200);
        p.setPen(QPen(c, 1.5, style.pen));
        p.drawPath(path);
    }
    // The legend, right-aligned at the top in the traces' colours.
    const QFontMetricsF fm(p.font());
    double legendX = plot.right() - 6;
    for (auto it = std::rbegin(styles); it != std::rend(styles); ++it) {
        legendX -= fm.horizontalAdvance(it->label);
        p.setPen(it->colour);
        p.drawText(QPointF(legendX, plot.top() + fm.ascent() + 2), it->label);
        legendX -= 10;
    }
}

void SpectrumWidget::paintEvent(QPaintEvent*) {
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
    p.drawRoundedRect(all, 4, 4);

    const double left = all.left() + fm.horizontalAdvance(QStringLiteral("-100")) + 8;
    const double plotTop = all.top() + fm.height() / 2.0 + 3.0;
    const double right = all.right() - fm.horizontalAdvance(QStringLiteral("20k")) / 2.0 - 4.0;
    const QRectF plot(left, plotTop, right - left, all.bottom() - fm.height() - 6 - plotTop);
    auto xFor = [&](double hz) { return plot.left() + plot.width() * std::log(hz / kMinHz) / kLogSpan; };
    auto yFor = [&](double db) {
        return plot.top() + plot.height() * (maxDb_ - std::clamp(db, minDb_, maxDb_)) / (maxDb_ - minDb_);
    };

    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(120);
    const double gridHz[] = {20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};
    for (double hz : gridHz) {
        const double x = xFor(hz);
        p.setPen(QPen(grid, 1.0));
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        const QString label = hz >= 1000 ? QStringLiteral("%1k").arg(hz / 1000) : QString::number(hz);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(x - 20, plot.bottom() + 2, 40, fm.height()), Qt::AlignCenter, label);
    }
    const double dbStep = (maxDb_ - minDb_) > 60 ? 12.0 : 6.0;
    for (double db = maxDb_; db >= minDb_ - 1e-9; db -= dbStep) {
        const double y = yFor(db);
        p.setPen(QPen(grid, 1.0));
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(all.left() + 2, y - fm.height() / 2, left - all.left() - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, QString::number(db, 'f', 0));
    }

    p.save();
    p.setClipRect(plot);
    paintMatchTraces(p, plot);
    QPainterPath trace;
    for (int i = 0; i < kDisplayPoints; ++i) {
        const QPointF pt(xFor(pointFrequency(i)), yFor(display_[std::size_t(i)]));
        if (i == 0)
            trace.moveTo(pt);
        else
            trace.lineTo(pt);
    }
    QPainterPath fill = trace;
    fill.lineTo(plot.right(), plot.bottom());
    fill.lineTo(plot.left(), plot.bottom());
    fill.closeSubpath();
    QColor accent = pal.color(QPalette::Highlight);
    QLinearGradient gradient(plot.topLeft(), plot.bottomLeft());
    QColor top = accent;
    top.setAlpha(150);
    QColor bottom = accent;
    bottom.setAlpha(25);
    gradient.setColorAt(0, top);
    gradient.setColorAt(1, bottom);
    p.setPen(Qt::NoPen);
    p.setBrush(gradient);
    p.drawPath(fill);
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(accent.lighter(130), 1.5));
    p.drawPath(trace);

    QPainterPath peaks;
    for (int i = 0; i < kDisplayPoints; ++i) {
        const QPointF pt(xFor(pointFrequency(i)), yFor(peak_[std::size_t(i)]));
        if (i == 0)
            peaks.moveTo(pt);
        else
            peaks.lineTo(pt);
    }
    QColor peakColour = pal.color(QPalette::WindowText);
    peakColour.setAlpha(140);
    p.setPen(QPen(peakColour, 1.0));
    p.drawPath(peaks);
    p.restore();
}

} // namespace lathe::ui
