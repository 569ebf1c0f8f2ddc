#pragma once

#include <array>
#include <cassert>
#include <cstddef>

namespace lathe::dsp {

// A non-owning view of planar (one pointer per channel) float audio. Holds its channel pointers by value so a
// sub-block can be cut out without allocating, which the audio thread relies on. Every method is RT safe.
class AudioBlock {
public:
    static constexpr int kMaxChannels = 8;

    AudioBlock() = default;
    AudioBlock(float* const* channels, int numChannels, int numFrames)
        : numChannels_(numChannels), numFrames_(numFrames) {
        assert(numChannels >= 0 && numChannels <= kMaxChannels);
        for (int c = 0; c < numChannels; ++c)
            channels_[static_cast<std::size_t>(c)] = channels[c];
    }

    int numChannels() const { return numChannels_; }
    int numFrames() const { return numFrames_; }
    float* channel(int c) const { return channels_[static_cast<std::size_t>(c)]; }
    float* const* channels() const { return channels_.data(); }

    // Frames [start, start + count) of every channel.
    AudioBlock subBlock(int start, int count) const {
        assert(start >= 0 && count >= 0 && start + count <= numFrames_);
        AudioBlock b;
        b.numChannels_ = numChannels_;
        b.numFrames_ = count;
        for (int c = 0; c < numChannels_; ++c)
            b.channels_[static_cast<std::size_t>(c)] = channels_[static_cast<std::size_t>(c)] + start;
        return b;
    }

    void clear() const {
        for (int c = 0; c < numChannels_; ++c)
            for (int i = 0; i < numFrames_; ++i)
                channels_[static_cast<std::size_t>(c)][i] = 0.0f;
    }

private:
    std::array<float*, kMaxChannels> channels_{};
    int numChannels_ = 0;
    int numFrames_ = 0;
};

} // namespace lathe::dsp
