#pragma once

#include <QWidget>

namespace lathe::ui {

// A stem's level beside its fader: RMS as a bar, peak as a line, -60..0 dBFS (the fader's range), red above
// -1 dBFS. Fed by the engine's meter frames; silent below the range.
class StemLevelMeter : public QWidget {
    Q_OBJECT
public:
    static constexpr double kFloorDbfs = -60.0;

    explicit StemLevelMeter(QWidget* parent = nullptr);

    void setLevels(double peakDbfs, double rmsDbfs);
    void clear();
    double peakDbfs() const { return peakDbfs_; }
    double rmsDbfs() const { return rmsDbfs_; }
    // The bar's top for a level, in widget pixels (tests check the drawing follows the reading).
    int yForDbfs(double dbfs) const;

    QSize sizeHint() const override { return {10, 140}; }
    QSize minimumSizeHint() const override { return {8, 60}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    double peakDbfs_ = -200, rmsDbfs_ = -200;
};

} // namespace lathe::ui
