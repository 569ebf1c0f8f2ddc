#include "core/engine/AudioEngineImpl.h"

#include "core/chain/StereoBlock.h"

#include "dsp/CorrelationMeter.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/SpectrumAnalyzer.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace lathe::core {

using namespace engine;

void AudioEngine::Impl::meterLoop() {
    dsp::LoudnessMeter loudness;
    // Integrated loudness and loudness range restart on a source switch as well, so each describes one
    // source (a reading mixing two sources is nobody's loudness).
    dsp::LoudnessMeter range;
    dsp::TruePeakMeter truePeak;
    dsp::CorrelationMeter correlation;
    dsp::SpectrumAnalyzer spectrum;
    int preparedRate = 0;
    constexpr int kChunk = 1024;
    std::vector<float> inter(2 * kChunk), l(kChunk), r(kChunk);
    double peak[2] = {0, 0}, sumSq[2] = {0, 0};
    int64_t framesInPeriod = 0;
    float stemPeakShown[MeterFrame::kMaxMeteredStems], stemRmsShown[MeterFrame::kMaxMeteredStems];
    std::fill_n(stemPeakShown, MeterFrame::kMaxMeteredStems, -200.0f);
    std::fill_n(stemRmsShown, MeterFrame::kMaxMeteredStems, -200.0f);
    uint64_t lastSpectrum = 0;
    long long lastCallbacks = -1;
    double lastCallbackSeen = nowSeconds();
    while (!meterQuit.load()) {
        watchStream(lastCallbacks, lastCallbackSeen);
        const int rate = meterRate.load();
        if (rate != preparedRate || meterReset.exchange(false)) {
            if (rate != preparedRate) {
                loudness.prepare(rate, kChunk, 2,
                                 dsp::LoudnessMeter::Momentary | dsp::LoudnessMeter::ShortTerm |
                                     dsp::LoudnessMeter::Integrated);
                range.prepare(rate, kChunk, 2, dsp::LoudnessMeter::ShortTerm | dsp::LoudnessMeter::Range);
                truePeak.prepare(rate, kChunk, 2, 8);
                correlation.prepare(rate, kChunk, 2);
                spectrum.setAveraging(0.5);
                spectrum.prepare(rate, kChunk, 2, 4096);
                preparedRate = rate;
            }
            loudness.reset();
            range.reset();
            sourceChanged.store(false);
            std::fill_n(stemPeakShown, MeterFrame::kMaxMeteredStems, -200.0f);
            std::fill_n(stemRmsShown, MeterFrame::kMaxMeteredStems, -200.0f);
            truePeak.reset();
            correlation.reset();
            spectrum.reset();
        }
        if (sourceChanged.exchange(false)) {
            loudness.reset();
            range.reset();
        }
        const size_t got = meterRing.read(inter.data(), inter.size()) / 2;
        if (got == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        const int n = static_cast<int>(got);
        for (int k = 0; k < n; ++k) {
            l[static_cast<size_t>(k)] = inter[static_cast<size_t>(2 * k)];
            r[static_cast<size_t>(k)] = inter[static_cast<size_t>(2 * k + 1)];
            for (int c = 0; c < 2; ++c) {
                const double x = inter[static_cast<size_t>(2 * k + c)];
                peak[c] = std::max(peak[c], std::abs(x));
                sumSq[c] += x * x;
            }
        }
        const auto block = stereoBlock(l.data(), r.data(), n);
        loudness.process(block);
        range.process(block);
        truePeak.process(block);
        correlation.process(block);
        spectrum.process(block);
        framesInPeriod += n;
        if (framesInPeriod >= rate / 30) {
            MeterFrame f;
            f.positionFrames = position.load();
            f.source = static_cast<MonitorSource>(playingSource.load());
            f.momentaryLufs = static_cast<float>(loudness.momentaryLufs());
            f.shortTermLufs = static_cast<float>(loudness.shortTermLufs());
            f.integratedLufs = static_cast<float>(loudness.integratedLufs());
            f.truePeakDbtp = static_cast<float>(truePeak.truePeakDbtp());
            for (int c = 0; c < 2; ++c) {
                f.peakDbfs[c] = static_cast<float>(20.0 * std::log10(std::max(peak[c], 1e-10)));
                f.rmsDbfs[c] = static_cast<float>(
                    10.0 * std::log10(std::max(sumSq[c] / static_cast<double>(framesInPeriod), 1e-20)));
                peak[c] = 0;
                sumSq[c] = 0;
            }
            f.correlation = static_cast<float>(correlation.correlation());
            f.limiterGainReductionDb = limiterGr.load();
            f.loudnessRangeLu = static_cast<float>(range.loudnessRangeLu());
            f.numStems = meteredStems.load();
            const int64_t levelFrames = stemLevelFrames.exchange(0);
            for (int i = 0; i < f.numStems; ++i) {
                f.stemGainReductionDb[i] = stemGr[i].load();
                f.stemPeakReductionDb[i] = stemPeakGr[i].exchange(0.0f); // the period's largest
                for (int b = 0; b < MeterFrame::kMaxMeteredBands; ++b)
                    f.stemDynamicEqGainDb[i][b] = stemDynamicEqDb[i][b].load();
                const double stemPeak = stemPeakHold[i].exchange(0.0f);
                const double stemSq = stemSumSq[i].exchange(0.0);
                // The audio thread adds a whole buffer at a time, which may span several meter periods: a
                // period it added nothing to repeats the last reading.
                if (levelFrames > 0) {
                    stemPeakShown[i] = static_cast<float>(20.0 * std::log10(std::max(stemPeak, 1e-10)));
                    stemRmsShown[i] = static_cast<float>(
                        10.0 *
                        std::log10(std::max(stemSq / (2.0 * static_cast<double>(levelFrames)), 1e-20)));
                }
                f.stemPeakDbfs[static_cast<size_t>(i)] = stemPeakShown[i];
                f.stemRmsDbfs[static_cast<size_t>(i)] = stemRmsShown[i];
            }
            f.masterCompressorGainReductionDb = masterCompressorGr.load();
            f.numBands = meteredBands.load();
            for (int b = 0; b < f.numBands; ++b)
                f.bandGainReductionDb[b] = bandGr[b].load();
            for (int b = 0; b < MeterFrame::kMaxMeteredBands; ++b)
                f.masterDynamicEqGainDb[b] = masterDynamicEqDb[b].load();
            truePeak.reset(); // true peak per meter period
            framesInPeriod = 0;
            meterFrames.push(f);
            if (spectrum.framesComputed() != lastSpectrum) {
                lastSpectrum = spectrum.framesComputed();
                SpectrumFrame s;
                s.numBins = std::min(spectrum.numBins(), static_cast<int>(s.magnitudesDb.size()));
                s.binHz = spectrum.binFrequency(1);
                spectrum.copyMagnitudesDb(s.magnitudesDb.data(), s.numBins);
                spectrumFrames.push(s);
            }
        }
        meterFramesMeasured.fetch_add(n, std::memory_order_release);
    }
}

bool AudioEngine::readMeters(MeterFrame& frame) {
    bool any = false;
    while (impl_->meterFrames.pop(frame))
        any = true;
    return any;
}

bool AudioEngine::readSpectrum(SpectrumFrame& frame) {
    bool any = false;
    while (impl_->spectrumFrames.pop(frame))
        any = true;
    return any;
}

bool AudioEngine::drainMetersForTest() {
    const Impl& m = *impl_;
    for (int i = 0; i < 5000; ++i) {
        if (m.meterFramesMeasured.load(std::memory_order_acquire) >=
            m.meterFramesWritten.load(std::memory_order_acquire))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
}

} // namespace lathe::core
