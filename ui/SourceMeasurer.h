#pragma once

#include "core/engine/AudioEngine.h"
#include "core/model/Session.h"

#include <QObject>
#include <QTimer>

#include <array>
#include <memory>
#include <optional>
#include <thread>

namespace lathe::ui {

// Every compare source's integrated loudness and true peak, as the engine would play it.
struct SourceFigures {
    std::array<bool, core::kMonitorSourceCount> available{};
    std::array<double, core::kMonitorSourceCount> integratedLufs{};
    std::array<double, core::kMonitorSourceCount> truePeakDbtp{};
};

// Re-measures the compare sources of an edited session in the background, so the figures on the compare
// buttons follow the edits (a stem turned up makes the delta audible; a master EQ changes the masters' true
// peak). The measuring is the engine's own: a second core::AudioEngine loads the session (streaming, the
// loudness search, the measuring pass, the codec preview) on a worker thread, without a device, and is freed
// when done. Edits in quick succession are coalesced; an edit during a measurement starts another once it
// ends, and only the newest session's figures are reported.
class SourceMeasurer : public QObject {
    Q_OBJECT
public:
    explicit SourceMeasurer(QObject* parent = nullptr);
    ~SourceMeasurer() override; // waits for a running measurement (it cannot be interrupted)

    // Measure `session` after a short quiet period (ms; tests use 0).
    void request(const core::Session& session);
    void setDelayMs(int ms) { delay_.setInterval(ms); }
    // The codec the codec source's figures are measured through (from the next measurement on).
    void setCodecPreview(const core::DeliverableSpec& codec) { codec_ = codec; }
    // Forget a pending request and ignore a running measurement (a new song was opened).
    void cancel();
    // A request is waiting or a measurement runs: the figures shown are stale.
    bool isMeasuring() const { return pending_.has_value() || running_; }

signals:
    void measuringChanged(bool measuring);
    void measured(const SourceFigures& figures);
    void measureFailed(const QString& message);

private:
    void startNext();
    void onDone(std::shared_ptr<SourceFigures> figures, QString error, quint64 generation);

    QTimer delay_;
    std::optional<core::Session> pending_;
    core::DeliverableSpec codec_ = core::withCodecDefaults({"mp3", 0, 0, 0, -1, ""});
    std::thread worker_;
    bool running_ = false;
    quint64 generation_ = 0; // bumped by cancel(): results of an older generation are dropped
};

} // namespace lathe::ui
