#include "core/engine/AudioEngine.h"

#include "core/engine/AudioEngineImpl.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace lathe::core {

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

AudioEngine::Impl::Impl() {
    for (auto& h : histogram)
        h.store(0);
    for (auto& g : matchGain)
        g.store(1.0f);
    for (auto& g : stemGr)
        g.store(0.0f);
    for (auto& p : stemPeakHold)
        p.store(0.0f);
    for (auto& q : stemSumSq)
        q.store(0.0);
    for (auto& g : bandGr)
        g.store(0.0f);
    for (auto& g : stemPeakGr)
        g.store(0.0f);
    for (auto& stem : stemDynamicEqDb)
        for (auto& g : stem)
            g.store(0.0f);
    for (auto& g : masterDynamicEqDb)
        g.store(0.0f);
    resetMeasurements();
    meterThread = std::thread([this] { meterLoop(); });
    codecPreview.setCallbacks([this] { updateMatchGains(); }, [this](const std::string& e) { setError(e); });
}

AudioEngine::Impl::~Impl() {
    stopMeasuring();
    disk.stop();
    meterQuit = true;
    meterThread.join();
    delete pendingGraph.exchange(nullptr);
    delete pendingParams.exchange(nullptr);
    delete graph;
    delete params;
    for (engine::Params* p : lingering)
        delete p;
    reap();
}

void AudioEngine::Impl::setError(std::string e) {
    std::lock_guard lock(errorMutex);
    if (!error.empty()) error += "\n";
    error += e;
}

AudioEngine::AudioEngine() : impl_(std::make_unique<Impl>()) {}

AudioEngine::~AudioEngine() {
    close();
    impl_.reset();
}

void AudioEngine::play() {
    if (impl_->position.load() >= impl_->lengthFrames && !impl_->loopEnabled) {
        impl_->seekRequest = 0;
        impl_->disk.request(0);
    }
    impl_->playRequested = true;
}

void AudioEngine::pause() {
    impl_->playRequested = false;
}

void AudioEngine::stop() {
    impl_->playRequested = false;
    impl_->seekRequest = impl_->loopEnabled ? impl_->loopStart.load() : 0;
    impl_->disk.request(impl_->seekRequest.load());
}

// The disk reader is told at once, so it refills while the callback fades out.
void AudioEngine::seek(int64_t frame) {
    const int64_t to = std::clamp<int64_t>(frame, 0, std::max<int64_t>(impl_->lengthFrames, 0));
    impl_->seekRequest = to;
    impl_->disk.request(to);
}

void AudioEngine::setLoop(int64_t start, int64_t end, bool enabled) {
    impl_->loopStart = start;
    impl_->loopEnd = end;
    impl_->loopEnabled = enabled && end > start;
    impl_->disk.setLoop(start, end, enabled);
    impl_->codecPreview.setLoop(start, end, enabled && end > start);
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

double AudioEngine::monitorGainDb(MonitorSource s) const {
    const int i = static_cast<int>(s);
    if (!impl_->matchEnabled.load() || !impl_->sourceIsAvailable(i)) return 0.0;
    return 20.0 * std::log10(std::max(impl_->matchGain[i].load(), 1e-10f));
}

void AudioEngine::setPlaybackSimulation(dsp::PlaybackSystem system) {
    impl_->simulationSystem = static_cast<int>(system);
}

dsp::PlaybackSystem AudioEngine::playbackSimulation() const {
    return static_cast<dsp::PlaybackSystem>(impl_->simulationSystem.load());
}

bool AudioEngine::sourceAvailable(MonitorSource s) const {
    return impl_->sourceIsAvailable(static_cast<int>(s));
}

double AudioEngine::sourceIntegratedLufs(MonitorSource s) const {
    return impl_->sourceLufsOf(static_cast<int>(s));
}

double AudioEngine::sourceTruePeakDbtp(MonitorSource s) const {
    return impl_->sourcePeakOf(static_cast<int>(s));
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

int AudioEngine::latencyFrames() const {
    return impl_->latency.load();
}

int AudioEngine::sampleRate() const {
    return impl_->loadedRate;
}

int AudioEngine::deviceSampleRate() const {
    return impl_->deviceRate;
}

AudioEngine::Stats AudioEngine::stats() const {
    const Impl& m = *impl_;
    Stats s;
    s.callbacks = m.callbacks.load();
    s.xruns = m.xruns.load();
    s.lateCallbacks = m.lateCallbacks.load();
    s.diskUnderruns = m.diskUnderruns.load();
    if (s.callbacks == 0) return s;
    s.meanPercent = m.sumPercent.load() / static_cast<double>(s.callbacks);
    s.maxPercent = m.maxPercent.load();
    long long seen = 0;
    const long long p99 = (s.callbacks * 99 + 99) / 100;
    for (int i = 0; i <= engine::kHistogramBins; ++i) {
        seen += m.histogram[i].load();
        if (seen >= p99) {
            s.p99Percent = (i + 1) * 0.2;
            break;
        }
    }
    s.p99Percent = std::min(s.p99Percent, s.maxPercent);
    return s;
}

void AudioEngine::processForTest(float* left, float* right, int frames, bool waitForDisk) {
    impl_->testWaitsForDisk = waitForDisk;
    impl_->process(left, right, frames);
    impl_->testWaitsForDisk = false;
}

void AudioEngine::holdDiskForTest(bool hold) {
    impl_->disk.holdForTest(hold);
}

} // namespace lathe::core
