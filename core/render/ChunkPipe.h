#pragma once

#include <array>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lathe::core::render {

// Moves chunks of stereo audio from the thread that makes them to one thread that consumes them, through a
// small ring of buffers, so a limiter pass and the measuring and writing of its output run on two cores.
// Unthreaded, push() consumes inline: the same calls in the same order, so results cannot differ.
class ChunkPipe {
public:
    using Consumer = std::function<void(float* left, float* right, int frames)>;

    // Chunks of up to maxFrames frames. Threaded, starts the consumer thread.
    ChunkPipe(bool threaded, int maxFrames, Consumer consume);
    ~ChunkPipe(); // abandons what was not consumed (finish() was not reached: an error or a cancel)
    ChunkPipe(const ChunkPipe&) = delete;
    ChunkPipe& operator=(const ChunkPipe&) = delete;

    // Rethrows the consumer's failure (a full disk, say) as soon as it is known.
    // The consumer may change the audio in place (in the producer's buffer when unthreaded).
    void push(float* left, float* right, int frames);

    // Waits until everything pushed has been consumed.
    void finish();

private:
    static constexpr int kSlots = 4;
    struct Slot {
        std::vector<float> left, right;
        int frames = 0;
    };

    void consumerLoop();

    Consumer consume_;
    std::array<Slot, kSlots> slots_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    int head_ = 0;
    int count_ = 0;
    bool finished_ = false;
    bool aborted_ = false;
    std::exception_ptr error_;
};

} // namespace lathe::core::render
