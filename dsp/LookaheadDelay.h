#pragma once

#include "AudioBlock.h"

#include <algorithm>
#include <cassert>
#include <vector>

namespace lathe::dsp {

// Fixed integer delay per channel, one sample at a time (the limiter interleaves it with its detector).
// Power-of-two ring so wrapping is a mask; the output is the input of exactly `delayFrames` pushes earlier,
// bit for bit.
class LookaheadDelay {
public:
    // Allocates the rings. Not RT safe.
    void prepare(int delayFrames, int numChannels) {
        assert(delayFrames >= 0 && numChannels <= AudioBlock::kMaxChannels);
        delay_ = delayFrames;
        int size = 1;
        while (size < delayFrames + 1)
            size *= 2;
        mask_ = size - 1;
        numChannels_ = numChannels;
        buffer_.assign(static_cast<std::size_t>(size * numChannels), 0.0f);
        reset();
    }

    // Silence in the rings. RT safe.
    void reset() {
        std::fill(buffer_.begin(), buffer_.end(), 0.0f);
        writePos_ = 0;
    }

    // RT safe.
    int delayFrames() const { return delay_; }

    // Call push for every channel of a frame, then advance(). RT safe.
    float push(int channel, float x) {
        float* ring = buffer_.data() + static_cast<std::size_t>(channel * (mask_ + 1));
        ring[writePos_] = x;
        return ring[(writePos_ - delay_) & mask_];
    }

    // RT safe.
    void advance() { writePos_ = (writePos_ + 1) & mask_; }

    // Block form: out[k] is in[k] delayed, exactly as `frames` push/advance steps would give. Call for every
    // channel of the block (in and out must not overlap), then advance(frames). RT safe.
    void processBlock(int channel, const float* in, float* out, int frames) {
        float* ring = buffer_.data() + static_cast<std::size_t>(channel * (mask_ + 1));
        for (int k = 0; k < frames; ++k) {
            const int w = (writePos_ + k) & mask_;
            ring[w] = in[k];
            out[k] = ring[(w - delay_) & mask_];
        }
    }

    // RT safe.
    void advance(int frames) { writePos_ = (writePos_ + frames) & mask_; }

private:
    std::vector<float> buffer_;
    int delay_ = 0;
    int mask_ = 0;
    int numChannels_ = 0;
    int writePos_ = 0;
};

} // namespace lathe::dsp
