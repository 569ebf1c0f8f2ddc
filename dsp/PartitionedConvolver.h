#pragma once

#include <memory>
#include <vector>

namespace lathe::dsp {

// One FIR cut into partitions of B samples, each zero-padded to 2B and transformed: what a
// PartitionedConvolver multiplies by. Made off the audio thread (allocates, plans an FFT under
// fftwPlannerMutex), then handed to a convolver with setFilter(), which only reads it.
class ConvolverFilter {
public:
    // partitionSize: a power of two >= 16. Not RT safe.
    ConvolverFilter(const float* impulseResponse, int length, int partitionSize);
    // Not RT safe.
    ConvolverFilter(const std::vector<float>& impulseResponse, int partitionSize)
        : ConvolverFilter(impulseResponse.data(), static_cast<int>(impulseResponse.size()), partitionSize) {}
    // Frees the FFTW buffers: not RT safe (retire a filter off the audio thread once uses() is false).
    ~ConvolverFilter();
    ConvolverFilter(const ConvolverFilter&) = delete;
    ConvolverFilter& operator=(const ConvolverFilter&) = delete;

    // RT safe.
    int length() const { return length_; }
    int partitionSize() const { return partitionSize_; }
    int numPartitions() const { return numPartitions_; }

private:
    friend class PartitionedConvolver;
    int length_ = 0;
    int partitionSize_ = 0;
    int numPartitions_ = 0;
    int stride_ = 0;      // bins per partition, padded to a multiple of 4 for the SIMD multiply-add
    float* re_ = nullptr; // numPartitions_ x stride_, FFTW-aligned; the inverse FFT's 1/(2B) folded in
    float* im_ = nullptr;
};

// Convolution of one channel with a long FIR (a match filter's 16383 taps) by uniformly partitioned
// overlap-save (UPOLS): every B input samples one FFT of 2B, a frequency-domain multiply-add over the
// filter's partitions against the spectra of the last inputs, one inverse FFT. Fixed cost per partition,
// whatever the FIR: a 256-sample partition of a 16383-tap FIR is 64 complex multiply-adds per bin.
//
// Latency: B samples (input is gathered into whole partitions, so any host block size works); an FIR's own
// delay comes on top. For the live engine choose B = the callback size (each callback then runs exactly one
// partition: a constant cost, no burst); offline a large B (4096-8192) is several times cheaper per sample.
//
// Changing the filter while audio runs (the match amount moved): setFilter() with a new ConvolverFilter made
// off the audio thread. The input spectra are kept, so the new filter has its full history at once, and the
// next partition is computed with both filters and crossfaded (raised cosine over B samples): no click, no
// gap, at twice the cost for that one partition.
//
// Single-precision FFTW, planned FFTW_ESTIMATE (the same algorithm on every run, so a render is
// bit-reproducible, which FFTW_MEASURE's timing-dependent choice would not be). Error against direct
// convolution in double: under 4e-7 of the output's RMS (tested against 1e-6).
class PartitionedConvolver {
public:
    // Destruction and move assignment free FFTW plans (under fftwPlannerMutex): not RT safe.
    PartitionedConvolver();
    ~PartitionedConvolver();
    PartitionedConvolver(PartitionedConvolver&&) noexcept;
    PartitionedConvolver& operator=(PartitionedConvolver&&) noexcept;

    // Allocates and plans: not RT safe. Room for filters of up to maxPartitions partitions of
    // partitionSize (a power of two >= 16); no filter yet (silence out).
    void prepare(int partitionSize, int maxPartitions);
    // prepare() for this FIR, with a filter of its own set. Not RT safe.
    void prepare(const float* impulseResponse, int length, int partitionSize);
    // Not RT safe.
    void prepare(const std::vector<float>& impulseResponse, int partitionSize) {
        prepare(impulseResponse.data(), static_cast<int>(impulseResponse.size()), partitionSize);
    }

    // RT safe (a pointer store). From the next partition on, the output is that of `filter`, faded in
    // over that partition from the filter heard before (immediately after prepare() or reset()). The filter
    // must have the prepared partition size and at most maxPartitions partitions, and stay alive while
    // uses(filter) is true; so must the one it replaces. nullptr is silence.
    void setFilter(const ConvolverFilter* filter);
    // Whether `filter` is still read by process(): the current filter, or the one a pending crossfade leaves.
    // RT safe; the thread that processes.
    bool uses(const ConvolverFilter* filter) const {
        return filter != nullptr && (filter == current_ || filter == heard_);
    }

    // Clears the input history and pending output; the current filter is kept. RT safe.
    void reset();
    // Any number of frames; input and output may be the same buffer. RT safe: no allocation, no lock.
    void process(const float* input, float* output, int frames);

    // As prepared. RT safe.
    int latencyFrames() const { return partitionSize_; }
    int partitionSize() const { return partitionSize_; }
    int maxPartitions() const { return maxPartitions_; }

private:
    struct Buffers;
    void processPartition();
    void accumulate(const ConvolverFilter& filter, float* out);

    std::unique_ptr<Buffers> buffers_;
    std::unique_ptr<ConvolverFilter> ownFilter_;
    const ConvolverFilter* current_ = nullptr; // set by setFilter()
    const ConvolverFilter* heard_ = nullptr;   // the filter of the last partition computed
    int partitionSize_ = 0;
    int maxPartitions_ = 0;
    int stride_ = 0;
    int fill_ = 0;                // samples of the current partition gathered so far
    int head_ = 0;                // the history's slot for the newest input spectrum
    std::vector<float> input_;    // the partition being gathered
    std::vector<float> output_;   // the previous partition's result, handed out while the next is gathered
    std::vector<float> fadeIn_;   // raised cosine over a partition, ending on exactly 1
    std::vector<float> fadeFrom_; // the outgoing filter's partition during a crossfade
};

} // namespace lathe::dsp
