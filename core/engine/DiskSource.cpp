#include "core/engine/DiskSource.h"

#include "core/Error.h"
#include "core/io/SourceStream.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace lathe::core::engine {

namespace {
constexpr int kConvertBlock = 65536;

std::string temporaryFolder() {
    const char* t = std::getenv("TMPDIR");
    return t != nullptr && *t != '\0' ? t : "/tmp";
}
} // namespace

// The converted audio and the thread converting it. Shared by reopened readers; the last one stops the
// conversion (cancel, join) before the descriptor closes.
struct DiskSource::RawFile {
    int fd = -1;
    std::mutex mutex;
    std::condition_variable progressed;
    int64_t converted = 0; // frames in the file (mutex)
    bool finished = false; // converted every frame, or failed (mutex)
    std::string error;     // why the conversion stopped early (mutex)
    std::atomic<bool> cancel{false};
    std::thread converter;

    ~RawFile() {
        cancel = true;
        if (converter.joinable()) converter.join();
        if (fd >= 0) ::close(fd);
    }

    // Runs on `converter`: the whole source, block by block, each published once written.
    void convert(std::unique_ptr<SourceStream> stream, int64_t frames, const std::string& path) {
        std::string failure;
        try {
            std::vector<float> l(kConvertBlock), r(kConvertBlock), lr(2 * kConvertBlock);
            for (int64_t done = 0; done < frames && !cancel.load(std::memory_order_relaxed);) {
                const int n = static_cast<int>(std::min<int64_t>(kConvertBlock, frames - done));
                stream->read(l.data(), r.data(), n);
                for (int k = 0; k < n; ++k) {
                    lr[static_cast<size_t>(2 * k)] = l[static_cast<size_t>(k)];
                    lr[static_cast<size_t>(2 * k + 1)] = r[static_cast<size_t>(k)];
                }
                const size_t bytes = sizeof(float) * 2 * static_cast<size_t>(n);
                const off_t at = static_cast<off_t>(done) * 2 * static_cast<off_t>(sizeof(float));
                if (::pwrite(fd, lr.data(), bytes, at) != static_cast<ssize_t>(bytes))
                    throw Error(path, std::string("cannot write the temporary file to play it from: ") +
                                          std::strerror(errno));
                done += n;
                {
                    std::lock_guard lock(mutex);
                    converted = done;
                }
                progressed.notify_all();
            }
        } catch (const std::exception& e) {
            failure = e.what();
        }
        {
            std::lock_guard lock(mutex);
            finished = true;
            error = failure;
            if (failure.empty() && converted < frames) error = path + ": its conversion was stopped";
        }
        progressed.notify_all();
    }

    // Waits until frames [0, end) are in the file; false (with why) when the conversion stopped short.
    bool waitFor(int64_t end, std::string& why) {
        std::unique_lock lock(mutex);
        progressed.wait(lock, [&] { return converted >= end || finished; });
        if (converted >= end) return true;
        why = error;
        return false;
    }
};

DiskSource::DiskSource(const std::string& path, int rate) : path_(path), rate_(rate) {
    auto reader = std::make_unique<AudioFileReader>(path);
    const AudioFileInfo& info = reader->info();
    validateSource(info);
    if (info.sampleRate == rate && !info.lossy) {
        channels_ = info.channels;
        frames_ = info.frames;
        file_ = std::move(reader);
        return;
    }
    reader.reset();
    auto stream = std::make_unique<SourceStream>(path, rate);
    frames_ = stream->lengthFrames();
    std::string name = temporaryFolder() + "/lathe-engine-XXXXXX";
    raw_ = std::make_shared<RawFile>();
    raw_->fd = ::mkstemp(name.data());
    if (raw_->fd < 0)
        throw Error(path, "cannot make a temporary file to play it from (" + name + ": " +
                              std::strerror(errno) + ")");
    ::unlink(name.c_str()); // lives as long as the descriptor: nothing left behind
    // The thread holds the RawFile by address: the RawFile joins it before it goes.
    RawFile* raw = raw_.get();
    raw_->converter = std::thread([raw, stream = std::move(stream), frames = frames_, path]() mutable {
        raw->convert(std::move(stream), frames, path);
    });
}

std::unique_ptr<DiskSource> DiskSource::scratch(const std::string& name) {
    std::unique_ptr<DiskSource> d(new DiskSource());
    d->path_ = name;
    d->raw_ = std::make_shared<RawFile>();
    std::string file = temporaryFolder() + "/lathe-engine-XXXXXX";
    d->raw_->fd = ::mkstemp(file.data());
    if (d->raw_->fd < 0)
        throw Error(name, "cannot make a temporary file for it (" + file + ": " + std::strerror(errno) + ")");
    ::unlink(file.c_str());
    return d;
}

void DiskSource::append(const float* l, const float* r, int n) {
    interleaved_.resize(2 * static_cast<size_t>(n));
    for (int k = 0; k < n; ++k) {
        interleaved_[static_cast<size_t>(2 * k)] = l[k];
        interleaved_[static_cast<size_t>(2 * k + 1)] = r[k];
    }
    const size_t bytes = sizeof(float) * 2 * static_cast<size_t>(n);
    const off_t at = static_cast<off_t>(frames_) * 2 * static_cast<off_t>(sizeof(float));
    if (::pwrite(raw_->fd, interleaved_.data(), bytes, at) != static_cast<ssize_t>(bytes))
        throw Error(path_, std::string("cannot write its temporary file: ") + std::strerror(errno));
    frames_ += n;
}

void DiskSource::seal() {
    {
        std::lock_guard lock(raw_->mutex);
        raw_->converted = frames_;
        raw_->finished = true;
    }
    raw_->progressed.notify_all();
}

int64_t DiskSource::convertedFrames() const {
    if (!raw_) return frames_;
    std::lock_guard lock(raw_->mutex);
    return raw_->converted;
}

DiskSource::~DiskSource() = default;

std::unique_ptr<DiskSource> DiskSource::reopen() const {
    if (!raw_) return std::make_unique<DiskSource>(path_, rate_);
    std::unique_ptr<DiskSource> d(new DiskSource());
    d->path_ = path_;
    d->rate_ = rate_;
    d->frames_ = frames_;
    d->raw_ = raw_;
    return d;
}

void DiskSource::read(int64_t pos, float* l, float* r, int n) {
    // [begin, end) of the n frames lies inside the source (as Track::read).
    const int begin = static_cast<int>(std::clamp<int64_t>(-pos, 0, n));
    const int end = static_cast<int>(std::clamp<int64_t>(frames_ - pos, begin, n));
    std::fill(l, l + begin, 0.0f);
    std::fill(r, r + begin, 0.0f);
    std::fill(l + end, l + n, 0.0f);
    std::fill(r + end, r + n, 0.0f);
    if (end <= begin) return;
    const int count = end - begin;
    const int64_t from = pos + begin;
    const int ch = raw_ ? 2 : channels_;
    interleaved_.resize(static_cast<size_t>(count) * static_cast<size_t>(ch));
    int got = 0;
    if (raw_) {
        // The conversion's error names the file already.
        if (std::string why; !raw_->waitFor(from + count, why)) throw Error("", why);
        const size_t bytes = sizeof(float) * 2 * static_cast<size_t>(count);
        const off_t at = static_cast<off_t>(from) * 2 * static_cast<off_t>(sizeof(float));
        const ssize_t read = ::pread(raw_->fd, interleaved_.data(), bytes, at);
        if (read < 0)
            throw Error(path_, std::string("cannot read its temporary file: ") + std::strerror(errno));
        got = static_cast<int>(static_cast<size_t>(read) / (2 * sizeof(float)));
    } else {
        if (from != next_) file_->seek(from);
        got = static_cast<int>(file_->readInterleaved(interleaved_.data(), count));
        next_ = from + got;
    }
    float* dl = l + begin;
    float* dr = r + begin;
    if (ch == 1) {
        for (int k = 0; k < got; ++k)
            dl[k] = dr[k] = interleaved_[static_cast<size_t>(k)];
    } else {
        for (int k = 0; k < got; ++k) {
            dl[k] = interleaved_[static_cast<size_t>(2 * k)];
            dr[k] = interleaved_[static_cast<size_t>(2 * k + 1)];
        }
    }
    std::fill(dl + got, dl + count, 0.0f);
    std::fill(dr + got, dr + count, 0.0f);
}

} // namespace lathe::core::engine
