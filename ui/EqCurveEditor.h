#pragma once

#include "core/model/Session.h"

#include "dsp/MatchCurve.h"

#include <QWidget>

#include <string>
#include <utility>
#include <vector>

class QMenu;
class QPainter;

namespace lathe::ui {

// The EQ's analytic response (sum of the enabled bands' RBJ magnitudes in dB, as dsp::ParametricEq computes
// it) on a log-frequency / dB grid, with one handle per band. Dragging a handle moves the band's frequency
// (x, log axis) and gain (y, linear dB axis; only for bell and shelves, which have a gain); the wheel changes
// Q by a factor of kQStepPerNotch per notch (up = narrower); right-click on a handle offers the band's type
// and on/off. Every change emits bandChanged; a finished gesture emits bandEditFinished so the owner can
// close an undo step.
class EqCurveEditor : public QWidget {
    Q_OBJECT
public:
    static constexpr double kMinHz = 20.0;
    static constexpr double kMaxHz = 20000.0;
    static constexpr double kMinQ = 0.1;
    static constexpr double kMaxQ = 18.0;
    static constexpr double kQStepPerNotch = 1.122462048309373; // 2^(1/6): six notches double Q
    static constexpr double kHandleRadius = 7.0;

    explicit EqCurveEditor(QWidget* parent = nullptr);

    void setBands(const std::vector<core::EqBandSettings>& bands);
    const std::vector<core::EqBandSettings>& bands() const { return bands_; }
    void setSampleRate(double sampleRate);
    double sampleRate() const { return sampleRate_; }
    void setGainRangeDb(double rangeDb); // the grid spans -range .. +range; default 18
    double gainRangeDb() const { return gainRangeDb_; }

    // Sum of the enabled bands' magnitudes in dB at a frequency.
    double responseDb(double frequencyHz) const;

    // The match stage's correction (issue 18) drawn over the EQ: the tone curve (mid and side) and the side's
    // extra gain per width band, so the engineer sets the EQ seeing what the match already does before it.
    // `active` false (match off, or no tone part) draws it dashed as a preview. nullptr removes it.
    void setMatchCurve(const dsp::MatchCurve* curve, bool active);
    bool hasMatchCurve() const { return !matchTone_.empty(); }
    bool matchCurveActive() const { return matchActive_; }
    // The drawn tone correction in dB at a frequency (0 without one), and the width bands drawn.
    double matchCurveDb(double frequencyHz) const { return matchTone_.gainDbAt(frequencyHz); }
    const std::vector<dsp::MatchWidthCorrection>& matchWidth() const { return matchWidth_; }

    // Axis mapping inside the plot area (logical pixels).
    QRectF plotRect() const;
    double xForFrequency(double hz) const;
    double frequencyForX(double x) const;
    double yForGain(double db) const;
    double gainForY(double y) const;
    // Where band index's handle is drawn (gain axis at the band's gain for bell/shelves, 0 dB for the rest).
    QPointF handlePosition(int index) const;
    int selectedBand() const { return selected_; }

    // Type and on/off of a band, as the handle's context menu sets them (each emits bandChanged and
    // bandEditFinished: one undo step). Out-of-range indexes and unknown types are ignored.
    void setBandEnabled(int index, bool enabled);
    void setBandType(int index, const std::string& type);
    // The context menu of band index: a checkable "Band N on" action (object name "bandEnabled") and one
    // checkable action per type whose data is the session's type name. The caller owns it.
    QMenu* createBandMenu(int index, QWidget* parent);
    // Session type names with their labels, in menu order.
    static const std::vector<std::pair<std::string, QString>>& bandTypes();

    // The frequency labels drawn under the plot and where: those that fit without touching each other.
    std::vector<std::pair<double, QRectF>> frequencyLabels() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void bandChanged(int index, const lathe::core::EqBandSettings& band);
    void bandEditFinished(int index);
    void bandSelected(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    int bandAt(const QPointF& pos) const;
    // `curve` turns a dB-at-frequency function into the plot's path (paintEvent's sampling).
    template <typename CurvePath>
    void paintMatchCurve(QPainter& p, const CurvePath& curve) const;

    std::vector<core::EqBandSettings> bands_;
    double sampleRate_ = 48000.0;
    double gainRangeDb_ = 18.0;
    int selected_ = -1;
    int dragging_ = -1;
    QPointF dragOffset_;
    dsp::FrequencyCurve matchTone_;
    std::vector<dsp::MatchWidthCorrection> matchWidth_;
    bool matchActive_ = false;
};

// True for band types whose gain_db means something (bell, low_shelf, high_shelf).
bool eqBandHasGain(const core::EqBandSettings& band);

} // namespace lathe::ui
