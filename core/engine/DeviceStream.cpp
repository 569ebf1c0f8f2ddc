#include "core/engine/AudioEngineImpl.h"

#include "core/engine/SystemLibraryLeakScope.h"

#include <algorithm>
#include <utility>

namespace lathe::core {

using namespace engine;

// PortAudio is initialised only while a stream is open (or devices are listed), so an engine used without a
// device (tests, offline measuring) never probes the host's sound system.
namespace {
PaError initialisePortAudio() {
    [[maybe_unused]] SystemLibraryLeakScope probe;
    return Pa_Initialize();
}
} // namespace

int AudioEngine::Impl::paCallback(const void*, void* output, unsigned long frames,
                                  const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags flags, void* user) {
    auto* self = static_cast<Impl*>(user);
    const double t0 = nowSeconds();
    auto** out = static_cast<float**>(output);
    self->process(out[0], out[1], static_cast<int>(frames));
    self->recordCallback(nowSeconds() - t0, static_cast<int>(frames), self->deviceRate,
                         (flags & (paOutputUnderflow | paOutputOverflow)) != 0);
    return paContinue;
}

void AudioEngine::Impl::paFinished(void* user) {
    auto* self = static_cast<Impl*>(user);
    // close() clears streamRunning before stopping, so only a stream that ended by itself counts as lost.
    if (self->streamRunning.load()) self->markDeviceLost();
}

void AudioEngine::Impl::markDeviceLost() {
    deviceLost.store(true);
    playRequested.store(false);
}

// Meter thread: notices a stream whose callbacks stopped.
void AudioEngine::Impl::watchStream(long long& lastCallbacks, double& lastSeen) {
    const double now = nowSeconds();
    const long long count = callbacks.load(std::memory_order_relaxed);
    if (!streamRunning.load() || count != lastCallbacks) {
        lastCallbacks = count;
        lastSeen = now;
    } else if (now - lastSeen > kStalledStreamSeconds && !deviceLost.load()) {
        markDeviceLost();
    }
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
        // The device runs at another rate: stream the sources at it (soxr, very high quality), measure again
        // (the codec preview is made at it) and rebuild.
        try {
            m.stopMeasuring();
            delete m.pendingGraph.exchange(nullptr);
            delete m.graph;
            m.graph = nullptr;
            m.disk.stop();
            const int64_t at = m.position.load();
            bool availableBefore[kMonitorSourceCount];
            for (int i = 0; i < kMonitorSourceCount; ++i)
                availableBefore[i] = m.available[i];
            m.resetMeasurements();
            m.openSources(m.session, rate);
            for (int i = 0; i < kMonitorSourceCount; ++i)
                m.available[i] = availableBefore[i] && i != static_cast<int>(MonitorSource::Codec);
            m.publishGraph(m.buildGraph(m.session, rate));
            m.position = std::min(at, m.lengthFrames);
            m.disk.request(m.position.load());
            m.streamedUpTo = -1;
            m.meterRate = rate;
            m.startMeasuring(rate);
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

std::string AudioEngine::takeError() {
    Impl& m = *impl_;
    if (m.measured.load(std::memory_order_acquire) && !m.measureError.empty())
        m.setError("measuring failed: " + std::exchange(m.measureError, std::string()));
    if (std::string e = m.disk.takeError(); !e.empty()) m.setError("playback: " + e);
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

} // namespace lathe::core
