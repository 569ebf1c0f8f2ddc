// Issue 18 in the whole window: the match computed for the opened song reaches the spectrum analyzer (source,
// reference and matched traces) and the main overview draws the match range while it shows the reference.
#include "support/DemoWindow.h"
#include "support/PrivateHomeTestMain.h"

#include "ui/CompareBar.h"
#include "ui/MasterSection.h"
#include "ui/MatchPanel.h"
#include "ui/SessionDocument.h"
#include "ui/SpectrumWidget.h"
#include "ui/WaveformOverview.h"

#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

#include <cmath>
#include <cstdlib>

using namespace lathe;
using lathe::ui::test::DemoWindowTest;

namespace {

class MainWindowMatchTest : public DemoWindowTest {
protected:
    void SetUp() override {
        // The analyses' cache of this test only.
        setenv("XDG_CACHE_HOME", cache_.path().toLocal8Bit().constData(), 1);
        DemoWindowTest::SetUp();
    }
    QTemporaryDir cache_;
};

} // namespace

TEST_F(MainWindowMatchTest, TheAnalyzerShowsTheMatchAndTheReferenceOverviewItsRange) {
    open(demoFolder(QStringLiteral("Match Song")));
    ui::MatchPanel* panel = window_->masterSection()->matchPanel();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !panel->computing() && panel->hasMatch(); }, kLoadTimeoutMs));
    ui::SpectrumWidget* spectrum = window_->spectrumWidget();
    ASSERT_TRUE(spectrum->hasMatchSpectra());
    // The traces are the panel's spectra: matched minus source is the correction at every analysed point.
    const core::MatchSpectra& spectra = panel->spectra();
    using Trace = ui::SpectrumWidget::MatchTrace;
    for (double hz : {200.0, 1000.0, 5000.0}) {
        const int point = ui::SpectrumWidget::pointForFrequency(hz);
        const double f = ui::SpectrumWidget::pointFrequency(point);
        const double expected = panel->curve().tone.gainDbAt(f) + panel->curve().loudnessGainDb;
        EXPECT_NEAR(spectrum->matchTraceDb(Trace::Matched, point) -
                        spectrum->matchTraceDb(Trace::Source, point),
                    expected, 0.05)
            << f;
    }
    EXPECT_FALSE(spectra.empty());

    const auto setRange = [&](double start, double end) {
        window_->document()->edit(QStringLiteral("range"), [&](core::Session& s) {
            s.master.match.range_start_s = start;
            s.master.match.range_end_s = end;
        });
    };
    setRange(1.5, 4.0);
    ui::WaveformOverview* overview = window_->waveformOverview();
    EXPECT_DOUBLE_EQ(overview->matchRangeEnd(), 0.0) << "the overview draws the mix: no match range on it";
    QTest::mouseClick(window_->compareBar()->button(core::MonitorSource::Reference), Qt::LeftButton);
    EXPECT_EQ(overview->file().toStdString(), window_->document()->session().reference);
    EXPECT_DOUBLE_EQ(overview->matchRangeStart(), 1.5);
    EXPECT_DOUBLE_EQ(overview->matchRangeEnd(), 4.0);
    setRange(2.0, 5.0);
    EXPECT_DOUBLE_EQ(overview->matchRangeStart(), 2.0) << "it follows the session's edits";
    window_->document()->undoStack()->undo();
    EXPECT_DOUBLE_EQ(overview->matchRangeStart(), 1.5);
}

int main(int argc, char** argv) {
    return ui::test::runWithPrivateHome(argc, argv, "MainWindowMatchTest");
}
