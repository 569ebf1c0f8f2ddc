#pragma once

#include <atomic>

namespace lathe::dsp {

// A meter reading the audio thread writes and any thread reads: a relaxed atomic double (a meter needs the
// latest value, not ordering with other memory). Copies by value, so the units holding it stay copyable
// (chains hold units by value). load() and store() are real-time safe (lock-free on every target we build).
class MeterValue {
public:
    MeterValue() = default;
    MeterValue(const MeterValue& other) : value_(other.load()) {}
    MeterValue& operator=(const MeterValue& other) {
        store(other.load());
        return *this;
    }
    double load() const { return value_.load(std::memory_order_relaxed); }
    void store(double v) { value_.store(v, std::memory_order_relaxed); }

private:
    static_assert(std::atomic<double>::is_always_lock_free);
    std::atomic<double> value_{0.0};
};

} // namespace lathe::dsp
