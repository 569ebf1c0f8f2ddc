#include "core/engine/AudioEngineImpl.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

using namespace engine;

namespace {
// LoadMode::Measured waits for the codec preview without a time limit, as it waits for the measuring.
constexpr double kForeverSeconds = 365.0 * 24 * 3600;
} // namespace

void AudioEngine::Impl::openSources(const Session& s, int rate) {
    std::vector<std::unique_ptr<DiskSource>> sources;
    for (const auto& st : s.stems)
        sources.push_back(std::make_unique<DiskSource>(st.path, rate));
    numStems = static_cast<int>(s.stems.size());
    mixSource = referenceSource = -1;
    if (!s.mix.empty()) {
        mixSource = static_cast<int>(sources.size());
        sources.push_back(std::make_unique<DiskSource>(s.mix, rate));
    }
    if (!s.reference.empty()) {
        referenceSource = static_cast<int>(sources.size());
        sources.push_back(std::make_unique<DiskSource>(s.reference, rate));
    }
    lengthFrames = 0;
    for (const auto& source : sources)
        lengthFrames = std::max(lengthFrames, source->frames());
    loadedRate = rate;
    disk.setLoop(loopStart.load(), loopEnd.load(), loopEnabled.load());
    disk.start(std::move(sources), 0);
}

// The codec preview, handed over by the measuring thread: the stereo master as its pass played it (latency
// included), kept by codecPreview, whose builder thread makes the round trip of the codec asked for
// (setCodecPreview, default MP3 320 kb/s) in the background and hands it to the audio thread through its
// atomic pointer; its figures and the codec source's match gain follow (updateMatchGains). The round trip
// (an MP3 encode of the whole song) is not what the engineer waits for at open: the other sources are
// measured meanwhile and `measured` does not wait for it. A codec that cannot be made leaves the source
// unavailable, with a note in takeError(). No clear() here: the stream may be playing (LoadMode::Playable);
// resetMeasurements() cleared it before the measuring thread started.
void AudioEngine::Impl::makeCodec(std::shared_ptr<FrameCache> master, int rate) {
    if (master) codecPreview.load(std::move(master), rate, measuring.master.limiter.ceiling_dbtp);
}

void AudioEngine::load(const Session& session, const std::function<void(double)>& progress, LoadMode mode) {
    Impl& m = *impl_;
    const bool wasOpen = m.stream != nullptr;
    const std::string dev = m.device;
    const int buf = m.buffer;
    close();
    m.stopMeasuring();
    m.playRequested = false;
    m.running = false;
    // The old graph reads the old sources: retire it before replacing them.
    delete m.pendingGraph.exchange(nullptr);
    delete m.graph;
    m.graph = nullptr;
    m.reap();
    m.disk.stop();
    m.resetMeasurements();

    m.session = session;
    m.openSources(session, session.sample_rate);
    if (progress) progress(0.2);
    m.available[static_cast<int>(MonitorSource::Mix)] = m.hasMix();
    m.available[static_cast<int>(MonitorSource::Reference)] = m.referenceSource >= 0;
    m.available[static_cast<int>(MonitorSource::StemMaster)] = m.hasStems();
    m.available[static_cast<int>(MonitorSource::StereoMaster)] = m.hasMix();
    m.available[static_cast<int>(MonitorSource::Delta)] = m.hasMix() && m.hasStems();
    // The match curves (analysed and cached when a match is on; the loudness search then finds them there).
    m.planMatch(session);
    m.publishGraph(m.buildGraph(session, session.sample_rate));
    m.position = 0;
    m.seekRequest = -1;
    m.streamedUpTo = -1;
    m.waitingForDisk = false;
    m.meterRate = session.sample_rate;
    m.meterReset = true;
    // Playable once the reader holds the start: a few ms, the files' first blocks.
    m.disk.waitReady(0, 10.0);
    m.startMeasuring(session.sample_rate);
    if (mode == LoadMode::Measured) {
        m.measurer.join();
        if (!m.measureError.empty()) throw Error(session.folder, m.measureError);
        // The first codec preview too (its failure is a note in takeError(), as before).
        m.codecPreview.waitUntilBuilt(kForeverSeconds);
        // Playback from a graph built with the masters' gains, as the render has them from its first frame.
        m.publishGraph(m.buildGraph(session, session.sample_rate));
    }
    if (progress) progress(1.0);
    if (wasOpen) {
        std::string err;
        if (!open(dev, buf, 0, err)) m.setError(err);
    }
}

bool AudioEngine::measured() const {
    return impl_->measured.load(std::memory_order_acquire);
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
