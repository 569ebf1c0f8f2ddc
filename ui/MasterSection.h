#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;

namespace lathe::ui {

class CompressorPanel;
class EqCurveEditor;
class GainReductionMeter;
class MatchPanel;
class MultibandPanel;
class SessionDocument;

// The master chain in signal order: the match to the reference, EQ, compressor (every setting) or the
// multiband compressor (bands, crossovers, per-band threshold and ratio), saturation (mode, drive, mix,
// oversampling), width and balance, then the true-peak limiter (ceiling, style, release, lookahead, soft
// clipper, bass-aware detection, stereo link) with the loudness target the render aims for, and the
// limiter's gain-reduction meter fed from the engine.
class MasterSection : public QWidget {
    Q_OBJECT
public:
    explicit MasterSection(SessionDocument* document, QWidget* parent = nullptr);

    // The narrowest column the groups are laid out in; a wider section holds up to three side by side.
    static constexpr int kColumnWidth = 320;
    // How many columns the groups stand in at the section's current width.
    int columnCount() const;

    QDoubleSpinBox* ceilingBox() const { return ceiling_; }
    QDoubleSpinBox* targetBox() const { return target_; }
    EqCurveEditor* eqEditor() const { return eq_; }
    GainReductionMeter* limiterMeter() const { return limiterMeter_; }
    MatchPanel* matchPanel() const { return match_; }
    CompressorPanel* compressorPanel() const { return compressor_; }
    QCheckBox* multibandBox() const { return multiband_; }
    MultibandPanel* multibandPanel() const { return multibandPanel_; }
    QComboBox* saturationModeBox() const { return saturationMode_; }
    QDoubleSpinBox* saturationMixBox() const { return saturationMix_; } // percent
    QComboBox* oversamplingBox() const { return oversampling_; }
    QDoubleSpinBox* limiterReleaseBox() const { return limiterRelease_; }
    QDoubleSpinBox* lookaheadBox() const { return lookahead_; }
    QComboBox* limiterStyleBox() const { return limiterStyle_; }
    QCheckBox* limiterSoftClipBox() const { return softClip_; }
    QCheckBox* limiterLowFrequencyBox() const { return lowFrequencyAware_; }
    QDoubleSpinBox* limiterStereoLinkBox() const { return stereoLink_; } // percent

    void setLimiterGainReductionDb(double db);
    // The compressor's reduction, or with the multiband on each band's (bands from the low one).
    void setDynamicsGainReduction(double compressorDb, const float* bandDb, int bands);
    GainReductionMeter* compressorMeter() const { return compressorMeter_; }

private:
    void refresh();
    void showMatchCurve();

    SessionDocument* document_;
    MatchPanel* match_ = nullptr;
    EqCurveEditor* eq_ = nullptr;
    CompressorPanel* compressor_ = nullptr;
    QCheckBox* multiband_ = nullptr;
    QGroupBox* multibandGroup_ = nullptr;
    MultibandPanel* multibandPanel_ = nullptr;
    QComboBox* saturationMode_ = nullptr;
    QDoubleSpinBox* saturationMix_ = nullptr;
    QComboBox* oversampling_ = nullptr;
    QDoubleSpinBox* ceiling_ = nullptr;
    QDoubleSpinBox* target_ = nullptr;
    QDoubleSpinBox* limiterRelease_ = nullptr;
    QDoubleSpinBox* lookahead_ = nullptr;
    QComboBox* limiterStyle_ = nullptr;
    QCheckBox* softClip_ = nullptr;
    QCheckBox* lowFrequencyAware_ = nullptr;
    QDoubleSpinBox* stereoLink_ = nullptr;
    GainReductionMeter* limiterMeter_ = nullptr;
    GainReductionMeter* compressorMeter_ = nullptr;
};

} // namespace lathe::ui
