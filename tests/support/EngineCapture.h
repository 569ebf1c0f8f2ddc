#pragma once

// Plays an engine through its callback body without a device, as the engine tests capture it.

#include "core/engine/AudioEngine.h"
#include "support/TestAudio.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lathe::test {

// `frames` frames of what the engine plays, processed in blocks of `block` (the device's buffer size).
inline LoadedAudio captureEngine(core::AudioEngine& engine, int64_t frames, int block = 256) {
    LoadedAudio out;
    out.sampleRate = engine.sampleRate();
    out.channels.assign(2, std::vector<float>(static_cast<size_t>(frames)));
    for (int64_t done = 0; done < frames;) {
        const int n = static_cast<int>(std::min<int64_t>(block, frames - done));
        engine.processForTest(out.channels[0].data() + done, out.channels[1].data() + done, n);
        done += n;
    }
    return out;
}

} // namespace lathe::test
