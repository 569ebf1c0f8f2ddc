#pragma once

#include <QWidget>

#include <limits>

namespace lathe::core {
struct MeterFrame;
}

namespace lathe::ui {

// What the loudness meter shows. -infinity means "no reading yet" (silence, or integrated not gated in).
struct LoudnessReadings {
    double momentaryLufs = -std::numeric_limits<double>::infinity();
    double shortTermLufs = -std::numeric_limits<double>::infinity();
    double integratedLufs = -std::numeric_limits<double>::infinity();
    double loudnessRangeLu = 0.0;
    double truePeakDbtp = -std::numeric_limits<double>::infinity(); // the maximum since reset
};

// EBU R128 style meter: momentary / short-term / integrated bars on a LUFS scale with the target marked,
// and big numbers for integrated LUFS, true peak (red over the ceiling), LRA and PLR.
// Feed it from the engine's meter frames on the GUI thread (setReadings, or the single setters).
class LoudnessMeterWidget : public QWidget {
    Q_OBJECT
public:
    explicit LoudnessMeterWidget(QWidget* parent = nullptr);

    void setReadings(const LoudnessReadings& readings);
    // From the engine: momentary/short-term/integrated as given (-200 = none); the true peak shown is the
    // maximum of the frames' peaks since reset() (a frame carries only its own meter period's peak); the LRA
    // as the frame gives it (measured since load, seek or source switch).
    void setValues(const core::MeterFrame& frame);
    void setMomentaryLufs(double lufs);
    void setShortTermLufs(double lufs);
    void setIntegratedLufs(double lufs);
    void setLoudnessRangeLu(double lu);
    void setTruePeakDbtp(double dbtp);
    void reset();

    void setTargetLufs(double lufs);
    void setCeilingDbtp(double dbtp);
    double targetLufs() const { return targetLufs_; }
    double ceilingDbtp() const { return ceilingDbtp_; }

    const LoudnessReadings& readings() const { return readings_; }
    // true peak - integrated loudness; NaN while either is missing.
    double plrDb() const;
    bool truePeakOverCeiling() const;

    // Bar scale (LUFS at the bottom and top of the bars).
    static constexpr double kScaleMinLufs = -48.0;
    static constexpr double kScaleMaxLufs = 0.0;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    LoudnessReadings readings_;
    double targetLufs_ = -14.0;
    double ceilingDbtp_ = -1.0;
};

} // namespace lathe::ui
