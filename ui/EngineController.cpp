#include "EngineController.h"

#include <QMetaObject>
#include <QPointer>
#include <QThread>

#include <cmath>

namespace lathe::ui {

namespace {
// 30 Hz: meters look continuous and the GUI thread spends well under 1 % of its time polling.
constexpr int kPollIntervalMs = 33;
} // namespace

EngineController::EngineController(QObject* parent)
    : QObject(parent), engine_(std::make_unique<core::AudioEngine>()),
      spectrum_(std::make_unique<core::SpectrumFrame>()) {
    audioStatus_ = tr("No audio device open (Playback ▸ Audio Settings)");
    pollTimer_.setInterval(kPollIntervalMs);
    connect(&pollTimer_, &QTimer::timeout, this, &EngineController::poll);
    pollTimer_.start();
}

EngineController::~EngineController() {
    pollTimer_.stop();
    if (loader_) {
        loader_->wait();
        delete loader_;
        loader_ = nullptr;
    }
    engine_->close();
}

bool EngineController::openDevice(const QString& deviceName, int bufferFrames) {
    std::string error;
    bool ok = false;
    try {
        ok = engine_->open(deviceName.toStdString(), bufferFrames, 0, error);
    } catch (const std::exception& e) {
        ok = false;
        error = e.what();
    }
    audioAvailable_ = ok;
    if (ok) {
        audioStatus_ = tr("%1 · %2 frames")
                           .arg(QString::fromStdString(engine_->deviceName()))
                           .arg(engine_->bufferFrames());
        const std::string note = engine_->takeError();
        if (!note.empty())
            audioStatus_ += QStringLiteral(" (") + QString::fromStdString(note) + QStringLiteral(")");
    } else {
        audioStatus_ =
            tr("No audio output: %1. Editing, metering at load and rendering still work.")
                .arg(error.empty() ? tr("no device could be opened") : QString::fromStdString(error));
    }
    emit audioStatusChanged(audioStatus_, audioAvailable_);
    return ok;
}

void EngineController::load(const core::Session& session) {
    if (loading_) {
        pendingLoad_ = session; // the newest open wins; the running load is finished, then replaced
        return;
    }
    if (engine_->playing()) engine_->pause();
    loading_ = true;
    loaded_ = false;
    pendingUpdate_.reset();
    loadError_.clear();
    emit loadStarted();
    emit playingChanged(false);

    QPointer<EngineController> self(this);
    core::AudioEngine* engine = engine_.get();
    loader_ = QThread::create([this, self, engine, session] {
        auto progress = [self](double fraction) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, fraction] {
                    if (self) emit self->loadProgress(fraction);
                },
                Qt::QueuedConnection);
        };
        try {
            engine->load(session, progress, core::AudioEngine::LoadMode::Playable);
        } catch (const std::exception& e) {
            // Written before the thread finishes; read on the GUI thread after QThread::finished.
            loadError_ = QString::fromStdString(e.what());
        }
    });
    connect(loader_, &QThread::finished, this, &EngineController::finishLoad);
    loader_->start(QThread::LowPriority);
}

void EngineController::finishLoad() {
    loader_->wait();
    loader_->deleteLater();
    loader_ = nullptr;
    loading_ = false;
    if (pendingLoad_) {
        core::Session next = std::move(*pendingLoad_);
        pendingLoad_.reset();
        load(next);
        return;
    }
    if (!loadError_.isEmpty()) {
        loaded_ = false;
        emit loadFailed(loadError_);
        return;
    }
    loaded_ = true;
    if (pendingUpdate_) {
        engine_->update(*pendingUpdate_);
        pendingUpdate_.reset();
    }
    engine_->setSource(source_);
    engine_->setLoudnessMatch(loudnessMatch_);
    engine_->setPlaybackSimulation(playbackSystem_);
    applyLoop();
    lastPosition_ = -1;
    measuredSent_ = false;
    emit loaded();
    emit positionChanged(engine_->position());
}

void EngineController::unload() {
    stop();
    loaded_ = false;
}

void EngineController::update(const core::Session& session) {
    if (loading_) {
        pendingUpdate_ = session;
        return;
    }
    // A new loudness target (a match to the reference's loudness) is found by the loudness search, which
    // load() runs on the loader thread: the master then plays at the loudness the render will have.
    if (loaded_ && engine_->needsLoad(session)) {
        load(session);
        return;
    }
    if (loaded_) engine_->update(session);
}

void EngineController::play() {
    if (!loaded_ || loading_) return;
    engine_->play();
    poll();
}

void EngineController::stop() {
    if (!loaded_ || loading_) return;
    engine_->pause();
    poll();
}

void EngineController::togglePlay() {
    isPlaying() ? stop() : play();
}

bool EngineController::isPlaying() const {
    return loaded_ && !loading_ && engine_->playing();
}

void EngineController::seek(qint64 frame) {
    if (!loaded_ || loading_) return;
    engine_->seek(std::max<qint64>(0, frame));
    poll();
}

void EngineController::returnToStart() {
    seek(loopEnabled_ && loopEnd_ > loopStart_ ? loopStart_ : 0);
}

void EngineController::setLoopRegion(qint64 start, qint64 end) {
    loopStart_ = std::max<qint64>(0, std::min(start, end));
    loopEnd_ = std::max(start, end);
    loopEnabled_ = loopEnd_ > loopStart_;
    applyLoop();
    emit loopChanged(loopEnabled_, loopStart_, loopEnd_);
}

void EngineController::setLoopEnabled(bool enabled) {
    if (enabled && loopEnd_ <= loopStart_) {
        // No region yet: loop the whole song, the least surprising meaning of pressing L.
        loopStart_ = 0;
        loopEnd_ = length();
    }
    loopEnabled_ = enabled && loopEnd_ > loopStart_;
    applyLoop();
    emit loopChanged(loopEnabled_, loopStart_, loopEnd_);
}

void EngineController::applyLoop() {
    if (loaded_ && !loading_) engine_->setLoop(loopStart_, loopEnd_, loopEnabled_);
}

void EngineController::setSource(core::MonitorSource source) {
    source_ = source;
    if (loaded_ && !loading_) engine_->setSource(source);
    emit sourceChanged(source);
}

void EngineController::setLoudnessMatch(bool enabled) {
    loudnessMatch_ = enabled;
    if (loaded_ && !loading_) engine_->setLoudnessMatch(enabled);
    emit loudnessMatchChanged(enabled);
}

void EngineController::setPlaybackSimulation(dsp::PlaybackSystem system) {
    playbackSystem_ = system;
    if (loaded_ && !loading_) engine_->setPlaybackSimulation(system);
}

bool EngineController::sourceAvailable(core::MonitorSource source) const {
    return loaded_ && !loading_ && engine_->sourceAvailable(source);
}

double EngineController::sourceIntegratedLufs(core::MonitorSource source) const {
    if (!sourceAvailable(source)) return -std::numeric_limits<double>::infinity();
    return engine_->sourceIntegratedLufs(source);
}

double EngineController::sourceTruePeakDbtp(core::MonitorSource source) const {
    if (!sourceAvailable(source)) return -std::numeric_limits<double>::infinity();
    return engine_->sourceTruePeakDbtp(source);
}

qint64 EngineController::position() const {
    return loaded_ && !loading_ ? engine_->position() : 0;
}
qint64 EngineController::length() const {
    return loaded_ && !loading_ ? engine_->length() : 0;
}
int EngineController::sampleRate() const {
    return loaded_ && !loading_ ? engine_->sampleRate() : 0;
}

void EngineController::setCodecPreview(const core::DeliverableSpec& codec) {
    engine_->setCodecPreview(codec); // safe during a load too: the engine takes it for the load's preview
    poll();
}

void EngineController::poll() {
    if (!loaded_ || loading_) return;
    // Read before the codec state: once measured, the stereo master has been handed to the codec builder,
    // so the state read next says building (or made), never "nothing asked for" (isCodecPreviewSettled).
    const bool measuredNow = engine_->measured();
    {
        const core::AudioEngine::CodecPreviewState s = engine_->codecPreviewState();
        codecBuilding_ = s.building;
        const std::string state = core::deliverableSpecText(s.requested) + "|" +
                                  (s.ready ? core::deliverableSpecText(*s.ready) : std::string()) + "|" +
                                  (s.building ? "b" : "") + "|" + s.error;
        if (state != codecState_) {
            codecState_ = state;
            emit codecPreviewChanged();
        }
    }
    const std::string error = engine_->takeError();
    if (!error.empty()) emit errorOccurred(QString::fromStdString(error));
    if (!measuredSent_ && measuredNow) {
        measuredSent_ = true;
        emit measured();
    }
    const bool playing = engine_->playing();
    if (playing != wasPlaying_) {
        wasPlaying_ = playing;
        emit playingChanged(playing);
    }
    const qint64 pos = engine_->position();
    if (pos != lastPosition_) {
        lastPosition_ = pos;
        emit positionChanged(pos);
    }
    core::MeterFrame frame;
    bool haveMeters = false;
    while (engine_->readMeters(frame))
        haveMeters = true; // keep only the newest: the GUI shows now, not history
    if (haveMeters) emit metersUpdated(frame);
    if (engine_->readSpectrum(*spectrum_)) emit spectrumUpdated(*spectrum_);
}

} // namespace lathe::ui
