#pragma once

#include <atomic>

namespace lathe::dsp {

// A meter reading the audio thread writes and any thread reads: a relaxed atomic double (a meter needs the
// latest value, not ordering with other memory). Every dsp unit that meters (Compressor, MultibandCompressor,
// DynamicEq, PeakControl, LoudnessMeter, CorrelationMeter, TruePeakMeter, SubAudibleMeter; SpectrumAnalyzer
// per bin) publishes its readings through one of these once per processed block, so a GUI or meter thread
// may read them while process() runs. Copies by value, so the units holding it stay copyable (chains hold
// units by value).
class MeterValue {
public:
    MeterValue() = default;
    explicit MeterValue(double initial) : value_(initial) {}
    MeterValue(const MeterValue& other) noexcept : value_(other.load()) {}
    MeterValue& operator=(const MeterValue& other) noexcept {
        store(other.load());
        return *this;
    }
    // RT safe; any thread (lock-free on every target we build, checked below).
    double load() const { return value_.load(std::memory_order_relaxed); }
    // RT safe; any thread.
    void store(double v) { value_.store(v, std::memory_order_relaxed); }

private:
    static_assert(std::atomic<double>::is_always_lock_free);
    std::atomic<double> value_{0.0};
};

} // namespace lathe::dsp
