#pragma once

#include "core/render/RenderReport.h"

#include <QWidget>

#include <cstdint>
#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;

namespace lathe::ui {

class SessionDocument;

// The match curve drawn on a log-frequency axis (20 Hz - 20 kHz, +-12 dB): the tone curve, and the side's
// extra gain per width band as steps under it.
class MatchCurveView : public QWidget {
    Q_OBJECT
public:
    explicit MatchCurveView(QWidget* parent = nullptr);
    void setMatch(const core::MatchReport* match); // nullptr: nothing to draw
    const std::vector<core::MatchReport::Point>& toneCurve() const { return tone_; }
    QSize sizeHint() const override { return {320, 110}; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    std::vector<core::MatchReport::Point> tone_;
    std::vector<core::MatchReport::WidthBand> width_;
};

// Master > Match (issue 18): match the master to the client's reference. On/off, the reference (default the
// session's), the parts (tone, loudness, width, dynamics hint), the tone amount and its limit, the part of
// the reference matched (a chorus), and the curve the engine and the render apply. Every control edits
// master.match through the document (undoable); the curve is computed off the GUI thread from the cached
// analyses and drawn when ready, so opening a session or moving the amount never blocks the window.
class MatchPanel : public QWidget {
    Q_OBJECT
public:
    explicit MatchPanel(SessionDocument* document, QWidget* parent = nullptr);
    ~MatchPanel() override;

    QCheckBox* enabledBox() const { return enabled_; }
    QCheckBox* toneBox() const { return tone_; }
    QCheckBox* loudnessBox() const { return loudness_; }
    QCheckBox* widthBox() const { return width_; }
    QCheckBox* dynamicsBox() const { return dynamics_; }
    QSlider* amountSlider() const { return amount_; }
    QDoubleSpinBox* maxCorrectionBox() const { return maxCorrection_; }
    QDoubleSpinBox* rangeStartBox() const { return rangeStart_; }
    QDoubleSpinBox* rangeEndBox() const { return rangeEnd_; }
    QLabel* referenceLabel() const { return reference_; }
    QLabel* summaryLabel() const { return summary_; }
    MatchCurveView* curveView() const { return view_; }
    // True while a curve is being computed (tests wait for it).
    bool computing() const { return running_ != nullptr; }

signals:
    void curveReady();

private:
    void refresh();
    void startComputing();
    void showResult(const core::MatchReport& report, bool ok, const QString& error);

    SessionDocument* document_;
    QCheckBox* enabled_ = nullptr;
    QLabel* reference_ = nullptr;
    QPushButton* chooseReference_ = nullptr;
    QCheckBox* tone_ = nullptr;
    QCheckBox* loudness_ = nullptr;
    QCheckBox* width_ = nullptr;
    QCheckBox* dynamics_ = nullptr;
    QSlider* amount_ = nullptr;
    QLabel* amountLabel_ = nullptr;
    QDoubleSpinBox* maxCorrection_ = nullptr;
    QDoubleSpinBox* rangeStart_ = nullptr;
    QDoubleSpinBox* rangeEnd_ = nullptr;
    MatchCurveView* view_ = nullptr;
    QLabel* summary_ = nullptr;
    QObject* running_ = nullptr; // the worker thread, while one runs
    bool again_ = false;         // the session changed while it ran
    uint64_t computedKey_ = 0;   // what the shown curve was computed from
    core::MatchReport shown_;
};

} // namespace lathe::ui
