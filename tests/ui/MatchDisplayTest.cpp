// Issue 18's GUI: the match curve drawn over the master EQ is the analysis' correction curve and follows the
// amount and the limit; a drag on the reference's overview sets master.match's range (one undo step); the
// spectrum shows the source, the reference and the matched result, the last the source through the curve.
// Read from the widgets' models, not from pixels.
#include "ui/EqCurveEditor.h"
#include "ui/MasterSection.h"
#include "ui/MatchPanel.h"
#include "ui/SessionDocument.h"
#include "ui/SpectrumWidget.h"
#include "ui/WaveformOverview.h"

#include "core/analysis/MatchSession.h"
#include "core/analysis/MatchSpectra.h"
#include "dsp/AudioBlock.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/SpectrumAnalyzer.h"
#include "support/PrivateHomeTestMain.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QTest>
#include <QUndoStack>

#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>

using namespace lathe;

namespace {

constexpr int kRate = 48000;
constexpr double kSeconds = 8.0;
constexpr double kShelfHz = 3000.0, kShelfQ = 0.707, kShelfDb = 6.0;

dsp::BiquadCoefficients shelf() {
    return dsp::makeHighShelf(kRate, kShelfHz, kShelfQ, kShelfDb);
}

// A stereo noise mix (correlated, with some side) and its reference: the mix through a known high shelf,
// 3 dB louder. The tone curve must then be the shelf's shape, whatever constant keeps it loudness-neutral.
void writePair(const std::string& mix, const std::string& reference) {
    std::mt19937 rng(11);
    std::normal_distribution<double> n(0.0, 0.05);
    const auto frames = std::size_t(kSeconds * kRate);
    test::PlanarAudio a(2, std::vector<float>(frames));
    for (std::size_t i = 0; i < frames; ++i) {
        const double centre = n(rng), side = 0.3 * n(rng);
        a[0][i] = float(centre + side);
        a[1][i] = float(centre - side);
    }
    test::writeTestAudio(mix, a, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const dsp::BiquadCoefficients c = shelf();
    const double gain = std::pow(10.0, 3.0 / 20.0);
    for (auto& ch : a) {
        double s1 = 0, s2 = 0; // transposed direct form II
        for (float& v : ch) {
            const double x = v, y = c.b0 * x + s1;
            s1 = c.b1 * x - c.a1 * y + s2;
            s2 = c.b2 * x - c.a2 * y;
            v = float(gain * y);
        }
    }
    test::writeTestAudio(reference, a, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
}

class MatchDisplayTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("XDG_CACHE_HOME", dir_.file("cache").c_str(), 1);
        core::Session s;
        s.folder = dir_.path();
        s.song = "Song";
        s.sample_rate = kRate;
        s.mix = dir_.file("mix.wav");
        s.reference = dir_.file("reference.wav");
        writePair(s.mix, s.reference);
        document_.reset(s, std::nullopt, QString());
        section_ = std::make_unique<ui::MasterSection>(&document_);
        section_->resize(420, 900);
        section_->show();
    }
    ui::MatchPanel* panel() const { return section_->matchPanel(); }
    ui::EqCurveEditor* eq() const { return section_->eqEditor(); }
    const core::MatchSettings& match() const { return document_.session().master.match; }
    // Waits for the panel's computation of the session as it is now.
    bool waitForMatch() {
        QElapsedTimer t;
        t.start();
        do
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        while ((panel()->computing() || !panel()->hasMatch()) && t.elapsed() < 30000);
        return panel()->hasMatch() && !panel()->computing();
    }
    // The analysis' own curve for the session, computed here without the GUI.
    dsp::MatchCurve analysisCurve() const {
        core::Session s = document_.session();
        s.master.match.enabled = true;
        return core::planMasterMatch(s, false).curve;
    }
    // The drawn curve's rise from 200 Hz to 12 kHz: the shelf's whole step, whatever the constant.
    double drawnRiseDb() const { return eq()->matchCurveDb(12000) - eq()->matchCurveDb(200); }

    test::TempDir dir_;
    ui::SessionDocument document_;
    std::unique_ptr<ui::MasterSection> section_;
};

} // namespace

TEST_F(MatchDisplayTest, TheEqDrawsTheAnalysisCorrectionCurve) {
    ASSERT_TRUE(waitForMatch());
    ASSERT_TRUE(eq()->hasMatchCurve());
    EXPECT_FALSE(eq()->matchCurveActive()) << "match off: the curve is a preview";
    const dsp::MatchCurve curve = analysisCurve();
    for (double hz : {60.0, 200.0, 1000.0, 3000.0, 6000.0, 12000.0})
        EXPECT_NEAR(eq()->matchCurveDb(hz), curve.tone.gainDbAt(hz), 1e-9) << hz;
    ASSERT_EQ(eq()->matchWidth().size(), curve.width.size());
    for (std::size_t b = 0; b < curve.width.size(); ++b)
        EXPECT_DOUBLE_EQ(eq()->matchWidth()[b].sideGainDb, curve.width[b].sideGainDb);
    // And that curve is the shelf the reference was made with (RBJ magnitude, independent of the analysis).
    const double shelfRise = dsp::magnitudeDb(shelf(), kRate, 12000) - dsp::magnitudeDb(shelf(), kRate, 200);
    EXPECT_NEAR(drawnRiseDb(), shelfRise, 0.5);

    document_.edit(QStringLiteral("on"), [](core::Session& s) { s.master.match.enabled = true; });
    ASSERT_TRUE(waitForMatch());
    EXPECT_TRUE(eq()->matchCurveActive());
}

TEST_F(MatchDisplayTest, TheDrawnCurveFollowsTheAmountTheLimitAndTheParts) {
    ASSERT_TRUE(waitForMatch());
    const double full = drawnRiseDb();
    ASSERT_GT(full, 4.0);

    document_.edit(QStringLiteral("amount"), [](core::Session& s) { s.master.match.tone_amount_pct = 50; });
    ASSERT_TRUE(waitForMatch());
    EXPECT_NEAR(drawnRiseDb(), full / 2, 0.1) << "the amount scales the curve in dB";

    document_.edit(QStringLiteral("limit"), [](core::Session& s) {
        s.master.match.tone_amount_pct = 100;
        s.master.match.max_correction_db = 2;
    });
    ASSERT_TRUE(waitForMatch());
    double most = 0;
    for (double hz = 20; hz <= 20000; hz *= 1.1)
        most = std::max(most, std::abs(eq()->matchCurveDb(hz)));
    EXPECT_LE(most, 2.0 + 1e-6);
    EXPECT_GT(most, 1.5);

    document_.edit(QStringLiteral("no tone"), [](core::Session& s) {
        s.master.match.enabled = true;
        s.master.match.tone = false;
    });
    ASSERT_TRUE(waitForMatch());
    EXPECT_FALSE(eq()->matchCurveActive());
    for (double hz : {100.0, 1000.0, 10000.0})
        EXPECT_NEAR(eq()->matchCurveDb(hz), 0.0, 1e-9) << hz;

    // Without a reference there is nothing to draw.
    document_.edit(QStringLiteral("no reference"), [](core::Session& s) { s.reference.clear(); });
    QCoreApplication::processEvents();
    EXPECT_FALSE(eq()->hasMatchCurve());
}

TEST_F(MatchDisplayTest, DraggingOnTheReferenceOverviewSetsTheRangeAndUndoRestoresIt) {
    ui::WaveformOverview* overview = panel()->referenceOverview();
    EXPECT_EQ(overview->file(), QString::fromStdString(document_.session().reference));
    QElapsedTimer t;
    t.start();
    while (!overview->isReady() && t.elapsed() < 20000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    ASSERT_TRUE(overview->isReady());
    document_.edit(QStringLiteral("typed"), [](core::Session& s) {
        s.master.match.range_start_s = 1;
        s.master.match.range_end_s = 3;
    });
    EXPECT_DOUBLE_EQ(overview->matchRangeStart(), 1);
    EXPECT_DOUBLE_EQ(overview->matchRangeEnd(), 3);
    const int steps = document_.undoStack()->count();

    const int w = overview->width();
    ASSERT_GT(w, 100);
    const QPoint from(w / 4, overview->height() / 2), to(3 * w / 4, overview->height() / 2);
    QTest::mousePress(overview, Qt::LeftButton, {}, from);
    QTest::mouseMove(overview, to);
    QTest::mouseRelease(overview, Qt::LeftButton, {}, to);
    // A quarter to three quarters of the 8 s reference, to a pixel and the boxes' 0.1 s.
    const double pixel = kSeconds / w;
    EXPECT_NEAR(match().range_start_s, kSeconds / 4, pixel + 0.05);
    EXPECT_NEAR(match().range_end_s, 3 * kSeconds / 4, pixel + 0.05);
    EXPECT_DOUBLE_EQ(overview->matchRangeStart(), match().range_start_s)
        << "the range is shown where it was picked";
    EXPECT_DOUBLE_EQ(panel()->rangeStartBox()->value(), match().range_start_s);
    EXPECT_EQ(document_.undoStack()->count(), steps + 1) << "one undo step for both ends";
    EXPECT_FALSE(overview->loopEnd() > overview->loopStart()) << "the drag picks the match range, not a loop";

    document_.undoStack()->undo();
    EXPECT_DOUBLE_EQ(match().range_start_s, 1);
    EXPECT_DOUBLE_EQ(match().range_end_s, 3);
    EXPECT_DOUBLE_EQ(overview->matchRangeEnd(), 3);
}

TEST_F(MatchDisplayTest, TheSpectrumShowsTheMatchedResultAsTheSourceThroughTheCorrection) {
    ASSERT_TRUE(waitForMatch());
    ui::SpectrumWidget spectrum;
    spectrum.setMatchSpectra(panel()->spectra());
    ASSERT_TRUE(spectrum.hasMatchSpectra());
    using Trace = ui::SpectrumWidget::MatchTrace;
    const dsp::MatchCurve curve = analysisCurve();
    ASSERT_TRUE(match().loudness);
    for (double hz : {100.0, 500.0, 1000.0, 3000.0, 8000.0, 12000.0}) {
        const int point = ui::SpectrumWidget::pointForFrequency(hz);
        const double f = ui::SpectrumWidget::pointFrequency(point);
        const double source = spectrum.matchTraceDb(Trace::Source, point);
        const double matched = spectrum.matchTraceDb(Trace::Matched, point);
        const double reference = spectrum.matchTraceDb(Trace::Reference, point);
        // The display interpolates between the analysis' points: 0.05 dB of a curve this smooth.
        EXPECT_NEAR(matched - source, curve.tone.gainDbAt(f) + curve.loudnessGainDb, 0.05) << f;
        // And the result is the reference: tone and level (the loudness part is on).
        EXPECT_NEAR(matched, reference, 0.5) << f;
        EXPECT_GT(std::abs(reference - source), 1.0) << f;
    }
    // Cleared with the match.
    spectrum.setMatchSpectra(core::MatchSpectra{});
    EXPECT_FALSE(spectrum.hasMatchSpectra());
}

// The traces sit where the live one reads the same audio: white noise's density against the analyzer's
// average power per bin (power-averaged over frames, so the reading's scatter does not bias it).
TEST(MatchSpectraLevel, ADensityIsDrawnWhereTheAnalyzerReadsNoiseOfIt) {
    constexpr double sigma = 0.1;
    dsp::SpectrumAnalyzer analyzer;
    analyzer.prepare(kRate, 4096, 1);
    std::mt19937 rng(3);
    std::normal_distribution<float> n(0.0f, float(sigma));
    std::vector<float> block(4096);
    std::vector<double> power(analyzer.numBins(), 0.0);
    int frames = 0;
    for (int b = 0; b < 400; ++b) {
        for (float& v : block)
            v = n(rng);
        float* channels[] = {block.data()};
        const uint64_t before = analyzer.framesComputed();
        analyzer.process(dsp::AudioBlock(channels, 1, int(block.size())));
        if (analyzer.framesComputed() == before) continue;
        ++frames;
        for (int k = 0; k < analyzer.numBins(); ++k)
            power[std::size_t(k)] += std::pow(10.0, analyzer.magnitudeDb(k) / 10.0);
    }
    ASSERT_GT(frames, 100);
    double sum = 0;
    int bins = 0;
    for (int k = 0; k < analyzer.numBins(); ++k)
        if (analyzer.binFrequency(k) >= 1000 && analyzer.binFrequency(k) <= 10000) {
            sum += power[std::size_t(k)] / frames;
            ++bins;
        }
    const double readDb = 10.0 * std::log10(sum / bins);

    // A single-sided density of white noise: 2 sigma^2 / fs.
    const double densityDb = 10.0 * std::log10(2.0 * sigma * sigma / kRate);
    core::MatchSpectra flat;
    flat.frequencyHz = {20, 20000};
    flat.sourceDb = flat.referenceDb = flat.matchedDb = {densityDb, densityDb};
    ui::SpectrumWidget spectrum;
    std::vector<float> anyFrame(2049, -100.0f);
    spectrum.setSpectrum(anyFrame, double(kRate) / 4096); // the bin width the traces follow
    spectrum.setMatchSpectra(flat);
    const int point = ui::SpectrumWidget::pointForFrequency(3000);
    EXPECT_NEAR(spectrum.matchTraceDb(ui::SpectrumWidget::MatchTrace::Source, point), readDb, 0.3);
}

int main(int argc, char** argv) {
    return ui::test::runWithPrivateHome(argc, argv, "MatchDisplayTest");
}
