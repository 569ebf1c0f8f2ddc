#include "core/engine/AudioEngineImpl.h"

#include "core/chain/StereoBlock.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

using namespace engine;

static_assert(MeterFrame::kMaxMeteredBands == kMaxDynamicEqBands, "every dynamic EQ band is metered");

// The callback body: never allocates, locks, or touches files.
void AudioEngine::Impl::process(float* outL, float* outR, int frames) {
    takeUpdates();
    Graph* g = graph;
    if (!g) {
        std::fill_n(outL, frames, 0.0f);
        std::fill_n(outR, frames, 0.0f);
        return;
    }
    // A master's loudness gain found (by the measuring thread) after its graph was built.
    for (int m = 0; m < 2; ++m) {
        const double gainDb = masterGainDb[m].load(std::memory_order_relaxed);
        if (gainDb != g->appliedGainDb[m]) {
            g->master(m).setLimiterInputGainDb(gainDb);
            g->appliedGainDb[m] = gainDb;
        }
    }
    const float declickStep = 1.0f / kDeclickFrames;
    const float matchStep = 1.0f / kDeclickFrames;
    for (int done = 0; done < frames;) {
        int n = std::min(frames - done, kMaxBlock);
        float* ol = outL + done;
        float* orr = outR + done;
        const bool wantPlay = playRequested.load(std::memory_order_relaxed);
        const int64_t seek = seekRequest.load(std::memory_order_relaxed);
        const bool wantSeek = seek >= 0;
        if (!running.load(std::memory_order_relaxed)) {
            // Nothing is audible while stopped: a source change needs no crossfade.
            currentSource = previousSource = requestedSource.load(std::memory_order_relaxed);
            fadePos = kCrossfadeFrames;
            playingSource.store(currentSource, std::memory_order_relaxed);
            if (wantSeek) {
                position.store(seek, std::memory_order_relaxed);
                int64_t expected = seek;
                seekRequest.compare_exchange_strong(expected, -1);
            }
            if (!wantPlay) {
                // Stopped: the reader fills at the position playback will start from.
                disk.ready(position.load(std::memory_order_relaxed), 1);
                std::fill_n(ol, n, 0.0f);
                std::fill_n(orr, n, 0.0f);
                done += n;
                continue;
            }
            running.store(true, std::memory_order_relaxed);
            meterReset.store(true, std::memory_order_relaxed); // integrated loudness of this run
            // From the top the song starts as it is (a fade would make the start differ from the render);
            // anywhere else it fades in so resuming mid-note does not click.
            const bool fromTop = position.load(std::memory_order_relaxed) == 0;
            transportGain = fromTop ? 1.0f : 0.0f;
            if (fromTop) restartGraph(*g);
        }
        const int64_t budget = static_cast<int64_t>(kWarmupSpeed) * n;
        if (const int m = masterOf(currentSource); m >= 0 && !primeMaster(*g, m, budget)) {
            // Starting on a master that was idle: silence until it is warm (a few callbacks at most).
            std::fill_n(ol, n, 0.0f);
            std::fill_n(orr, n, 0.0f);
            done += n;
            continue;
        }
        int64_t pos = position.load(std::memory_order_relaxed);
        const bool looping = loopEnabled.load(std::memory_order_relaxed);
        const int64_t ls = loopStart.load(std::memory_order_relaxed);
        const int64_t le = loopEnd.load(std::memory_order_relaxed);
        if (looping && le > ls && pos < le) n = static_cast<int>(std::min<int64_t>(n, le - pos));
        if (!readInputs(*g, pos, n)) {
            // The disk reader is refilling (a seek, or it fell behind): silence with the position held, so
            // nothing is skipped. A seek asked for meanwhile lands at once (nothing is audible to fade).
            if (wantSeek) {
                position.store(seek, std::memory_order_relaxed);
                int64_t expected = seek;
                seekRequest.compare_exchange_strong(expected, -1);
                meterReset.store(true, std::memory_order_relaxed);
                transportGain = 0.0f;
            }
            std::fill_n(ol, n, 0.0f);
            std::fill_n(orr, n, 0.0f);
            // The codec preview's reader refills for the same place meanwhile.
            codecPreview.follow(position.load(std::memory_order_relaxed), 0);
            done += n;
            continue;
        }

        // A switch starts once the new source can be heard as continuous playback would have it: a master
        // that was idle is warmed first (kWarmupSeconds of history at kWarmupSpeed), the old source
        // playing on meanwhile.
        const int want = requestedSource.load(std::memory_order_relaxed);
        int warming = -1;
        if (want != currentSource && fadePos >= kCrossfadeFrames) {
            const int m = masterOf(want);
            if (m < 0 || primeMaster(*g, m, budget)) {
                previousSource = currentSource;
                currentSource = want;
                fadePos = 0;
                playingSource.store(want, std::memory_order_relaxed);
                sourceChanged.store(true, std::memory_order_relaxed);
            } else {
                warming = m;
            }
        }
        // Both masters run whether heard or not, so a switch to either starts in the next buffer with the
        // chain state continuous playback would have (the warm-up below then only serves a start or seek
        // that lands on a master). Running both costs ~3 % of a 64-frame period at 48 kHz (bench_Engine).
        unsigned need = 1u << currentSource;
        if (hasMix()) need |= 1u << static_cast<int>(MonitorSource::StereoMaster);
        if (hasStems()) need |= 1u << static_cast<int>(MonitorSource::StemMaster);
        if (fadePos < kCrossfadeFrames) need |= 1u << previousSource;
        computeSources(*g, pos, n, need, warming);
        // The codec preview streams from its own reader: kept at the play head while it is not heard.
        if (!(need & (1u << static_cast<int>(MonitorSource::Codec)))) codecPreview.follow(pos, n);
        const float matchTarget = matchEnabled.load(std::memory_order_relaxed) ? 1.0f : 0.0f;
        const float gCur = matchGain[currentSource].load(std::memory_order_relaxed);
        const float gPrev = matchGain[previousSource].load(std::memory_order_relaxed);
        const float* cl = nullptr;
        const float* cr = nullptr;
        const float* pl = nullptr;
        const float* pr = nullptr;
        sourceBuffers(*g, currentSource, cl, cr);
        sourceBuffers(*g, previousSource, pl, pr);
        const float transportTarget = wantPlay && !wantSeek ? 1.0f : 0.0f;
        for (int k = 0; k < n; ++k) {
            matchAmount += std::clamp(matchTarget - matchAmount, -matchStep, matchStep);
            transportGain += std::clamp(transportTarget - transportGain, -declickStep, declickStep);
            const float a = transportGain;
            const float cm = 1.0f + matchAmount * (gCur - 1.0f);
            // The meters tap before the monitor (loudness-match) gain: they read the source as rendered.
            float ml = cl[k] * a, mr = cr[k] * a;
            float l = ml * cm, r = mr * cm;
            if (fadePos < kCrossfadeFrames) {
                // Raised-cosine crossfade: the sources are correlated (same song), so equal gain.
                const float w = 0.5f - 0.5f * std::cos(3.14159265f * (fadePos + 0.5f) / kCrossfadeFrames);
                const float pm = 1.0f + matchAmount * (gPrev - 1.0f);
                const float pa = a * pl[k], pb = a * pr[k];
                l = w * l + (1.0f - w) * pa * pm;
                r = w * r + (1.0f - w) * pb * pm;
                ml = w * ml + (1.0f - w) * pa;
                mr = w * mr + (1.0f - w) * pb;
                ++fadePos;
            }
            ol[k] = l;
            orr[k] = r;
            meterTapL[static_cast<size_t>(k)] = ml;
            meterTapR[static_cast<size_t>(k)] = mr;
        }
        pos += n;
        if (looping && le > ls && pos >= le) pos = ls;
        position.store(pos, std::memory_order_relaxed);
        const MasterChain* m = currentSource == static_cast<int>(MonitorSource::StereoMaster)
                                   ? &g->stereoMaster
                               : currentSource == static_cast<int>(MonitorSource::StemMaster) ? &g->stemMaster
                                                                                              : nullptr;
        limiterGr.store(m && m->limiterEnabled() ? static_cast<float>(m->limiter().gainReductionDb()) : 0.0f,
                        std::memory_order_relaxed);
        masterCompressorGr.store(m ? static_cast<float>(std::max(0.0, m->compressorGainReductionDb())) : 0.0f,
                                 std::memory_order_relaxed);
        const int bands = m ? std::min(m->multibandBands(), MeterFrame::kMaxMeteredBands) : 0;
        for (int b = 0; b < bands; ++b)
            bandGr[b].store(static_cast<float>(std::max(0.0, m->multibandGainReductionDb(b))),
                            std::memory_order_relaxed);
        meteredBands.store(bands, std::memory_order_relaxed);
        const bool stemMasterHeard = currentSource == static_cast<int>(MonitorSource::StemMaster);
        const int metered = std::min<int>(static_cast<int>(g->stems.size()), MeterFrame::kMaxMeteredStems);
        for (int i = 0; i < metered; ++i)
            stemGr[i].store(stemMasterHeard && g->compressorOn[i]
                                ? static_cast<float>(std::max(
                                      0.0, g->stems[static_cast<size_t>(i)]->compressorGainReductionDb()))
                                : 0.0f,
                            std::memory_order_relaxed);
        for (int i = 0; i < metered; ++i) {
            const StemChain& stem = *g->stems[static_cast<size_t>(i)];
            // Held at its largest until the meter thread takes it (a transient's reduction lasts a block or
            // two; a meter period holds many).
            const float peak = stemMasterHeard ? static_cast<float>(stem.peakReductionDb()) : 0.0f;
            if (peak > stemPeakGr[i].load(std::memory_order_relaxed))
                stemPeakGr[i].store(peak, std::memory_order_relaxed);
            for (int b = 0; b < MeterFrame::kMaxMeteredBands; ++b)
                stemDynamicEqDb[i][b].store(stemMasterHeard ? static_cast<float>(stem.dynamicEqBandGainDb(b))
                                                            : 0.0f,
                                            std::memory_order_relaxed);
        }
        for (int b = 0; b < MeterFrame::kMaxMeteredBands; ++b)
            masterDynamicEqDb[b].store(m ? static_cast<float>(m->dynamicEqBandGainDb(b)) : 0.0f,
                                       std::memory_order_relaxed);
        meteredStems.store(metered, std::memory_order_relaxed);
        for (int i = 0; i < metered; ++i) {
            const float peak = g->stemBlockPeak[i];
            if (peak > stemPeakHold[i].load(std::memory_order_relaxed))
                stemPeakHold[i].store(peak, std::memory_order_relaxed);
            stemSumSq[i].store(stemSumSq[i].load(std::memory_order_relaxed) + g->stemBlockSumSq[i],
                               std::memory_order_relaxed);
        }
        stemLevelFrames.store(stemLevelFrames.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
        if (transportGain == 0.0f && transportTarget == 0.0f) {
            if (wantSeek) {
                position.store(seek, std::memory_order_relaxed);
                int64_t expected = seek;
                seekRequest.compare_exchange_strong(expected, -1);
                meterReset.store(true, std::memory_order_relaxed);
            } else {
                running.store(false, std::memory_order_relaxed);
            }
        }
        if (!looping && pos >= lengthFrames + g->latency) {
            playRequested.store(false, std::memory_order_relaxed);
            running.store(false, std::memory_order_relaxed);
            position.store(lengthFrames, std::memory_order_relaxed);
        }
        // Meters see the source as rendered (pre monitor gain); when the meter thread lags, frames are
        // dropped, never waited for.
        auto v = meterRing.writeVector();
        const size_t space = (v.length[0] + v.length[1]) / 2;
        const int m2 = static_cast<int>(std::min<size_t>(space, static_cast<size_t>(n)));
        for (int k = 0; k < m2; ++k) {
            const size_t i = static_cast<size_t>(2 * k);
            float* d0 = i < v.length[0] ? v.data[0] + i : v.data[1] + (i - v.length[0]);
            float* d1 = i + 1 < v.length[0] ? v.data[0] + i + 1 : v.data[1] + (i + 1 - v.length[0]);
            *d0 = meterTapL[static_cast<size_t>(k)];
            *d1 = meterTapR[static_cast<size_t>(k)];
        }
        meterRing.advanceWrite(static_cast<size_t>(2 * m2));
        meterFramesWritten.store(meterFramesWritten.load(std::memory_order_relaxed) + m2,
                                 std::memory_order_release);
        const auto system =
            static_cast<dsp::PlaybackSystem>(simulationSystem.load(std::memory_order_relaxed));
        if (g->simulation.system() != system) g->simulation.setSystem(system);
        g->simulation.process(stereoBlock(ol, orr, n));
        done += n;
    }
}

// Fills the graph's inputs for [pos, pos + n) from the disk reader's rings, n cut to what is there. False
// when nothing is there yet (the reader has been asked for pos); an underrun when playback was continuous.
bool AudioEngine::Impl::readInputs(Graph& g, int64_t pos, int& n) {
    int ready = disk.ready(pos, n);
    if (ready == 0 && testWaitsForDisk && disk.waitReady(pos, 10.0)) ready = disk.ready(pos, n);
    if (ready == 0) {
        if (pos == streamedUpTo && !waitingForDisk) diskUnderruns.fetch_add(1, std::memory_order_relaxed);
        waitingForDisk = true;
        return false;
    }
    waitingForDisk = false;
    n = ready;
    for (int s = 0; s < disk.numSources(); ++s)
        disk.read(s, g.in(s, 0), g.in(s, 1), n);
    disk.consume(n);
    streamedUpTo = pos + n;
    return true;
}

void AudioEngine::Impl::recordCallback(double seconds, int frames, int rate, bool xrun) {
    const double percent = 100.0 * seconds * rate / frames;
    callbacks.fetch_add(1, std::memory_order_relaxed);
    if (xrun) xruns.fetch_add(1, std::memory_order_relaxed);
    if (percent >= 100.0) lateCallbacks.fetch_add(1, std::memory_order_relaxed);
    sumPercent.store(sumPercent.load(std::memory_order_relaxed) + percent, std::memory_order_relaxed);
    if (percent > maxPercent.load(std::memory_order_relaxed))
        maxPercent.store(percent, std::memory_order_relaxed);
    const int bin = std::clamp(static_cast<int>(percent / 0.2), 0, kHistogramBins);
    histogram[bin].fetch_add(1, std::memory_order_relaxed);
}

} // namespace lathe::core
