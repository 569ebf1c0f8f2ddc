#include "core/render/ChunkPipe.h"

#include "dsp/ScopedFlushDenormals.h"

#include <algorithm>

namespace lathe::core::render {

ChunkPipe::ChunkPipe(bool threaded, int maxFrames, Consumer consume) : consume_(std::move(consume)) {
    if (!threaded) return;
    for (auto& slot : slots_) {
        slot.left.resize(static_cast<std::size_t>(maxFrames));
        slot.right.resize(static_cast<std::size_t>(maxFrames));
    }
    thread_ = std::thread([this] { consumerLoop(); });
}

ChunkPipe::~ChunkPipe() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        aborted_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void ChunkPipe::push(float* left, float* right, int frames) {
    if (!thread_.joinable()) {
        consume_(left, right, frames);
        return;
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ < kSlots || error_; });
    if (error_) std::rethrow_exception(error_);
    Slot& slot = slots_[static_cast<size_t>((head_ + count_) % kSlots)];
    lock.unlock();
    std::copy_n(left, frames, slot.left.begin());
    std::copy_n(right, frames, slot.right.begin());
    slot.frames = frames;
    lock.lock();
    ++count_;
    changed_.notify_all();
}

void ChunkPipe::finish() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
    }
    changed_.notify_all();
    thread_.join();
    if (error_) std::rethrow_exception(error_);
}

void ChunkPipe::consumerLoop() {
    const dsp::ScopedFlushDenormals flushDenormals;
    for (;;) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return count_ > 0 || finished_ || aborted_; });
        if (aborted_ || count_ == 0) return;
        Slot& slot = slots_[static_cast<size_t>(head_)];
        lock.unlock();
        try {
            consume_(slot.left.data(), slot.right.data(), slot.frames);
        } catch (...) {
            lock.lock();
            error_ = std::current_exception();
            changed_.notify_all();
            return;
        }
        lock.lock();
        head_ = (head_ + 1) % kSlots;
        --count_;
        changed_.notify_all();
    }
}

} // namespace lathe::core::render
