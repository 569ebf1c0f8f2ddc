#pragma once

#include <memory>
#include <vector>

namespace lathe::dsp {

// Convolution of one channel with a long FIR (a match filter's 16383 taps) by uniformly partitioned
// overlap-save (UPOLS): the FIR is cut into partitions of B samples, each transformed once in prepare();
// every B input samples one FFT of 2B, a frequency-domain multiply-add over the partitions, one inverse FFT.
// Fixed cost per partition, whatever the FIR: a 256-sample partition of a 16383-tap FIR is 64 complex
// multiply-adds per bin.
//
// Latency: B samples (input is gathered into whole partitions, so any host block size works); an FIR's own
// delay comes on top. For the live engine choose B = the callback size (each callback then runs exactly
// one partition: a constant cost, no burst); offline a large B (4096-8192) is several times cheaper per
// sample.
//
// Single-precision FFTW (planned FFTW_ESTIMATE: the same algorithm on every run and machine setting, so a
// render is bit-reproducible, which FFTW_MEASURE's timing-dependent choice would not be). Error against
// direct convolution in double: ~1e-7 of the output's RMS (tested against 1e-6).
class PartitionedConvolver {
public:
    PartitionedConvolver();
    ~PartitionedConvolver();
    PartitionedConvolver(PartitionedConvolver&&) noexcept;
    PartitionedConvolver& operator=(PartitionedConvolver&&) noexcept;

    // Allocates and plans (under fftwPlannerMutex): not real-time safe. partitionSize is a power of two
    // >= 16. To change the FIR while audio runs, prepare another convolver off the audio thread and swap it
    // in.
    void prepare(const float* impulseResponse, int length, int partitionSize);
    void prepare(const std::vector<float>& impulseResponse, int partitionSize) {
        prepare(impulseResponse.data(), static_cast<int>(impulseResponse.size()), partitionSize);
    }
    // Clears the input history and pending output. Real-time safe.
    void reset();
    // Any number of frames; input and output may be the same buffer. Real-time safe: no allocation, no lock.
    void process(const float* input, float* output, int frames);

    int latencyFrames() const { return partitionSize_; }
    int partitionSize() const { return partitionSize_; }
    int numPartitions() const { return numPartitions_; }
    int impulseResponseLength() const { return length_; }

private:
    struct Plans;
    void processPartition();

    std::unique_ptr<Plans> plans_;
    int length_ = 0;
    int partitionSize_ = 0;
    int numPartitions_ = 0;
    int stride_ = 0; // bins per spectrum, padded to a multiple of 4 for the SIMD multiply-add
    int fill_ = 0;   // samples of the current partition gathered so far
    int head_ = 0;   // the delay line's slot for the newest input spectrum

    // FFTW-aligned buffers (owned by plans_): the time frame 2B, a spectrum, the accumulator, and the
    // filter's and the input history's spectra (numPartitions_ x stride_ each, split real/imaginary).
    float* frame_ = nullptr;
    float* spectrumRe_ = nullptr;
    float* spectrumIm_ = nullptr;
    float* sumRe_ = nullptr;
    float* sumIm_ = nullptr;
    float* result_ = nullptr;
    float* filterRe_ = nullptr;
    float* filterIm_ = nullptr;
    float* historyRe_ = nullptr;
    float* historyIm_ = nullptr;
    std::vector<float> input_;  // the partition being gathered
    std::vector<float> output_; // the previous partition's result, handed out while the next is gathered
};

} // namespace lathe::dsp
