#pragma once

#include "core/engine/AudioEngine.h"

#include <QWidget>

#include <array>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QToolButton;

namespace lathe::ui {

// The A/B/C/D(/E/F) row: mix, stereo master, stem master, reference, delta (stems minus mix) and the stereo
// master through an MP3 round trip (codec), one key each (1-6), each showing its integrated loudness and true
// peak as measured at load; the loudness-match toggle (every source played at the same integrated loudness,
// so the comparison is of sound, not level); and "Listen on", the playback system the monitor simulates
// (flat, phone, laptop, earbuds, car).
class CompareBar : public QWidget {
    Q_OBJECT
public:
    explicit CompareBar(QWidget* parent = nullptr);

    void setCurrentSource(core::MonitorSource source);
    core::MonitorSource currentSource() const { return current_; }
    // Not available (no reference, no mix for delta...): the button is disabled and says why in its tooltip.
    void setSourceInfo(core::MonitorSource source, bool available, double integratedLufs,
                       double truePeakDbtp);
    void setLoudnessMatch(bool enabled);
    bool loudnessMatch() const;

    QToolButton* button(core::MonitorSource source) const { return buttons_[static_cast<int>(source)]; }
    QCheckBox* loudnessMatchBox() const { return match_; }
    QComboBox* listenOnBox() const { return listenOn_; }
    void setPlaybackSystem(dsp::PlaybackSystem system);
    dsp::PlaybackSystem playbackSystem() const;
    static QString playbackSystemTitle(dsp::PlaybackSystem system); // "Flat", "Phone speaker", ...

    static QString sourceTitle(core::MonitorSource source); // "Mix", "Stereo master", ...

signals:
    void sourceSelected(core::MonitorSource source);
    void loudnessMatchToggled(bool enabled);
    void playbackSystemSelected(dsp::PlaybackSystem system);

private:
    std::array<QToolButton*, core::kMonitorSourceCount> buttons_{};
    QButtonGroup* group_ = nullptr;
    QCheckBox* match_ = nullptr;
    QComboBox* listenOn_ = nullptr;
    core::MonitorSource current_ = core::MonitorSource::Mix;
};

} // namespace lathe::ui
