#include "WaveformOverview.h"

#include "core/Error.h"
#include "core/io/AudioFileReader.h"

#include <QMouseEvent>
#include <QPainter>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>

namespace lathe::ui {

struct WaveformOverview::Job {
    std::atomic<bool> cancel{false};
    WaveformPeaks peaks;
    QString error;
    QThread* thread = nullptr;
};

namespace {

// Dragging less than this is a click (a seek), not a loop selection.
constexpr double kDragThresholdPx = 4.0;

WaveformPeaks computePeaksCancellable(const QString& path, const std::atomic<bool>* cancel) {
    core::AudioFileReader reader(path.toStdString());
    const auto& info = reader.info();
    WaveformPeaks peaks;
    peaks.totalFrames = info.frames;
    peaks.sampleRate = info.sampleRate;
    const qint64 buckets = std::min<qint64>(WaveformPeaks::kBuckets, info.frames);
    if (buckets <= 0 || info.channels <= 0) return peaks;
    peaks.minima.assign(std::size_t(buckets), std::numeric_limits<float>::max());
    peaks.maxima.assign(std::size_t(buckets), std::numeric_limits<float>::lowest());

    constexpr int64_t kBlock = 65536;
    std::vector<std::vector<float>> storage(std::size_t(info.channels), std::vector<float>(kBlock));
    std::vector<float*> channels;
    for (auto& c : storage)
        channels.push_back(c.data());
    int64_t position = 0;
    while (true) {
        if (cancel && cancel->load(std::memory_order_relaxed)) return {};
        const int64_t got = reader.read(channels.data(), kBlock);
        if (got <= 0) break;
        for (int64_t i = 0; i < got; ++i) {
            // Integer bucket mapping so every frame lands in exactly one bucket and every bucket gets frames.
            const auto bucket =
                std::size_t(std::min<int64_t>((position + i) * buckets / info.frames, buckets - 1));
            float lo = peaks.minima[bucket];
            float hi = peaks.maxima[bucket];
            for (int c = 0; c < info.channels; ++c) {
                const float v = storage[std::size_t(c)][std::size_t(i)];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            peaks.minima[bucket] = lo;
            peaks.maxima[bucket] = hi;
        }
        position += got;
    }
    for (std::size_t b = 0; b < peaks.minima.size(); ++b) {
        if (peaks.minima[b] > peaks.maxima[b]) // a file shorter than its header said: show silence
            peaks.minima[b] = peaks.maxima[b] = 0.0f;
    }
    return peaks;
}

} // namespace

WaveformOverview::WaveformOverview(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setMouseTracking(false);
    setCursor(Qt::IBeamCursor);
}

WaveformOverview::~WaveformOverview() {
    // Abandoned jobs still running hold no pointer to this widget; only the current one must be stopped
    // before its finished() connection goes away with us.
    if (job_) {
        job_->cancel = true;
        if (job_->thread) job_->thread->wait();
    }
}

WaveformPeaks WaveformOverview::computePeaks(const QString& path) {
    return computePeaksCancellable(path, nullptr);
}

void WaveformOverview::setFile(const QString& path) {
    if (job_) {
        job_->cancel = true;
        job_.reset();
    }
    path_ = path;
    peaks_ = WaveformPeaks{};
    ready_ = false;
    error_.clear();
    playhead_ = 0;
    loopStart_ = loopEnd_ = 0;
    update();
    if (path.isEmpty()) return;

    auto job = std::make_shared<Job>();
    job_ = job;
    // The thread keeps the job alive by value, so abandoning it (setFile again) is safe.
    job->thread = QThread::create([job, path] {
        try {
            job->peaks = computePeaksCancellable(path, &job->cancel);
        } catch (const std::exception& e) {
            job->error = QString::fromStdString(e.what());
        }
    });
    QThread* thread = job->thread;
    connect(thread, &QThread::finished, this, [this, job] {
        if (job_ != job || job->cancel) return;
        job_.reset();
        if (!job->error.isEmpty()) {
            error_ = job->error;
            update();
            emit overviewFailed(error_);
            return;
        }
        peaks_ = std::move(job->peaks);
        ready_ = true;
        update();
        emit overviewReady();
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->setObjectName(QStringLiteral("waveform-overview"));
    thread->start(QThread::LowPriority);
}

void WaveformOverview::setPlayheadFrame(qint64 frame) {
    if (frame == playhead_) return;
    playhead_ = frame;
    update();
}

void WaveformOverview::setLoopRegion(qint64 startFrame, qint64 endFrame) {
    if (endFrame <= startFrame) {
        clearLoopRegion();
        return;
    }
    loopStart_ = startFrame;
    loopEnd_ = endFrame;
    update();
}

void WaveformOverview::setMatchRange(double startSeconds, double endSeconds) {
    matchStart_ = std::max(0.0, startSeconds);
    matchEnd_ = std::max(0.0, endSeconds);
    update();
}

void WaveformOverview::clearLoopRegion() {
    loopStart_ = loopEnd_ = 0;
    update();
}

qint64 WaveformOverview::frameAtX(double x) const {
    if (width() <= 0 || peaks_.totalFrames <= 0) return 0;
    const double t = std::clamp(x / double(width()), 0.0, 1.0);
    return std::min<qint64>(qint64(std::llround(t * double(peaks_.totalFrames))), peaks_.totalFrames);
}

double WaveformOverview::xForFrame(qint64 frame) const {
    if (peaks_.totalFrames <= 0) return 0.0;
    return double(frame) / double(peaks_.totalFrames) * double(width());
}

QSize WaveformOverview::sizeHint() const {
    return {800, 110};
}
QSize WaveformOverview::minimumSizeHint() const {
    return {200, 50};
}

void WaveformOverview::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !ready_) return;
    pressX_ = event->position().x();
    dragX_ = -1.0;
    event->accept();
}

void WaveformOverview::mouseMoveEvent(QMouseEvent* event) {
    if (pressX_ < 0) return;
    const double x = event->position().x();
    if (dragX_ >= 0 || std::abs(x - pressX_) >= kDragThresholdPx) {
        dragX_ = x;
        update();
    }
}

void WaveformOverview::mouseReleaseEvent(QMouseEvent* event) {
    if (pressX_ < 0 || event->button() != Qt::LeftButton) return;
    const double x = event->position().x();
    const bool dragged = dragX_ >= 0 || std::abs(x - pressX_) >= kDragThresholdPx;
    if (dragged) {
        const qint64 a = frameAtX(std::min(pressX_, x));
        const qint64 b = frameAtX(std::max(pressX_, x));
        pressX_ = dragX_ = -1.0;
        if (dragSelects_ == DragSelects::MatchRange) {
            // The session keeps the range in seconds of the reference (core::MatchSettings).
            if (b > a && peaks_.sampleRate > 0)
                emit matchRangeRequested(double(a) / peaks_.sampleRate, double(b) / peaks_.sampleRate);
        } else {
            setLoopRegion(a, b);
            if (b > a) emit loopRequested(a, b);
        }
    } else {
        const qint64 frame = frameAtX(x);
        pressX_ = dragX_ = -1.0;
        setPlayheadFrame(frame);
        emit seekRequested(frame);
    }
    update();
}

void WaveformOverview::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QPalette& pal = palette();
    const QRectF all = QRectF(rect());
    p.fillRect(all, pal.color(QPalette::Base));
    const double mid = all.center().y();
    const double halfHeight = all.height() / 2.0 - 3.0;

    if (!ready_) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        QString text;
        if (!error_.isEmpty())
            text = tr("Cannot show the waveform: %1").arg(error_);
        else if (!path_.isEmpty())
            text = tr("Computing overview\u2026");
        else
            text = tr("No source");
        if (!error_.isEmpty()) p.setPen(QColor(0xe0, 0x4f, 0x4f));
        p.drawText(all.adjusted(8, 0, -8, 0), Qt::AlignCenter | Qt::TextWordWrap, text);
        return;
    }

    // Loop region under the waveform.
    auto shade = [&](double x0, double x1, QColor colour) {
        p.fillRect(QRectF(QPointF(std::min(x0, x1), all.top()), QPointF(std::max(x0, x1), all.bottom())),
                   colour);
    };
    QColor loopColour = pal.color(QPalette::Highlight);
    loopColour.setAlpha(60);
    if (loopEnd_ > loopStart_) shade(xForFrame(loopStart_), xForFrame(loopEnd_), loopColour);
    // The match range in the match curve's colour, outlined so it reads apart from a loop.
    const QColor matchColour(255, 170, 60);
    QColor matchFill = matchColour;
    matchFill.setAlpha(55);
    const bool matchDrag = dragSelects_ == DragSelects::MatchRange;
    if ((matchStart_ > 0 || matchEnd_ > 0) && peaks_.sampleRate > 0) {
        const double x0 = xForFrame(qRound64(matchStart_ * peaks_.sampleRate));
        const double x1 = matchEnd_ > 0 ? xForFrame(qRound64(matchEnd_ * peaks_.sampleRate)) : all.right();
        shade(x0, x1, matchFill);
        p.setPen(QPen(matchColour, 1.0));
        p.drawLine(QPointF(x0, all.top()), QPointF(x0, all.bottom()));
        p.drawLine(QPointF(x1, all.top()), QPointF(x1, all.bottom()));
        p.drawText(QRectF(x0 + 4, all.top() + 2, std::max(0.0, x1 - x0 - 8), 16),
                   Qt::AlignLeft | Qt::AlignTop, tr("match"));
    }
    if (dragX_ >= 0 && pressX_ >= 0) shade(pressX_, dragX_, matchDrag ? matchFill : loopColour);

    QColor centre = pal.color(QPalette::Mid);
    p.setPen(QPen(centre, 1.0));
    p.drawLine(QPointF(all.left(), mid), QPointF(all.right(), mid));

    // One vertical min..max line per device pixel column would be ideal; per logical pixel is enough and
    // keeps painting cheap. Lines are not antialiased so columns do not bleed into each other.
    const int columns = width();
    const auto buckets = qint64(peaks_.maxima.size());
    QColor wave = pal.color(QPalette::Highlight).lighter(115);
    p.setPen(QPen(wave, 1.0));
    if (buckets > 0 && columns > 0) {
        for (int x = 0; x < columns; ++x) {
            const qint64 b0 = qint64(x) * buckets / columns;
            const qint64 b1 = std::max(b0 + 1, qint64(x + 1) * buckets / columns);
            float lo = 0.0f, hi = 0.0f;
            for (qint64 b = b0; b < std::min(b1, buckets); ++b) {
                lo = std::min(lo, peaks_.minima[std::size_t(b)]);
                hi = std::max(hi, peaks_.maxima[std::size_t(b)]);
            }
            const double yTop = mid - std::clamp(double(hi), -1.0, 1.0) * halfHeight;
            const double yBottom = mid - std::clamp(double(lo), -1.0, 1.0) * halfHeight;
            p.drawLine(QPointF(x + 0.5, yTop), QPointF(x + 0.5, std::max(yBottom, yTop + 1.0)));
        }
    }

    p.setRenderHint(QPainter::Antialiasing);
    const double playX = xForFrame(playhead_);
    p.setPen(QPen(pal.color(QPalette::BrightText), 1.5));
    p.drawLine(QPointF(playX, all.top()), QPointF(playX, all.bottom()));

    if (peaks_.sampleRate > 0) {
        const double seconds = double(peaks_.totalFrames) / peaks_.sampleRate;
        const QString length = QStringLiteral("%1:%2")
                                   .arg(int(seconds) / 60)
                                   .arg(seconds - 60 * (int(seconds) / 60), 4, 'f', 1, QLatin1Char('0'));
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(all.adjusted(6, 4, -6, -4), Qt::AlignRight | Qt::AlignTop, length);
    }
}

} // namespace lathe::ui
