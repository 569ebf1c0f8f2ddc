#pragma once

#include <functional>
#include <string>

namespace lathe::core {

// Decodes a whole lossy file (AAC in MP4, Opus, Vorbis) with FFmpeg's libraries, handing planar float
// blocks to `sink` as they come; priming and padding the container marks are trimmed. Used by the codec
// checks. Throws
// Error naming the file. `onFormat` receives the sample rate and channel count before the first block.
void decodeWithLavc(const std::string& path,
                    const std::function<void(int sampleRate, int channels)>& onFormat,
                    const std::function<void(const float* const* planar, int frames)>& sink);

} // namespace lathe::core
