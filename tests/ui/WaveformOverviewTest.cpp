#include "ui/WaveformOverview.h"

#include "core/io/AudioFileWriter.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

using lathe::ui::WaveformOverview;
using lathe::ui::WaveformPeaks;

namespace {

constexpr int kRate = 48000;
constexpr int64_t kFrames = 20 * kRate; // 20 s: long enough that reading it takes a while
const double kAmplitude = std::pow(10.0, -6.0 / 20.0);

// A -6 dBFS 1 kHz sine (hits its crest exactly every 48 samples) in the first half, digital silence after.
QString writeHalfSine(const QTemporaryDir& dir) {
    const std::string path = dir.filePath(QStringLiteral("half_sine.wav")).toStdString();
    lathe::core::WriterOptions options;
    options.format = lathe::core::OutputFormat::WavFloat;
    options.sampleRate = kRate;
    options.channels = 2;
    lathe::core::AudioFileWriter writer(path, options);
    std::vector<float> left(kFrames), right(kFrames);
    for (int64_t i = 0; i < kFrames / 2; ++i) {
        left[std::size_t(i)] =
            float(kAmplitude * std::sin(2.0 * std::numbers::pi * 1000.0 * double(i) / kRate));
        right[std::size_t(i)] = -left[std::size_t(i)];
    }
    const float* channels[] = {left.data(), right.data()};
    writer.write(channels, kFrames);
    writer.commit();
    return QString::fromStdString(path);
}

} // namespace

TEST(WaveformOverview, PeaksOfHalfSineHalfSilenceComputedInTheBackground) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = writeHalfSine(dir);

    WaveformOverview overview;
    overview.resize(800, 120);
    QSignalSpy ready(&overview, &WaveformOverview::overviewReady);
    int ticks = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
    ticker.start(0);
    overview.setFile(path);
    // setFile returned without the peaks: they can only arrive through the event loop from the worker.
    EXPECT_FALSE(overview.isReady());
    EXPECT_TRUE(overview.peaks().maxima.empty());
    overview.grab(); // painting meanwhile works ("Computing overview...")
    ASSERT_TRUE(ready.wait(60000));
    EXPECT_GT(ticks, 0) << "the GUI event loop should have kept running while the overview was computed";
    ASSERT_TRUE(overview.isReady());

    const WaveformPeaks& peaks = overview.peaks();
    EXPECT_EQ(peaks.totalFrames, kFrames);
    EXPECT_EQ(peaks.sampleRate, kRate);
    ASSERT_EQ(int(peaks.maxima.size()), WaveformPeaks::kBuckets);
    const int half = WaveformPeaks::kBuckets / 2; // kFrames is even, so bucket `half` starts the silence
    for (int b = 0; b < WaveformPeaks::kBuckets; ++b) {
        if (b < half) {
            ASSERT_NEAR(peaks.maxima[std::size_t(b)], kAmplitude, 1e-6) << b;
            ASSERT_NEAR(peaks.minima[std::size_t(b)], -kAmplitude, 1e-6) << b;
        } else {
            ASSERT_EQ(peaks.maxima[std::size_t(b)], 0.0f) << b;
            ASSERT_EQ(peaks.minima[std::size_t(b)], 0.0f) << b;
        }
    }
    overview.grab();
}

TEST(WaveformOverview, ClickSeeksAndDragRequestsALoop) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    WaveformOverview overview;
    overview.resize(800, 120);
    QSignalSpy ready(&overview, &WaveformOverview::overviewReady);
    overview.setFile(writeHalfSine(dir));
    ASSERT_TRUE(ready.wait(60000));

    QSignalSpy seek(&overview, &WaveformOverview::seekRequested);
    QSignalSpy loop(&overview, &WaveformOverview::loopRequested);
    QTest::mouseClick(&overview, Qt::LeftButton, {}, QPoint(200, 60));
    ASSERT_EQ(seek.count(), 1);
    EXPECT_EQ(seek.at(0).at(0).toLongLong(), kFrames / 4); // x = 200 of 800
    EXPECT_EQ(overview.playheadFrame(), kFrames / 4);
    EXPECT_EQ(loop.count(), 0);

    QTest::mousePress(&overview, Qt::LeftButton, {}, QPoint(100, 60));
    QTest::mouseMove(&overview, QPoint(200, 60));
    QTest::mouseRelease(&overview, Qt::LeftButton, {}, QPoint(300, 60));
    ASSERT_EQ(loop.count(), 1);
    EXPECT_EQ(loop.at(0).at(0).toLongLong(), kFrames / 8);
    EXPECT_EQ(loop.at(0).at(1).toLongLong(), 3 * kFrames / 8);
    EXPECT_EQ(overview.loopStart(), kFrames / 8);
    EXPECT_EQ(overview.loopEnd(), 3 * kFrames / 8);
    EXPECT_EQ(seek.count(), 1); // a drag is not a seek
}

TEST(WaveformOverview, UnreadableFileReportsAnErrorNamingIt) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("not_there.wav"));
    WaveformOverview overview;
    QSignalSpy failed(&overview, &WaveformOverview::overviewFailed);
    overview.setFile(missing);
    ASSERT_TRUE(failed.wait(30000));
    EXPECT_TRUE(failed.at(0).at(0).toString().contains(QStringLiteral("not_there.wav")));
    EXPECT_FALSE(overview.isReady());
    overview.grab();
}

TEST(WaveformOverview, ReplacingTheFileWhileComputingKeepsOnlyTheNewOne) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = writeHalfSine(dir);
    WaveformOverview overview;
    QSignalSpy ready(&overview, &WaveformOverview::overviewReady);
    QSignalSpy failed(&overview, &WaveformOverview::overviewFailed);
    overview.setFile(dir.filePath(QStringLiteral("missing.wav")));
    overview.setFile(path);
    ASSERT_TRUE(ready.wait(60000));
    QTest::qWait(50);
    EXPECT_EQ(failed.count(), 0); // the abandoned job's error is dropped
    EXPECT_EQ(ready.count(), 1);
    EXPECT_EQ(overview.peaks().totalFrames, kFrames);
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
