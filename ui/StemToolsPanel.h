#pragma once

#include "core/engine/AudioEngine.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;

namespace lathe::ui {

class DynamicEqEditor;
class GainReductionMeter;
class SessionDocument;

// The element-level tools of one stem (or of the master): its dynamic EQ (DynamicEqEditor), and on a stem
// the sidechain source of its compressor (the stem whose source the detector hears) and peak control (on/off,
// ceiling, oversampling) with its live reduction. Every control is bound to the session (undoable); the
// engine's meter frames drive the live readings (setMeters).
class StemToolsPanel : public QWidget {
    Q_OBJECT
public:
    explicit StemToolsPanel(SessionDocument* document, QWidget* parent = nullptr);

    // -1 = the master.
    void setStem(int stem);
    int stem() const { return stem_; }
    QComboBox* targetBox() const { return target_; }
    DynamicEqEditor* dynamicEq() const { return dynamicEq_; }
    QCheckBox* peakControlToggle() const { return peakOn_; }
    QComboBox* compressorKeyBox() const { return compressorKey_; }
    GainReductionMeter* peakMeter() const { return peakMeter_; }

    void setMeters(const core::MeterFrame& frame);

private:
    void rebuildTargets();
    void rebindStem();

    SessionDocument* document_;
    int stem_ = -1;
    QComboBox* target_ = nullptr;
    QGroupBox* stemGroup_ = nullptr;
    QCheckBox* peakOn_ = nullptr;
    QDoubleSpinBox* peakCeiling_ = nullptr;
    QComboBox* peakOversampling_ = nullptr;
    QComboBox* compressorKey_ = nullptr;
    GainReductionMeter* peakMeter_ = nullptr;
    DynamicEqEditor* dynamicEq_ = nullptr;
    QWidget* stemControls_ = nullptr; // rebuilt per stem: the bindings hold the index
    QString builtFor_;
};

} // namespace lathe::ui
