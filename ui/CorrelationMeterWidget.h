#pragma once

#include <QWidget>

namespace lathe::ui {

// Phase correlation, -1 (out of phase) .. 0 (unrelated) .. +1 (mono), as a horizontal bar from the centre.
// Negative values are drawn in the warning colour: they mean mono cancellation.
class CorrelationMeterWidget : public QWidget {
    Q_OBJECT
public:
    explicit CorrelationMeterWidget(QWidget* parent = nullptr);

    void setCorrelation(double correlation); // clamped to [-1, 1]; NaN shows no reading
    double correlation() const { return correlation_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    double correlation_ = 0.0;
};

} // namespace lathe::ui
