#include "ui/SpectrumWidget.h"

#include "core/engine/AudioEngine.h"

#include <QApplication>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using lathe::ui::SpectrumWidget;

namespace {

constexpr double kBinHz = 10.0;
constexpr int kBins = 2049; // up to 20.48 kHz

std::vector<float> toneAt1k(float levelDb, float floorDb) {
    std::vector<float> bins(kBins, floorDb);
    bins[100] = levelDb; // 1000 Hz
    return bins;
}

} // namespace

TEST(SpectrumWidget, PointsAreLogSpacedOverTheAudioBand) {
    EXPECT_NEAR(SpectrumWidget::pointFrequency(0), 20.0, 1e-9);
    EXPECT_NEAR(SpectrumWidget::pointFrequency(SpectrumWidget::kDisplayPoints - 1), 20000.0, 1e-6);
    const double ratio = SpectrumWidget::pointFrequency(11) / SpectrumWidget::pointFrequency(10);
    EXPECT_NEAR(SpectrumWidget::pointFrequency(201) / SpectrumWidget::pointFrequency(200), ratio, 1e-9);
    EXPECT_EQ(SpectrumWidget::pointForFrequency(SpectrumWidget::pointFrequency(123)), 123);
}

TEST(SpectrumWidget, ToneShowsAtItsFrequencyAndFallsWithBallisticsAndPeakHold) {
    SpectrumWidget widget;
    const int tone = SpectrumWidget::pointForFrequency(1000.0);
    const int low = SpectrumWidget::pointForFrequency(100.0);
    widget.setSpectrum(toneAt1k(-6.0f, -120.0f), kBinHz, 0.05);
    EXPECT_NEAR(widget.displayedDb(tone), -6.0, 1e-6);
    EXPECT_NEAR(widget.displayedDb(low), widget.minDb(), 1e-9); // the floor is below the display range
    EXPECT_NEAR(widget.peakDb(tone), -6.0, 1e-6);

    // Silence for 0.5 s: the trace falls kFallDbPerSecond * 0.5 = 12 dB, the peak holds.
    widget.setSpectrum(std::vector<float>(kBins, -120.0f), kBinHz, 0.5);
    EXPECT_NEAR(widget.displayedDb(tone), -6.0 - SpectrumWidget::kFallDbPerSecond * 0.5, 1e-6);
    EXPECT_NEAR(widget.peakDb(tone), -6.0, 1e-6);

    // 1.5 s more: held 2 s in all (> 1.5 s hold), so the peak falls too, by this frame's 36 dB.
    widget.setSpectrum(std::vector<float>(kBins, -120.0f), kBinHz, 1.5);
    EXPECT_NEAR(widget.displayedDb(tone), -18.0 - 36.0, 1e-6);
    EXPECT_NEAR(widget.peakDb(tone), -6.0 - 36.0, 1e-6);

    // A louder frame is shown at once (meters rise instantly).
    widget.setSpectrum(toneAt1k(-3.0f, -120.0f), kBinHz, 0.05);
    EXPECT_NEAR(widget.displayedDb(tone), -3.0, 1e-6);
    EXPECT_NEAR(widget.peakDb(tone), -3.0, 1e-6);
}

TEST(SpectrumWidget, ResamplesARampWithinTheSpanOfEachPoint) {
    // Magnitude rising 0.001 dB per Hz: a point shows the loudest bin within half a point's spacing either
    // side of its frequency or, where no bin falls in that span, the value interpolated at its own frequency.
    std::vector<float> ramp(kBins);
    for (int b = 0; b < kBins; ++b)
        ramp[std::size_t(b)] = float(-60.0 + 0.001 * b * kBinHz);
    SpectrumWidget widget;
    widget.setSpectrum(ramp, kBinHz, 0.05);
    const double halfStep = std::exp(0.5 * std::log(1000.0) / (SpectrumWidget::kDisplayPoints - 1));
    for (int i = 0; i < SpectrumWidget::kDisplayPoints; i += 5) {
        const double f = SpectrumWidget::pointFrequency(i);
        EXPECT_GE(widget.displayedDb(i), -60.0 + 0.001 * f / halfStep - 1e-4) << f;
        EXPECT_LE(widget.displayedDb(i), -60.0 + 0.001 * f * halfStep + 1e-4) << f;
    }
}

TEST(SpectrumWidget, EngineFramesGiveTheSameDisplay) {
    lathe::core::SpectrumFrame frame;
    frame.numBins = kBins;
    frame.binHz = kBinHz;
    const auto bins = toneAt1k(-12.0f, -70.0f);
    std::copy(bins.begin(), bins.end(), frame.magnitudesDb.begin());
    SpectrumWidget a, b;
    a.setSpectrum(frame, 0.05);
    b.setSpectrum(bins, kBinHz, 0.05);
    for (int i = 0; i < SpectrumWidget::kDisplayPoints; ++i)
        ASSERT_EQ(a.displayedDb(i), b.displayedDb(i)) << i;
    EXPECT_NEAR(a.displayedDb(SpectrumWidget::pointForFrequency(1000.0)), -12.0, 1e-6);
    EXPECT_NEAR(a.displayedDb(SpectrumWidget::pointForFrequency(200.0)), -70.0, 1e-6);
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
