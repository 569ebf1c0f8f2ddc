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
// that must be resampled, or a lossy one (whose seeks are not sample-exact everywhere), is converted once, at
// construction, into a private temporary file of stereo float (SourceStream: libsoxr, centred mono) that is
// unlinked as soon as it is open, so nothing is left behind even after a crash; memory stays bounded by one
// block. Either way read() gives exactly what decoding the whole file (engine::decode) gives. Not real-time
// code (reads, may allocate): the disk reader thread and the measuring thread use it, one thread per object.
class DiskSource {
public:
    DiskSource(const std::string& path, int rate); // throws Error naming the file
    ~DiskSource();
    DiskSource(const DiskSource&) = delete;
    DiskSource& operator=(const DiskSource&) = delete;

    // Another reader of the same source for another thread (a converted source shares its temporary file).
    std::unique_ptr<DiskSource> reopen() const;

    int64_t frames() const { return frames_; }
    bool converted() const { return raw_ != nullptr; }

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
