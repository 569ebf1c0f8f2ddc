#pragma once

#include <QWidget>

namespace lathe::ui {

// Gain reduction of a compressor or limiter, in dB as a positive amount (3 = 3 dB of reduction), drawn from
// the top (vertical) or from the right (horizontal) like on a hardware unit, with a held maximum tick.
class GainReductionMeter : public QWidget {
    Q_OBJECT
public:
    explicit GainReductionMeter(Qt::Orientation orientation = Qt::Vertical, QWidget* parent = nullptr);

    // Accepts either sign (a negative gain in dB is taken as that much reduction).
    void setGainReductionDb(double db);
    double gainReductionDb() const { return reductionDb_; }
    double heldMaximumDb() const { return heldDb_; }
    void resetHold();

    void setRangeDb(double rangeDb); // full scale, default 12 dB
    double rangeDb() const { return rangeDb_; }
    void setOrientation(Qt::Orientation orientation);
    Qt::Orientation orientation() const { return orientation_; }
    // Fraction of the bar length that is lit (0..1).
    double filledFraction() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override; // resets the hold

private:
    Qt::Orientation orientation_;
    double reductionDb_ = 0.0;
    double heldDb_ = 0.0;
    double rangeDb_ = 12.0;
};

} // namespace lathe::ui
