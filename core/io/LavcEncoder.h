#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace lathe::core {

// The lossy codecs libsndfile cannot write, through FFmpeg's libraries (libavcodec/libavformat, Debian's
// libavcodec59): AAC-LC with libavcodec's native `aac` encoder in an MPEG-4 (.m4a) file, Opus with `libopus`
// and Vorbis with `libvorbis`, both in Ogg. Writes `path` (already created by the caller; truncated) and
// names `displayPath` in errors. Used by AudioFileWriter only.
class LavcEncoder {
public:
    enum class Codec { Aac, Opus, Vorbis };
    // kbps for AAC and Opus; vorbisQuality 0..10 for Vorbis. Throws Error when the codec refuses the rate or
    // bitrate.
    LavcEncoder(const std::string& path, const std::string& displayPath, Codec codec, int sampleRate,
                int channels, int kbps, double vorbisQuality);
    ~LavcEncoder();
    LavcEncoder(const LavcEncoder&) = delete;
    LavcEncoder& operator=(const LavcEncoder&) = delete;

    void write(const float* const* channels, int64_t frames); // throws Error
    void finish();                                            // flushes the encoder, writes the trailer

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace lathe::core
