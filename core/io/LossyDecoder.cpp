#include "core/io/LossyDecoder.h"

#include "core/io/AudioFileReader.h"
#include "core/io/LavcDecoder.h"

#include <vector>

namespace lathe::core {

namespace {
constexpr int kDecodeBlock = 4096;
} // namespace

void decodeLossyFile(const std::string& path, const std::string& format,
                     const std::function<void(int sampleRate, int channels)>& onFormat,
                     const std::function<void(const float* const* planar, int frames)>& sink) {
    if (format != "mp3") {
        decodeWithLavc(path, onFormat, sink);
        return;
    }
    AudioFileReader reader(path);
    const AudioFileInfo& info = reader.info();
    onFormat(info.sampleRate, info.channels);
    std::vector<std::vector<float>> buffers(static_cast<size_t>(info.channels),
                                            std::vector<float>(kDecodeBlock));
    std::vector<float*> channels;
    for (auto& b : buffers)
        channels.push_back(b.data());
    for (;;) {
        const int64_t n = reader.read(channels.data(), kDecodeBlock);
        if (n == 0) break;
        sink(channels.data(), static_cast<int>(n));
    }
}

} // namespace lathe::core
