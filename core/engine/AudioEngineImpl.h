#pragma once

// The engine's state and the work of each of its threads, one class split across files by concern (as
// Ardour's Session is): EngineGraph.cpp (build, hand-over, sources), AudioCallback.cpp (the audio thread),
// MeterThread.cpp, DeviceStream.cpp (PortAudio), EngineLoad.cpp (opening the sources), EngineMeasure.cpp (the
// background measuring thread), DiskReader.cpp (the disk reader thread), AudioEngine.cpp (the control calls).
// Internal to core/engine.

#include "core/analysis/MatchSession.h"
#include "core/engine/AudioEngine.h"
#include "core/engine/CodecPreviewSource.h"
#include "core/engine/DiskReader.h"
#include "core/engine/EngineGraph.h"
#include "core/engine/SpscRingBuffer.h"
#include "core/render/LoudnessSearch.h"

#include <portaudio.h>

#include <array>
#include <atomic>
#include <cmath>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lathe::core {
namespace engine {

// A source switch crossfades over ~5 ms at 48 kHz: short enough to feel instant, long enough not to click.
constexpr int kCrossfadeFrames = 256;
constexpr int kDeclickFrames = 128; // transport fade around pause and seek
constexpr int kMeterRingFrames = 1 << 16;
constexpr int kHistogramBins = 1000; // 0.2 % per bin up to 200 % of the period

inline double nowSeconds() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

} // namespace engine

struct AudioEngine::Impl {
    // Loaded material (control thread owns; audio thread reads only while a graph is live). The sources are
    // streamed from disk by the reader thread (stems in session order, then the mix, then the reference).
    Session session;
    int loadedRate = 0;
    engine::DiskReader disk;
    int numStems = 0;
    int mixSource = -1, referenceSource = -1; // their index in the disk reader, -1 when the session has none
    bool hasMix() const { return mixSource >= 0; }
    bool hasStems() const { return numStems > 0; }
    int64_t lengthFrames = 0;
    MasterMatch masterMatch[2]; // per master (engine::kStereoMasterChain, kStemMasterChain)

    // What the measuring thread finds (EngineMeasure.cpp), published through atomics as it goes: each
    // master's loudness gain (the masters stay silent until theirs is known, rather than play at the wrong
    // loudness), then every source's loudness and true peak, the codec preview (handed to codecPreview) and
    // the match gains; `measured` last. The codec source's figures and availability live in codecPreview (it
    // is rebuilt in the background): read every source through sourceIsAvailable() / sourceLufsOf() /
    // sourcePeakOf().
    std::atomic<double> masterGainDb[2];
    std::atomic<bool> masterGainReady[2];
    std::atomic<double> sourceLufs[kMonitorSourceCount];
    std::atomic<double> sourcePeak[kMonitorSourceCount];
    std::atomic<bool> available[kMonitorSourceCount];
    std::atomic<bool> measured{false};
    std::atomic<bool> measureCancel{false};
    std::thread measurer;
    Session measuring;        // the session being measured: a snapshot update() leaves alone
    std::string measureError; // written by the measuring thread before `measured` (release)

    // Hand-over to the audio thread.
    std::atomic<engine::Graph*> pendingGraph{nullptr};
    std::atomic<engine::Params*> pendingParams{nullptr};
    SpscRingBuffer<engine::Graph*> retiredGraphs{64};
    SpscRingBuffer<engine::Params*> retiredParams{64};
    engine::Graph* graph = nullptr;                           // audio thread
    engine::Params* params = nullptr;                         // audio thread
    engine::Params* lingering[engine::kLingeringParams] = {}; // audio thread
    std::atomic<bool> graphLive{false};
    std::atomic<int> latency{0}; // of the newest graph published

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
    std::atomic<float> stemPeakGr[MeterFrame::kMaxMeteredStems];
    std::atomic<float> stemDynamicEqDb[MeterFrame::kMaxMeteredStems][MeterFrame::kMaxMeteredBands];
    std::atomic<float> masterDynamicEqDb[MeterFrame::kMaxMeteredBands];
    std::atomic<int> meteredStems{0};
    // Stem levels accumulated by the audio thread, taken (and started over) by the meter thread each period.
    // A block landing between the meter thread's take and the audio thread's store is merely counted in the
    // next period or lost: a level meter can afford it, a lock could not.
    std::atomic<float> stemPeakHold[MeterFrame::kMaxMeteredStems];
    std::atomic<double> stemSumSq[MeterFrame::kMaxMeteredStems];
    std::atomic<int64_t> stemLevelFrames{0};
    std::atomic<float> masterCompressorGr{0};
    std::atomic<int> meteredBands{0};
    std::atomic<float> bandGr[MeterFrame::kMaxMeteredBands];
    std::atomic<bool> sourceChanged{false}; // meter thread: start the readings over for the new source

    // Audio thread state.
    int currentSource = 0, previousSource = 0, fadePos = engine::kCrossfadeFrames;
    int64_t streamedUpTo = -1; // the frame after the last one read from the disk reader (-1: none yet)
    bool waitingForDisk = false;
    bool testWaitsForDisk = false; // processForTest: stand in for a device whose disk never falls behind
    std::atomic<long long> diskUnderruns{0};
    float transportGain = 0;
    float matchAmount = 0;
    // What the meters read, one block: the played signal before the monitor gain (allocated once, here).
    std::array<float, engine::kMaxBlock> meterTapL{}, meterTapR{};

    // Meters: the audio thread copies what it plays into a ring; the meter thread measures it.
    SpscRingBuffer<float> meterRing{engine::kMeterRingFrames * 2};
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
    std::atomic<unsigned> histogram[engine::kHistogramBins + 1];

    Impl();  // starts the meter thread
    ~Impl(); // stops it; frees every graph

    // Graph and hand-over (EngineGraph.cpp).
    std::unique_ptr<engine::Graph> buildGraph(const Session& s, int rate) const; // control thread
    // The same from given match plans (a copy): any thread while the sources stay loaded (the measuring
    // threads build theirs so, off the playable path).
    std::unique_ptr<engine::Graph> buildGraph(const Session& s, int rate,
                                              const MasterMatch (&match)[2]) const;
    void publishGraph(std::unique_ptr<engine::Graph> g);              // control thread
    void publishParams(const Session& s, bool newMatchCurve = false); // control thread
    void reap();                          // control thread: frees what the audio thread retired
    void takeUpdates();                   // audio thread
    bool retireParams(engine::Params* p); // audio thread: false when it cannot be put away yet
    void retireLingeringParams();         // audio thread
    // The match kernels for the session's current curves, one per master (control thread).
    void planMatch(const Session& s);
    void makeMatchKernels(std::unique_ptr<dsp::MatchKernels> (&kernels)[2], int rate) const;
    static void makeMatchKernels(std::unique_ptr<dsp::MatchKernels> (&kernels)[2], int rate,
                                 const MasterMatch (&match)[2]);
    void computeSources(engine::Graph& g, int64_t pos, int n, unsigned need, int warming = -1);
    static bool primeMaster(engine::Graph& g, int m, int64_t budget);
    static void runMasterChain(engine::Graph& g, int m, float* l, float* r, int n, int64_t t);
    static void restartGraph(engine::Graph& g);
    static void sourceBuffers(engine::Graph& g, int s, const float*& l, const float*& r);

    // The audio callback (AudioCallback.cpp).
    void process(float* outL, float* outR, int frames);
    void recordCallback(double seconds, int frames, int rate, bool xrun);

    // The meter thread (MeterThread.cpp).
    void meterLoop();

    // The device stream (DeviceStream.cpp).
    static int paCallback(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                          PaStreamCallbackFlags flags, void* user);
    static void paFinished(void* user);
    void markDeviceLost();
    void watchStream(long long& lastCallbacks, double& lastSeen); // meter thread

    // Loading (EngineLoad.cpp): opens the sources at `rate` and starts the disk reader at frame 0.
    void openSources(const Session& s, int rate);
    bool readInputs(engine::Graph& g, int64_t pos, int& n); // audio thread: false while the disk catches up
    void makeCodec(std::shared_ptr<FrameCache> master, int rate);

    // Measuring (EngineMeasure.cpp): on its own thread, its own graph and its own readers of the sources.
    void startMeasuring(int rate);
    void stopMeasuring();     // cancels and joins; control thread
    void resetMeasurements(); // nothing measured, the masters silent; control thread, no measuring running
    struct MeasureJob {
        bool wanted = false; // the session has this master
        std::vector<std::unique_ptr<engine::DiskSource>> sources;
    };
    struct MeasureJobs {
        MeasureJob master[2];                                   // per master chain
        std::vector<std::unique_ptr<engine::DiskSource>> plain; // for the mix and the reference
        MasterMatch match[2]; // the match plans the measuring graphs are built with (a copy)
    };
    void measure(const Session& s, MeasureJobs jobs, int rate);
    void measureMaster(const Session& s, int m, MeasureJob& job, const MasterMatch (&match)[2],
                       int rate); // a thread of measure()'s
    void measurePlain(std::vector<std::unique_ptr<engine::DiskSource>>& sources, int rate);

    // The codec preview's side of the engine (EngineCodecPreview.cpp).
    bool sourceIsAvailable(int source) const; // RT safe; any thread
    double sourceLufsOf(int source) const;    // RT safe (atomics); any thread
    double sourcePeakOf(int source) const;
    // Matching turns the louder sources down to the quietest: from the figures the measuring thread found and
    // the newest codec preview's. Nothing is set until the measuring thread says every other source is
    // measured (sourcesMeasured). The measuring thread or the codec builder (under its lock).
    void updateMatchGains(bool sourcesMeasured = false);
    std::mutex matchGainsMutex;   // serialises updateMatchGains
    bool matchGainsReady = false; // matchGainsMutex: the measuring thread has measured every other source

    void setError(std::string e); // any control thread

    // The codec compare source and its builder thread. Declared last, so it (and its thread, which calls
    // back into updateMatchGains and setError) goes first.
    engine::CodecPreviewSource codecPreview;
};

} // namespace lathe::core
