#include "core/engine/AudioEngineImpl.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

using namespace engine;

namespace {
constexpr int kCodec = static_cast<int>(MonitorSource::Codec);
} // namespace

bool AudioEngine::Impl::sourceIsAvailable(int source) const {
    return source == kCodec ? codecPreview.available() : available[source].load();
}

double AudioEngine::Impl::sourceLufsOf(int source) const {
    if (source != kCodec) return sourceLufs[source];
    return codecPreview.available() ? codecPreview.integratedLufs() : -HUGE_VAL;
}

double AudioEngine::Impl::sourcePeakOf(int source) const {
    if (source != kCodec) return sourcePeak[source];
    return codecPreview.available() ? codecPreview.truePeakDbtp() : -HUGE_VAL;
}

void AudioEngine::Impl::updateMatchGains(bool sourcesMeasured) {
    // The measuring thread (once every source but the codec preview is measured) and the codec builder (each
    // preview published, the first perhaps before the masters are measured) both come here: the lock keeps
    // the newer figures from being overwritten by older ones, and no gain is set from half the sources.
    std::lock_guard lock(matchGainsMutex);
    matchGainsReady = matchGainsReady || sourcesMeasured;
    if (!matchGainsReady) return;
    double lufs[kMonitorSourceCount];
    bool on[kMonitorSourceCount];
    double common = HUGE_VAL;
    for (int i = 0; i < kMonitorSourceCount; ++i) {
        on[i] = sourceIsAvailable(i);
        lufs[i] = sourceLufsOf(i);
        if (on[i] && i != static_cast<int>(MonitorSource::Delta) && lufs[i] > -70)
            common = std::min(common, lufs[i]);
    }
    // Matching turns the louder sources down to the quietest (never up, so nothing clips). The delta plays at
    // the mix's gain so the null is heard in proportion to what it is the difference of.
    for (int i = 0; i < kMonitorSourceCount; ++i) {
        double db = 0;
        if (on[i] && lufs[i] > -70 && common < HUGE_VAL) db = common - lufs[i];
        matchGain[i] = static_cast<float>(std::pow(10.0, db / 20.0));
    }
    const int mixIdx = static_cast<int>(MonitorSource::Mix);
    matchGain[static_cast<int>(MonitorSource::Delta)] = matchGain[mixIdx].load();
}

void AudioEngine::setCodecPreview(const DeliverableSpec& codec) {
    impl_->codecPreview.request(codec);
}

DeliverableSpec AudioEngine::codecPreview() const {
    return impl_->codecPreview.status().requested;
}

AudioEngine::CodecPreviewState AudioEngine::codecPreviewState() const {
    const CodecPreviewStatus s = impl_->codecPreview.status();
    CodecPreviewState state;
    state.requested = s.requested;
    state.ready = s.available ? std::optional<DeliverableSpec>(s.ready) : std::nullopt;
    state.building = s.building;
    state.error = s.error;
    return state;
}

bool AudioEngine::waitForCodecPreview(double timeoutSeconds) const {
    return impl_->codecPreview.waitUntilBuilt(timeoutSeconds);
}

bool AudioEngine::codecPreviewMasterForTest(std::vector<float>& left, std::vector<float>& right) const {
    return impl_->codecPreview.masterForTest(left, right);
}

} // namespace lathe::core
