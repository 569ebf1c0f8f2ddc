#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lathe::core {

struct AudioFileInfo {
    std::string path;
    int sampleRate = 0;
    int channels = 0;
    int64_t frames = 0;
    int bitDepth = 0; // 8/16/24/32 for PCM, 32 for float, 64 double, 0 for lossy (mp3/ogg)
    bool isFloat = false;
    bool lossy = false;
    std::string container; // "wav", "aiff", "flac", "mp3", "ogg", ...
    std::string
        encoding; // "pcm_16", "pcm_24", "pcm_32", "float", "double", "mp3", "vorbis", "pcm_u8"/"pcm_s8"
    double durationSeconds() const;
};

// Opens the file read-only, reads its header and checks the data is all there. Throws Error (not audio,
// empty, truncated, unreadable, a directory...).
AudioFileInfo probeAudioFile(const std::string& path);

// Reads a source file as planar float. Sources are only ever opened read-only (SFM_READ): a mastering tool
// must never be able to damage the client's files. Not real-time code: it may allocate.
class AudioFileReader {
public:
    explicit AudioFileReader(const std::string& path); // throws Error
    ~AudioFileReader();
    AudioFileReader(const AudioFileReader&) = delete;
    AudioFileReader& operator=(const AudioFileReader&) = delete;

    const AudioFileInfo& info() const { return info_; }

    // Reads up to maxFrames frames into info().channels planar float buffers; returns frames read (0 at end).
    // Throws Error naming the file (and frame) on read failure, truncation or NaN/Inf samples.
    int64_t read(float* const* channels, int64_t maxFrames);
    // As read(), into one interleaved buffer of maxFrames * info().channels floats: libsndfile's own layout,
    // so no copy is made.
    int64_t readInterleaved(float* interleaved, int64_t maxFrames);
    void seek(int64_t frame);
    int64_t position() const { return position_; }

private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
    AudioFileInfo info_;
    int64_t position_ = 0;
    std::vector<float> interleaved_;
};

// Rejects sources Lathe will not master from (8-bit, more than 2 channels, 0 frames, rate outside 8k..384k):
// throws Error with a sentence a user understands. Called by scanning and rendering.
void validateSource(const AudioFileInfo& info);

} // namespace lathe::core
