#pragma once

// The engine's disk reader (as Ardour's DiskReader and its butler thread): a thread that keeps a lock-free
// ring per source filled ahead of the play head, so the audio callback only copies from memory. Internal to
// core/engine (AudioEngineImpl.h).

#include "core/engine/DiskSource.h"
#include "core/engine/SpscRingBuffer.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lathe::core::engine {

// The reader thread reads every source in lock step, kReadFrames at a time, and after the audio of a chunk is
// in every ring it pushes the chunk's song position to a timeline ring. The consumer (the audio callback)
// asks ready(pos): chunks that do not hold where playback is (a seek, a loop moved, a request overtaken) are
// dropped by advancing the read indices (a chunk holding it is entered there), and when nothing is there it
// posts a request for pos and gets 0, never waiting. Because a chunk says which song frames it holds, the
// consumer can never play audio from the wrong place: any disagreement costs a refill, not a wrong sample.
// The reader follows the loop itself (reads wrap at the loop end) so a loop plays seamlessly. Hand-over is
// the rings' acquire/release indices plus a request counter (release) and position; nothing is locked on the
// audio thread.
class DiskReader {
public:
    // ~2.7 s ahead at 48 kHz per source (1 MiB of stereo float): room for a slow disk or a busy machine.
    static constexpr int kRingFrames = 1 << 17;
    static constexpr int kReadFrames = 8192;

    DiskReader() = default;
    ~DiskReader(); // stops the thread
    DiskReader(const DiskReader&) = delete;
    DiskReader& operator=(const DiskReader&) = delete;

    // Takes the sources (the engine's order) and starts the thread reading from pos. Not RT safe; control
    // thread, while no consumer runs.
    void start(std::vector<std::unique_ptr<DiskSource>> sources, int64_t pos);
    void stop(); // joins the thread and frees the sources. Not RT safe; control thread, no consumer running.
    bool running() const { return thread_.joinable(); }
    // Readers of the same sources for another thread (the measuring pass). Not RT safe; control thread.
    std::vector<std::unique_ptr<DiskSource>> reopenSources() const;
    int numSources() const { return static_cast<int>(sources_.size()); }

    // Where playback goes next (a seek from the control thread): the reader starts there without waiting for
    // the callback to ask. RT safe; any thread.
    void request(int64_t pos);
    // The loop the reader follows. RT safe; control thread.
    void setLoop(int64_t start, int64_t end, bool enabled);

    // Consumer side (the audio thread, or one thread standing in for it). RT safe.
    // Frames (<= n) that can be read from pos on now; 0 means not yet: pos has been asked for.
    int ready(int64_t pos, int n);
    // Copies n frames (n <= what ready() said) of source s from the head of its ring.
    void read(int s, float* l, float* r, int n);
    void consume(int n); // the head moves on by n frames (n <= what ready() said)

    // Waits (sleeping) until ready(pos) > 0. Not RT safe; the consumer thread: load(), tests. False on
    // timeout.
    bool waitReady(int64_t pos, double seconds);

    std::string takeError(); // a source that failed while playing (it plays silence). Not RT safe; control.

    // Tests only: while held the reader thread reads nothing, as a disk that does not answer, so a test can
    // show the consumer never waits for it. Any thread.
    void holdForTest(bool hold) { holdForTest_.store(hold, std::memory_order_release); }

private:
    struct Chunk {
        int64_t pos = 0;
        int frames = 0;
    };
    void run();
    void fail(const std::string& message);

    std::vector<std::unique_ptr<DiskSource>> sources_;
    std::vector<std::unique_ptr<SpscRingBuffer<float>>> rings_; // interleaved stereo
    std::unique_ptr<SpscRingBuffer<Chunk>> timeline_;
    int headOffset_ = 0;      // consumer: frames of the head chunk already consumed
    int64_t asked_ = -1;      // consumer: the position asked for and not yet found
    uint64_t askedCount_ = 0; // consumer: the request count its ask made (another request since: ask again)
    std::atomic<int64_t> requestPos_{0};
    std::atomic<uint64_t> requestCount_{0};
    std::atomic<int64_t> loopStart_{0}, loopEnd_{0};
    std::atomic<bool> loopOn_{false};
    std::atomic<bool> quit_{false};
    std::atomic<bool> holdForTest_{false};
    std::thread thread_;
    std::mutex errorMutex_; // reader thread and control thread only
    std::string error_;
};

} // namespace lathe::core::engine
