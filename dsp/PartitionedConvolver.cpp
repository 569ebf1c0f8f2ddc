#include "PartitionedConvolver.h"

#include "FftwPlanner.h"

#include <fftw3.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <new>
#include <numbers>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lathe::dsp {

namespace {

// Bins of a 2B-point real FFT, padded to a multiple of 4 floats (the padding stays zero).
int strideFor(int partitionSize) {
    return (partitionSize + 1 + 3) / 4 * 4;
}

float* allocZeroed(std::size_t count) {
    float* p = fftwf_alloc_real(count);
    if (!p) throw std::bad_alloc();
    std::fill(p, p + count, 0.0f);
    return p;
}

fftwf_plan planForward(int size, float* time, float* re, float* im) {
    fftwf_iodim dim{size, 1, 1};
    std::lock_guard lock(fftwPlannerMutex());
    return fftwf_plan_guru_split_dft_r2c(1, &dim, 0, nullptr, time, re, im, FFTW_ESTIMATE);
}

void destroyPlan(fftwf_plan plan) {
    if (!plan) return;
    std::lock_guard lock(fftwPlannerMutex());
    fftwf_destroy_plan(plan);
}

} // namespace

ConvolverFilter::ConvolverFilter(const float* impulseResponse, int length, int partitionSize)
    : length_(length), partitionSize_(partitionSize),
      numPartitions_((length + partitionSize - 1) / partitionSize), stride_(strideFor(partitionSize)) {
    assert(partitionSize >= 16 && (partitionSize & (partitionSize - 1)) == 0);
    assert(length >= 1);
    const int n = 2 * partitionSize;
    const auto all = static_cast<std::size_t>(numPartitions_) * static_cast<std::size_t>(stride_);
    float* frame = nullptr;
    fftwf_plan plan = nullptr;
    try {
        re_ = allocZeroed(all);
        im_ = allocZeroed(all);
        frame = allocZeroed(static_cast<std::size_t>(n));
        plan = planForward(n, frame, re_, im_);
        if (!plan) throw std::bad_alloc();
    } catch (...) {
        fftwf_free(frame);
        fftwf_free(re_);
        fftwf_free(im_);
        throw;
    }
    const float scale = 1.0f / static_cast<float>(n);
    for (int p = 0; p < numPartitions_; ++p) {
        std::fill(frame, frame + n, 0.0f);
        const int start = p * partitionSize;
        const int count = std::min(partitionSize, length - start);
        for (int i = 0; i < count; ++i)
            frame[i] = impulseResponse[start + i] * scale;
        const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(p) * stride_;
        fftwf_execute_split_dft_r2c(plan, frame, re_ + offset, im_ + offset);
    }
    destroyPlan(plan);
    fftwf_free(frame);
}

ConvolverFilter::~ConvolverFilter() {
    fftwf_free(re_);
    fftwf_free(im_);
}

struct PartitionedConvolver::Buffers {
    Buffers(int partitionSize, int partitions, int stride) {
        const auto n = static_cast<std::size_t>(2 * partitionSize);
        const auto spectrum = static_cast<std::size_t>(stride);
        const auto all = spectrum * static_cast<std::size_t>(partitions);
        try {
            const std::pair<float**, std::size_t> sizes[] = {
                {&frame, n},        {&result, n},       {&spectrumRe, spectrum}, {&spectrumIm, spectrum},
                {&sumRe, spectrum}, {&sumIm, spectrum}, {&historyRe, all},       {&historyIm, all}};
            for (auto [buffer, size] : sizes)
                *buffer = allocZeroed(size);
            forward = planForward(static_cast<int>(n), frame, spectrumRe, spectrumIm);
            fftwf_iodim dim{static_cast<int>(n), 1, 1};
            {
                std::lock_guard lock(fftwPlannerMutex());
                inverse =
                    fftwf_plan_guru_split_dft_c2r(1, &dim, 0, nullptr, sumRe, sumIm, result, FFTW_ESTIMATE);
            }
            if (!forward || !inverse) throw std::bad_alloc();
        } catch (...) {
            release();
            throw;
        }
    }
    ~Buffers() { release(); }
    Buffers(const Buffers&) = delete;
    Buffers& operator=(const Buffers&) = delete;

    void release() {
        destroyPlan(forward);
        destroyPlan(inverse);
        forward = inverse = nullptr;
        for (float** b :
             {&frame, &result, &spectrumRe, &spectrumIm, &sumRe, &sumIm, &historyRe, &historyIm}) {
            fftwf_free(*b);
            *b = nullptr;
        }
    }

    float* frame = nullptr;  // overlap-save frame: the previous partition's input, then this one's
    float* result = nullptr; // inverse FFT output
    float* spectrumRe = nullptr;
    float* spectrumIm = nullptr;
    float* sumRe = nullptr; // the multiply-add's accumulator (the inverse FFT consumes it)
    float* sumIm = nullptr;
    float* historyRe = nullptr; // input spectra, maxPartitions x stride, a ring
    float* historyIm = nullptr;
    fftwf_plan forward = nullptr;
    fftwf_plan inverse = nullptr;
};

PartitionedConvolver::PartitionedConvolver() = default;
PartitionedConvolver::~PartitionedConvolver() = default;
PartitionedConvolver::PartitionedConvolver(PartitionedConvolver&&) noexcept = default;
PartitionedConvolver& PartitionedConvolver::operator=(PartitionedConvolver&&) noexcept = default;

void PartitionedConvolver::prepare(int partitionSize, int maxPartitions) {
    assert(partitionSize >= 16 && (partitionSize & (partitionSize - 1)) == 0);
    assert(maxPartitions >= 1);
    partitionSize_ = partitionSize;
    maxPartitions_ = maxPartitions;
    stride_ = strideFor(partitionSize);
    buffers_.reset();
    buffers_ = std::make_unique<Buffers>(partitionSize, maxPartitions, stride_);
    input_.assign(static_cast<std::size_t>(partitionSize), 0.0f);
    output_.assign(static_cast<std::size_t>(partitionSize), 0.0f);
    fadeFrom_.assign(static_cast<std::size_t>(partitionSize), 0.0f);
    fadeIn_.resize(static_cast<std::size_t>(partitionSize));
    for (int i = 0; i < partitionSize; ++i)
        fadeIn_[static_cast<std::size_t>(i)] =
            static_cast<float>(0.5 - 0.5 * std::cos(std::numbers::pi * (i + 1) / partitionSize));
    ownFilter_.reset();
    current_ = heard_ = nullptr;
    reset();
}

void PartitionedConvolver::prepare(const float* impulseResponse, int length, int partitionSize) {
    auto filter = std::make_unique<ConvolverFilter>(impulseResponse, length, partitionSize);
    prepare(partitionSize, filter->numPartitions());
    ownFilter_ = std::move(filter);
    setFilter(ownFilter_.get());
}

void PartitionedConvolver::setFilter(const ConvolverFilter* filter) {
    assert(!filter ||
           (filter->partitionSize() == partitionSize_ && filter->numPartitions() <= maxPartitions_));
    current_ = filter;
}

void PartitionedConvolver::reset() {
    if (!buffers_) return;
    const auto all = static_cast<std::ptrdiff_t>(maxPartitions_) * stride_;
    std::fill(buffers_->historyRe, buffers_->historyRe + all, 0.0f);
    std::fill(buffers_->historyIm, buffers_->historyIm + all, 0.0f);
    std::fill(buffers_->frame, buffers_->frame + 2 * partitionSize_, 0.0f);
    std::fill(input_.begin(), input_.end(), 0.0f);
    std::fill(output_.begin(), output_.end(), 0.0f);
    fill_ = 0;
    head_ = 0;
    heard_ = current_; // nothing to fade from: the history is silence
}

void PartitionedConvolver::process(const float* input, float* output, int frames) {
    assert(buffers_);
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

void PartitionedConvolver::accumulate(const ConvolverFilter& filter, float* out) {
    Buffers& b = *buffers_;
    const std::ptrdiff_t stride = stride_;
    float* const sumRe = b.sumRe;
    float* const sumIm = b.sumIm;
    std::fill(sumRe, sumRe + stride, 0.0f);
    std::fill(sumIm, sumIm + stride, 0.0f);
    for (int p = 0, slot = head_; p < filter.numPartitions_;
         ++p, slot = slot == 0 ? maxPartitions_ - 1 : slot - 1) {
        const float* xr = b.historyRe + slot * stride;
        const float* xi = b.historyIm + slot * stride;
        const float* hr = filter.re_ + p * stride;
        const float* hi = filter.im_ + p * stride;
#if defined(__SSE2__)
        // fftwf_alloc_real's buffers are 16-byte aligned and the stride is a multiple of 4.
        for (std::ptrdiff_t k = 0; k < stride; k += 4) {
            const __m128 a = _mm_load_ps(xr + k), bim = _mm_load_ps(xi + k);
            const __m128 c = _mm_load_ps(hr + k), d = _mm_load_ps(hi + k);
            _mm_store_ps(sumRe + k, _mm_add_ps(_mm_load_ps(sumRe + k),
                                               _mm_sub_ps(_mm_mul_ps(a, c), _mm_mul_ps(bim, d))));
            _mm_store_ps(sumIm + k, _mm_add_ps(_mm_load_ps(sumIm + k),
                                               _mm_add_ps(_mm_mul_ps(a, d), _mm_mul_ps(bim, c))));
        }
#else
        for (std::ptrdiff_t k = 0; k < stride; ++k) {
            sumRe[k] += xr[k] * hr[k] - xi[k] * hi[k];
            sumIm[k] += xr[k] * hi[k] + xi[k] * hr[k];
        }
#endif
    }
    fftwf_execute_split_dft_c2r(b.inverse, sumRe, sumIm, b.result);
    // The first half of the circular result is wrapped-around; the second half is this partition's output.
    std::memcpy(out, b.result + partitionSize_, sizeof(float) * static_cast<std::size_t>(partitionSize_));
}

void PartitionedConvolver::processPartition() {
    Buffers& b = *buffers_;
    const int n = partitionSize_;
    std::memmove(b.frame, b.frame + n, sizeof(float) * static_cast<std::size_t>(n));
    std::memcpy(b.frame + n, input_.data(), sizeof(float) * static_cast<std::size_t>(n));
    // An r2c transform leaves its input intact: the frame's second half is the next frame's first.
    fftwf_execute_split_dft_r2c(b.forward, b.frame, b.spectrumRe, b.spectrumIm);
    const std::ptrdiff_t stride = stride_;
    std::memcpy(b.historyRe + head_ * stride, b.spectrumRe, sizeof(float) * static_cast<std::size_t>(stride));
    std::memcpy(b.historyIm + head_ * stride, b.spectrumIm, sizeof(float) * static_cast<std::size_t>(stride));

    if (current_)
        accumulate(*current_, output_.data());
    else
        std::fill(output_.begin(), output_.end(), 0.0f);
    if (heard_ && heard_ != current_) {
        accumulate(*heard_, fadeFrom_.data());
        for (std::size_t i = 0; i < output_.size(); ++i)
            output_[i] = fadeFrom_[i] + (output_[i] - fadeFrom_[i]) * fadeIn_[i];
    }
    heard_ = current_;
    head_ = head_ + 1 == maxPartitions_ ? 0 : head_ + 1;
}

} // namespace lathe::dsp
