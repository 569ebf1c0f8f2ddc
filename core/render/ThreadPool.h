#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lathe::core {

// A fixed set of worker threads for offline rendering, used as a fork-join parallel for: parallelFor hands
// out task indices to the workers and the calling thread alike and returns when every task has finished.
// Tasks must not depend on which thread runs them or in what order, so results never depend on the thread
// count. Workers run with denormals flushed (see dsp/ScopedFlushDenormals.h), like the render threads.
class ThreadPool {
public:
    // `threads` counts the calling thread: 1 makes no workers and runs everything inline.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int threads() const { return static_cast<int>(workers_.size()) + 1; }

    // Runs task(0) .. task(count - 1), each exactly once. If tasks throw, the remaining ones are skipped and
    // the first exception is rethrown here once no task is running any more.
    void parallelFor(int count, const std::function<void(int)>& task);

    // Threads a render should use when the caller does not say: the machine's cores.
    static int defaultThreads();

private:
    void workerLoop();
    // Takes task indices until none is left; returns after recording the first exception.
    void drain();

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    const std::function<void(int)>* task_ = nullptr;
    int count_ = 0;
    int next_ = 0;
    int running_ = 0; // tasks taken and not yet finished
    long long generation_ = 0;
    bool stopping_ = false;
    std::exception_ptr error_;
};

} // namespace lathe::core
