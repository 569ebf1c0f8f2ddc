#include "MatchFilter.h"

#include "FirDesign.h"

#include <algorithm>
#include <cassert>
#include <memory>

namespace lathe::dsp {

MatchFirs designMatchFirs(const MatchCurve& curve, double sampleRate, FirPhase phase) {
    MatchFirs firs;
    const int taps = linearPhaseFirTaps(sampleRate);
    if (phase == FirPhase::Linear) {
        firs.mid = designLinearPhaseFir(curve.tone, sampleRate, taps);
        firs.side = designLinearPhaseFir(curve.side, sampleRate, taps);
        firs.delayFrames = (taps - 1) / 2;
    } else {
        firs.mid = designMinimumPhaseFir(curve.tone, sampleRate, taps);
        firs.side = designMinimumPhaseFir(curve.side, sampleRate, taps);
        firs.delayFrames = 0;
    }
    return firs;
}

void MatchFilter::prepare(int maxBlockFrames, int partitionSize, int maxTaps, int delayFrames) {
    const int partitions = (maxTaps + partitionSize - 1) / partitionSize;
    mid_.prepare(partitionSize, partitions);
    side_.prepare(partitionSize, partitions);
    ownKernels_.reset();
    delayFrames_ = delayFrames;
    maxBlockFrames_ = std::max(1, maxBlockFrames);
    midBuffer_.assign(static_cast<std::size_t>(maxBlockFrames_), 0.0f);
    sideBuffer_.assign(static_cast<std::size_t>(maxBlockFrames_), 0.0f);
}

void MatchFilter::prepare(int maxBlockFrames, int partitionSize, const MatchFirs& firs) {
    assert(firs.mid.size() == firs.side.size() && !firs.mid.empty());
    auto kernels = std::make_unique<MatchKernels>(firs, partitionSize);
    prepare(maxBlockFrames, partitionSize, static_cast<int>(firs.mid.size()), firs.delayFrames);
    ownKernels_ = std::move(kernels);
    setKernels(ownKernels_.get());
}

void MatchFilter::setKernels(const MatchKernels* kernels) {
    assert(!kernels || kernels->delayFrames == delayFrames_);
    mid_.setFilter(kernels ? &kernels->mid : nullptr);
    side_.setFilter(kernels ? &kernels->side : nullptr);
}

void MatchFilter::reset() {
    mid_.reset();
    side_.reset();
}

void MatchFilter::process(const AudioBlock& block) {
    if (block.numChannels() == 0) return;
    if (block.numChannels() == 1) {
        mid_.process(block.channel(0), block.channel(0), block.numFrames());
        return;
    }
    float* left = block.channel(0);
    float* right = block.channel(1);
    for (int start = 0; start < block.numFrames(); start += maxBlockFrames_) {
        const int n = std::min(maxBlockFrames_, block.numFrames() - start);
        float* l = left + start;
        float* r = right + start;
        for (int i = 0; i < n; ++i) {
            midBuffer_[static_cast<std::size_t>(i)] = 0.5f * (l[i] + r[i]);
            sideBuffer_[static_cast<std::size_t>(i)] = 0.5f * (l[i] - r[i]);
        }
        mid_.process(midBuffer_.data(), midBuffer_.data(), n);
        side_.process(sideBuffer_.data(), sideBuffer_.data(), n);
        for (int i = 0; i < n; ++i) {
            const float m = midBuffer_[static_cast<std::size_t>(i)];
            const float s = sideBuffer_[static_cast<std::size_t>(i)];
            l[i] = m + s;
            r[i] = m - s;
        }
    }
}

} // namespace lathe::dsp
