#include "core/render/ThreadPool.h"

#include "dsp/ScopedFlushDenormals.h"

#include <algorithm>

namespace lathe::core {

ThreadPool::ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i)
        workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_)
        w.join();
}

int ThreadPool::defaultThreads() {
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void ThreadPool::drain() {
    std::unique_lock lock(mutex_);
    while (next_ < count_) {
        const int index = next_++;
        ++running_;
        const auto* task = task_;
        lock.unlock();
        std::exception_ptr failure;
        try {
            (*task)(index);
        } catch (...) {
            failure = std::current_exception();
        }
        lock.lock();
        --running_;
        if (failure) {
            if (!error_) error_ = failure;
            next_ = count_; // skip what is left
        }
        if (running_ == 0 && next_ >= count_) done_.notify_all();
    }
}

void ThreadPool::workerLoop() {
    const dsp::ScopedFlushDenormals flushDenormals;
    long long seen = 0;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
        }
        drain();
    }
}

void ThreadPool::parallelFor(int count, const std::function<void(int)>& task) {
    if (count <= 0) return;
    if (workers_.empty() || count == 1) {
        for (int i = 0; i < count; ++i)
            task(i);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        task_ = &task;
        count_ = count;
        next_ = 0;
        running_ = 0;
        error_ = nullptr;
        ++generation_;
    }
    wake_.notify_all();
    drain();
    std::exception_ptr error;
    {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return running_ == 0 && next_ >= count_; });
        error = error_;
        error_ = nullptr;
        task_ = nullptr;
    }
    if (error) std::rethrow_exception(error);
}

} // namespace lathe::core
