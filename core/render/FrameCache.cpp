#include "core/render/FrameCache.h"

#include "core/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace lathe::core {
namespace {

constexpr int kBufferFrames = 16384;

std::string defaultDirectory() {
    const char* tmp = std::getenv("TMPDIR");
    return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

} // namespace

FrameCache::FrameCache(const std::string& directory)
    : directory_(directory.empty() ? defaultDirectory() : directory) {
    fd_ = ::open(directory_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        // Filesystems without O_TMPFILE: create, then unlink at once so nothing outlives the process.
        std::string path = directory_ + "/lathe-cache-XXXXXX";
        fd_ = ::mkstemp(path.data());
        if (fd_ >= 0) ::unlink(path.c_str());
    }
    if (fd_ < 0)
        throw Error(directory_,
                    std::string("cannot create a scratch file for rendering: ") + std::strerror(errno));
    buffer_ = new float[static_cast<size_t>(kBufferFrames) * 2];
}

FrameCache::~FrameCache() {
    if (fd_ >= 0) ::close(fd_);
    delete[] buffer_;
}

void FrameCache::flushWrite() {
    const char* p = reinterpret_cast<const char*>(buffer_);
    size_t remaining = static_cast<size_t>(buffered_) * 2 * sizeof(float);
    while (remaining > 0) {
        const ssize_t n = ::write(fd_, p, remaining);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw Error(directory_, std::string("cannot write the render's scratch file (") +
                                        (n < 0 ? std::strerror(errno) : "no space") +
                                        "); free some space in this folder or set TMPDIR elsewhere");
        p += n;
        remaining -= static_cast<size_t>(n);
    }
    buffered_ = 0;
}

void FrameCache::append(const float* left, const float* right, int frames) {
    int done = 0;
    while (done < frames) {
        const int n = std::min(frames - done, kBufferFrames - buffered_);
        for (int i = 0; i < n; ++i) {
            buffer_[2 * (buffered_ + i)] = left[done + i];
            buffer_[2 * (buffered_ + i) + 1] = right[done + i];
        }
        buffered_ += n;
        done += n;
        if (buffered_ == kBufferFrames) flushWrite();
    }
    frames_ += frames;
}

void FrameCache::rewind() {
    if (buffered_ > 0) flushWrite();
    readPosition_ = 0;
}

int FrameCache::read(float* left, float* right, int maxFrames) {
    int done = 0;
    while (done < maxFrames && readPosition_ < frames_) {
        const int n =
            static_cast<int>(std::min<int64_t>({maxFrames - done, kBufferFrames, frames_ - readPosition_}));
        const size_t bytes = static_cast<size_t>(n) * 2 * sizeof(float);
        const off_t offset = static_cast<off_t>(readPosition_ * 2 * static_cast<int64_t>(sizeof(float)));
        size_t got = 0;
        while (got < bytes) {
            const ssize_t r = ::pread(fd_, reinterpret_cast<char*>(buffer_) + got, bytes - got,
                                      offset + static_cast<off_t>(got));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) throw Error(directory_, "cannot read back the render's scratch file");
            got += static_cast<size_t>(r);
        }
        for (int i = 0; i < n; ++i) {
            left[done + i] = buffer_[2 * i];
            right[done + i] = buffer_[2 * i + 1];
        }
        done += n;
        readPosition_ += n;
    }
    return done;
}

} // namespace lathe::core
