#include "PartitionedConvolver.h"

#include "FftwPlanner.h"

#include <fftw3.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lathe::dsp {

struct PartitionedConvolver::Plans {
    Plans(int partitionSize, int partitions, int stride) {
        const int n = 2 * partitionSize;
        const auto spectrum = static_cast<std::size_t>(stride);
        const auto all = spectrum * static_cast<std::size_t>(partitions);
        const auto time = static_cast<std::size_t>(n);
        const std::pair<float**, std::size_t> buffers[] = {
            {&frame, time},     {&result, time},    {&spectrumRe, spectrum}, {&spectrumIm, spectrum},
            {&sumRe, spectrum}, {&sumIm, spectrum}, {&filterRe, all},        {&filterIm, all},
            {&historyRe, all},  {&historyIm, all}};
        for (auto [buffer, size] : buffers) {
            *buffer = fftwf_alloc_real(size);
            if (!*buffer) {
                release();
                throw std::bad_alloc();
            }
            std::fill(*buffer, *buffer + size, 0.0f);
        }
        fftwf_iodim dim{n, 1, 1};
        std::lock_guard lock(fftwPlannerMutex());
        forward =
            fftwf_plan_guru_split_dft_r2c(1, &dim, 0, nullptr, frame, spectrumRe, spectrumIm, FFTW_ESTIMATE);
        inverse = fftwf_plan_guru_split_dft_c2r(1, &dim, 0, nullptr, sumRe, sumIm, result, FFTW_ESTIMATE);
        if (!forward || !inverse) {
            if (forward) fftwf_destroy_plan(forward);
            if (inverse) fftwf_destroy_plan(inverse);
            release();
            throw std::bad_alloc();
        }
    }
    ~Plans() {
        {
            std::lock_guard lock(fftwPlannerMutex());
            fftwf_destroy_plan(forward);
            fftwf_destroy_plan(inverse);
        }
        release();
    }
    Plans(const Plans&) = delete;
    Plans& operator=(const Plans&) = delete;

    void release() {
        for (float** b : {&frame, &result, &spectrumRe, &spectrumIm, &sumRe, &sumIm, &filterRe, &filterIm,
                          &historyRe, &historyIm}) {
            fftwf_free(*b);
            *b = nullptr;
        }
    }

    float* frame = nullptr;
    float* result = nullptr;
    float* spectrumRe = nullptr;
    float* spectrumIm = nullptr;
    float* sumRe = nullptr;
    float* sumIm = nullptr;
    float* filterRe = nullptr;
    float* filterIm = nullptr;
    float* historyRe = nullptr;
    float* historyIm = nullptr;
    fftwf_plan forward = nullptr;
    fftwf_plan inverse = nullptr;
};

PartitionedConvolver::PartitionedConvolver() = default;
PartitionedConvolver::~PartitionedConvolver() = default;
PartitionedConvolver::PartitionedConvolver(PartitionedConvolver&&) noexcept = default;
PartitionedConvolver& PartitionedConvolver::operator=(PartitionedConvolver&&) noexcept = default;

void PartitionedConvolver::prepare(const float* impulseResponse, int length, int partitionSize) {
    assert(partitionSize >= 16 && (partitionSize & (partitionSize - 1)) == 0);
    assert(length >= 1);
    length_ = length;
    partitionSize_ = partitionSize;
    numPartitions_ = (length + partitionSize - 1) / partitionSize;
    stride_ = (partitionSize + 1 + 3) / 4 * 4;
    plans_.reset();
    plans_ = std::make_unique<Plans>(partitionSize, numPartitions_, stride_);
    frame_ = plans_->frame;
    result_ = plans_->result;
    spectrumRe_ = plans_->spectrumRe;
    spectrumIm_ = plans_->spectrumIm;
    sumRe_ = plans_->sumRe;
    sumIm_ = plans_->sumIm;
    filterRe_ = plans_->filterRe;
    filterIm_ = plans_->filterIm;
    historyRe_ = plans_->historyRe;
    historyIm_ = plans_->historyIm;

    // Each partition zero-padded to 2B and transformed; the inverse FFT's 1/(2B) is folded in here.
    const int n = 2 * partitionSize;
    const float scale = 1.0f / static_cast<float>(n);
    for (int p = 0; p < numPartitions_; ++p) {
        std::fill(frame_, frame_ + n, 0.0f);
        const int start = p * partitionSize;
        const int count = std::min(partitionSize, length - start);
        for (int i = 0; i < count; ++i)
            frame_[i] = impulseResponse[start + i] * scale;
        fftwf_execute(plans_->forward);
        std::copy(spectrumRe_, spectrumRe_ + stride_, filterRe_ + static_cast<std::ptrdiff_t>(p) * stride_);
        std::copy(spectrumIm_, spectrumIm_ + stride_, filterIm_ + static_cast<std::ptrdiff_t>(p) * stride_);
    }
    input_.assign(static_cast<std::size_t>(partitionSize), 0.0f);
    output_.assign(static_cast<std::size_t>(partitionSize), 0.0f);
    reset();
}

void PartitionedConvolver::reset() {
    if (!plans_) return;
    const auto all = static_cast<std::ptrdiff_t>(numPartitions_) * stride_;
    std::fill(historyRe_, historyRe_ + all, 0.0f);
    std::fill(historyIm_, historyIm_ + all, 0.0f);
    std::fill(frame_, frame_ + 2 * partitionSize_, 0.0f);
    std::fill(input_.begin(), input_.end(), 0.0f);
    std::fill(output_.begin(), output_.end(), 0.0f);
    fill_ = 0;
    head_ = 0;
}

void PartitionedConvolver::process(const float* input, float* output, int frames) {
    assert(plans_);
    while (frames > 0) {
        const int n = std::min(frames, partitionSize_ - fill_);
        // Input first: with input == output, the output copy would overwrite samples not yet taken.
        std::memcpy(input_.data() + fill_, input, sizeof(float) * static_cast<std::size_t>(n));
        std::memcpy(output, output_.data() + fill_, sizeof(float) * static_cast<std::size_t>(n));
        fill_ += n;
        input += n;
        output += n;
        frames -= n;
        if (fill_ == partitionSize_) {
            processPartition();
            fill_ = 0;
        }
    }
}

void PartitionedConvolver::processPartition() {
    const int b = partitionSize_;
    // Overlap-save frame: the previous partition's input, then this one's.
    std::memmove(frame_, frame_ + b, sizeof(float) * static_cast<std::size_t>(b));
    std::memcpy(frame_ + b, input_.data(), sizeof(float) * static_cast<std::size_t>(b));
    fftwf_execute_split_dft_r2c(plans_->forward, frame_, spectrumRe_, spectrumIm_);
    // frame_ is an r2c input, which FFTW leaves intact: its second half is the next frame's first.
    const std::ptrdiff_t stride = stride_;
    std::memcpy(historyRe_ + head_ * stride, spectrumRe_, sizeof(float) * static_cast<std::size_t>(stride));
    std::memcpy(historyIm_ + head_ * stride, spectrumIm_, sizeof(float) * static_cast<std::size_t>(stride));

    std::fill(sumRe_, sumRe_ + stride, 0.0f);
    std::fill(sumIm_, sumIm_ + stride, 0.0f);
    for (int p = 0, slot = head_; p < numPartitions_; ++p, slot = slot == 0 ? numPartitions_ - 1 : slot - 1) {
        const float* xr = historyRe_ + slot * stride;
        const float* xi = historyIm_ + slot * stride;
        const float* hr = filterRe_ + p * stride;
        const float* hi = filterIm_ + p * stride;
#if defined(__SSE2__)
        // Buffers from fftwf_alloc_real are 16-byte aligned and stride_ is a multiple of 4.
        for (std::ptrdiff_t k = 0; k < stride; k += 4) {
            const __m128 a = _mm_load_ps(xr + k), bi = _mm_load_ps(xi + k);
            const __m128 c = _mm_load_ps(hr + k), d = _mm_load_ps(hi + k);
            _mm_store_ps(sumRe_ + k, _mm_add_ps(_mm_load_ps(sumRe_ + k),
                                                _mm_sub_ps(_mm_mul_ps(a, c), _mm_mul_ps(bi, d))));
            _mm_store_ps(sumIm_ + k, _mm_add_ps(_mm_load_ps(sumIm_ + k),
                                                _mm_add_ps(_mm_mul_ps(a, d), _mm_mul_ps(bi, c))));
        }
#else
        for (std::ptrdiff_t k = 0; k < stride; ++k) {
            sumRe_[k] += xr[k] * hr[k] - xi[k] * hi[k];
            sumIm_[k] += xr[k] * hi[k] + xi[k] * hr[k];
        }
#endif
    }
    head_ = head_ + 1 == numPartitions_ ? 0 : head_ + 1;
    fftwf_execute_split_dft_c2r(plans_->inverse, sumRe_, sumIm_, result_);
    // The first half of the circular result is wrapped-around garbage; the second half is the partition.
    std::memcpy(output_.data(), result_ + b, sizeof(float) * static_cast<std::size_t>(b));
}

} // namespace lathe::dsp
