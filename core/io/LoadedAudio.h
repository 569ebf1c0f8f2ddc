#pragma once

#include "core/io/AudioFileReader.h"

#include <string>
#include <vector>

namespace lathe::core {

// A whole audio file in memory as planar float, for analyses that look at a song more than once (null test,
// validation, element measurements). A 4-minute stereo 48 kHz file is about 90 MB, so callers load a
// folder's files one or two at a time where they can.
struct LoadedAudio {
    AudioFileInfo info;
    std::vector<std::vector<float>> channels; // [channel][frame], info.channels of them

    int64_t frames() const { return channels.empty() ? 0 : static_cast<int64_t>(channels[0].size()); }
    // The average of the channels (a mono file is its own), so level comparisons do not depend on width.
    std::vector<float> mono() const;
    // Left and right: a mono file gives two copies, as the render engine does.
    std::vector<float> channel(int index) const;
};

// Reads the whole file read-only. Throws Error naming the file.
LoadedAudio loadAudio(const std::string& path);

// Root-mean-square level in dBFS of x (-200 for silence), over [begin, end) frames.
double rmsDb(const std::vector<float>& x, int64_t begin = 0, int64_t end = -1);

} // namespace lathe::core
