#include "core/engine/AudioEngineImpl.h"

#include "core/chain/StereoBlock.h"

#include "core/Error.h"
#include "core/io/AudioFileReader.h"

#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

using namespace engine;

namespace {

// Decoded sources are held in memory (stereo float at the engine rate): 3 GiB covers 8 stems of a 20-minute
// song at 96 kHz.
constexpr double kMemoryBudgetBytes = 3.0 * 1024 * 1024 * 1024;

} // namespace

void AudioEngine::Impl::loadTracks(const Session& s, int rate, const std::function<void(double)>& progress) {
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

// The codec preview: the stereo master (as the engine plays it, latency included) through the round trip of
// the codec asked for (setCodecPreview, default MP3 320 kb/s), kept for rebuilds with another codec. A codec
// that cannot be made leaves the source unavailable, with a note in takeError().
void AudioEngine::Impl::makeCodec(const std::vector<float>& l, const std::vector<float>& r, int rate) {
    codecPreview.clear();
    if (l.empty()) return;
    if (const std::string e = codecPreview.load(l, r, rate, session.master.limiter.ceiling_dbtp); !e.empty())
        setError("no codec preview: " + e);
}

// After the sources were decoded again at another rate: the codec preview from a fresh stereo master.
void AudioEngine::Impl::remakeCodec(int rate) {
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
    m.available[codecIdx] = false; // codecPreview's: made after the measuring pass, from the master it plays
    m.codecPreview.clear();
    // The masters play at exactly the loudness gain the render chooses.
    m.stereoGain = {};
    m.stemGain = {};
    if (m.available[static_cast<int>(MonitorSource::StereoMaster)])
        m.stereoGain = findLoudnessGain(session, false);
    if (progress) progress(0.65);
    if (m.available[static_cast<int>(MonitorSource::StemMaster)])
        m.stemGain = findLoudnessGain(session, true);
    if (progress) progress(0.8);
    // The match curves (the analyses come from the cache findLoudnessGain just filled).
    m.planMatch(session);

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
                auto block = stereoBlock(const_cast<float*>(l), const_cast<float*>(r), n);
                meters[i].process(block);
                peaks[i].process(block);
            }
        }
        if (progress) progress(0.9);
        // Written before the codec preview exists: a rebuild asked for from another control thread once it
        // does reads them (updateMatchGains).
        for (int i = 0; i < kMonitorSourceCount; ++i) {
            m.sourceLufs[i] = m.available[i] ? meters[i].integratedLufs() : -HUGE_VAL;
            m.sourcePeak[i] = m.available[i] ? peaks[i].truePeakDbtp() : -HUGE_VAL;
        }
        m.makeCodec(masterL, masterR, rate);
        m.updateMatchGains();
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

namespace {

bool sourcesDiffer(const Session& a, const Session& b) {
    bool differ = a.stems.size() != b.stems.size() || a.mix != b.mix || a.reference != b.reference ||
                  a.sample_rate != b.sample_rate;
    for (size_t i = 0; !differ && i < a.stems.size(); ++i)
        differ = a.stems[i].path != b.stems[i].path;
    return differ;
}

// What the matched loudness target depends on (withMatchedLoudness).
bool matchedTargetDiffers(const Session& a, const Session& b) {
    const bool aOn = matchActive(a) && a.master.match.loudness;
    const bool bOn = matchActive(b) && b.master.match.loudness;
    if (aOn != bOn) return true;
    return aOn && (matchReferencePath(a) != matchReferencePath(b) ||
                   a.master.match.range_start_s != b.master.match.range_start_s ||
                   a.master.match.range_end_s != b.master.match.range_end_s);
}

} // namespace

bool AudioEngine::needsLoad(const Session& session) const {
    return sourcesDiffer(session, impl_->session) || matchedTargetDiffers(session, impl_->session);
}

void AudioEngine::update(const Session& session) {
    Impl& m = *impl_;
    if (sourcesDiffer(session, m.session))
        throw Error(session.folder, "the session's sources changed: load it again");
    const MatchSettings& was = m.session.master.match;
    const MatchSettings& now = session.master.match;
    // What the match is made from changed: analyse again (cached), and the stage comes or goes (a new
    // latency), so a new graph. The loudness target follows at the next load(), as for any other change.
    const bool newMatch = matchActive(session) != matchActive(m.session) ||
                          (matchActive(session) &&
                           (matchReferencePath(session) != matchReferencePath(m.session) ||
                            now.range_start_s != was.range_start_s || now.range_end_s != was.range_end_s));
    // Only the curve changed (parts, amount, limit): new kernels, crossfaded in.
    const bool newCurve =
        !newMatch && matchActive(session) &&
        (now.tone != was.tone || now.width != was.width || now.tone_amount_pct != was.tone_amount_pct ||
         now.max_correction_db != was.max_correction_db);
    bool needsPrepare = newMatch || MasterChain::needsPrepare(m.session.master, session.master);
    if (newMatch) m.planMatch(session);
    if (newCurve)
        for (MasterMatch& plan : m.masterMatch)
            if (plan.active)
                plan.curve = dsp::computeMatchCurve(plan.source, plan.reference, matchCurveSettings(now));
    for (size_t i = 0; !needsPrepare && i < session.stems.size(); ++i)
        needsPrepare = StemChain::needsPrepare(m.session.stems[i], session.stems[i]);
    m.session = session;
    if (needsPrepare)
        m.publishGraph(m.buildGraph(session, m.loadedRate));
    else
        m.publishParams(session, newCurve);
}

} // namespace lathe::core
