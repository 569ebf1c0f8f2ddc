#pragma once

#include "core/model/DeliverableSpec.h"
#include "core/model/Session.h"

#include "dsp/PlaybackSimulation.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lathe::core {

// What the engine plays. Delta is the null of the stems' sum against the mix (stems sum minus mix). Codec is
// the stereo master after a lossy codec's round trip (setCodecPreview: MP3, AAC, Opus or Vorbis; MP3 320 kb/s
// unless asked otherwise), made from the stereo master as load()'s measuring pass played it.
enum class MonitorSource { Mix, StereoMaster, StemMaster, Reference, Delta, Codec };
constexpr int kMonitorSourceCount = 6;
const char* monitorSourceName(MonitorSource source); // "mix","stereo","stem","reference","delta","codec"
bool monitorSourceFromName(std::string_view name, MonitorSource& source);

struct OutputDevice {
    std::string name;
    std::string hostApi;
    int maxOutputChannels = 0;
    double defaultSampleRate = 0;
    bool isDefault = false;
};

// One meter reading of the source as played and rendered: before the monitor (loudness-match) gain, which
// only changes what the speakers get (monitorGainDb() says by how much). The loudness readings start over at
// load, seek, play from a stop and on a source switch. Produced by the meter thread from the audio thread's
// lock-free tap.
struct MeterFrame {
    int64_t positionFrames = 0;
    MonitorSource source = MonitorSource::Mix;
    float momentaryLufs = -200, shortTermLufs = -200, integratedLufs = -200;
    float truePeakDbtp = -200; // 8x oversampled, max over the last meter period
    float peakDbfs[2] = {-200, -200};
    float rmsDbfs[2] = {-200, -200};
    float correlation = 0;
    float limiterGainReductionDb = 0; // of the master chain feeding the source, 0 when none
    float loudnessRangeLu = 0;        // LRA (EBU Tech 3342) of what was played since load/seek/source switch
    // Per-stem compressor gain reduction (dB, >= 0), in the session's stem order; 0 for stems whose
    // compressor is off or when the source is not the stem master.
    static constexpr int kMaxMeteredStems = 16;
    int numStems = 0;
    float stemGainReductionDb[kMaxMeteredStems] = {};
    // Per stem as above: peak control's largest reduction over the meter period (dB >= 0) and each dynamic EQ
    // band's gain (dB, negative = cut); and the dynamic EQ bands of the master feeding the source. 0 for what
    // is off or not heard.
    static constexpr int kMaxMeteredBands = 8;
    float stemPeakReductionDb[kMaxMeteredStems] = {};
    float stemDynamicEqGainDb[kMaxMeteredStems][kMaxMeteredBands] = {};
    float masterDynamicEqGainDb[kMaxMeteredBands] = {};
    // Each stem's level after its own chain, over the meter period (dBFS, the louder channel; -200 silent),
    // in session order: what the stem adds to the stem master whichever source is heard.
    std::array<float, kMaxMeteredStems> stemPeakDbfs = silence<kMaxMeteredStems>();
    std::array<float, kMaxMeteredStems> stemRmsDbfs = silence<kMaxMeteredStems>();
    // The master dynamics of the master feeding the source (dB, >= 0; 0 when none): the broadband
    // compressor, or with the multiband on each band's reduction, low band first (numBands 0 when off).
    float masterCompressorGainReductionDb = 0;
    int numBands = 0;
    float bandGainReductionDb[kMaxMeteredBands] = {};

    template <int N>
    static constexpr std::array<float, N> silence() {
        std::array<float, N> a{};
        for (float& v : a)
            v = -200.0f;
        return a;
    }
};

struct SpectrumFrame {
    int numBins = 0;
    double binHz = 0;
    std::array<float, 2049> magnitudesDb{};
};

// Real-time playback of a session through PortAudio with the same chains as the offline render. Control
// calls come from one control thread at a time (the GUI thread, or its loader thread during load(), or the
// CLI's main thread); the audio thread never allocates, locks, reads files or logs: the sources are streamed
// from disk by a reader thread into lock-free rings ahead of the play head (memory stays bounded whatever the
// song's length), their loudness is measured on a measuring thread, a new processing graph is built by
// update() off the audio thread and swapped in through an atomic, and the old graph is freed on the control
// thread. Each method says whether it
// is real-time safe (no allocation, lock, I/O or wait, so it could even be called from an audio callback) and
// which thread may call it. The class is split across core/engine/*.cpp by concern (AudioEngineImpl.h lists
// them).
class AudioEngine {
public:
    AudioEngine();  // starts the meter thread. Not RT safe.
    ~AudioEngine(); // closes the stream, stops the meter thread. Not RT safe.
    AudioEngine(const AudioEngine&) = delete;
    AudioEngine& operator=(const AudioEngine&) = delete;

    // The host's output devices (starts and stops PortAudio, which probes every card). Not RT safe; any
    // thread while no stream of this process is being opened.
    static std::vector<OutputDevice> outputDevices();

    // Opens the session's sources for streaming (a source at another rate, or lossy, is converted into a
    // private temporary file in the background: libsoxr, bounded memory; its start is ready in ms) and fills
    // the disk reader's rings at the start: then the mix, stems and reference play. The measuring thread
    // meanwhile runs the render's loudness search for the stereo and stem masters (each master is silent
    // until its gain is found) and measures every source's loudness as played; the codec preview of the
    // codec asked for (setCodecPreview) is made from the stereo master that pass played (streamed through
    // scratch files: any length) by the codec builder thread, in the background. The masters are measured in
    // parallel, each on a thread of its own. LoadMode::Measured returns when all that is done, the codec
    // preview included (throws the measuring's Error; a codec preview that cannot be made is a note in
    // takeError()); LoadMode::Playable as soon as the sources play, measured() telling when every source but
    // the codec preview is measured (a failure then comes from takeError()), codecPreviewState() when the
    // preview is ready.
    // Blocking: call off the GUI thread. Throws Error (a source that cannot be opened). Memory: the rings (~1
    // MiB per source and per codec preview); the codec preview, the master it was made from (for codec
    // switches) and the round trip's steps live in unlinked scratch files. Not RT safe; control thread (stops
    // and reopens the stream around the load).
    enum class LoadMode { Measured, Playable };
    void load(const Session& session, const std::function<void(double)>& progress = {},
              LoadMode mode = LoadMode::Measured);
    // Every source but the codec preview measured (the loudness figures, the match gains): the measuring
    // thread has finished, and the loudness match is ready for every source the engineer can switch to. The
    // codec source becomes available when its first preview is made (codecPreviewState().ready; an MP3
    // encode of the whole song, which the engineer need not wait for), its figures and match gain with it,
    // as after a codec switch. RT safe; any thread.
    bool measured() const;
    // Any parameter change while playing: applied smoothly, no restart, position kept. Builds the new
    // parameters (or graph, when a structural setting changed) here and hands them over lock-free. A new
    // match curve (master.match's parts, amount or limit) is designed here and crossfaded in; turning the
    // match on or off, or another reference or range, analyses (cached) and builds a new graph. The loudness
    // gain (and a matched loudness target) is found again only by load(). Not RT safe (allocates); control
    // thread. Throws Error when the sources changed (load again).
    void update(const Session& session);

    // Whether `session` needs load() rather than update(): other sources, or another loudness target (a
    // match to the reference's loudness turned on or off, or another reference or range), which the loudness
    // search must reach again. Not RT safe; control thread.
    bool needsLoad(const Session& session) const;

    // Opens the output ("" = default device; an unknown name falls back to the default with a note in
    // takeError()). bufferFrames is clamped to 32..2048; sampleRate 0 = the session's rate. When the device
    // runs at another rate the engine resamples. Not RT safe; control thread.
    bool open(const std::string& deviceName, int bufferFrames, int sampleRate, std::string& error);
    void close();                   // Not RT safe; control thread.
    bool isOpen() const;            // control thread
    std::string deviceName() const; // Not RT safe (copies); control thread.
    int bufferFrames() const;       // control thread

    // Transport: each request is an atomic store the audio thread acts on at its next buffer (with a short
    // declick fade). RT safe; control thread.
    void play();
    void pause();
    void stop(); // pause and return to the start (or the loop start)
    void seek(int64_t frame);
    void setLoop(int64_t start, int64_t end, bool enabled);

    // Switching to a master whose chain was idle (only the heard sources are processed) first warms that
    // chain over the last 0.2 s played, so it sounds as continuous playback would: the switch is heard ~30 ms
    // later (at any buffer size), the old source playing on meanwhile. Other switches start in the next
    // buffer. RT safe (an atomic store); control thread.
    void setSource(MonitorSource source);
    MonitorSource source() const;        // the one asked for. RT safe; any thread.
    MonitorSource heardSource() const;   // the one playing (or crossfading in) now. RT safe; any thread.
    void setLoudnessMatch(bool enabled); // RT safe; control thread.
    bool loudnessMatch() const;          // RT safe; any thread.
    // The gain (dB, <= 0) loudness matching applies to `source` on the way to the speakers, after the
    // meters; 0 when matching is off or the source is not available. RT safe; control thread.
    double monitorGainDb(MonitorSource source) const;
    // A small playback system's response (phone, laptop, earbuds, car) applied to what goes to the device,
    // after the meters (they read the master itself); Flat is bit-transparent. Switching crossfades. RT safe;
    // control thread.
    void setPlaybackSimulation(dsp::PlaybackSystem system);
    dsp::PlaybackSystem playbackSimulation() const; // RT safe; any thread.

    // The codec the Codec source previews: a lossy DeliverableSpec (mp3, aac, opus, vorbis; kb/s or quality,
    // 0 / -1 = the codec's default), encoded and decoded exactly as the render makes and checks that
    // deliverable (core/io/CodecPreview.h; a codec that cannot carry the session rate gets the render's
    // rate for it, resampled there and back). Until load()'s measuring thread has played the stereo master:
    // the first preview is of this one. After: it is rebuilt on the background thread from the stereo master
    // the measuring pass played (kept in an anonymous scratch file); the previous preview plays on, and the
    // new one crossfades in (~20 ms) when it is ready; its figures and the codec source's match gain follow
    // then. A failed rebuild leaves the previous preview playing and says why in takeError(). Not RT safe;
    // any control thread (also while a loader thread runs load(), or the measuring thread measures). Throws
    // Error for a spec that is not a codec or a setting out of range.
    void setCodecPreview(const DeliverableSpec& codec);
    DeliverableSpec
    codecPreview() const; // the codec asked for, its setting resolved. Not RT safe; control thread.
    struct CodecPreviewState {
        DeliverableSpec requested;            // resolved (withCodecDefaults)
        std::optional<DeliverableSpec> ready; // the newest preview made: what the codec source plays
        bool building = false;                // a rebuild for `requested` is under way
        std::string error;                    // why `requested` could not be made ("" = fine)
    };
    CodecPreviewState codecPreviewState() const; // Not RT safe (locks); any control thread.
    // Waits (up to timeoutSeconds) until no rebuild is under way; false on timeout. Not RT safe; control
    // thread.
    bool waitForCodecPreview(double timeoutSeconds) const;

    // How far the masters lag their inputs (the stems' aligned latency, then the master chain's: the match
    // stage, oversampling, the limiter's lookahead): the mix and the reference play this much later too, so
    // every source is heard at the same moment; a capture of the masters is the render delayed by this much.
    // RT safe; control thread.
    int latencyFrames() const;

    // What load() found and measured (-inf while not measured()). RT safe; control thread.
    bool sourceAvailable(MonitorSource source) const;
    double sourceIntegratedLufs(MonitorSource source) const; // measured at load; -inf when not available
    double sourceTruePeakDbtp(MonitorSource source) const;

    // Positions and lengths are in session-rate frames. RT safe: position(), playing() and
    // deviceSampleRate() on any thread, length() and sampleRate() on the control thread (load() sets them).
    int64_t position() const;
    int64_t length() const;
    bool playing() const;
    int sampleRate() const;       // the session's rate
    int deviceSampleRate() const; // the stream's rate (0 when closed)

    // The newest frame from a lock-free ring the meter thread fills; false if none new. RT safe; one reader
    // thread (the GUI's meter timer).
    bool readMeters(MeterFrame& frame);
    bool readSpectrum(SpectrumFrame& frame); // as readMeters
    // What went wrong since the last call, e.g. device lost: playback stopped, the app keeps running (a lost
    // stream is closed here). Not RT safe (locks, may close the stream); control thread.
    std::string takeError();

    struct Stats {
        long long callbacks = 0;
        long long xruns = 0;
        // Callbacks that took longer than their buffer period: the xruns Lathe itself caused. An xrun with no
        // late callback is the device's or the system's (a driver thread woken late, another client).
        long long lateCallbacks = 0;
        // Times the disk reader had not read far enough while playback ran on (not after a seek): the
        // callback played silence and held the position until it had.
        long long diskUnderruns = 0;
        double meanPercent = 0, p99Percent = 0, maxPercent = 0; // callback time as % of the buffer period
    };
    Stats stats() const; // RT safe (atomic loads); any thread.

    // Runs the exact callback body without PortAudio, at the session rate, in place of the device's callback
    // (tests, offline measuring). With waitForDisk it stands in for a device whose disk never falls behind:
    // where the callback would play silence until the disk reader has refilled (after a seek), it waits for
    // the reader instead (sleeps; not RT safe then). Without, RT safe. One thread at a time, never while a
    // stream is open.
    void processForTest(float* left, float* right, int frames, bool waitForDisk = true);
    // A disk that does not answer: the disk reader reads nothing while held (tests of the callback's never
    // waiting). Any thread.
    void holdDiskForTest(bool hold);
    // Waits (up to ~5 s) until the meter thread has measured everything played so far, so a test's meter
    // readings do not depend on how busy the machine is (the ring drops what the meter thread cannot keep up
    // with). Returns false on timeout. Not RT safe (sleeps); tests only.
    bool drainMetersForTest();

    // The stereo master the codec previews are made from (as load()'s measuring pass played it), read back
    // from its scratch file; false when there is none (not measured() yet) or a rebuild is under way. Not RT
    // safe; tests only.
    bool codecPreviewMasterForTest(std::vector<float>& left, std::vector<float>& right) const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace lathe::core
