#include "core/engine/AudioEngine.h"

#include "core/Error.h"
#include "core/chain/MasterChain.h"
#include "core/chain/StemChain.h"
#include "core/engine/SpscRingBuffer.h"
#include "core/engine/SystemLibraryLeakScope.h"
#include "core/io/CodecPreview.h"
#include "core/io/SourceStream.h"
#include "core/render/Renderer.h"

#include "dsp/CorrelationMeter.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/SpectrumAnalyzer.h"
#include "dsp/TruePeakMeter.h"

#include <portaudio.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

namespace lathe::core {
namespace {

constexpr int kMaxBlock = 2048;
constexpr int kCrossfadeFrames =
    256;                            // ~5 ms at 48 kHz: short enough to feel instant, long enough not to click
constexpr int kDeclickFrames = 128; // transport fade around pause and seek
// The limiter aims this far under the ceiling in the render (Renderer.cpp's kDitherMarginDb); the engine must
// limit identically so what is heard is what is rendered.
constexpr double kDitherMarginDb = 0.005;
// Decoded sources are held in memory (stereo float at the engine rate): 3 GiB covers 8 stems of a 20-minute
// song at 96 kHz.
constexpr double kMemoryBudgetBytes = 3.0 * 1024 * 1024 * 1024;
constexpr int kMeterRingFrames = 1 << 16;
constexpr int kHistogramBins = 1000; // 0.2 % per bin up to 200 % of the period

double nowSeconds() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

dsp::AudioBlock stereo(float* l, float* r, int n) {
    float* ch[2] = {l, r};
    return dsp::AudioBlock(ch, 2, n);
}

struct Track {
    std::vector<float> l, r;
    int64_t frames() const { return static_cast<int64_t>(l.size()); }
    // Copies [pos, pos+n) with silence outside the track.
    void read(int64_t pos, float* dl, float* dr, int n) const {
        // [begin, end) of the n frames lies inside the track; silence before and after it.
        const int64_t begin = std::clamp<int64_t>(-pos, 0, n);
        const int64_t end = std::clamp<int64_t>(frames() - pos, begin, n);
        std::fill(dl, dl + begin, 0.0f);
        std::fill(dr, dr + begin, 0.0f);
        // Only form the source pointer when it is inside the track: pos may lie far before or after it.
        if (end > begin) {
            std::copy_n(l.data() + pos + begin, end - begin, dl + begin);
            std::copy_n(r.data() + pos + begin, end - begin, dr + begin);
        }
        std::fill(dl + end, dl + n, 0.0f);
        std::fill(dr + end, dr + n, 0.0f);
    }
};

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

// What was fed to the masters and the plain sources, indexed by a running count of frames processed (not
// the song position, so seeks and loops read as the continuous stream the chains saw). It serves the
// latency-aligned plain sources (a delay line) and warms up a master chain that was idle (see primeMaster).
// Storage is allocated on the control thread; frames before validFrom read as silence.
struct History {
    enum { SumL, SumR, MixL, MixR, RefL, RefR, kChannels };
    std::vector<float> ch[kChannels];
    int64_t mask = 0;
    int64_t validFrom = 0;
    void prepare(int minFrames) {
        int64_t size = 1;
        while (size < minFrames)
            size <<= 1;
        mask = size - 1;
        for (auto& c : ch)
            c.assign(static_cast<size_t>(size), 0.0f);
    }
    // Copies run in at most two pieces, split where the ring wraps.
    void write(int c, int64_t t, const float* src, int n) {
        float* d = ch[c].data();
        const int64_t at = t & mask;
        const int64_t first = std::min<int64_t>(n, mask + 1 - at);
        std::copy_n(src, first, d + at);
        std::copy_n(src + first, n - first, d);
    }
    void read(int c, int64_t t, float* dst, int n) const {
        const float* s = ch[c].data();
        const int silent = static_cast<int>(std::clamp<int64_t>(validFrom - t, 0, n));
        std::fill(dst, dst + silent, 0.0f);
        const int64_t at = (t + silent) & mask;
        const int64_t first = std::min<int64_t>(n - silent, mask + 1 - at);
        std::copy_n(s + at, first, dst + silent);
        std::copy_n(s, n - silent - first, dst + silent + first);
    }
};

} // namespace

const char* monitorSourceName(MonitorSource s) {
    switch (s) {
    case MonitorSource::Mix:
        return "mix";
    case MonitorSource::StereoMaster:
        return "stereo";
    case MonitorSource::StemMaster:
        return "stem";
    case MonitorSource::Reference:
        return "reference";
    case MonitorSource::Delta:
        return "delta";
    case MonitorSource::Codec:
        return "codec";
    }
    return "mix";
}

bool monitorSourceFromName(std::string_view name, MonitorSource& source) {
    for (int i = 0; i < kMonitorSourceCount; ++i)
        if (name == monitorSourceName(static_cast<MonitorSource>(i))) {
            source = static_cast<MonitorSource>(i);
            return true;
        }
    return false;
}

// Everything the audio thread processes with: built and prepared on the control thread, handed over through
// an atomic pointer, and returned through a ring to be freed on the control thread.
struct Graph {
    int rate = 48000;
    std::vector<std::unique_ptr<StemChain>> stems;
    MasterChain stereoMaster, stemMaster;
    bool hasMix = false, hasReference = false, hasStems = false;
    double stereoGainDb = 0, stemGainDb = 0, ceilingDbtp = -1;
    int latency = 0;
    History history;
    int64_t t = 0; // frames processed since the graph was built (the history's clock)
    // A master chain is warm when it has processed every frame up to t, so its state is what continuous
    // playback would have. An idle master goes cold and is warmed from the history before it is heard.
    struct MasterState {
        bool warm = true;
        bool priming = false;
        int64_t cursor = 0;
    } masterState[2];
    int warmupFrames = 0;
    bool compressorOn[MeterFrame::kMaxMeteredStems] = {}; // per stem, for its gain-reduction meter
    dsp::PlaybackSimulation simulation;                   // last, on the device's side of the meters
    std::vector<float> buf[18];
    // clang-format off
    enum { L0, R0, SumL, SumR, MixL, MixR, StereoL, StereoR, StemL, StemR, RefL, RefR, DeltaL, DeltaR, CodecL,
           CodecR, PrimeL, PrimeR };
    // clang-format on
    float* b(int i) { return buf[i].data(); }
    MasterChain& master(int m) { return m == 0 ? stereoMaster : stemMaster; }
};

// The masters: 0 = stereo master (fed by the mix), 1 = stem master (fed by the stems' sum).
constexpr int kStereoMasterChain = 0, kStemMasterChain = 1;
int masterOf(int source) {
    switch (static_cast<MonitorSource>(source)) {
    case MonitorSource::StereoMaster:
        return kStereoMasterChain;
    case MonitorSource::StemMaster:
        return kStemMasterChain;
    default:
        return -1;
    }
}
constexpr unsigned kAllSources = (1u << kMonitorSourceCount) - 1;
// An idle master is warmed over this much of what was played before it is heard: several times the default
// compressor attack (10 ms) and limiter release, so its gain has settled where continuous playback has it.
constexpr double kWarmupSeconds = 0.2;
// Warming runs at up to this many frames per frame of the callback (about a fifth of the period for a full
// master chain at 64 frames): a switch to a master that was idle completes in ~kWarmupSeconds / 7.
constexpr int kWarmupSpeed = 8;

// A settings change that needs no prepare: applied by the audio thread with configure().
struct Params {
    Session session;
    std::vector<char> audible;
};

struct AudioEngine::Impl {
    // Loaded material (control thread owns; audio thread reads only while a graph is live).
    Session session;
    int loadedRate = 0;
    std::vector<Track> stemTracks;
    Track mix, reference;
    Track codec; // the stereo master after the MP3 round trip, aligned with what the engine plays
    int64_t lengthFrames = 0;
    double sourceLufs[kMonitorSourceCount];
    double sourcePeak[kMonitorSourceCount];
    bool available[kMonitorSourceCount] = {};
    LoudnessGainResult stereoGain, stemGain;

    // Hand-over to the audio thread.
    std::atomic<Graph*> pendingGraph{nullptr};
    std::atomic<Params*> pendingParams{nullptr};
    SpscRingBuffer<Graph*> retiredGraphs{64};
    SpscRingBuffer<Params*> retiredParams{64};
    Graph* graph = nullptr;   // audio thread
    Params* params = nullptr; // audio thread
    std::atomic<bool> graphLive{false};

    // Control values.
    std::atomic<bool> playRequested{false};
    std::atomic<int64_t> seekRequest{-1};
    std::atomic<int64_t> position{0};
    std::atomic<int64_t> loopStart{0}, loopEnd{0};
    std::atomic<bool> loopEnabled{false};
    std::atomic<int> requestedSource{0};
    std::atomic<bool> matchEnabled{false};
    std::atomic<int> simulationSystem{static_cast<int>(dsp::PlaybackSystem::Flat)};
    std::atomic<float> matchGain[kMonitorSourceCount];
    std::atomic<int> playingSource{0};
    std::atomic<bool> running{false}; // audio thread: position advancing
    std::atomic<float> limiterGr{0};
    std::atomic<float> stemGr[MeterFrame::kMaxMeteredStems];
    std::atomic<int> meteredStems{0};
    std::atomic<bool> sourceChanged{false}; // meter thread: start the loudness range over

    // Audio thread state.
    int currentSource = 0, previousSource = 0, fadePos = kCrossfadeFrames;
    float transportGain = 0;
    float matchAmount = 0;

    // Meters: the audio thread copies what it plays into a ring; the meter thread measures it.
    SpscRingBuffer<float> meterRing{kMeterRingFrames * 2};
    SpscRingBuffer<MeterFrame> meterFrames{64};
    SpscRingBuffer<SpectrumFrame> spectrumFrames{8};
    std::atomic<bool> meterReset{true};
    std::thread meterThread;
    std::atomic<bool> meterQuit{false};
    std::atomic<int> meterRate{48000};
    std::atomic<int64_t> meterFramesWritten{0}, meterFramesMeasured{0}; // for drainMetersForTest()

    // Stream.
    PaStream* stream = nullptr;
    bool streamIsJack = false;
    // PortAudio's JACK host waits (10 minutes) for a dead server to acknowledge a stop, in Pa_StopStream,
    // Pa_CloseStream and Pa_Terminate alike; a stream lost that way is left open, never touched again, and
    // PortAudio is not terminated under it (the device list then stays as it was when it started).
    std::vector<PaStream*> abandonedStreams;
    std::string device;
    int buffer = 0;
    std::atomic<int> deviceRate{0}; // read by the audio thread
    std::atomic<bool> deviceLost{false};
    std::atomic<bool> streamRunning{false}; // between a successful start and close(): callbacks must come
    // A running stream whose callbacks stop for this long has lost its device (an unplugged card, a JACK
    // server gone): PortAudio does not always report it.
    static constexpr double kStalledStreamSeconds = 1.0;
    std::mutex errorMutex; // control threads only
    std::string error;

    // Stats (written by the audio thread only).
    std::atomic<long long> callbacks{0}, xruns{0}, lateCallbacks{0};
    std::atomic<double> sumPercent{0}, maxPercent{0};
    std::atomic<unsigned> histogram[kHistogramBins + 1];

    Impl() {
        for (auto& h : histogram)
            h.store(0);
        for (auto& g : matchGain)
            g.store(1.0f);
        for (auto& g : stemGr)
            g.store(0.0f);
        for (int i = 0; i < kMonitorSourceCount; ++i) {
            sourceLufs[i] = -HUGE_VAL;
            sourcePeak[i] = -HUGE_VAL;
        }
        meterThread = std::thread([this] { meterLoop(); });
    }

    ~Impl() {
        meterQuit = true;
        meterThread.join();
        delete pendingGraph.exchange(nullptr);
        delete pendingParams.exchange(nullptr);
        delete graph;
        delete params;
        reap();
    }

    void reap() {
        Graph* g;
        while (retiredGraphs.pop(g))
            delete g;
        Params* p;
        while (retiredParams.pop(p))
            delete p;
    }

    static std::vector<char> audibility(const Session& s) {
        const bool anySolo = std::any_of(s.stems.begin(), s.stems.end(), [](auto& st) { return st.solo; });
        std::vector<char> a;
        for (const auto& st : s.stems)
            a.push_back(!st.mute && (!anySolo || st.solo));
        return a;
    }

    std::unique_ptr<Graph> buildGraph(const Session& s, int rate) const {
        auto g = std::make_unique<Graph>();
        g->rate = rate;
        g->hasMix = !mix.l.empty();
        g->hasReference = !reference.l.empty();
        g->hasStems = !stemTracks.empty();
        const auto audible = audibility(s);
        for (size_t i = 0; i < s.stems.size(); ++i) {
            auto chain = std::make_unique<StemChain>();
            chain->prepare(rate, kMaxBlock);
            chain->configure(s.stems[i], audible[i] != 0);
            chain->reset();
            if (i < MeterFrame::kMaxMeteredStems) g->compressorOn[i] = s.stems[i].compressor.enabled;
            g->stems.push_back(std::move(chain));
        }
        g->ceilingDbtp = s.master.limiter.ceiling_dbtp - kDitherMarginDb;
        g->stereoGainDb = stereoGain.gainDb;
        g->stemGainDb = stemGain.gainDb;
        for (MasterChain* m : {&g->stereoMaster, &g->stemMaster}) {
            m->prepare(rate, kMaxBlock, s.master);
            m->configure(s.master);
            m->setLimiterCeilingDbtp(g->ceilingDbtp);
            m->setLimiterInputGainDb(m == &g->stereoMaster ? g->stereoGainDb : g->stemGainDb);
            m->reset();
        }
        g->latency = g->stemMaster.preLimiterLatencyFrames() + g->stemMaster.limiterLatencyFrames();
        g->simulation.prepare(rate, kMaxBlock);
        // A graph rebuilt while a simulation is on starts with it, not with a crossfade from flat.
        g->simulation.setSystem(static_cast<dsp::PlaybackSystem>(simulationSystem.load()));
        g->simulation.reset();
        g->warmupFrames = static_cast<int>(kWarmupSeconds * rate);
        g->history.prepare(g->warmupFrames + g->latency + 2 * kMaxBlock);
        for (auto& v : g->buf)
            v.assign(kMaxBlock, 0.0f);
        return g;
    }

    // Audio thread: picks up new graphs and parameters, returning the old ones for freeing.
    void takeUpdates() {
        if (Graph* g = pendingGraph.exchange(nullptr, std::memory_order_acq_rel)) {
            if (graph && !retiredGraphs.push(graph)) {
                // The control thread has not reaped for 64 swaps; keep the old graph rather than free here.
                pendingGraph.store(g);
            } else {
                graph = g;
            }
        }
        if (Params* p = pendingParams.exchange(nullptr, std::memory_order_acq_rel)) {
            if (params && !retiredParams.push(params)) {
                pendingParams.store(p);
            } else {
                params = p;
                if (graph && graph->stems.size() == p->session.stems.size()) {
                    for (size_t i = 0; i < graph->stems.size(); ++i) {
                        graph->stems[i]->configure(p->session.stems[i], p->audible[i] != 0);
                        if (i < MeterFrame::kMaxMeteredStems)
                            graph->compressorOn[i] = p->session.stems[i].compressor.enabled;
                    }
                    for (MasterChain* m : {&graph->stereoMaster, &graph->stemMaster}) {
                        m->configure(p->session.master);
                        m->setLimiterCeilingDbtp(p->session.master.limiter.ceiling_dbtp - kDitherMarginDb);
                    }
                }
            }
        }
    }

    // Computes the sources in `need` (a bit per MonitorSource) for n <= kMaxBlock frames from `pos`. The stem
    // chains always run (cheap, and their state must follow the song for the delta and the stem master); a
    // master chain runs only when its source is needed, and must be warm then.
    void computeSources(Graph& g, int64_t pos, int n, unsigned need, int warming = -1) {
        float* sl = g.b(Graph::SumL);
        float* sr = g.b(Graph::SumR);
        std::fill_n(sl, n, 0.0f);
        std::fill_n(sr, n, 0.0f);
        for (size_t i = 0; i < g.stems.size() && i < stemTracks.size(); ++i) {
            float* l = g.b(Graph::L0);
            float* r = g.b(Graph::R0);
            stemTracks[i].read(pos, l, r, n);
            g.stems[i]->process(stereo(l, r, n));
            for (int k = 0; k < n; ++k) {
                sl[k] += l[k];
                sr[k] += r[k];
            }
        }
        float* ml = g.b(Graph::MixL);
        float* mr = g.b(Graph::MixR);
        mix.read(pos, ml, mr, n);
        reference.read(pos, g.b(Graph::RefL), g.b(Graph::RefR), n);
        History& h = g.history;
        h.write(History::SumL, g.t, sl, n);
        h.write(History::SumR, g.t, sr, n);
        h.write(History::MixL, g.t, ml, n);
        h.write(History::MixR, g.t, mr, n);
        h.write(History::RefL, g.t, g.b(Graph::RefL), n);
        h.write(History::RefR, g.t, g.b(Graph::RefR), n);

        bool ran[2] = {false, false};
        auto runMaster = [&](int m, int inL, int inR, int outL, int outR) {
            std::copy_n(g.b(inL), n, g.b(outL));
            std::copy_n(g.b(inR), n, g.b(outR));
            const auto block = stereo(g.b(outL), g.b(outR), n);
            g.master(m).processPreLimiter(block);
            g.master(m).processLimiter(block);
            ran[m] = true;
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
        if (wants(MonitorSource::Codec)) codec.read(pos, g.b(Graph::CodecL), g.b(Graph::CodecR), n);
        if (wants(MonitorSource::Reference)) {
            h.read(History::RefL, back, g.b(Graph::RefL), n);
            h.read(History::RefR, back, g.b(Graph::RefR), n);
        }
        if (wants(MonitorSource::Delta)) {
            float* dl = g.b(Graph::DeltaL);
            float* dr = g.b(Graph::DeltaR);
            h.read(History::SumL, back, dl, n);
            h.read(History::SumR, back, dr, n);
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
    static bool primeMaster(Graph& g, int m, int64_t budget) {
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
        while (budget > 0 && st.cursor < g.t) {
            const int n = static_cast<int>(std::min<int64_t>({budget, g.t - st.cursor, kMaxBlock}));
            g.history.read(inL, st.cursor, l, n);
            g.history.read(inL + 1, st.cursor, r, n);
            const auto block = stereo(l, r, n);
            g.master(m).processPreLimiter(block);
            g.master(m).processLimiter(block);
            st.cursor += n;
            budget -= n;
        }
        if (st.cursor < g.t) return false;
        st.warm = true;
        st.priming = false;
        return true;
    }

    // From the top the song plays exactly as the render makes it: every chain from its reset state.
    static void restartGraph(Graph& g) {
        for (auto& stem : g.stems)
            stem->reset();
        for (int m = 0; m < 2; ++m) {
            g.master(m).reset();
            g.masterState[m] = {};
        }
        g.history.validFrom = g.t;
    }

    static void sourceBuffers(Graph& g, int s, const float*& l, const float*& r) {
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

    // The callback body: never allocates, locks, or touches files.
    void process(float* outL, float* outR, int frames) {
        takeUpdates();
        Graph* g = graph;
        if (!g) {
            std::fill_n(outL, frames, 0.0f);
            std::fill_n(outR, frames, 0.0f);
            return;
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
            if (!mix.l.empty()) need |= 1u << static_cast<int>(MonitorSource::StereoMaster);
            if (!stemTracks.empty()) need |= 1u << static_cast<int>(MonitorSource::StemMaster);
            if (fadePos < kCrossfadeFrames) need |= 1u << previousSource;
            computeSources(*g, pos, n, need, warming);
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
                const float cg = a * (1.0f + matchAmount * (gCur - 1.0f));
                float l = cl[k] * cg, r = cr[k] * cg;
                if (fadePos < kCrossfadeFrames) {
                    // Raised-cosine crossfade: the sources are correlated (same song), so equal gain.
                    const float w = 0.5f - 0.5f * std::cos(3.14159265f * (fadePos + 0.5f) / kCrossfadeFrames);
                    const float pg = a * (1.0f + matchAmount * (gPrev - 1.0f));
                    l = w * l + (1.0f - w) * pl[k] * pg;
                    r = w * r + (1.0f - w) * pr[k] * pg;
                    ++fadePos;
                }
                ol[k] = l;
                orr[k] = r;
            }
            pos += n;
            if (looping && le > ls && pos >= le) pos = ls;
            position.store(pos, std::memory_order_relaxed);
            const MasterChain* m =
                currentSource == static_cast<int>(MonitorSource::StereoMaster) ? &g->stereoMaster
                : currentSource == static_cast<int>(MonitorSource::StemMaster) ? &g->stemMaster
                                                                               : nullptr;
            limiterGr.store(m && m->limiterEnabled() ? static_cast<float>(m->limiter().gainReductionDb())
                                                     : 0.0f,
                            std::memory_order_relaxed);
            const bool stemMasterHeard = currentSource == static_cast<int>(MonitorSource::StemMaster);
            const int metered =
                std::min<int>(static_cast<int>(g->stems.size()), MeterFrame::kMaxMeteredStems);
            for (int i = 0; i < metered; ++i)
                stemGr[i].store(stemMasterHeard && g->compressorOn[i]
                                    ? static_cast<float>(std::max(
                                          0.0, g->stems[static_cast<size_t>(i)]->compressorGainReductionDb()))
                                    : 0.0f,
                                std::memory_order_relaxed);
            meteredStems.store(metered, std::memory_order_relaxed);
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
            // Meters see what is played; when the meter thread lags, frames are dropped, never waited for.
            auto v = meterRing.writeVector();
            const size_t space = (v.length[0] + v.length[1]) / 2;
            const int m2 = static_cast<int>(std::min<size_t>(space, static_cast<size_t>(n)));
            for (int k = 0; k < m2; ++k) {
                const size_t i = static_cast<size_t>(2 * k);
                float* d0 = i < v.length[0] ? v.data[0] + i : v.data[1] + (i - v.length[0]);
                float* d1 = i + 1 < v.length[0] ? v.data[0] + i + 1 : v.data[1] + (i + 1 - v.length[0]);
                *d0 = ol[k];
                *d1 = orr[k];
            }
            meterRing.advanceWrite(static_cast<size_t>(2 * m2));
            meterFramesWritten.store(meterFramesWritten.load(std::memory_order_relaxed) + m2,
                                     std::memory_order_release);
            const auto system =
                static_cast<dsp::PlaybackSystem>(simulationSystem.load(std::memory_order_relaxed));
            if (g->simulation.system() != system) g->simulation.setSystem(system);
            g->simulation.process(stereo(ol, orr, n));
            done += n;
        }
    }

    void meterLoop() {
        dsp::LoudnessMeter loudness;
        // Loudness range restarts on a source switch as well (the integrated reading does not), so it
        // describes one source.
        dsp::LoudnessMeter range;
        dsp::TruePeakMeter truePeak;
        dsp::CorrelationMeter correlation;
        dsp::SpectrumAnalyzer spectrum;
        int preparedRate = 0;
        constexpr int kChunk = 1024;
        std::vector<float> inter(2 * kChunk), l(kChunk), r(kChunk);
        double peak[2] = {0, 0}, sumSq[2] = {0, 0};
        int64_t framesInPeriod = 0;
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
                truePeak.reset();
                correlation.reset();
                spectrum.reset();
            }
            if (sourceChanged.exchange(false)) range.reset();
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
            const auto block = stereo(l.data(), r.data(), n);
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
                for (int i = 0; i < f.numStems; ++i)
                    f.stemGainReductionDb[i] = stemGr[i].load();
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

    void recordCallback(double seconds, int frames, int rate, bool xrun) {
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

    static int paCallback(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                          PaStreamCallbackFlags flags, void* user) {
        auto* self = static_cast<Impl*>(user);
        const double t0 = nowSeconds();
        auto** out = static_cast<float**>(output);
        self->process(out[0], out[1], static_cast<int>(frames));
        self->recordCallback(nowSeconds() - t0, static_cast<int>(frames), self->deviceRate,
                             (flags & (paOutputUnderflow | paOutputOverflow)) != 0);
        return paContinue;
    }

    static void paFinished(void* user) {
        auto* self = static_cast<Impl*>(user);
        // close() clears streamRunning before stopping, so only a stream that ended by itself counts as lost.
        if (self->streamRunning.load()) self->markDeviceLost();
    }

    void markDeviceLost() {
        deviceLost.store(true);
        playRequested.store(false);
    }

    // Meter thread: notices a stream whose callbacks stopped.
    void watchStream(long long& lastCallbacks, double& lastSeen) {
        const double now = nowSeconds();
        const long long count = callbacks.load(std::memory_order_relaxed);
        if (!streamRunning.load() || count != lastCallbacks) {
            lastCallbacks = count;
            lastSeen = now;
        } else if (now - lastSeen > kStalledStreamSeconds && !deviceLost.load()) {
            markDeviceLost();
        }
    }

    void publishGraph(std::unique_ptr<Graph> g) {
        reap();
        delete pendingGraph.exchange(g.release(), std::memory_order_acq_rel);
        graphLive = true;
    }

    void publishParams(const Session& s) {
        reap();
        auto p = std::make_unique<Params>();
        p->session = s;
        p->audible = audibility(s);
        delete pendingParams.exchange(p.release(), std::memory_order_acq_rel);
    }

    // The codec preview: the stereo master (as the engine plays it, latency included) through an MP3 round
    // trip at the bitrate of the render's MP3 deliverable. A rate MP3 cannot carry leaves the source
    // unavailable, with a note in takeError().
    void makeCodec(const std::vector<float>& l, const std::vector<float>& r, int rate) {
        const int idx = static_cast<int>(MonitorSource::Codec);
        codec = Track{};
        available[idx] = false;
        if (l.empty()) return;
        try {
            CodecPreview p = codecRoundTrip(l.data(), r.data(), static_cast<int64_t>(l.size()), rate,
                                            kMaxMp3BitrateKbps, session.master.limiter.ceiling_dbtp);
            codec.l = std::move(p.left);
            codec.r = std::move(p.right);
            available[idx] = !codec.l.empty();
        } catch (const std::exception& e) {
            setError(std::string("no codec preview: ") + e.what());
        }
    }

    // After the sources were decoded again at another rate: the codec preview from a fresh stereo master.
    void remakeCodec(int rate) {
        if (mix.l.empty()) return;
        auto g = buildGraph(session, rate);
        const int64_t total = lengthFrames + g->latency;
        std::vector<float> l(static_cast<size_t>(total)), r(static_cast<size_t>(total));
        for (int64_t pos = 0; pos < total; pos += kMaxBlock) {
            const int n = static_cast<int>(std::min<int64_t>(kMaxBlock, total - pos));
            computeSources(*g, pos, n, 1u << static_cast<int>(MonitorSource::StereoMaster));
            std::copy_n(g->b(Graph::StereoL), n, l.begin() + pos);
            std::copy_n(g->b(Graph::StereoR), n, r.begin() + pos);
        }
        makeCodec(l, r, rate);
    }

    void setError(std::string e) {
        std::lock_guard lock(errorMutex);
        if (!error.empty()) error += "\n";
        error += e;
    }

    void loadTracks(const Session& s, int rate, const std::function<void(double)>& progress) {
        const size_t total = s.stems.size() + 2;
        size_t done = 0;
        auto step = [&] {
            ++done;
            if (progress) progress(0.5 * static_cast<double>(done) / static_cast<double>(total));
        };
        std::vector<Track> stemsNew;
        double bytes = 0;
        for (const auto& st : s.stems) {
            const auto info = probeAudioFile(st.path);
            bytes += 8.0 * static_cast<double>(info.frames) * rate / info.sampleRate;
        }
        if (bytes > kMemoryBudgetBytes)
            throw Error(s.folder, "too long to play: the decoded sources need " +
                                      std::to_string(static_cast<long long>(bytes / 1048576)) +
                                      " MB, over the engine's 3072 MB budget");
        for (const auto& st : s.stems) {
            stemsNew.push_back(decode(st.path, rate));
            step();
        }
        Track mixNew = s.mix.empty() ? Track{} : decode(s.mix, rate);
        step();
        Track refNew = s.reference.empty() ? Track{} : decode(s.reference, rate);
        step();
        stemTracks = std::move(stemsNew);
        mix = std::move(mixNew);
        reference = std::move(refNew);
        lengthFrames = std::max(mix.frames(), reference.frames());
        for (const auto& t : stemTracks)
            lengthFrames = std::max(lengthFrames, t.frames());
        loadedRate = rate;
    }
};

// PortAudio is initialised only while a stream is open (or devices are listed), so an engine used without a
// device (tests, offline measuring) never probes the host's sound system.
namespace {
PaError initialisePortAudio() {
    [[maybe_unused]] SystemLibraryLeakScope probe;
    return Pa_Initialize();
}
} // namespace

AudioEngine::AudioEngine() : impl_(std::make_unique<Impl>()) {}

AudioEngine::~AudioEngine() {
    close();
    impl_.reset();
}

std::vector<OutputDevice> AudioEngine::outputDevices() {
    std::vector<OutputDevice> list;
    if (initialisePortAudio() != paNoError) return list;
    const PaDeviceIndex def = Pa_GetDefaultOutputDevice();
    for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) {
        const PaDeviceInfo* d = Pa_GetDeviceInfo(i);
        if (!d || d->maxOutputChannels < 1) continue;
        const PaHostApiInfo* h = Pa_GetHostApiInfo(d->hostApi);
        list.push_back({d->name, h ? h->name : "", d->maxOutputChannels, d->defaultSampleRate, i == def});
    }
    Pa_Terminate();
    return list;
}

void AudioEngine::load(const Session& session, const std::function<void(double)>& progress) {
    Impl& m = *impl_;
    const bool wasOpen = m.stream != nullptr;
    const std::string dev = m.device;
    const int buf = m.buffer;
    close();
    m.playRequested = false;
    m.running = false;
    // The old graph reads the old tracks: retire it before replacing them.
    delete m.pendingGraph.exchange(nullptr);
    delete m.graph;
    m.graph = nullptr;
    m.reap();

    m.session = session;
    const int rate = session.sample_rate;
    m.loadTracks(session, rate, progress);
    m.available[static_cast<int>(MonitorSource::Mix)] = !m.mix.l.empty();
    m.available[static_cast<int>(MonitorSource::Reference)] = !m.reference.l.empty();
    m.available[static_cast<int>(MonitorSource::StemMaster)] = !m.stemTracks.empty();
    m.available[static_cast<int>(MonitorSource::StereoMaster)] = !m.mix.l.empty();
    m.available[static_cast<int>(MonitorSource::Delta)] = !m.mix.l.empty() && !m.stemTracks.empty();
    const int codecIdx = static_cast<int>(MonitorSource::Codec);
    m.available[codecIdx] = false; // made after the measuring pass, from the stereo master it plays
    m.codec = Track{};
    // The masters play at exactly the loudness gain the render chooses.
    m.stereoGain = {};
    m.stemGain = {};
    if (m.available[static_cast<int>(MonitorSource::StereoMaster)])
        m.stereoGain = findLoudnessGain(session, false);
    if (progress) progress(0.65);
    if (m.available[static_cast<int>(MonitorSource::StemMaster)])
        m.stemGain = findLoudnessGain(session, true);
    if (progress) progress(0.8);

    // Measure every source as the engine plays it, with the same graph, ahead of time.
    auto g = m.buildGraph(session, rate);
    {
        dsp::LoudnessMeter meters[kMonitorSourceCount];
        dsp::TruePeakMeter peaks[kMonitorSourceCount];
        for (int i = 0; i < kMonitorSourceCount; ++i) {
            meters[i].prepare(rate, kMaxBlock, 2, dsp::LoudnessMeter::Integrated);
            peaks[i].prepare(rate, kMaxBlock, 2, 8);
        }
        const int64_t total = m.lengthFrames + g->latency;
        const bool stereoMaster = m.available[static_cast<int>(MonitorSource::StereoMaster)];
        std::vector<float> masterL, masterR; // the stereo master as played, for the codec preview
        if (stereoMaster) {
            masterL.resize(static_cast<size_t>(total));
            masterR.resize(static_cast<size_t>(total));
        }
        for (int64_t pos = 0; pos < total; pos += kMaxBlock) {
            const int n = static_cast<int>(std::min<int64_t>(kMaxBlock, total - pos));
            m.computeSources(*g, pos, n, kAllSources);
            if (stereoMaster) {
                std::copy_n(g->b(Graph::StereoL), n, masterL.begin() + pos);
                std::copy_n(g->b(Graph::StereoR), n, masterR.begin() + pos);
            }
            for (int i = 0; i < kMonitorSourceCount; ++i) {
                if (!m.available[i]) continue;
                const float* l = nullptr;
                const float* r = nullptr;
                Impl::sourceBuffers(*g, i, l, r);
                // The delayed sources start with latency frames of silence; gating ignores them.
                auto block = stereo(const_cast<float*>(l), const_cast<float*>(r), n);
                meters[i].process(block);
                peaks[i].process(block);
            }
        }
        if (progress) progress(0.9);
        m.makeCodec(masterL, masterR, rate);
        if (m.available[codecIdx]) {
            for (int64_t pos = 0; pos < m.codec.frames(); pos += kMaxBlock) {
                const int n = static_cast<int>(std::min<int64_t>(kMaxBlock, m.codec.frames() - pos));
                auto block = stereo(m.codec.l.data() + pos, m.codec.r.data() + pos, n);
                meters[codecIdx].process(block);
                peaks[codecIdx].process(block);
            }
        }
        double common = HUGE_VAL;
        for (int i = 0; i < kMonitorSourceCount; ++i) {
            m.sourceLufs[i] = m.available[i] ? meters[i].integratedLufs() : -HUGE_VAL;
            m.sourcePeak[i] = m.available[i] ? peaks[i].truePeakDbtp() : -HUGE_VAL;
            if (m.available[i] && i != static_cast<int>(MonitorSource::Delta) && m.sourceLufs[i] > -70)
                common = std::min(common, m.sourceLufs[i]);
        }
        // Matching turns the louder sources down to the quietest (never up, so nothing clips). The delta
        // plays at the mix's gain so the null is heard in proportion to what it is the difference of.
        for (int i = 0; i < kMonitorSourceCount; ++i) {
            double db = 0;
            if (m.available[i] && m.sourceLufs[i] > -70 && common < HUGE_VAL) db = common - m.sourceLufs[i];
            m.matchGain[i] = static_cast<float>(std::pow(10.0, db / 20.0));
        }
        const int mixIdx = static_cast<int>(MonitorSource::Mix);
        m.matchGain[static_cast<int>(MonitorSource::Delta)] = m.matchGain[mixIdx].load();
    }
    // The measuring pass left state in the chains: start playback from a fresh graph.
    g = m.buildGraph(session, rate);
    m.publishGraph(std::move(g));
    m.position = 0;
    m.seekRequest = -1;
    m.meterRate = rate;
    m.meterReset = true;
    if (progress) progress(1.0);
    if (wasOpen) {
        std::string err;
        if (!open(dev, buf, 0, err)) m.setError(err);
    }
}

void AudioEngine::update(const Session& session) {
    Impl& m = *impl_;
    bool structural = session.stems.size() != m.session.stems.size() || session.mix != m.session.mix ||
                      session.reference != m.session.reference ||
                      session.sample_rate != m.session.sample_rate;
    for (size_t i = 0; !structural && i < session.stems.size(); ++i)
        structural = session.stems[i].path != m.session.stems[i].path;
    if (structural) throw Error(session.folder, "the session's sources changed: load it again");
    const bool needsPrepare =
        session.master.saturation.oversampling != m.session.master.saturation.oversampling ||
        session.master.limiter.lookahead_ms != m.session.master.limiter.lookahead_ms;
    m.session = session;
    if (needsPrepare)
        m.publishGraph(m.buildGraph(session, m.loadedRate));
    else
        m.publishParams(session);
}

bool AudioEngine::open(const std::string& deviceName, int bufferFrames, int sampleRate, std::string& error) {
    Impl& m = *impl_;
    close();
    m.reap();
    if (const PaError e = initialisePortAudio(); e != paNoError) {
        error = std::string("cannot start PortAudio: ") + Pa_GetErrorText(e);
        return false;
    }
    struct Terminate {
        bool armed = true;
        ~Terminate() {
            if (armed) Pa_Terminate();
        }
    } terminateOnFailure;
    bufferFrames = std::clamp(bufferFrames, 32, kMaxBlock);
    PaDeviceIndex index = paNoDevice;
    for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount() && !deviceName.empty(); ++i) {
        const PaDeviceInfo* d = Pa_GetDeviceInfo(i);
        if (d && d->maxOutputChannels >= 2 && deviceName == d->name) index = i;
    }
    if (index == paNoDevice) {
        if (!deviceName.empty())
            m.setError("output device \"" + deviceName + "\" not found: using the default");
        index = Pa_GetDefaultOutputDevice();
    }
    if (index == paNoDevice) {
        error = "no output device available";
        return false;
    }
    const PaDeviceInfo* info = Pa_GetDeviceInfo(index);
    PaStreamParameters out{};
    out.device = index;
    out.channelCount = 2;
    out.sampleFormat = paFloat32 | paNonInterleaved;
    out.suggestedLatency = info->defaultLowOutputLatency;
    int rate = sampleRate > 0 ? sampleRate : (m.loadedRate > 0 ? m.loadedRate : m.session.sample_rate);
    if (Pa_IsFormatSupported(nullptr, &out, rate) != paFormatIsSupported)
        rate = static_cast<int>(info->defaultSampleRate);
    if (m.loadedRate > 0 && rate != m.loadedRate) {
        // The device runs at another rate: decode the sources to it (soxr, very high quality) and rebuild.
        try {
            delete m.pendingGraph.exchange(nullptr);
            delete m.graph;
            m.graph = nullptr;
            m.loadTracks(m.session, rate, {});
            m.remakeCodec(rate);
            m.publishGraph(m.buildGraph(m.session, rate));
            m.meterRate = rate;
        } catch (const std::exception& e) {
            error = e.what();
            return false;
        }
    }
    m.deviceRate = rate;
    m.deviceLost = false;
    PaError err = Pa_OpenStream(&m.stream, nullptr, &out, rate, static_cast<unsigned long>(bufferFrames),
                                paClipOff, &Impl::paCallback, &m);
    if (err == paNoError) err = Pa_SetStreamFinishedCallback(m.stream, &Impl::paFinished);
    if (err == paNoError) err = Pa_StartStream(m.stream);
    if (err == paNoError) m.streamRunning = true;
    if (err != paNoError) {
        if (m.stream) Pa_CloseStream(m.stream);
        m.stream = nullptr;
        error = std::string("cannot open \"") + info->name + "\": " + Pa_GetErrorText(err);
        return false;
    }
    m.device = info->name;
    m.buffer = bufferFrames;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    m.streamIsJack = api && api->type == paJACK;
    terminateOnFailure.armed = false;
    return true;
}

void AudioEngine::close() {
    Impl& m = *impl_;
    if (!m.stream) return;
    m.streamRunning = false;
    Pa_StopStream(m.stream);
    Pa_CloseStream(m.stream);
    m.stream = nullptr;
    m.deviceRate = 0;
    m.deviceLost = false;
    Pa_Terminate();
}

bool AudioEngine::isOpen() const {
    return impl_->stream != nullptr;
}
std::string AudioEngine::deviceName() const {
    return impl_->device;
}
int AudioEngine::bufferFrames() const {
    return impl_->buffer;
}

void AudioEngine::play() {
    if (impl_->position.load() >= impl_->lengthFrames && !impl_->loopEnabled) impl_->seekRequest = 0;
    impl_->playRequested = true;
}
void AudioEngine::pause() {
    impl_->playRequested = false;
}
void AudioEngine::stop() {
    impl_->playRequested = false;
    impl_->seekRequest = impl_->loopEnabled ? impl_->loopStart.load() : 0;
}
void AudioEngine::seek(int64_t frame) {
    impl_->seekRequest = std::clamp<int64_t>(frame, 0, std::max<int64_t>(impl_->lengthFrames, 0));
}
void AudioEngine::setLoop(int64_t start, int64_t end, bool enabled) {
    impl_->loopStart = start;
    impl_->loopEnd = end;
    impl_->loopEnabled = enabled && end > start;
}

void AudioEngine::setSource(MonitorSource s) {
    impl_->requestedSource = static_cast<int>(s);
}
MonitorSource AudioEngine::source() const {
    return static_cast<MonitorSource>(impl_->requestedSource.load());
}
MonitorSource AudioEngine::heardSource() const {
    return static_cast<MonitorSource>(impl_->playingSource.load());
}
void AudioEngine::setLoudnessMatch(bool on) {
    impl_->matchEnabled = on;
}
bool AudioEngine::loudnessMatch() const {
    return impl_->matchEnabled;
}
void AudioEngine::setPlaybackSimulation(dsp::PlaybackSystem system) {
    impl_->simulationSystem = static_cast<int>(system);
}
dsp::PlaybackSystem AudioEngine::playbackSimulation() const {
    return static_cast<dsp::PlaybackSystem>(impl_->simulationSystem.load());
}
bool AudioEngine::sourceAvailable(MonitorSource s) const {
    return impl_->available[static_cast<int>(s)];
}
double AudioEngine::sourceIntegratedLufs(MonitorSource s) const {
    return impl_->sourceLufs[static_cast<int>(s)];
}
double AudioEngine::sourceTruePeakDbtp(MonitorSource s) const {
    return impl_->sourcePeak[static_cast<int>(s)];
}

int64_t AudioEngine::position() const {
    const int64_t s = impl_->seekRequest.load();
    return s >= 0 ? s : impl_->position.load();
}
int64_t AudioEngine::length() const {
    return impl_->lengthFrames;
}
bool AudioEngine::playing() const {
    return impl_->playRequested && !impl_->deviceLost;
}
int AudioEngine::sampleRate() const {
    return impl_->loadedRate;
}
int AudioEngine::deviceSampleRate() const {
    return impl_->deviceRate;
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

std::string AudioEngine::takeError() {
    Impl& m = *impl_;
    if (m.stream && (m.deviceLost.load() || Pa_IsStreamActive(m.stream) != 1)) {
        const std::string name = m.device;
        if (m.streamIsJack) {
            m.streamRunning = false;
            m.abandonedStreams.push_back(m.stream);
            m.stream = nullptr;
            m.deviceRate = 0;
            m.deviceLost = false;
        } else {
            close();
        }
        m.playRequested = false;
        m.setError("output device \"" + name + "\" stopped (lost or unplugged): playback stopped");
    }
    std::lock_guard lock(m.errorMutex);
    return std::exchange(m.error, std::string());
}

AudioEngine::Stats AudioEngine::stats() const {
    const Impl& m = *impl_;
    Stats s;
    s.callbacks = m.callbacks.load();
    s.xruns = m.xruns.load();
    s.lateCallbacks = m.lateCallbacks.load();
    if (s.callbacks == 0) return s;
    s.meanPercent = m.sumPercent.load() / static_cast<double>(s.callbacks);
    s.maxPercent = m.maxPercent.load();
    long long seen = 0;
    const long long p99 = (s.callbacks * 99 + 99) / 100;
    for (int i = 0; i <= kHistogramBins; ++i) {
        seen += m.histogram[i].load();
        if (seen >= p99) {
            s.p99Percent = (i + 1) * 0.2;
            break;
        }
    }
    s.p99Percent = std::min(s.p99Percent, s.maxPercent);
    return s;
}

void AudioEngine::processForTest(float* left, float* right, int frames) {
    impl_->process(left, right, frames);
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
