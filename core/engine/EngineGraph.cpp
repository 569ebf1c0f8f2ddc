#include "core/engine/AudioEngineImpl.h"

#include "core/chain/ChainPolicy.h"
#include "core/chain/StereoBlock.h"

#include "core/io/SourceStream.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

using namespace engine;

namespace engine {

Track decode(const std::string& path, int rate) {
    SourceStream stream(path, rate);
    Track t;
    const int64_t n = stream.lengthFrames();
    t.l.resize(static_cast<size_t>(n));
    t.r.resize(static_cast<size_t>(n));
    for (int64_t done = 0; done < n;) {
        const int k = static_cast<int>(std::min<int64_t>(65536, n - done));
        stream.read(t.l.data() + done, t.r.data() + done, k);
        done += k;
    }
    return t;
}

} // namespace engine

void AudioEngine::Impl::reap() {
    Graph* g;
    while (retiredGraphs.pop(g))
        delete g;
    Params* p;
    while (retiredParams.pop(p))
        delete p;
}

std::unique_ptr<Graph> AudioEngine::Impl::buildGraph(const Session& s, int rate) const {
    return buildGraph(s, rate, masterMatch);
}

std::unique_ptr<Graph> AudioEngine::Impl::buildGraph(const Session& s, int rate,
                                                     const MasterMatch (&match)[2]) const {
    auto g = std::make_unique<Graph>();
    g->rate = rate;
    g->hasMix = hasMix();
    g->hasReference = referenceSource >= 0;
    g->hasStems = hasStems();
    const auto audible = stemAudibility(s);
    g->keySource = stemKeySources(s);
    for (size_t i = 0; i < s.stems.size(); ++i) {
        auto chain = std::make_unique<StemChain>();
        chain->prepare(rate, kMaxBlock, s.stems[i]);
        chain->configure(s.stems[i], audible[i] != 0);
        chain->reset();
        if (i < MeterFrame::kMaxMeteredStems) g->compressorOn[i] = s.stems[i].compressor.enabled;
        g->stems.push_back(std::move(chain));
    }
    std::vector<StemChain*> chains;
    for (auto& chain : g->stems)
        chains.push_back(chain.get());
    g->stemLatency = alignStemLatencies(chains);
    g->stereoGainDb = masterGainDb[kStereoMasterChain].load();
    g->stemGainDb = masterGainDb[kStemMasterChain].load();
    // Both masters get the same match stage (a flat one for a master with nothing to match), so they have
    // the same latency and one delay aligns the plain sources with either.
    MatchStageShape matchShape;
    if (matchActive(s)) {
        makeMatchKernels(g->matchKernels, rate, match);
        matchShape = {kEngineMatchPartition, g->matchKernels[0]->mid.length(),
                      g->matchKernels[0]->delayFrames};
    }
    for (int i = 0; i < 2; ++i) {
        MasterChain* m = &g->master(i);
        m->prepare(rate, kMaxBlock, s.master, matchShape);
        m->setMatchKernels(g->matchKernels[i].get());
        m->configure(s.master);
        g->appliedGainDb[i] = m == &g->stereoMaster ? g->stereoGainDb : g->stemGainDb;
        m->setLimiterInputGainDb(g->appliedGainDb[i]);
        m->reset();
    }
    g->latency =
        g->stemLatency + g->stemMaster.preLimiterLatencyFrames() + g->stemMaster.limiterLatencyFrames();
    g->simulation.prepare(rate, kMaxBlock);
    // A graph rebuilt while a simulation is on starts with it, not with a crossfade from flat.
    g->simulation.setSystem(static_cast<dsp::PlaybackSystem>(simulationSystem.load()));
    g->simulation.reset();
    // A match stage needs its whole FIR's worth of input before it sounds as continuous playback would.
    g->warmupFrames = static_cast<int>(kWarmupSeconds * rate) +
                      (matchShape.enabled() ? matchShape.taps + matchShape.partitionSize : 0);
    g->history.prepare(g->warmupFrames + g->latency + 2 * kMaxBlock);
    for (auto& v : g->buf)
        v.assign(kMaxBlock, 0.0f);
    const int sources = numStems + (hasMix() ? 1 : 0) + (referenceSource >= 0 ? 1 : 0);
    g->input.assign(static_cast<size_t>(2 * sources), std::vector<float>(kMaxBlock, 0.0f));
    return g;
}

void AudioEngine::Impl::planMatch(const Session& s) {
    for (int m = 0; m < 2; ++m) {
        const bool has = m == kStereoMasterChain ? hasMix() : hasStems();
        masterMatch[m] = has ? planMasterMatch(s, m == kStemMasterChain) : MasterMatch{};
    }
}

void AudioEngine::Impl::makeMatchKernels(std::unique_ptr<dsp::MatchKernels> (&kernels)[2], int rate) const {
    makeMatchKernels(kernels, rate, masterMatch);
}

void AudioEngine::Impl::makeMatchKernels(std::unique_ptr<dsp::MatchKernels> (&kernels)[2], int rate,
                                         const MasterMatch (&match)[2]) {
    for (int m = 0; m < 2; ++m)
        kernels[m] = std::make_unique<dsp::MatchKernels>(matchFirs(match[m], rate), kEngineMatchPartition);
}

// Audio thread: a replaced Params goes back to the control thread at once, unless a master may still read
// its match kernels (the current ones, or those a crossfade is leaving): then it lingers until they do not.
bool AudioEngine::Impl::retireParams(Params* p) {
    if (!p->hasMatchKernels()) return retiredParams.push(p);
    for (Params*& slot : lingering)
        if (!slot) {
            slot = p;
            return true;
        }
    return false;
}

void AudioEngine::Impl::retireLingeringParams() {
    for (Params*& p : lingering) {
        if (!p) continue;
        bool used = false;
        if (graph)
            for (int m = 0; m < 2; ++m)
                used = used || graph->master(m).matchUses(p->matchKernels[m].get());
        if (!used && retiredParams.push(p)) p = nullptr;
    }
}

// Audio thread: picks up new graphs and parameters, returning the old ones for freeing.
void AudioEngine::Impl::takeUpdates() {
    if (Graph* g = pendingGraph.exchange(nullptr, std::memory_order_acq_rel)) {
        if (graph && !retiredGraphs.push(graph)) {
            // The control thread has not reaped for 64 swaps; keep the old graph rather than free here.
            pendingGraph.store(g);
        } else {
            graph = g;
        }
    }
    // A new codec preview crossfades in only where it is heard (the codec source playing or fading out).
    const int codec = static_cast<int>(MonitorSource::Codec);
    codecPreview.adopt(
        running.load(std::memory_order_relaxed) &&
            (currentSource == codec || (previousSource == codec && fadePos < kCrossfadeFrames)),
        position.load(std::memory_order_relaxed), testWaitsForDisk);
    retireLingeringParams();
    if (Params* p = pendingParams.exchange(nullptr, std::memory_order_acq_rel)) {
        if (params && !retireParams(params)) {
            pendingParams.store(p);
        } else {
            params = p;
            if (graph && graph->stems.size() == p->session.stems.size()) {
                std::copy(p->keySource.begin(), p->keySource.end(), graph->keySource.begin());
                for (size_t i = 0; i < graph->stems.size(); ++i) {
                    graph->stems[i]->configure(p->session.stems[i], p->audible[i] != 0);
                    if (i < MeterFrame::kMaxMeteredStems)
                        graph->compressorOn[i] = p->session.stems[i].compressor.enabled;
                }
                for (int m = 0; m < 2; ++m) {
                    graph->master(m).configure(p->session.master);
                    if (p->matchKernels[m] && graph->master(m).matchEnabled())
                        graph->master(m).setMatchKernels(p->matchKernels[m].get());
                }
            }
        }
    }
}

// Computes the sources in `need` (a bit per MonitorSource) for n <= kMaxBlock frames from `pos`. The stem
// chains always run (cheap, and their state must follow the song for the delta and the stem master); a
// master chain runs only when its source is needed, and must be warm then.
void AudioEngine::Impl::computeSources(Graph& g, int64_t pos, int n, unsigned need, int warming) {
    float* sl = g.b(Graph::SumL);
    float* sr = g.b(Graph::SumR);
    std::fill_n(sl, n, 0.0f);
    std::fill_n(sr, n, 0.0f);
    // The stems' chains feed only the stem master and the delta: a graph that plays neither (the measuring
    // thread's stereo master pass) skips them. The audio thread always asks for the stem master.
    const unsigned stemListeners =
        (1u << static_cast<int>(MonitorSource::StemMaster)) | (1u << static_cast<int>(MonitorSource::Delta));
    const size_t stems = (need & stemListeners) != 0 ? static_cast<size_t>(numStems) : 0;
    for (size_t i = 0; i < g.stems.size() && i < stems; ++i) {
        float* l = g.b(Graph::L0);
        float* r = g.b(Graph::R0);
        std::copy_n(g.in(static_cast<int>(i), 0), n, l);
        std::copy_n(g.in(static_cast<int>(i), 1), n, r);
        if (const int k = g.keySource[i]; k >= 0 && static_cast<size_t>(k) < stems) {
            std::copy_n(g.in(k, 0), n, g.b(Graph::KeyL));
            std::copy_n(g.in(k, 1), n, g.b(Graph::KeyR));
            const auto key = stereoBlock(g.b(Graph::KeyL), g.b(Graph::KeyR), n);
            g.stems[i]->process(stereoBlock(l, r, n), pos, &key);
        } else {
            g.stems[i]->process(stereoBlock(l, r, n), pos);
        }
        float peak = 0.0f;
        double sumSq = 0.0;
        for (int k = 0; k < n; ++k) {
            sl[k] += l[k];
            sr[k] += r[k];
            peak = std::max({peak, std::abs(l[k]), std::abs(r[k])});
            sumSq += static_cast<double>(l[k]) * l[k] + static_cast<double>(r[k]) * r[k];
        }
        if (i < static_cast<size_t>(MeterFrame::kMaxMeteredStems)) {
            g.stemBlockPeak[i] = peak;
            g.stemBlockSumSq[i] = sumSq;
        }
    }
    float* ml = g.b(Graph::MixL);
    float* mr = g.b(Graph::MixR);
    auto take = [&](int source, float* l, float* r) {
        if (source >= 0) {
            std::copy_n(g.in(source, 0), n, l);
            std::copy_n(g.in(source, 1), n, r);
        } else {
            std::fill_n(l, n, 0.0f);
            std::fill_n(r, n, 0.0f);
        }
    };
    take(mixSource, ml, mr);
    take(referenceSource, g.b(Graph::RefL), g.b(Graph::RefR));
    History& h = g.history;
    h.write(History::SumL, g.t, sl, n);
    h.write(History::SumR, g.t, sr, n);
    h.write(History::MixL, g.t, ml, n);
    h.write(History::MixR, g.t, mr, n);
    h.write(History::RefL, g.t, g.b(Graph::RefL), n);
    h.write(History::RefR, g.t, g.b(Graph::RefR), n);
    h.writePosition(g.t, pos, n);

    bool ran[2] = {false, false};
    auto runMaster = [&](int m, int inL, int inR, int outL, int outR) {
        if (m == kStereoMasterChain && g.stemLatency > 0) {
            // The mix waits as long as the stems' sum does, so both masters play the same moment.
            h.read(History::MixL, g.t - g.stemLatency, g.b(outL), n);
            h.read(History::MixR, g.t - g.stemLatency, g.b(outR), n);
        } else {
            std::copy_n(g.b(inL), n, g.b(outL));
            std::copy_n(g.b(inR), n, g.b(outR));
        }
        runMasterChain(g, m, g.b(outL), g.b(outR), n, g.t);
        ran[m] = true;
        if (!masterGainReady[m].load(std::memory_order_acquire)) {
            // Its loudness gain is still being found: silence, not a master at the wrong loudness.
            std::fill_n(g.b(outL), n, 0.0f);
            std::fill_n(g.b(outR), n, 0.0f);
        }
    };
    const auto wants = [need](MonitorSource s) { return (need & (1u << static_cast<int>(s))) != 0; };
    if (wants(MonitorSource::StereoMaster) && g.masterState[kStereoMasterChain].warm)
        runMaster(kStereoMasterChain, Graph::MixL, Graph::MixR, Graph::StereoL, Graph::StereoR);
    if (wants(MonitorSource::StemMaster) && g.masterState[kStemMasterChain].warm)
        runMaster(kStemMasterChain, Graph::SumL, Graph::SumR, Graph::StemL, Graph::StemR);
    for (int m = 0; m < 2; ++m)
        if (!ran[m] && m != warming) g.masterState[m] = {false, false, 0};

    // The masters lag their inputs by the chain latency; the plain sources are read that far back so that
    // switching compares the same moment.
    const int64_t back = g.t - g.latency;
    if (wants(MonitorSource::Mix) || wants(MonitorSource::Delta)) {
        h.read(History::MixL, back, ml, n);
        h.read(History::MixR, back, mr, n);
    }
    if (wants(MonitorSource::Codec))
        codecPreview.read(pos, g.b(Graph::CodecL), g.b(Graph::CodecR), n, testWaitsForDisk);
    if (wants(MonitorSource::Reference)) {
        h.read(History::RefL, back, g.b(Graph::RefL), n);
        h.read(History::RefR, back, g.b(Graph::RefR), n);
    }
    if (wants(MonitorSource::Delta)) {
        float* dl = g.b(Graph::DeltaL);
        float* dr = g.b(Graph::DeltaR);
        // The sum already lags the sources by stemLatency.
        h.read(History::SumL, back + g.stemLatency, dl, n);
        h.read(History::SumR, back + g.stemLatency, dr, n);
        for (int k = 0; k < n; ++k) {
            dl[k] -= ml[k];
            dr[k] -= mr[k];
        }
    }
    g.t += n;
}

// Brings an idle master back to the state continuous playback would have, by running it (reset) over up
// to warmupFrames of the history before t, at most `budget` frames per call. Returns true once it is
// warm.
bool AudioEngine::Impl::primeMaster(Graph& g, int m, int64_t budget) {
    Graph::MasterState& st = g.masterState[m];
    if (st.warm) return true;
    if (!st.priming) {
        g.master(m).reset();
        st.cursor = std::max(g.t - g.warmupFrames, g.history.validFrom);
        st.priming = true;
    }
    const int inL = m == kStereoMasterChain ? History::MixL : History::SumL;
    float* l = g.b(Graph::PrimeL);
    float* r = g.b(Graph::PrimeR);
    // The stereo master hears the mix delayed as the stems' sum is (computeSources).
    const int64_t lag = m == kStereoMasterChain ? g.stemLatency : 0;
    while (budget > 0 && st.cursor < g.t) {
        const int n = static_cast<int>(std::min<int64_t>({budget, g.t - st.cursor, kMaxBlock}));
        g.history.read(inL, st.cursor - lag, l, n);
        g.history.read(inL + 1, st.cursor - lag, r, n);
        runMasterChain(g, m, l, r, n, st.cursor);
        st.cursor += n;
        budget -= n;
    }
    if (st.cursor < g.t) return false;
    st.warm = true;
    st.priming = false;
    return true;
}

// Runs master m over n frames that entered the history at t (minus the stem latency both masters lag by),
// telling its automation which song frames they are: split where a seek or a loop made the song jump.
void AudioEngine::Impl::runMasterChain(Graph& g, int m, float* l, float* r, int n, int64_t t) {
    const int64_t first = t - g.stemLatency;
    for (int start = 0; start < n;) {
        const int64_t songFrame = g.history.positionAt(first + start);
        int length = 1;
        while (start + length < n && g.history.positionAt(first + start + length) == songFrame + length)
            ++length;
        g.master(m).processPreLimiter(stereoBlock(l + start, r + start, length), songFrame);
        start += length;
    }
    g.master(m).processLimiter(stereoBlock(l, r, n));
}

// From the top the song plays exactly as the render makes it: every chain from its reset state.
void AudioEngine::Impl::restartGraph(Graph& g) {
    for (auto& stem : g.stems)
        stem->reset();
    for (int m = 0; m < 2; ++m) {
        g.master(m).reset();
        g.masterState[m] = {};
    }
    g.history.validFrom = g.t;
}

void AudioEngine::Impl::sourceBuffers(Graph& g, int s, const float*& l, const float*& r) {
    switch (static_cast<MonitorSource>(s)) {
    case MonitorSource::Mix:
        l = g.b(Graph::MixL), r = g.b(Graph::MixR);
        return;
    case MonitorSource::StereoMaster:
        l = g.b(Graph::StereoL), r = g.b(Graph::StereoR);
        return;
    case MonitorSource::StemMaster:
        l = g.b(Graph::StemL), r = g.b(Graph::StemR);
        return;
    case MonitorSource::Reference:
        l = g.b(Graph::RefL), r = g.b(Graph::RefR);
        return;
    case MonitorSource::Delta:
        l = g.b(Graph::DeltaL), r = g.b(Graph::DeltaR);
        return;
    case MonitorSource::Codec:
        l = g.b(Graph::CodecL), r = g.b(Graph::CodecR);
        return;
    }
}

void AudioEngine::Impl::publishGraph(std::unique_ptr<Graph> g) {
    reap();
    latency = g->latency;
    delete pendingGraph.exchange(g.release(), std::memory_order_acq_rel);
    graphLive = true;
}

void AudioEngine::Impl::publishParams(const Session& s, bool newMatchCurve) {
    reap();
    auto p = std::make_unique<Params>();
    p->session = s;
    p->audible = stemAudibility(s);
    if (newMatchCurve && matchActive(s)) makeMatchKernels(p->matchKernels, loadedRate);
    p->keySource = stemKeySources(s);
    delete pendingParams.exchange(p.release(), std::memory_order_acq_rel);
}

} // namespace lathe::core
