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
class StemLevelMeter;

// One stem's channel strip, compact so every stem of a song stays in view, top to bottom as the signal flows:
// the stem's role as a title, a small EQ curve (a click opens the full editor: drag the curve, right-click a
// handle for its type and on/off), the compressor's on/off with its gain-reduction meter (the "…" button
// opens every compressor setting), width, polarity / mute / solo, and the fader (0.1 dB steps; the box under
// it takes any value in the session's range) beside the stem's level meter. Every control edits the session
// through the document (undoable).
class StemStrip : public QFrame {
    Q_OBJECT
public:
    StemStrip(SessionDocument* document, int stemIndex, QWidget* parent = nullptr);

    static constexpr int kMinWidth = 112;
    static constexpr int kMaxWidth = 220;

    int stemIndex() const { return stemIndex_; }
    QString stemId() const;
    // "Lead vocal", "Drums 2": what the title shows for a stem.
    static QString displayTitle(const core::StemSettings& stem);
    QString titleText() const { return titleText_; }
    QSlider* fader() const { return fader_; }
    QDoubleSpinBox* gainBox() const { return gainBox_; }
    QToolButton* muteButton() const { return mute_; }
    QToolButton* soloButton() const { return solo_; }
    QToolButton* polarityButton() const { return polarity_; }
    QSlider* widthSlider() const { return width_; }
    // The full EQ editor (in the popup the small curve opens) and the small curve itself.
    EqCurveEditor* eqEditor() const { return eq_; }
    EqCurveEditor* eqThumbnail() const { return miniEq_; }
    QWidget* eqPopup() const { return eqPopup_; }
    void showEqEditor();
    GainReductionMeter* compressorMeter() const { return grMeter_; }
    StemLevelMeter* levelMeter() const { return levelMeter_; }
    void setLevels(float peakDbfs, float rmsDbfs);
    // Every compressor setting, in a popup opened by the strip's "…" button.
    CompressorPanel* compressorPanel() const { return compPanel_; }
    QToolButton* compressorDetailsButton() const { return compMore_; }
    void showCompressorDetails();

    static constexpr int kFaderMinTenthsDb = -600; // -60 dB: below that a stem is as good as muted
    static constexpr int kFaderMaxTenthsDb = 120;  // +12 dB

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void refresh();
    void updateTitle();

    SessionDocument* document_;
    int stemIndex_;
    QString titleText_;
    QLabel* title_ = nullptr;
    EqCurveEditor* miniEq_ = nullptr;
    QFrame* eqPopup_ = nullptr;
    QLabel* eqPopupTitle_ = nullptr;
    EqCurveEditor* eq_ = nullptr;
    StemLevelMeter* levelMeter_ = nullptr;
    QCheckBox* compOn_ = nullptr;
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
