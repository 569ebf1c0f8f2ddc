#include "ui/EqCurveEditor.h"

#include "dsp/BiquadCoefficients.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>

using lathe::core::EqBandSettings;
using lathe::ui::EqCurveEditor;

namespace {

constexpr double kRate = 48000.0;

std::vector<EqBandSettings> threeBands() {
    EqBandSettings bell;
    bell.type = "bell";
    bell.frequency_hz = 1000;
    bell.q = 1.0;
    bell.gain_db = 3.0;
    EqBandSettings shelf;
    shelf.type = "low_shelf";
    shelf.frequency_hz = 100;
    shelf.q = 0.707;
    shelf.gain_db = -2.0;
    EqBandSettings highPass;
    highPass.type = "high_pass";
    highPass.frequency_hz = 30;
    highPass.q = 0.707;
    return {bell, shelf, highPass};
}

// Independent of the widget: the RBJ designs straight from dsp.
double expectedResponse(const std::vector<EqBandSettings>& bands, double hz) {
    using namespace lathe::dsp;
    double sum = 0;
    for (const auto& b : bands) {
        if (!b.enabled) continue;
        FilterType type{};
        EXPECT_TRUE(filterTypeFromName(b.type.c_str(), type));
        sum += magnitudeDb(makeFilter(type, kRate, b.frequency_hz, b.q, b.gain_db), kRate, hz);
    }
    return sum;
}

void sendWheel(QWidget& w, QPointF pos, int angle) {
    QWheelEvent event(pos, w.mapToGlobal(pos), QPoint(), QPoint(0, angle), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&w, &event);
}

} // namespace

TEST(EqCurveEditor, CurveIsTheSumOfTheBandMagnitudes) {
    EqCurveEditor editor;
    editor.setSampleRate(kRate);
    auto bands = threeBands();
    editor.setBands(bands);
    for (double hz : {20.0, 31.5, 80.0, 100.0, 440.0, 1000.0, 2500.0, 10000.0, 19000.0})
        EXPECT_NEAR(editor.responseDb(hz), expectedResponse(bands, hz), 1e-9) << hz;
    // Sanity on the numbers themselves: at the bell's centre it adds its full 3 dB.
    EXPECT_NEAR(editor.responseDb(1000.0) - expectedResponse({bands[1], bands[2]}, 1000.0), 3.0, 1e-6);

    bands[0].enabled = false;
    editor.setBands(bands);
    EXPECT_NEAR(editor.responseDb(1000.0), expectedResponse({bands[1], bands[2]}, 1000.0), 1e-9);
}

TEST(EqCurveEditor, AxesAreLogFrequencyAndLinearDb) {
    EqCurveEditor editor;
    editor.resize(600, 300);
    const QRectF r = editor.plotRect();
    EXPECT_NEAR(editor.xForFrequency(20.0), r.left(), 1e-9);
    EXPECT_NEAR(editor.xForFrequency(20000.0), r.right(), 1e-9);
    // 20 Hz .. 20 kHz is three decades: each decade is a third of the width.
    EXPECT_NEAR(editor.xForFrequency(2000.0) - editor.xForFrequency(200.0), r.width() / 3.0, 1e-9);
    EXPECT_NEAR(editor.yForGain(editor.gainRangeDb()), r.top(), 1e-9);
    EXPECT_NEAR(editor.yForGain(-editor.gainRangeDb()), r.bottom(), 1e-9);
    EXPECT_NEAR(editor.frequencyForX(editor.xForFrequency(1234.0)), 1234.0, 1e-9);
    EXPECT_NEAR(editor.gainForY(editor.yForGain(-7.5)), -7.5, 1e-9);
}

TEST(EqCurveEditor, DraggingAHandleMovesFrequencyAndGainByTheAxisMapping) {
    EqCurveEditor editor;
    editor.resize(600, 300);
    editor.setSampleRate(kRate);
    editor.setBands(threeBands());
    const QRectF r = editor.plotRect();
    QSignalSpy changed(&editor, &EqCurveEditor::bandChanged);
    QSignalSpy finished(&editor, &EqCurveEditor::bandEditFinished);

    const QPoint start = editor.handlePosition(0).toPoint();
    const int dx = 60, dy = -40;
    QTest::mousePress(&editor, Qt::LeftButton, {}, start);
    QTest::mouseMove(&editor, start + QPoint(dx / 2, dy / 2));
    QTest::mouseMove(&editor, start + QPoint(dx, dy));
    QTest::mouseRelease(&editor, Qt::LeftButton, {}, start + QPoint(dx, dy));

    // Log axis: dx pixels multiply frequency by 1000^(dx / width); linear axis: -dy pixels add
    // dy * (2 * range) / height dB.
    const double expectedHz = 1000.0 * std::pow(1000.0, dx / r.width());
    const double expectedDb = 3.0 + (-dy) * 2.0 * editor.gainRangeDb() / r.height();
    ASSERT_GE(changed.count(), 1);
    const auto last = changed.last();
    EXPECT_EQ(last.at(0).toInt(), 0);
    const auto band = editor.bands()[0];
    EXPECT_NEAR(band.frequency_hz, expectedHz, 1e-6 * expectedHz);
    EXPECT_NEAR(band.gain_db, expectedDb, 1e-9);
    EXPECT_EQ(band.q, 1.0);
    EXPECT_EQ(last.at(1).value<EqBandSettings>(), band);
    EXPECT_EQ(finished.count(), 1);
    EXPECT_EQ(editor.selectedBand(), 0);
    // The drawn curve follows the edit.
    auto expectedBands = threeBands();
    expectedBands[0] = band;
    EXPECT_NEAR(editor.responseDb(expectedHz), expectedResponse(expectedBands, expectedHz), 1e-9);
}

TEST(EqCurveEditor, FiltersWithoutGainOnlyMoveInFrequency) {
    EqCurveEditor editor;
    editor.resize(600, 300);
    editor.setBands(threeBands());
    const QRectF r = editor.plotRect();
    const QPoint start = editor.handlePosition(2).toPoint();
    QTest::mousePress(&editor, Qt::LeftButton, {}, start);
    QTest::mouseMove(&editor, start + QPoint(30, -50));
    QTest::mouseRelease(&editor, Qt::LeftButton, {}, start + QPoint(30, -50));
    EXPECT_NEAR(editor.bands()[2].frequency_hz, 30.0 * std::pow(1000.0, 30.0 / r.width()), 1e-6);
    EXPECT_EQ(editor.bands()[2].gain_db, 0.0);
}

TEST(EqCurveEditor, WheelChangesQBySixthOfAnOctaveStepsAndClamps) {
    EqCurveEditor editor;
    editor.resize(600, 300);
    editor.setBands(threeBands());
    QSignalSpy changed(&editor, &EqCurveEditor::bandChanged);
    sendWheel(editor, editor.handlePosition(0), 3 * 120);
    ASSERT_EQ(changed.count(), 1);
    EXPECT_NEAR(editor.bands()[0].q, std::sqrt(2.0), 1e-9); // 2^(3/6)
    sendWheel(editor, editor.handlePosition(0), -6 * 120);
    EXPECT_NEAR(editor.bands()[0].q, std::sqrt(2.0) / 2.0, 1e-9);
    for (int i = 0; i < 40; ++i)
        sendWheel(editor, editor.handlePosition(0), 120);
    EXPECT_EQ(editor.bands()[0].q, EqCurveEditor::kMaxQ);
    EXPECT_EQ(editor.bands()[1].q, 0.707); // others untouched
}

TEST(EqCurveEditor, TheHandleMenuSetsTypeAndOnOffAsOneFinishedEditEach) {
    EqCurveEditor editor;
    editor.setSampleRate(kRate);
    editor.setBands(threeBands());
    QSignalSpy changed(&editor, &EqCurveEditor::bandChanged);
    QSignalSpy finished(&editor, &EqCurveEditor::bandEditFinished);
    std::unique_ptr<QMenu> menu(editor.createBandMenu(0, nullptr));
    QAction* on = menu->findChild<QAction*>("bandEnabled");
    ASSERT_NE(on, nullptr);
    EXPECT_TRUE(on->isChecked());
    QAction* notch = nullptr;
    int typeActions = 0;
    for (QAction* a : menu->actions()) {
        if (!a->data().isValid()) continue;
        ++typeActions;
        EXPECT_EQ(a->isChecked(), a->data().toString() == "bell") << a->text().toStdString();
        if (a->data().toString() == "notch") notch = a;
    }
    EXPECT_EQ(typeActions, 7); // every type core/model/SESSION.md lists
    ASSERT_NE(notch, nullptr);
    notch->trigger();
    EXPECT_EQ(editor.bands()[0].type, "notch");
    ASSERT_EQ(changed.count(), 1);
    EXPECT_EQ(changed.last().at(0).toInt(), 0);
    EXPECT_EQ(finished.count(), 1);
    // A notch has no gain: its response is the notch alone, the bell's +3 dB is gone.
    auto expected = threeBands();
    expected[0].type = "notch";
    EXPECT_NEAR(editor.responseDb(1000.0), expectedResponse(expected, 1000.0), 1e-9);
    EXPECT_LT(editor.responseDb(1000.0), -20.0);

    on->trigger(); // off
    EXPECT_FALSE(editor.bands()[0].enabled);
    EXPECT_EQ(changed.count(), 2);
    EXPECT_EQ(finished.count(), 2);
    expected[0].enabled = false;
    EXPECT_NEAR(editor.responseDb(1000.0), expectedResponse(expected, 1000.0), 1e-9);
    // Setting what is already there, an unknown type or a missing band changes nothing.
    editor.setBandEnabled(0, false);
    editor.setBandType(1, "shelf");
    editor.setBandType(7, "bell");
    EXPECT_EQ(changed.count(), 2);
}

TEST(EqCurveEditor, FrequencyLabelsNeverOverlapAndANarrowEditorKeepsTheDecades) {
    EqCurveEditor editor;
    auto labelsAt = [&](int width) {
        editor.resize(width, 120);
        return editor.frequencyLabels();
    };
    for (int width : {180, 196, 260, 420, 900}) {
        const auto labels = labelsAt(width);
        for (size_t i = 0; i < labels.size(); ++i) {
            EXPECT_GE(labels[i].second.left(), 0.0);
            EXPECT_LE(labels[i].second.right(), double(width));
            for (size_t j = i + 1; j < labels.size(); ++j)
                EXPECT_FALSE(labels[i].second.intersects(labels[j].second))
                    << width << " px: " << labels[i].first << " Hz and " << labels[j].first << " Hz";
        }
        std::set<double> shown;
        for (const auto& label : labels)
            shown.insert(label.first);
        for (double decade : {100.0, 1000.0, 10000.0})
            EXPECT_TRUE(shown.count(decade)) << width << " px lacks " << decade << " Hz";
    }
    EXPECT_EQ(labelsAt(900).size(), 10u); // wide enough for every grid line's label
    EXPECT_LT(labelsAt(196).size(), 10u);
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
