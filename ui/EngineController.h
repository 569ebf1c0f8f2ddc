#pragma once

#include "core/engine/AudioEngine.h"
#include "core/model/Session.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

class QThread;

namespace lathe::ui {

// The GUI's side of core::AudioEngine. Loading (opening the sources for streaming until they play) runs on a
// worker thread so the window stays responsive; while it runs the engine is left alone and edits are queued.
// The engine measures every source's loudness on its own thread after that: measured() says when.
// A QTimer polls meters, spectrum, position and errors from the engine's lock-free rings. Without an audio
// device (no sound card, device busy) everything but audible playback keeps working and audioStatus() says
// so.
class EngineController : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    ~EngineController() override;

    core::AudioEngine& engine() { return *engine_; }

    // Opens the output device ("" = default). Returns false with audioStatus() explaining; never throws.
    bool openDevice(const QString& deviceName, int bufferFrames);
    bool audioAvailable() const { return audioAvailable_; }
    QString audioStatus() const { return audioStatus_; }

    void load(const core::Session& session);
    bool isLoading() const { return loading_; }
    bool isLoaded() const { return loaded_; }
    // Loaded and every source but the codec preview measured (the compare figures and the loudness match are
    // ready): true from the measured() signal on, so what the window shows and this agree.
    bool isMeasured() const { return loaded_ && !loading_ && measuredSent_; }
    // Measured, and the codec preview made (or failed, or there is none: no mix) and no other being built:
    // the codec source's figures are there too.
    // As the last codecPreviewChanged() told (so what the window shows and this agree).
    bool isCodecPreviewSettled() const { return isMeasured() && !codecBuilding_; }
    void unload();
    // Forwards an edit; queued while loading.
    void update(const core::Session& session);

    void play();
    void stop();
    void togglePlay();
    bool isPlaying() const;
    void seek(qint64 frame);
    void returnToStart();
    void setLoopRegion(qint64 start, qint64 end);
    void setLoopEnabled(bool enabled);
    bool loopEnabled() const { return loopEnabled_; }
    qint64 loopStart() const { return loopStart_; }
    qint64 loopEnd() const { return loopEnd_; }

    void setSource(core::MonitorSource source);
    core::MonitorSource source() const { return source_; }
    void setLoudnessMatch(bool enabled);
    bool loudnessMatch() const { return loudnessMatch_; }
    // The playback system the monitor path simulates; kept across loads.
    void setPlaybackSimulation(dsp::PlaybackSystem system);
    dsp::PlaybackSystem playbackSimulation() const { return playbackSystem_; }
    // The codec the codec source previews; rebuilt in the background (codecPreviewChanged when the new
    // preview plays, or when it failed). Kept across loads.
    void setCodecPreview(const core::DeliverableSpec& codec);
    core::DeliverableSpec codecPreview() const { return engine_->codecPreview(); }
    core::AudioEngine::CodecPreviewState codecPreviewState() const { return engine_->codecPreviewState(); }
    bool sourceAvailable(core::MonitorSource source) const;
    double sourceIntegratedLufs(core::MonitorSource source) const;
    double sourceTruePeakDbtp(core::MonitorSource source) const;

    qint64 position() const;
    qint64 length() const;
    int sampleRate() const;

signals:
    void loadStarted();
    void loadProgress(double fraction);
    void loaded();   // playable
    void measured(); // after loaded(): every source's loudness known
    void loadFailed(const QString& message);
    void positionChanged(qint64 frame);
    void playingChanged(bool playing);
    void sourceChanged(core::MonitorSource source);
    void loudnessMatchChanged(bool enabled);
    void loopChanged(bool enabled, qint64 start, qint64 end);
    void metersUpdated(const core::MeterFrame& frame);
    void spectrumUpdated(const core::SpectrumFrame& frame);
    void errorOccurred(const QString& message);
    void audioStatusChanged(const QString& status, bool available);
    void codecPreviewChanged();

private:
    void poll();
    void finishLoad();
    void applyLoop();

    std::unique_ptr<core::AudioEngine> engine_;
    QTimer pollTimer_;
    QThread* loader_ = nullptr;
    std::optional<core::Session> pendingLoad_;
    std::optional<core::Session> pendingUpdate_;
    QString loadError_;
    bool loading_ = false;
    bool loaded_ = false;
    bool audioAvailable_ = false;
    QString audioStatus_;
    bool wasPlaying_ = false;
    bool measuredSent_ = false;
    qint64 lastPosition_ = -1;
    core::MonitorSource source_ = core::MonitorSource::Mix;
    bool loudnessMatch_ = true;
    dsp::PlaybackSystem playbackSystem_ = dsp::PlaybackSystem::Flat;
    bool loopEnabled_ = false;
    qint64 loopStart_ = 0, loopEnd_ = 0;
    std::string codecState_;     // what poll() last saw of the codec preview, to signal a change
    bool codecBuilding_ = false; // poll() saw a codec preview being built
    std::unique_ptr<core::SpectrumFrame> spectrum_; // 8 kB: kept off the stack of every poll
};

} // namespace lathe::ui
