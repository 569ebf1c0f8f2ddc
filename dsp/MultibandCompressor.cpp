#include "MultibandCompressor.h"

#include <algorithm>
#include <cassert>

namespace lathe::dsp {

void MultibandCompressor::prepare(double sampleRate, int maxBlockFrames, int numChannels) {
    maxBlockFrames_ = std::max(1, maxBlockFrames);
    numChannels_ = std::clamp(numChannels, 0, AudioBlock::kMaxChannels);
    bandStorage_.assign(static_cast<std::size_t>(kMaxBands) * static_cast<std::size_t>(numChannels_) *
                            static_cast<std::size_t>(maxBlockFrames_),
                        0.0f);
    splitter_.prepare(sampleRate, maxBlockFrames_, numChannels_);
    for (auto& c : compressors_)
        c.prepare(sampleRate, maxBlockFrames_, numChannels_);
    reset();
}

void MultibandCompressor::reset() {
    splitter_.reset();
    for (auto& c : compressors_)
        c.reset();
    publishMeters();
}

void MultibandCompressor::setCrossoverFrequencies(const double* hz, int count) {
    splitter_.setCrossoverFrequencies(hz, count);
    publishMeters();
}

void MultibandCompressor::setBandParameters(int band, const CompressorParameters& parameters) {
    assert(band >= 0 && band < kMaxBands);
    compressors_[static_cast<std::size_t>(band)].setParameters(parameters);
}

const CompressorParameters& MultibandCompressor::bandParameters(int band) const {
    assert(band >= 0 && band < kMaxBands);
    return compressors_[static_cast<std::size_t>(band)].parameters();
}

void MultibandCompressor::setBandEnabled(int band, bool enabled) {
    assert(band >= 0 && band < kMaxBands);
    auto& flag = enabled_[static_cast<std::size_t>(band)];
    // Reduction held from before the bypass belongs to old material; starting from zero is what a hardware
    // bypass switch does.
    if (enabled && !flag) compressors_[static_cast<std::size_t>(band)].reset();
    flag = enabled;
    publishMeters();
}

bool MultibandCompressor::bandEnabled(int band) const {
    assert(band >= 0 && band < kMaxBands);
    return enabled_[static_cast<std::size_t>(band)];
}

double MultibandCompressor::bandGainReductionDb(int band) const {
    if (band < 0 || band >= kMaxBands) return 0.0;
    return bandReductionDb_[static_cast<std::size_t>(band)].load();
}

double MultibandCompressor::bandMaxGainReductionDb(int band) const {
    if (band < 0 || band >= kMaxBands) return 0.0;
    return bandMaxReductionDb_[static_cast<std::size_t>(band)].load();
}

void MultibandCompressor::resetMeters() {
    for (auto& c : compressors_)
        c.resetMeters();
    publishMeters();
}

void MultibandCompressor::publishMeters() {
    // Computed on the thread that changes the layout, so a reader on another thread never reads the layout.
    for (int b = 0; b < kMaxBands; ++b) {
        const auto i = static_cast<std::size_t>(b);
        const bool inLayout = b < numBands();
        bandReductionDb_[i].store(inLayout && enabled_[i] ? compressors_[i].gainReductionDb() : 0.0);
        bandMaxReductionDb_[i].store(inLayout ? compressors_[i].maxGainReductionDb() : 0.0);
    }
}

void MultibandCompressor::process(const AudioBlock& block) {
    assert(block.numChannels() <= numChannels_);
    for (int start = 0; start < block.numFrames(); start += maxBlockFrames_)
        processChunk(block.subBlock(start, std::min(maxBlockFrames_, block.numFrames() - start)));
    publishMeters();
}

void MultibandCompressor::processChunk(const AudioBlock& chunk) {
    const int frames = chunk.numFrames();
    const int channels = std::min(chunk.numChannels(), numChannels_);
    const int bands = numBands();

    std::array<AudioBlock, kMaxBands> bandBlocks;
    for (int b = 0; b < bands; ++b) {
        std::array<float*, AudioBlock::kMaxChannels> pointers{};
        for (int c = 0; c < channels; ++c)
            pointers[static_cast<std::size_t>(c)] =
                bandStorage_.data() + (static_cast<std::size_t>(b) * static_cast<std::size_t>(numChannels_) +
                                       static_cast<std::size_t>(c)) *
                                          static_cast<std::size_t>(maxBlockFrames_);
        bandBlocks[static_cast<std::size_t>(b)] = AudioBlock(pointers.data(), channels, frames);
    }

    const AudioBlock input =
        channels == chunk.numChannels() ? chunk : AudioBlock(chunk.channels(), channels, frames);
    splitter_.process(input, bandBlocks.data());
    for (int b = 0; b < bands; ++b)
        if (enabled_[static_cast<std::size_t>(b)])
            compressors_[static_cast<std::size_t>(b)].process(bandBlocks[static_cast<std::size_t>(b)]);

    for (int c = 0; c < channels; ++c) {
        float* out = input.channel(c);
        const float* first = bandBlocks[0].channel(c);
        std::copy(first, first + frames, out);
        for (int b = 1; b < bands; ++b) {
            const float* band = bandBlocks[static_cast<std::size_t>(b)].channel(c);
            for (int i = 0; i < frames; ++i)
                out[i] += band[i];
        }
    }
}

} // namespace lathe::dsp
