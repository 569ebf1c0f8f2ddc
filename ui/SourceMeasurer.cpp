#include "SourceMeasurer.h"

#include <QMetaObject>
#include <QPointer>

#include <exception>

namespace lathe::ui {

SourceMeasurer::SourceMeasurer(QObject* parent) : QObject(parent) {
    delay_.setSingleShot(true);
    delay_.setInterval(400); // a fader drag sends dozens of edits: measure once it rests
    connect(&delay_, &QTimer::timeout, this, &SourceMeasurer::startNext);
}

SourceMeasurer::~SourceMeasurer() {
    if (worker_.joinable()) worker_.join();
}

void SourceMeasurer::request(const core::Session& session) {
    const bool was = isMeasuring();
    pending_ = session;
    if (!running_) delay_.start();
    if (!was) emit measuringChanged(true);
}

void SourceMeasurer::cancel() {
    const bool was = isMeasuring();
    ++generation_;
    pending_.reset();
    delay_.stop();
    running_ = false; // the worker finishes on its own; its result carries an old generation
    if (was) emit measuringChanged(false);
}

void SourceMeasurer::startNext() {
    if (!pending_ || running_) return;
    if (worker_.joinable()) worker_.join(); // a cancelled measurement still running: let it end first
    const core::Session session = std::move(*pending_);
    pending_.reset();
    running_ = true;
    const quint64 generation = generation_;
    QPointer<SourceMeasurer> self(this);
    worker_ = std::thread([self, session, generation, codec = codec_] {
        auto figures = std::make_shared<SourceFigures>();
        QString error;
        try {
            core::AudioEngine engine; // no device is opened: load() only decodes and measures
            engine.setCodecPreview(codec);
            engine.load(session);
            for (int i = 0; i < core::kMonitorSourceCount; ++i) {
                const auto source = static_cast<core::MonitorSource>(i);
                figures->available[i] = engine.sourceAvailable(source);
                figures->integratedLufs[i] = engine.sourceIntegratedLufs(source);
                figures->truePeakDbtp[i] = engine.sourceTruePeakDbtp(source);
            }
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
            figures.reset();
        }
        // The destructor joins this thread, so the object outlives the post; QPointer guards a queued call
        // arriving after it.
        QMetaObject::invokeMethod(
            self.data(),
            [self, figures, error, generation] {
                if (self) self->onDone(figures, error, generation);
            },
            Qt::QueuedConnection);
    });
}

void SourceMeasurer::onDone(std::shared_ptr<SourceFigures> figures, QString error, quint64 generation) {
    if (generation != generation_) {
        if (pending_ && !running_) delay_.start();
        return;
    }
    if (worker_.joinable()) worker_.join();
    running_ = false;
    if (pending_) {
        // Edited again meanwhile: these figures are already stale.
        delay_.start();
        return;
    }
    if (figures)
        emit measured(*figures);
    else
        emit measureFailed(error);
    emit measuringChanged(false);
}

} // namespace lathe::ui
