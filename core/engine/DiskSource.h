#pragma once

// One source as the engine streams it: stereo float at the engine's rate, readable from any frame. Internal
// to core/engine (DiskReader.h).

#include "core/io/AudioFileReader.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lathe::core::engine {

// A file already at the engine's rate and losslessly coded is read in place (libsndfile seeks exactly). One
// that must be resampled, or a lossy one (whose seeks are not sample-exact everywhere), is converted into a
// private temporary file of stereo float (SourceStream: libsoxr, centred mono) that is unlinked as soon as it
// is open, so nothing is left behind even after a crash; memory stays bounded by one block. The conversion
// runs on a thread of its own, started by the constructor, so opening returns at once (issue 22: converting a
// long lossy song took seconds before the first sound); a read of frames not converted yet waits for them
// (conversion runs many times faster than real time: at the start, a few ms). Either way read() gives exactly
// what decoding the whole file (engine::decode) gives. Not real-time code (reads, may allocate, may wait):
// the disk reader thread and the measuring thread use it, one thread per object.
class DiskSource {
public:
    // Throws Error naming the file (cannot be opened, not usable audio). A conversion failing later (a disk
    // full, a file truncated under it) is thrown by the read that needs what it could not convert.
    DiskSource(const std::string& path, int rate);
    ~DiskSource(); // the last reader of a converted source stops its conversion

    DiskSource(const DiskSource&) = delete;
    DiskSource& operator=(const DiskSource&) = delete;

    // A source the engine makes itself (the codec preview's round trip): frames appended to a private,
    // unlinked temporary file, then read like a converted source once sealed. Throws Error naming `name`.
    static std::unique_ptr<DiskSource> scratch(const std::string& name);
    void append(const float* l, const float* r, int n); // before seal(); throws Error (disk full)
    void seal();                                        // every frame appended: readers may read

    // Another reader of the same source for another thread (a converted source shares its temporary file).
    std::unique_ptr<DiskSource> reopen() const;

    int64_t frames() const { return frames_; }
    bool converted() const { return raw_ != nullptr; }
    // Frames converted so far (frames() when not converted); any thread. For tests.
    int64_t convertedFrames() const;

    // n frames from pos into l and r, silence outside the source. Seeks only when pos is not where the last
    // read ended, so sequential reads cost no seek. Throws Error naming the file.
    void read(int64_t pos, float* l, float* r, int n);

private:
    struct RawFile; // the converted audio: an unlinked temporary file, shared by reopened readers
    DiskSource() = default;

    std::string path_;
    int rate_ = 0;
    int64_t frames_ = 0;
    std::unique_ptr<AudioFileReader> file_;
    std::shared_ptr<RawFile> raw_;
    int channels_ = 2;
    int64_t next_ = 0; // the frame file_ reads next
    std::vector<float> interleaved_;
};

} // namespace lathe::core::engine
