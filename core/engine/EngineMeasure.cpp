#include "core/engine/AudioEngineImpl.h"

#include "core/engine/SourceMeter.h"
#include "core/render/FrameCache.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

using namespace engine;

namespace {

constexpr unsigned bit(MonitorSource s) {
    return 1u << static_cast<int>(s);
}

} // namespace

void AudioEngine::Impl::resetMeasurements() {
    measured = false;
    {
        std::lock_guard lock(matchGainsMutex);
        matchGainsReady = false;
    }
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
    // Readers of the sources for each measuring thread, and the match plans as they are now (update() may
    // plan others meanwhile): the threads build their graphs from them, off the playable path.
    MeasureJobs jobs;
    for (int m = 0; m < 2; ++m) {
        jobs.master[m].wanted = m == kStereoMasterChain ? hasMix() : hasStems();
        if (jobs.master[m].wanted) jobs.master[m].sources = disk.reopenSources();
        jobs.match[m] = masterMatch[m];
    }
    jobs.plain = disk.reopenSources();
    measurer = std::thread(
        [this, jobs = std::move(jobs), rate]() mutable { measure(measuring, std::move(jobs), rate); });
}

void AudioEngine::Impl::stopMeasuring() {
    measureCancel = true;
    if (measurer.joinable()) measurer.join();
}

// The measuring thread (issue 22: every source measured within seconds, on every core): each master on a
// thread of its own (its loudness search, the render's own, so the master plays at the loudness the render
// will have; then one pass over the song as the engine plays that master, metered; the stereo master's pass
// also feeds the codec preview), while this thread meters the mix and the reference straight from disk.
// Everything found is published through atomics as it comes; `measured` last, after every thread joined.
void AudioEngine::Impl::measure(const Session& s, MeasureJobs jobs, int rate) {
    std::string errors[3];
    std::atomic<bool> cancelled{false};
    const auto guarded = [&](std::string& error, const auto& work) {
        try {
            work();
        } catch (const RenderCancelled&) {
            cancelled = true;
        } catch (const std::exception& e) {
            error = e.what();
        }
    };
    std::thread masters[2];
    for (int m = 0; m < 2; ++m)
        if (jobs.master[m].wanted)
            masters[m] = std::thread([&, m] {
                guarded(errors[m], [&] { measureMaster(s, m, jobs.master[m], jobs.match, rate); });
            });
    guarded(errors[2], [&] { measurePlain(jobs.plain, rate); });
    for (std::thread& t : masters)
        if (t.joinable()) t.join();
    if (cancelled || measureCancel.load()) return;
    for (const std::string& e : errors)
        if (measureError.empty() && !e.empty()) measureError = e;
    updateMatchGains(true);
    measured.store(true, std::memory_order_release);
}

// The mix and the reference as they are: no chain touches them, so they are metered from their files (the
// engine plays them `latency` frames late, silence the gating ignores).
void AudioEngine::Impl::measurePlain(std::vector<std::unique_ptr<DiskSource>>& sources, int rate) {
    std::vector<float> l(kMaxBlock), r(kMaxBlock);
    for (const auto& [index, source] :
         {std::pair{mixSource, MonitorSource::Mix}, std::pair{referenceSource, MonitorSource::Reference}}) {
        if (index < 0) continue;
        DiskSource& file = *sources[static_cast<size_t>(index)];
        SourceMeter meter;
        meter.prepare(rate, kMaxBlock);
        for (int64_t pos = 0; pos < file.frames(); pos += kMaxBlock) {
            if (measureCancel.load(std::memory_order_relaxed)) throw RenderCancelled();
            const int n = static_cast<int>(std::min<int64_t>(kMaxBlock, file.frames() - pos));
            file.read(pos, l.data(), r.data(), n);
            meter.process(l.data(), r.data(), n);
        }
        meter.finish();
        const int i = static_cast<int>(source);
        sourceLufs[i] = meter.integratedLufs();
        sourcePeak[i] = meter.truePeakDbtp();
    }
}

// Master m: its loudness gain, then one pass of its graph over the song metering what it plays (the stem
// master's pass meters the delta too, which needs the stems' chains).
void AudioEngine::Impl::measureMaster(const Session& s, int m, MeasureJob& job, const MasterMatch (&match)[2],
                                      int rate) {
    RenderControl control;
    control.cancel = &measureCancel;
    std::unique_ptr<Graph> graph = buildGraph(s, rate, match);
    Graph& g = *graph;
    const double gainDb = findLoudnessGain(s, m == kStemMasterChain, control).gainDb;
    g.master(m).setLimiterInputGainDb(gainDb);
    g.appliedGainDb[m] = gainDb;
    masterGainDb[m].store(gainDb, std::memory_order_relaxed);
    masterGainReady[m].store(true, std::memory_order_release);

    const bool stereo = m == kStereoMasterChain;
    const MonitorSource heard = stereo ? MonitorSource::StereoMaster : MonitorSource::StemMaster;
    const bool delta = !stereo && available[static_cast<int>(MonitorSource::Delta)];
    const unsigned need = bit(heard) | (delta ? bit(MonitorSource::Delta) : 0u);
    // Only what this master hears is read: the mix for the stereo master, the stems (and the mix, for the
    // delta) for the stem master.
    std::vector<int> reads;
    if (!stereo)
        for (int i = 0; i < numStems; ++i)
            reads.push_back(i);
    if (stereo || delta) reads.push_back(mixSource);

    SourceMeter meters[2];
    for (SourceMeter& meter : meters)
        meter.prepare(rate, kMaxBlock);
    const int64_t total = lengthFrames + g.latency;
    // The stereo master as played, for the codec preview: a scratch file, whatever the song's length.
    std::shared_ptr<FrameCache> master = stereo ? std::make_shared<FrameCache>() : nullptr;
    for (int64_t pos = 0; pos < total; pos += kMaxBlock) {
        if (measureCancel.load(std::memory_order_relaxed)) throw RenderCancelled();
        const int n = static_cast<int>(std::min<int64_t>(kMaxBlock, total - pos));
        for (const int i : reads)
            job.sources[static_cast<size_t>(i)]->read(pos, g.in(i, 0), g.in(i, 1), n);
        computeSources(g, pos, n, need);
        if (master) master->append(g.b(Graph::StereoL), g.b(Graph::StereoR), n);
        int k = 0;
        for (const MonitorSource source : {heard, MonitorSource::Delta}) {
            if (!(need & bit(source))) continue;
            const float* l = nullptr;
            const float* r = nullptr;
            Impl::sourceBuffers(g, static_cast<int>(source), l, r);
            // The delayed sources start with latency frames of silence; gating ignores them.
            meters[k++].process(l, r, n);
        }
    }
    graph.reset();
    job = {};
    int k = 0;
    for (const MonitorSource source : {heard, MonitorSource::Delta}) {
        if (!(need & bit(source))) continue;
        SourceMeter& meter = meters[k++];
        meter.finish();
        sourceLufs[static_cast<int>(source)] = meter.integratedLufs();
        sourcePeak[static_cast<int>(source)] = meter.truePeakDbtp();
    }
    // Its figures are written first: the codec source's match gain is computed from them once it exists
    // (updateMatchGains, from the codec builder thread).
    if (stereo) makeCodec(std::move(master), rate);
}

} // namespace lathe::core
