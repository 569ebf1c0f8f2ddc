#pragma once

#include "dsp/AudioBlock.h"

namespace lathe::core {

// A two-channel view of left/right buffers, the shape every chain processes. RT safe.
inline dsp::AudioBlock stereoBlock(float* left, float* right, int frames) {
    float* channels[2] = {left, right};
    return dsp::AudioBlock(channels, 2, frames);
}

} // namespace lathe::core
