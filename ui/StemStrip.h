#pragma once

#include "core/model/Session.h"

#include <QFrame>

#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QToolButton;

namespace lathe::ui {

class CompressorPanel;
class EqCurveEditor;
class GainReductionMeter;
class SessionDocument;

// One stem's channel strip, top to bottom as the signal flows: EQ (drag the curve; right-click a handle for
// its type and on/off), compressor with its gain-reduction meter (the "…" button opens every compressor
// setting), width, polarity / mute / solo, and the fader (0.1 dB steps; the box beside it takes any value in
// the session's range). Every control edits the session through the document (undoable).
class StemStrip : public QFrame {
    Q_OBJECT
public:
    StemStrip(SessionDocument* document, int stemIndex, QWidget* parent = nullptr);

    int stemIndex() const { return stemIndex_; }
    QString stemId() const;
    QSlider* fader() const { return fader_; }
    QDoubleSpinBox* gainBox() const { return gainBox_; }
    QToolButton* muteButton() const { return mute_; }
    QToolButton* soloButton() const { return solo_; }
    QSlider* widthSlider() const { return width_; }
    EqCurveEditor* eqEditor() const { return eq_; }
    GainReductionMeter* compressorMeter() const { return grMeter_; }
    // Every compressor setting, in a popup opened by the strip's "…" button.
    CompressorPanel* compressorPanel() const { return compPanel_; }
    QToolButton* compressorDetailsButton() const { return compMore_; }
    void showCompressorDetails();

    static constexpr int kFaderMinTenthsDb = -600; // -60 dB: below that a stem is as good as muted
    static constexpr int kFaderMaxTenthsDb = 120;  // +12 dB

private:
    void refresh();

    SessionDocument* document_;
    int stemIndex_;
    QLabel* title_ = nullptr;
    QLabel* role_ = nullptr;
    EqCurveEditor* eq_ = nullptr;
    QCheckBox* compOn_ = nullptr;
    QDoubleSpinBox* threshold_ = nullptr;
    QDoubleSpinBox* ratio_ = nullptr;
    GainReductionMeter* grMeter_ = nullptr;
    QToolButton* compMore_ = nullptr;
    QFrame* compPopup_ = nullptr;
    CompressorPanel* compPanel_ = nullptr;
    QSlider* width_ = nullptr;
    QLabel* widthLabel_ = nullptr;
    QToolButton* polarity_ = nullptr;
    QToolButton* mute_ = nullptr;
    QToolButton* solo_ = nullptr;
    QSlider* fader_ = nullptr;
    QDoubleSpinBox* gainBox_ = nullptr;
};

// Bands shown for an EQ with none yet: low shelf, two bells, high shelf, all at 0 dB (the DSP skips 0 dB
// bells and shelves, so the sound is unchanged until one is dragged).
std::vector<core::EqBandSettings> defaultEqBands();

} // namespace lathe::ui
