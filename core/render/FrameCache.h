#pragma once

#include <cstdint>
#include <string>

namespace lathe::core {

// An anonymous scratch file of interleaved stereo float frames: written once, then read back any number of
// times. It keeps a song's intermediate signal off the heap (memory stays bounded however long the song) and,
// being unlinked from birth (O_TMPFILE), it can never be left behind by a crash or a cancel.
class FrameCache {
public:
    // Creates the scratch file in `directory` (empty: $TMPDIR or /tmp).
    explicit FrameCache(const std::string& directory = {});
    ~FrameCache();
    FrameCache(const FrameCache&) = delete;
    FrameCache& operator=(const FrameCache&) = delete;

    void append(const float* left, const float* right, int frames);
    int64_t frames() const { return frames_; }

    // Reading: rewind, then read consecutive blocks. Returns frames read (0 at the end).
    void rewind();
    int read(float* left, float* right, int maxFrames);

private:
    void flushWrite();

    int fd_ = -1;
    std::string directory_;
    int64_t frames_ = 0;
    int64_t readPosition_ = 0;
    float* buffer_ = nullptr; // interleaved staging, kBufferFrames
    int buffered_ = 0;
};

} // namespace lathe::core
