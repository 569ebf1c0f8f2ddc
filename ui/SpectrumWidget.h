#pragma once

#include <QWidget>

class QPainter;

#include <vector>

namespace lathe::core {
struct MatchSpectra;
struct SpectrumFrame;
} // namespace lathe::core

namespace lathe::ui {

// Log-frequency spectrum (20 Hz .. 20 kHz, dBFS) of magnitudes in dB per FFT bin (dsp::SpectrumAnalyzer's
// calibration). The display is resampled onto kDisplayPoints log-spaced points and smoothed with meter
// ballistics: rises at once, falls at kFallDbPerSecond. A peak-hold trace holds each point's maximum for
// kPeakHoldSeconds, then falls at the same rate.
class SpectrumWidget : public QWidget {
    Q_OBJECT
public:
    static constexpr int kDisplayPoints = 256;
    static constexpr double kMinHz = 20.0;
    static constexpr double kMaxHz = 20000.0;
    static constexpr double kFallDbPerSecond = 24.0;
    static constexpr double kPeakHoldSeconds = 1.5;

    explicit SpectrumWidget(QWidget* parent = nullptr);

    // magnitudesDb[i] is the level of bin i, centred at i * binHz. elapsedSeconds is the time since the
    // previous frame (drives the fall rate); <= 0 uses the measured wall-clock interval.
    void setSpectrum(const float* magnitudesDb, int numBins, double binHz, double elapsedSeconds = -1.0);
    void setSpectrum(const std::vector<float>& magnitudesDb, double binHz, double elapsedSeconds = -1.0);
    void setSpectrum(const core::SpectrumFrame& frame, double elapsedSeconds = -1.0);
    void clear();

    // The match's spectra (issue 18: core::MatchSpectra, dBFS/Hz on the analysis grid) as fixed traces under
    // the live one: the source, the reference and the matched result. Shown in the live trace's units: the
    // level that trace reads for noise of that density (Hann window, 1.5 bins noise bandwidth, a bin-centred
    // full-scale sine at 0 dB: density + 10 log10(3 * binHz), binHz of the latest frame), so a trace sits
    // where the live one does while those passages play. clear() keeps them; an empty MatchSpectra removes
    // them.
    enum class MatchTrace { Source, Reference, Matched };
    void setMatchSpectra(const core::MatchSpectra& spectra);
    bool hasMatchSpectra() const { return !matchDensity_[0].empty(); }
    // A fixed trace at a display point in the live trace's dB; NaN outside the analysed range.
    double matchTraceDb(MatchTrace trace, int point) const;
    // What a density in dBFS/Hz reads as on this display (see setMatchSpectra).
    double densityOffsetDb() const;

    void setDbRange(double minDb, double maxDb);
    double minDb() const { return minDb_; }
    double maxDb() const { return maxDb_; }

    // Display trace and peak-hold trace at a display point, and the frequency of that point.
    double displayedDb(int point) const { return display_[static_cast<std::size_t>(point)]; }
    double peakDb(int point) const { return peak_[static_cast<std::size_t>(point)]; }
    static double pointFrequency(int point);
    // Nearest display point to a frequency.
    static int pointForFrequency(double hz);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void paintMatchTraces(QPainter& p, const QRectF& plot) const;

    double minDb_ = -96.0;
    double maxDb_ = 0.0;
    std::vector<double> display_;
    std::vector<double> peak_;
    std::vector<double> peakAge_; // seconds since the peak was set
    qint64 lastFrameMs_ = -1;
    double binHz_ = 48000.0 / 4096.0;     // the engine analyzer's default until a frame says otherwise
    std::vector<double> matchDensity_[3]; // per MatchTrace, dBFS/Hz at each display point (NaN: none)
};

} // namespace lathe::ui
