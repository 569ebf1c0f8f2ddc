#pragma once

#include <QWidget>

class QDoubleSpinBox;

namespace lathe::ui {

class EqCurveEditor;
class GainReductionMeter;
class SessionDocument;

// The master chain in signal order: EQ, compressor, multiband on/off, saturation, width and balance, then the
// true-peak limiter with its ceiling and the loudness target the render aims for, and the limiter's
// gain-reduction meter fed from the engine.
class MasterSection : public QWidget {
    Q_OBJECT
public:
    explicit MasterSection(SessionDocument* document, QWidget* parent = nullptr);

    QDoubleSpinBox* ceilingBox() const { return ceiling_; }
    QDoubleSpinBox* targetBox() const { return target_; }
    EqCurveEditor* eqEditor() const { return eq_; }
    GainReductionMeter* limiterMeter() const { return limiterMeter_; }

    void setLimiterGainReductionDb(double db);

private:
    void refresh();

    SessionDocument* document_;
    EqCurveEditor* eq_ = nullptr;
    QDoubleSpinBox* ceiling_ = nullptr;
    QDoubleSpinBox* target_ = nullptr;
    GainReductionMeter* limiterMeter_ = nullptr;
};

} // namespace lathe::ui
