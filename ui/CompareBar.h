#pragma once

#include "core/engine/AudioEngine.h"

#include <QWidget>

#include <array>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QGridLayout;
class QHBoxLayout;
class QLabel;
class QToolButton;

namespace lathe::ui {

// The A/B/C/D(/E/F) row: mix, stereo master, stem master, reference, delta (stems minus mix) and the stereo
// master through a lossy codec's round trip (codec: MP3, AAC, Opus or Vorbis, chosen beside it), one key each
// (1-6), each showing its integrated loudness and true peak (measured at load, re-measured after edits:
// "measuring…" meanwhile); the loudness-match toggle (every source played at the same integrated loudness, so
// the comparison is of sound, not level) with the monitor gain it applies to what is heard (the meters read
// the source before it); and "Listen on", the playback system the monitor simulates (flat, phone, laptop,
// earbuds, car). The buttons never clip their figures: they stand in one row of six when the bar is wide
// enough, else in two rows of three.
class CompareBar : public QWidget {
    Q_OBJECT
public:
    explicit CompareBar(QWidget* parent = nullptr);

    void setCurrentSource(core::MonitorSource source);
    core::MonitorSource currentSource() const { return current_; }
    // Not available (no reference, no mix for delta...): the button is disabled and says why in its tooltip.
    void setSourceInfo(core::MonitorSource source, bool available, double integratedLufs,
                       double truePeakDbtp);
    // The figures of the sources an edit changes are being re-measured: those buttons say "measuring…"; with
    // everySource (the song was just opened and is measured in the background) every button says it.
    void setMeasuring(bool measuring, bool everySource = false);
    bool isMeasuring() const { return measuring_; }
    void setLoudnessMatch(bool enabled);
    bool loudnessMatch() const;
    // The gain the monitor path applies to the current source (loudness match), shown beside the toggle.
    void setMonitorGainDb(double db);
    QLabel* monitorGainLabel() const { return monitorGain_; }
    // A widget shown at the start of the controls row (the transport).
    void setLeadingWidget(QWidget* widget);
    int columns() const { return columns_; }
    // Whether a source's figures depend on the session's processing (masters, delta, codec).
    static bool dependsOnProcessing(core::MonitorSource source);
    QSize minimumSizeHint() const override;

    QToolButton* button(core::MonitorSource source) const { return buttons_[static_cast<int>(source)]; }
    QCheckBox* loudnessMatchBox() const { return match_; }
    QComboBox* listenOnBox() const { return listenOn_; }
    void setPlaybackSystem(dsp::PlaybackSystem system);
    dsp::PlaybackSystem playbackSystem() const;
    static QString playbackSystemTitle(dsp::PlaybackSystem system); // "Flat", "Phone speaker", ...

    static QString sourceTitle(core::MonitorSource source); // "Mix", "Stereo master", ..., "Codec"

    // The codec the codec source previews, chosen in codecBox() (MP3, AAC, Opus, Vorbis at a few settings; a
    // spec not listed is added). setCodec does not emit codecSelected.
    void setCodec(const core::DeliverableSpec& codec);
    core::DeliverableSpec codec() const;
    QComboBox* codecBox() const { return codecBox_; }
    static QString codecTitle(const core::DeliverableSpec& codec); // "AAC 256 kb/s", "Vorbis q5"
    // A new codec preview is being made: the codec button says "building…" (the previous one plays on).
    void setCodecBuilding(bool building);

signals:
    void sourceSelected(core::MonitorSource source);
    void loudnessMatchToggled(bool enabled);
    void playbackSystemSelected(dsp::PlaybackSystem system);
    void codecSelected(const core::DeliverableSpec& codec);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void arrange(int columns);
    void updateButtonText(core::MonitorSource source);
    int columnsFor(int width) const;

    struct Figures {
        bool available = false;
        double integratedLufs = 0, truePeakDbtp = 0;
    };
    std::array<Figures, core::kMonitorSourceCount> figures_{};
    std::array<QToolButton*, core::kMonitorSourceCount> buttons_{};
    QGridLayout* grid_ = nullptr;
    QGridLayout* controls_ = nullptr;
    QWidget* options_ = nullptr; // loudness match, monitor gain, listen on
    QWidget* leading_ = nullptr; // the transport
    QLabel* monitorGain_ = nullptr;
    int columns_ = 0;
    bool measuring_ = false;
    bool measuringEvery_ = false;
    QButtonGroup* group_ = nullptr;
    QCheckBox* match_ = nullptr;
    QComboBox* listenOn_ = nullptr;
    QComboBox* codecBox_ = nullptr;
    bool codecBuilding_ = false;
    core::MonitorSource current_ = core::MonitorSource::Mix;
};

} // namespace lathe::ui
