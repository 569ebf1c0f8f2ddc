#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace lathe::core {

// Lock-free single-producer single-consumer ring of trivially copyable T (Ardour-style): the capacity is a
// power of two, one slot is kept empty, indices are published with release and read with acquire. Only the
// constructor allocates. Reader and writer may each be on their own thread: one writer, one reader.
template <typename T>
class SpscRingBuffer {
    // Items are copied by assignment on the audio thread: a copy that allocates (a std::string, a vector)
    // would break real-time safety, and one that is not trivial could observe a slot being rewritten.
    static_assert(std::is_trivially_copyable_v<T>, "SpscRingBuffer holds trivially copyable items only");
    static_assert(std::is_default_constructible_v<T>, "the slots are default-constructed up front");
    // A lock behind the indices (an atomic emulated with a mutex) would make every push and pop a lock.
    static_assert(std::atomic<size_t>::is_always_lock_free, "SpscRingBuffer needs lock-free atomic indices");

public:
    // Capacity is minCapacity rounded up to a power of two less one. Not RT safe (allocates); before any
    // reader or writer runs.
    explicit SpscRingBuffer(size_t minCapacity) {
        size_t size = 2;
        while (size < minCapacity + 1)
            size <<= 1;
        buffer_.resize(size);
        mask_ = size - 1;
    }

    size_t capacity() const { return mask_; }

    // Everything below is RT safe (no allocation, lock or wait). The write side (writeSpace, writeVector,
    // advanceWrite, write, push) belongs to the one writer thread, the read side to the one reader thread.

    size_t writeSpace() const {
        const size_t w = write_.load(std::memory_order_relaxed);
        const size_t r = read_.load(std::memory_order_acquire);
        return (r - w - 1) & mask_;
    }
    size_t readSpace() const {
        const size_t w = write_.load(std::memory_order_acquire);
        const size_t r = read_.load(std::memory_order_relaxed);
        return (w - r) & mask_;
    }

    // Up to two contiguous regions (the second after wrap-around), as Ardour's get_write_vector.
    struct Vector {
        T* data[2];
        size_t length[2];
    };
    Vector writeVector() {
        const size_t w = write_.load(std::memory_order_relaxed);
        const size_t space = writeSpace();
        const size_t first = std::min(space, buffer_.size() - w);
        return {{buffer_.data() + w, buffer_.data()}, {first, space - first}};
    }
    Vector readVector() {
        const size_t r = read_.load(std::memory_order_relaxed);
        const size_t avail = readSpace();
        const size_t first = std::min(avail, buffer_.size() - r);
        return {{buffer_.data() + r, buffer_.data()}, {first, avail - first}};
    }
    void advanceWrite(size_t n) {
        write_.store((write_.load(std::memory_order_relaxed) + n) & mask_, std::memory_order_release);
    }
    void advanceRead(size_t n) {
        read_.store((read_.load(std::memory_order_relaxed) + n) & mask_, std::memory_order_release);
    }

    // Writes as many as fit; returns how many were written.
    size_t write(const T* items, size_t n) {
        Vector v = writeVector();
        n = std::min(n, v.length[0] + v.length[1]);
        const size_t a = std::min(n, v.length[0]);
        for (size_t i = 0; i < a; ++i)
            v.data[0][i] = items[i];
        for (size_t i = a; i < n; ++i)
            v.data[1][i - a] = items[i];
        advanceWrite(n);
        return n;
    }
    size_t read(T* items, size_t n) {
        Vector v = readVector();
        n = std::min(n, v.length[0] + v.length[1]);
        const size_t a = std::min(n, v.length[0]);
        for (size_t i = 0; i < a; ++i)
            items[i] = v.data[0][i];
        for (size_t i = a; i < n; ++i)
            items[i] = v.data[1][i - a];
        advanceRead(n);
        return n;
    }
    bool push(const T& item) { return write(&item, 1) == 1; }
    bool pop(T& item) { return read(&item, 1) == 1; }

private:
    std::vector<T> buffer_;
    size_t mask_ = 0;
    std::atomic<size_t> write_{0};
    std::atomic<size_t> read_{0};
};

} // namespace lathe::core
