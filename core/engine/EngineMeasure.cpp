#include "core/engine/AudioEngineImpl.h"

#include "core/chain/StereoBlock.h"

#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

using namespace engine;

namespace {

// The codec preview round-trips the whole stereo master in memory (input and decoded output, stereo float):
// ~16 bytes a frame while it is made, 8 after (the master itself is then kept in a scratch file for rebuilds
// with another codec, which read it back: 16 again while they run). Longer songs get no preview rather than
// unbounded memory.
constexpr double kCodecPreviewMaxSeconds = 12 * 60;

} // namespace

void AudioEngine::Impl::resetMeasurements() {
    measured = false;
    measureError.clear();
    codecPreview.clear(); // no stream plays here (the contract above), and no measuring thread feeds it
    for (int i = 0; i < kMonitorSourceCount; ++i) {
        available[i] = false;
        sourceLufs[i] = -HUGE_VAL;
        sourcePeak[i] = -HUGE_VAL;
        matchGain[i] = 1.0f;
    }
    for (int m = 0; m < 2; ++m) {
        masterGainDb[m] = 0.0;
        masterGainReady[m] = false;
    }
}

void AudioEngine::Impl::startMeasuring(int rate) {
    measureCancel = false;
    measuring = session;
    // Built here, on the control thread, like every graph (planMatch's curves are read here, not there).
    auto g = buildGraph(session, rate);
    auto sources = disk.reopenSources();
    measurer = std::thread([this, g = std::move(g), sources = std::move(sources), rate]() mutable {
        measure(measuring, std::move(g), std::move(sources), rate);
    });
}

void AudioEngine::Impl::stopMeasuring() {
    measureCancel = true;
    if (measurer.joinable()) measurer.join();
}

// The measuring thread: the masters' loudness gains first (the render's own search, so the masters play at
// the loudness the render will have), then one pass over the song as the engine plays it, every source
// metered, then the codec preview (made by codecPreview from the stereo master that pass played; codec
// switches later rebuild it on codecPreview's builder thread). Everything it finds is published through
// atomics; `measured` comes last.
void AudioEngine::Impl::measure(const Session& s, std::unique_ptr<Graph> g,
                                std::vector<std::unique_ptr<DiskSource>> sources, int rate) {
    try {
        RenderControl control;
        control.cancel = &measureCancel;
        for (int m = 0; m < 2; ++m) {
            const bool has = m == kStereoMasterChain ? hasMix() : hasStems();
            if (!has) continue;
            const double gainDb = findLoudnessGain(s, m == kStemMasterChain, control).gainDb;
            g->master(m).setLimiterInputGainDb(gainDb);
            g->appliedGainDb[m] = gainDb;
            masterGainDb[m].store(gainDb, std::memory_order_relaxed);
            masterGainReady[m].store(true, std::memory_order_release);
        }

        dsp::LoudnessMeter meters[kMonitorSourceCount];
        dsp::TruePeakMeter peaks[kMonitorSourceCount];
        for (int i = 0; i < kMonitorSourceCount; ++i) {
            meters[i].prepare(rate, kMaxBlock, 2, dsp::LoudnessMeter::Integrated);
            peaks[i].prepare(rate, kMaxBlock, 2, 8);
        }
        const int64_t total = lengthFrames + g->latency;
        const int codecIdx = static_cast<int>(MonitorSource::Codec);
        const bool stereoMaster = available[static_cast<int>(MonitorSource::StereoMaster)];
        const bool previewable = stereoMaster && static_cast<double>(total) <= kCodecPreviewMaxSeconds * rate;
        if (stereoMaster && !previewable)
            setError("no codec preview: songs over " +
                     std::to_string(static_cast<int>(kCodecPreviewMaxSeconds / 60)) +
                     " minutes are not previewed (the round trip is made in memory)");
        std::vector<float> masterL, masterR; // the stereo master as played, for the codec preview
        if (previewable) {
            masterL.resize(static_cast<size_t>(total));
            masterR.resize(static_cast<size_t>(total));
        }
        for (int64_t pos = 0; pos < total; pos += kMaxBlock) {
            if (measureCancel.load(std::memory_order_relaxed)) return;
            const int n = static_cast<int>(std::min<int64_t>(kMaxBlock, total - pos));
            for (size_t i = 0; i < sources.size(); ++i)
                sources[i]->read(pos, g->in(static_cast<int>(i), 0), g->in(static_cast<int>(i), 1), n);
            computeSources(*g, pos, n, kAllSources & ~(1u << codecIdx));
            if (previewable) {
                std::copy_n(g->b(Graph::StereoL), n, masterL.begin() + pos);
                std::copy_n(g->b(Graph::StereoR), n, masterR.begin() + pos);
            }
            for (int i = 0; i < kMonitorSourceCount; ++i) {
                if (!available[i] || i == codecIdx) continue;
                const float* l = nullptr;
                const float* r = nullptr;
                Impl::sourceBuffers(*g, i, l, r);
                // The delayed sources start with latency frames of silence; gating ignores them.
                auto block = stereoBlock(const_cast<float*>(l), const_cast<float*>(r), n);
                meters[i].process(block);
                peaks[i].process(block);
            }
        }
        g.reset();
        sources.clear();
        // Written before the codec preview exists: a rebuild asked for meanwhile reads them once it does
        // (updateMatchGains, from the codec builder thread).
        for (int i = 0; i < kMonitorSourceCount; ++i) {
            if (i == codecIdx) continue; // codecPreview measures its own
            sourceLufs[i] = available[i] ? meters[i].integratedLufs() : -HUGE_VAL;
            sourcePeak[i] = available[i] ? peaks[i].truePeakDbtp() : -HUGE_VAL;
        }
        makeCodec(masterL, masterR, rate);
        masterL = {};
        masterR = {};
        updateMatchGains();
    } catch (const RenderCancelled&) {
        return;
    } catch (const std::exception& e) {
        measureError = e.what();
    }
    measured.store(true, std::memory_order_release);
}

} // namespace lathe::core
