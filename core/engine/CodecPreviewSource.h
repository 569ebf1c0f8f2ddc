#pragma once

// The live codec compare source (MonitorSource::Codec): the stereo master as the engine plays it, through
// one lossy codec's round trip (core/io/CodecPreview.h, the render's encoders and codec-check decoders),
// switchable between codecs while playing. Internal to core/engine (AudioEngineImpl.h owns one).
//
// Threads: the engine's measuring thread hands over the stereo master after its pass and a control thread
// asks for other codecs; a builder thread owned here (at a lower priority: background work) makes the first
// preview and those others from the stereo master load() played (kept in an anonymous scratch file, not the
// heap), measures them as they are decoded and publishes each
// through an atomic pointer. A preview is never held in memory: its round trip is streamed into a private
// temporary file (unlinked: nothing is left behind) and a disk reader of its own (DiskReader, as for every
// source) keeps a ring filled ahead of the play head, so a song of any length gets one in bounded memory. The
// audio thread adopts a published preview at the top of a callback once its ring holds the play head, and
// crossfades from the old one, which it retires through a lock-free ring; the builder thread frees what was
// retired (stopping its reader). The audio thread never allocates, locks, frees or waits here.

#include "core/engine/DiskReader.h"
#include "core/engine/EngineGraph.h"
#include "core/engine/SpscRingBuffer.h"
#include "core/model/DeliverableSpec.h"

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace lathe::core {

class FrameCache;

namespace engine {

// One preview as the audio thread reads it; immutable once published.
struct CodecTrack {
    DeliverableSpec codec; // resolved (withCodecDefaults)
    DiskReader reader;     // its one source: the preview, aligned sample for sample with the master as played
};

// What the control thread sees of the codec source.
struct CodecPreviewStatus {
    DeliverableSpec requested; // the codec asked for
    DeliverableSpec ready;     // the newest preview made (what plays, once its crossfade is done)
    bool available = false;    // a preview exists
    bool building = false;     // a rebuild for `requested` is under way or queued
    std::string error;         // why the newest request could not be made ("" = fine)
};

class CodecPreviewSource {
public:
    // Allocates the audio thread's crossfade scratch and starts the builder thread. Not RT safe.
    CodecPreviewSource();
    // Stops the builder (waits for a build under way) and frees every preview. Not RT safe; the audio thread
    // must not be running.
    ~CodecPreviewSource();
    CodecPreviewSource(const CodecPreviewSource&) = delete;
    CodecPreviewSource& operator=(const CodecPreviewSource&) = delete;

    // Forgets the previews and the master (a build under way finishes unseen). Not RT safe; control thread,
    // the audio thread not running (load, a new device rate).
    void clear();
    // Keeps the stereo master as played at `rate` (a scratch file the caller wrote) for later rebuilds and
    // queues the requested codec's preview from it for the builder thread (it returns at once: the preview
    // and its figures follow as a rebuild's do, onPublished or onError telling). Not RT safe; one thread at
    // a time (the engine's measuring thread), after clear(); the audio thread may be running.
    void load(std::shared_ptr<FrameCache> master, int rate, double ceilingDbtp);
    // The codec to preview (a lossy DeliverableSpec; throws Error otherwise). Before load(): the one load()
    // makes. After: rebuilt in the background; the old preview plays on until the new one crossfades in.
    // Not RT safe; any control thread, also while another one runs load().
    void request(const DeliverableSpec& codec);
    CodecPreviewStatus status() const; // Not RT safe (locks); control thread.
    // Waits until no build (the first, or a rebuild) is pending (false on timeout). Not RT safe; control
    // thread.
    bool waitUntilBuilt(double timeoutSeconds) const;
    // The stereo master the previews are made from, read back (false when none, or a build is under way).
    // Not RT safe; tests only.
    bool masterForTest(std::vector<float>& left, std::vector<float>& right) const;
    // Called on the builder thread after each preview is published (for the match gains) and with the
    // error of a failed build. Set once, before load(). The callback runs under this object's lock: it
    // must not call back into it.
    void setCallbacks(std::function<void()> onPublished, std::function<void(const std::string&)> onError);

    // The newest preview's figures, measured as load() measures every source (8x true peak, BS.1770
    // integrated). RT safe (atomics); any thread.
    bool available() const { return available_.load(std::memory_order_acquire); }
    double integratedLufs() const { return lufs_.load(std::memory_order_acquire); }
    double truePeakDbtp() const { return peak_.load(std::memory_order_acquire); }

    // Takes a newly published preview once its reader holds `pos` (the play head): crossfades to it while
    // the codec source is `audible`, else switches at once; with waitForDisk it waits for that reader
    // (processForTest; not RT safe then). RT safe otherwise; audio thread (takeUpdates).
    void adopt(bool audible, int64_t pos, bool waitForDisk = false);
    // The preview's frames [pos, pos+n) (n <= kMaxBlock), silence outside it, with none, or where its reader
    // has not read yet (after a seek: a few ms); with waitForDisk it waits for the reader instead (tests:
    // processForTest; not RT safe then). RT safe otherwise; the audio thread.
    void read(int64_t pos, float* left, float* right, int n, bool waitForDisk = false);
    // Keeps the previews' readers at the play head while the codec source is not read, so a switch to it
    // plays at once; n = 0 only asks for pos (the engine's own reader refilling there). RT safe; audio
    // thread.
    void follow(int64_t pos, int n);
    // The loop the readers follow (as the engine's disk reader). RT safe; control thread.
    void setLoop(int64_t start, int64_t end, bool enabled);

private:
    struct Job {
        DeliverableSpec codec;
        std::shared_ptr<FrameCache> master;
        int rate = 0;
        double ceilingDbtp = -1;
        uint64_t generation = 0;
    };
    void builderLoop();
    void publishLocked(std::unique_ptr<CodecTrack> track, double lufs, double peak, bool notify); // locked
    bool buildingLocked() const;
    void reapRetired(); // builder thread, or any thread once it stopped
    // Stops early (CodecPreviewCancelled) once clear() moved on from `generation` or the destructor runs.
    std::unique_ptr<CodecTrack> build(FrameCache& master, int rate, const DeliverableSpec& codec,
                                      double& lufs, double& peak, uint64_t generation) const;
    static void readTrack(CodecTrack* track, int64_t pos, float* left, float* right, int n, bool waitForDisk);

    // Control state (mutex_).
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::optional<Job> queued_;
    std::shared_ptr<FrameCache> master_;
    int rate_ = 0;
    double ceilingDbtp_ = -1;
    uint64_t generation_ = 0; // bumped by clear(): a build of an older generation is dropped
    CodecPreviewStatus status_;
    bool working_ = false;
    uint64_t workingGeneration_ = 0;
    bool quit_ = false;
    std::function<void()> onPublished_;
    std::function<void(const std::string&)> onError_;

    std::atomic<bool> available_{false};
    std::atomic<uint64_t> liveGeneration_{0}; // generation_, for a build to see it moved on without the lock
    std::atomic<bool> stopping_{false};
    std::atomic<double> lufs_{-HUGE_VAL}, peak_{-HUGE_VAL};

    // Hand-over to the audio thread.
    std::atomic<CodecTrack*> pending_{nullptr};
    SpscRingBuffer<CodecTrack*> retired_{16};
    CodecTrack* active_ = nullptr;     // audio thread
    CodecTrack* fading_ = nullptr;     // audio thread: the preview crossfading out
    CodecTrack* incoming_ = nullptr;   // audio thread: taken from pending_, its reader filling at the head
    std::atomic<int64_t> playhead_{0}; // where the audio thread reads: a new preview's reader starts there
    std::atomic<int64_t> loopStart_{0}, loopEnd_{0};
    std::atomic<bool> loopOn_{false};
    int fadePos_ = 0; // audio thread
    std::vector<float> fadeL_, fadeR_;

    std::thread builder_;
};

} // namespace engine
} // namespace lathe::core
