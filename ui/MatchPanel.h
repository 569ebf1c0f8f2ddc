#pragma once

#include "core/analysis/MatchSpectra.h"
#include "core/render/RenderReport.h"

#include "dsp/MatchCurve.h"

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
class WaveformOverview;

// Master > Match (issue 18): match the master to the client's reference. On/off, the reference (default the
// session's), the parts (tone, loudness, width, dynamics hint), the tone amount and its limit, and the part
// of the reference matched (a chorus), typed or dragged on the reference's overview. Every control edits
// master.match through the document (undoable). The curve the engine and the render apply is computed off the
// GUI thread from the cached analyses, so opening a session or moving the amount never blocks the window;
// when it is ready matchChanged() hands it on (the master EQ draws it, the spectrum shows the three spectra).
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
    WaveformOverview* referenceOverview() const { return overview_; }
    // True while a curve is being computed (tests wait for it).
    bool computing() const { return running_ != nullptr; }

    // The last match computed (for the session as it was then): whether there is one, its curve (tone on
    // the analysis grid, width per band), its report (third-octave points, loudness) and its spectra.
    bool hasMatch() const { return hasMatch_; }
    const dsp::MatchCurve& curve() const { return curve_; }
    const core::MatchReport& report() const { return shown_; }
    const core::MatchSpectra& spectra() const { return spectra_; }
    // Whether the session applies the tone curve (on, and the tone part on): what is shown is otherwise a
    // preview.
    bool toneApplied() const;

signals:
    void curveReady();
    // What hasMatch/curve/report/spectra return changed (a new match, an error, no reference).
    void matchChanged();

private:
    void refresh();
    void startComputing();
    struct Result;
    void showResult(const Result& result);
    void clearMatch();

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
    WaveformOverview* overview_ = nullptr;
    QLabel* summary_ = nullptr;
    QObject* running_ = nullptr; // the worker thread, while one runs
    bool again_ = false;         // the session changed while it ran
    uint64_t computedKey_ = 0;   // what the shown curve was computed from
    bool hasMatch_ = false;
    dsp::MatchCurve curve_;
    core::MatchReport shown_;
    core::MatchSpectra spectra_;
};

} // namespace lathe::ui
