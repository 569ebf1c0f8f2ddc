#include "MainWindow.h"

#include "AudioSettingsDialog.h"
#include "AutomationLane.h"
#include "BatchQueueWindow.h"
#include "CompareBar.h"
#include "CorrelationMeterWidget.h"
#include "EngineController.h"
#include "GainReductionMeter.h"
#include "LoudnessMeterWidget.h"
#include "MasterSection.h"
#include "RenderDialog.h"
#include "ScanPanel.h"
#include "SessionDocument.h"
#include "ShortcutsOverlay.h"
#include "SpectrumWidget.h"
#include "StemStrip.h"
#include "StemToolsPanel.h"
#include "StreamingPreviewPanel.h"
#include "TransportBar.h"
#include "WaveformOverview.h"

#include "core/analysis/MatchSession.h"

#include <QLabel>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lathe::ui {

namespace {

// What the compare figures depend on: everything but where and how the masters are written.
core::Session soundOf(core::Session session) {
    session.output = {};
    return session;
}

} // namespace

void MainWindow::onSessionChanged() {
    if (!document_->isOpen()) return;
    const core::Session& session = document_->session();
    updateOverviewFile(); // the match range drawn on the reference follows its edits
    engine_->update(session);
    loudness_->setTargetLufs(session.loudness.target_lufs);
    loudness_->setCeilingDbtp(session.master.limiter.ceiling_dbtp);
    if (!engine_->isLoaded() && !engine_->isLoading()) return;
    // Every compare figure follows the edits: re-measured in the background, "measuring…" meanwhile. Back at
    // what was loaded (undo), the figures measured at load hold again.
    if (soundOf(session) == soundOf(loadedSession_)) {
        measurer_->cancel();
        if (remeasured_) {
            remeasured_.reset();
            refreshCompareFigures();
        }
        return;
    }
    if (engine_->isLoaded()) measurer_->request(session);
}

void MainWindow::onMeasured(const SourceFigures& figures) {
    remeasured_ = figures;
    refreshCompareFigures();
}

void MainWindow::onMeters(const core::MeterFrame& frame) {
    auto reading = [](float v) {
        return v <= -150.0f ? -std::numeric_limits<double>::infinity() : static_cast<double>(v);
    };
    // The frame reads the source as rendered, before the monitor gain (AudioEngine's meter tap).
    truePeakHoldDbtp_ = std::max(truePeakHoldDbtp_, static_cast<double>(frame.truePeakDbtp));
    loudness_->setMomentaryLufs(reading(frame.momentaryLufs));
    loudness_->setShortTermLufs(reading(frame.shortTermLufs));
    loudness_->setIntegratedLufs(reading(frame.integratedLufs));
    loudness_->setTruePeakDbtp(reading(static_cast<float>(truePeakHoldDbtp_)));
    loudness_->setLoudnessRangeLu(frame.loudnessRangeLu);
    correlation_->setCorrelation(frame.correlation);
    stemTools_->setMeters(frame);
    master_->setLimiterGainReductionDb(frame.limiterGainReductionDb);
    master_->setDynamicsGainReduction(frame.masterCompressorGainReductionDb, frame.bandGainReductionDb,
                                      std::clamp(frame.numBands, 0, core::MeterFrame::kMaxMeteredBands));
    // The frame holds the stems in session order; a strip past what it carries reads no reduction.
    const int metered = std::clamp(frame.numStems, 0, core::MeterFrame::kMaxMeteredStems);
    for (StemStrip* strip : strips_) {
        const int i = strip->stemIndex();
        strip->compressorMeter()->setGainReductionDb(i < metered ? frame.stemGainReductionDb[i] : 0.0f);
        if (i < metered)
            strip->setLevels(frame.stemPeakDbfs[static_cast<size_t>(i)],
                             frame.stemRmsDbfs[static_cast<size_t>(i)]);
        else
            strip->setLevels(-200.0f, -200.0f);
    }
}

void MainWindow::refreshMeasuring() {
    const bool opening = engine_->isLoaded() && !engine_->isMeasured();
    compare_->setMeasuring(opening || measurer_->isMeasuring(), opening);
}

void MainWindow::refreshCompareFigures() {
    auto available = [this](int i) {
        return remeasured_ ? remeasured_->available[i] &&
                                 engine_->sourceAvailable(static_cast<core::MonitorSource>(i))
                           : engine_->sourceAvailable(static_cast<core::MonitorSource>(i));
    };
    auto lufsOf = [this](int i) {
        return remeasured_ ? remeasured_->integratedLufs[i]
                           : engine_->sourceIntegratedLufs(static_cast<core::MonitorSource>(i));
    };
    auto peakOf = [this](int i) {
        return remeasured_ ? remeasured_->truePeakDbtp[i]
                           : engine_->sourceTruePeakDbtp(static_cast<core::MonitorSource>(i));
    };
    for (int i = 0; i < core::kMonitorSourceCount; ++i)
        compare_->setSourceInfo(static_cast<core::MonitorSource>(i), available(i), lufsOf(i), peakOf(i));
    compare_->setCurrentSource(engine_->source());
    refreshMonitorGain();
    const int current = static_cast<int>(engine_->source());
    if (available(current)) {
        const double lufs = lufsOf(current);
        const double peak = peakOf(current);
        streaming_->setMeasurement(lufs, peak);
        // Stopped, the meter shows the whole source as measured, so the numbers mean something before (or
        // without) playback; playing, the live readings take over.
        if (!engine_->isPlaying() && lufs > -70) {
            loudness_->setIntegratedLufs(lufs);
            loudness_->setTruePeakDbtp(peak);
        }
    } else {
        streaming_->setMeasurement(NAN, NAN);
    }
}

void MainWindow::refreshMonitorGain() {
    const core::MonitorSource current = engine_->source();
    const bool matched = compare_->loudnessMatch() && engine_->sourceAvailable(current);
    compare_->setMonitorGainDb(matched ? engine_->engine().monitorGainDb(current) : 0.0);
}

void MainWindow::clearReadings() {
    // Nothing of the previous song stays on screen: loudness, peak hold, correlation, spectrum, streaming,
    // the time, every strip's meters.
    truePeakHoldDbtp_ = -200;
    loudness_->reset();
    correlation_->setCorrelation(NAN);
    spectrum_->clear();
    streaming_->setMeasurement(NAN, NAN);
    transport_->setPosition(0, 0, 0);
    master_->setLimiterGainReductionDb(0);
    master_->setDynamicsGainReduction(0, nullptr, 0);
    for (int i = 0; i < core::kMonitorSourceCount; ++i)
        compare_->setSourceInfo(static_cast<core::MonitorSource>(i), false, NAN, NAN);
}

void MainWindow::nudge(double seconds) {
    if (!engine_->isLoaded()) return;
    const qint64 step = qRound64(seconds * engine_->sampleRate());
    engine_->seek(std::clamp<qint64>(engine_->position() + step, 0, engine_->length()));
}

void MainWindow::selectSource(core::MonitorSource source) {
    engine_->setSource(source);
    compare_->setCurrentSource(source);
    // The readings start over for the new source (the engine's integrated reading does too).
    truePeakHoldDbtp_ = -200;
    loudness_->reset();
    refreshCompareFigures();
    updateOverviewFile();
}

void MainWindow::selectCodec(const core::DeliverableSpec& codec) {
    try {
        engine_->setCodecPreview(codec);
    } catch (const std::exception& e) {
        statusText_->setText(tr("No codec preview: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    measurer_->setCodecPreview(codec);
    // Figures re-measured after edits were of the previous codec: measure again with this one.
    if (remeasured_ && document_->isOpen()) measurer_->request(document_->session());
    onCodecPreviewChanged();
}

void MainWindow::onCodecPreviewChanged() {
    const core::AudioEngine::CodecPreviewState s = engine_->codecPreviewState();
    compare_->setCodecBuilding(s.building);
    if (!s.error.empty())
        statusText_->setText(tr("No %1 preview: %2")
                                 .arg(CompareBar::codecTitle(s.requested), QString::fromStdString(s.error)));
    refreshCompareFigures();
}

void MainWindow::updateOverviewFile() {
    if (!document_->isOpen()) {
        overview_->setFile({});
        automationLane_->setSongFile({});
        return;
    }
    const core::Session& s = document_->session();
    // The reference has its own file; every other source is the song itself, best drawn from the mix.
    std::string file = engine_->source() == core::MonitorSource::Reference ? s.reference : s.mix;
    if (file.empty()) file = !s.mix.empty() ? s.mix : (!s.stems.empty() ? s.stems.front().path : s.reference);
    const QString path = QString::fromStdString(file);
    if (path != overview_->file()) overview_->setFile(path);
    // Drawing the match's reference, the overview shows the part of it the match follows (issue 18).
    const bool matchReference = !file.empty() && file == core::matchReferencePath(s);
    overview_->setMatchRange(matchReference ? s.master.match.range_start_s : 0.0,
                             matchReference ? s.master.match.range_end_s : 0.0);
    // The lane spans the song and snaps to its sections, whatever source the overview draws.
    automationLane_->setSongFile(QString::fromStdString(!s.mix.empty()    ? s.mix
                                                        : s.stems.empty() ? std::string()
                                                                          : s.stems.front().path));
}

} // namespace lathe::ui
