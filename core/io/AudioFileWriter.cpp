#include "core/io/AudioFileWriter.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"
#include "core/io/LavcEncoder.h"

#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace lathe::core {

bool mp3CarriesSampleRate(int sampleRate) {
    return sampleRate == 32000 || sampleRate == 44100 || sampleRate == 48000;
}

bool opusCarriesSampleRate(int sampleRate) {
    return sampleRate == 48000 || sampleRate == 24000 || sampleRate == 16000 || sampleRate == 12000 ||
           sampleRate == 8000;
}

bool aacCarriesSampleRate(int sampleRate) {
    for (int rate : {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000})
        if (rate == sampleRate) return true;
    return false;
}

namespace {

constexpr int64_t kMaxFramesPerCall = 16384;

bool isLavc(OutputFormat format) {
    return format == OutputFormat::Opus || format == OutputFormat::Vorbis || format == OutputFormat::Aac;
}

// Integer PCM: the samples arrive on the bit-depth grid and are converted exactly.
int pcmBits(OutputFormat format) {
    switch (format) {
    case OutputFormat::Wav16:
    case OutputFormat::Flac16:
        return 16;
    case OutputFormat::Wav24:
    case OutputFormat::Flac24:
        return 24;
    default:
        return 0;
    }
}

void copyField(char* field, std::size_t size, const std::string& text) {
    std::memset(field, 0, size);
    std::memcpy(field, text.data(), std::min(size, text.size()));
}

const char* formatName(OutputFormat format) {
    switch (format) {
    case OutputFormat::Wav16:
        return "16-bit WAV";
    case OutputFormat::Wav24:
        return "24-bit WAV";
    case OutputFormat::WavFloat:
        return "32-bit float WAV";
    case OutputFormat::Mp3:
        return "MP3";
    case OutputFormat::Flac16:
        return "16-bit FLAC";
    case OutputFormat::Flac24:
        return "24-bit FLAC";
    case OutputFormat::Opus:
        return "Opus";
    case OutputFormat::Vorbis:
        return "Ogg Vorbis";
    case OutputFormat::Aac:
        return "AAC";
    }
    return "audio";
}

std::string describeOpenError(int err) {
    switch (err) {
    case ENOENT:
        return "cannot write: the output folder does not exist";
    case ENOTDIR:
        return "cannot write: a part of the output path is not a folder";
    case EACCES:
    case EPERM:
        return "cannot write: no permission to create files in the output folder";
    case EROFS:
        return "cannot write: the output folder is on a read-only disk";
    case ENOSPC:
    case EDQUOT:
        return "disk full while writing";
    default:
        return "cannot write: " + describeSystemError(err);
    }
}

} // namespace

// libsndfile runs on virtual I/O over our own file descriptor. Its MP3 encoder only logs short writes (and
// sf_close() does not report errors from the final flush), so every byte goes through here and the first
// failure is remembered; commit() refuses to publish a file that lost any write.
struct AudioFileWriter::Handle {
    int fd = -1;
    SNDFILE* file = nullptr;
    int writeErrno = 0;
    int64_t length = 0;

    static sf_count_t getLength(void* user) {
        auto* self = static_cast<Handle*>(user);
        struct stat st {};
        return ::fstat(self->fd, &st) == 0 ? std::max<sf_count_t>(st.st_size, self->length) : self->length;
    }
    static sf_count_t seek(sf_count_t offset, int whence, void* user) {
        return ::lseek(static_cast<Handle*>(user)->fd, offset, whence);
    }
    static sf_count_t readBytes(void* ptr, sf_count_t count, void* user) {
        const ssize_t n = ::read(static_cast<Handle*>(user)->fd, ptr, static_cast<size_t>(count));
        return n < 0 ? 0 : n;
    }
    static sf_count_t writeBytes(const void* ptr, sf_count_t count, void* user) {
        auto* self = static_cast<Handle*>(user);
        sf_count_t done = 0;
        while (done < count) {
            const ssize_t n =
                ::write(self->fd, static_cast<const char*>(ptr) + done, static_cast<size_t>(count - done));
            if (n < 0) {
                if (errno == EINTR) continue;
                if (self->writeErrno == 0) self->writeErrno = errno;
                break;
            }
            if (n == 0) {
                if (self->writeErrno == 0) self->writeErrno = EIO;
                break;
            }
            done += n;
        }
        const off_t position = ::lseek(self->fd, 0, SEEK_CUR);
        if (position > self->length) self->length = position;
        return done;
    }
    static sf_count_t tell(void* user) { return ::lseek(static_cast<Handle*>(user)->fd, 0, SEEK_CUR); }

    // Closes everything; returns the first error (errno-style) seen, 0 if all bytes reached the file.
    int close(bool sync) {
        int err = writeErrno;
        if (file) {
            const int closeResult = sf_close(file);
            file = nullptr;
            if (err == 0) err = writeErrno;
            if (err == 0 && closeResult != 0) err = EIO;
        }
        if (fd >= 0) {
            if (sync && err == 0 && ::fsync(fd) != 0) err = errno;
            if (::close(fd) != 0 && err == 0) err = errno;
            fd = -1;
        }
        return err;
    }
};

AudioFileWriter::AudioFileWriter(std::string finalPath, const WriterOptions& options)
    : handle_(std::make_unique<Handle>()), finalPath_(std::move(finalPath)), options_(options) {
    const bool mp3 = options_.format == OutputFormat::Mp3;
    if (options_.channels < 1 || options_.channels > (mp3 ? 2 : 8))
        throw Error(finalPath_, std::string("cannot write ") + formatName(options_.format) + " with " +
                                    std::to_string(options_.channels) + " channels");
    if (options_.sampleRate < 8000 || options_.sampleRate > 384000)
        throw Error(finalPath_, "cannot write at sample rate " + std::to_string(options_.sampleRate) + " Hz");
    if (mp3 && options_.sampleRate > 48000)
        throw Error(finalPath_,
                    "MP3 supports sample rates up to 48 kHz: resample the MP3 export to 44.1 or 48 kHz");
    if (mp3 && (options_.mp3BitrateKbps < 32 || options_.mp3BitrateKbps > 320))
        throw Error(finalPath_, "MP3 bitrate must be between 32 and 320 kb/s");

    struct stat existing {};
    if (::stat(finalPath_.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode))
        throw Error(finalPath_, "cannot write: a folder already has this name");

    tempPath_ = detail::temporaryPathBeside(finalPath_);
    // O_EXCL: never write through a name someone else (or a stale run) is using.
    handle_->fd = ::open(tempPath_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (handle_->fd < 0) {
        const int err = errno;
        tempPath_.clear();
        throw Error(finalPath_, describeOpenError(err));
    }

    SF_INFO sfInfo{};
    sfInfo.samplerate = options_.sampleRate;
    sfInfo.channels = options_.channels;
    switch (options_.format) {
    case OutputFormat::Wav16:
        sfInfo.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
        break;
    case OutputFormat::Wav24:
        sfInfo.format = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
        break;
    case OutputFormat::WavFloat:
        sfInfo.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
        break;
    case OutputFormat::Mp3:
        sfInfo.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
        break;
    case OutputFormat::Flac16:
        sfInfo.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
        break;
    case OutputFormat::Flac24:
        sfInfo.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
        break;
    case OutputFormat::Opus:
    case OutputFormat::Vorbis:
    case OutputFormat::Aac:
        break;
    }
    if (isLavc(options_.format)) {
        const LavcEncoder::Codec codec = options_.format == OutputFormat::Aac    ? LavcEncoder::Codec::Aac
                                         : options_.format == OutputFormat::Opus ? LavcEncoder::Codec::Opus
                                                                                 : LavcEncoder::Codec::Vorbis;
        try {
            lavc_ =
                std::make_unique<LavcEncoder>(tempPath_, finalPath_, codec, options_.sampleRate,
                                              options_.channels, options_.lossyKbps, options_.vorbisQuality);
        } catch (...) {
            abandon();
            throw;
        }
        return;
    }
    SF_VIRTUAL_IO io{&Handle::getLength, &Handle::seek, &Handle::readBytes, &Handle::writeBytes,
                     &Handle::tell};
    handle_->file = sf_open_virtual(&io, SFM_WRITE, &sfInfo, handle_.get());
    if (!handle_->file) {
        const std::string reason = sf_strerror(nullptr);
        abandon();
        throw Error(finalPath_, std::string("cannot create ") + formatName(options_.format) +
                                    " (libsndfile: " + reason + ")");
    }

    const bool wav = options_.format == OutputFormat::Wav16 || options_.format == OutputFormat::Wav24 ||
                     options_.format == OutputFormat::WavFloat;
    if (options_.broadcastExtension && wav) {
        // Set before the first frame: libsndfile writes the bext chunk ahead of the audio. Loudness fields
        // 0x7FFF = "not known" (EBU Tech 3285 v2) until patched at commit.
        SF_BROADCAST_INFO info{};
        copyField(info.description, sizeof info.description, options_.bextDescription);
        copyField(info.originator, sizeof info.originator, options_.bextOriginator);
        copyField(info.origination_date, sizeof info.origination_date, options_.bextDate);
        copyField(info.origination_time, sizeof info.origination_time, options_.bextTime);
        info.version = 2;
        info.loudness_value = info.loudness_range = info.max_true_peak_level = 0x7FFF;
        info.max_momentary_loudness = info.max_shortterm_loudness = 0x7FFF;
        if (sf_command(handle_->file, SFC_SET_BROADCAST_INFO, &info, sizeof info) != SF_TRUE) {
            abandon();
            throw Error(finalPath_, "cannot write the BWF bext chunk (libsndfile refused it)");
        }
    }

    if (mp3) {
        // Tags must be set before the first audio frame: libsndfile writes the ID3v2 header ahead of the
        // audio.
        if (!options_.title.empty()) sf_set_string(handle_->file, SF_STR_TITLE, options_.title.c_str());
        if (!options_.artist.empty()) sf_set_string(handle_->file, SF_STR_ARTIST, options_.artist.c_str());
        // libsndfile 1.2 (mpeg_l3_encode.c) maps compression level c to a CBR bitrate of 320 - c * (320 - 32)
        // kb/s for MPEG-1 rates (>= 32 kHz) and truncates to an integer; the tiny offset keeps e.g. 192 from
        // becoming 191 through rounding. Level first: setting the mode re-applies a level and fails if none
        // was set.
        double level = (320.0 - options_.mp3BitrateKbps) / (320.0 - 32.0) - 1e-9;
        // libsndfile 1.2 refuses a level of (almost) exactly 1.0; 0.9999 still truncates to 32 kb/s.
        level = std::clamp(level, 0.0, 0.9999);
        int mode = SF_BITRATE_MODE_CONSTANT;
        const bool levelSet =
            sf_command(handle_->file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level) == SF_TRUE;
        const bool modeSet = sf_command(handle_->file, SFC_SET_BITRATE_MODE, &mode, sizeof mode) == SF_TRUE;
        if (!levelSet || !modeSet) {
            abandon();
            throw Error(finalPath_, "MP3 encoder refused " + std::to_string(options_.mp3BitrateKbps) +
                                        " kb/s constant bitrate at " + std::to_string(options_.sampleRate) +
                                        " Hz");
        }
    }
}

AudioFileWriter::~AudioFileWriter() {
    if (!committed_) abandon();
}

void AudioFileWriter::abandon() noexcept {
    lavc_.reset();
    if (handle_) handle_->close(false);
    if (!tempPath_.empty()) ::unlink(tempPath_.c_str());
}

void AudioFileWriter::write(const float* const* channels, int64_t frames) {
    if (committed_) throw Error(finalPath_, "internal error: write after commit");
    if (lavc_) {
        for (int c = 0; c < options_.channels; ++c)
            for (int64_t i = 0; i < frames; ++i)
                if (!std::isfinite(channels[c][i])) {
                    abandon();
                    throw Error(finalPath_,
                                "export stopped: the rendered audio contains NaN/Inf samples at frame " +
                                    std::to_string(framesWritten_ + i) + " (a processing fault)");
                }
        try {
            lavc_->write(channels, frames);
        } catch (...) {
            abandon();
            throw;
        }
        framesWritten_ += frames;
        return;
    }
    if (!handle_->file) throw Error(finalPath_, "internal error: write after a failed write");
    const int numChannels = options_.channels;
    const bool pcm = pcmBits(options_.format) != 0;
    const int bits = pcm ? pcmBits(options_.format) : 24;
    const double scale = std::ldexp(1.0, bits - 1);
    const long maxCode = (1L << (bits - 1)) - 1;
    const int shift = 32 - bits; // libsndfile keeps the top `bits` bits of an int sample

    // WAV PCM is little-endian integers packed in `bits / 8` bytes: written as such (sf_write_raw), the same
    // bytes sf_writef_int would make from the shifted int, without its second trip over the samples.
    const bool packed = options_.format == OutputFormat::Wav16 || options_.format == OutputFormat::Wav24;
    const int bytesPerSample = bits / 8;
    for (int64_t offset = 0; offset < frames;) {
        const int64_t count = std::min(frames - offset, kMaxFramesPerCall);
        const size_t samples = static_cast<size_t>(count * numChannels);
        if (packed && byteScratch_.size() < samples * static_cast<size_t>(bytesPerSample))
            byteScratch_.resize(samples * static_cast<size_t>(bytesPerSample));
        if (pcm && !packed && intScratch_.size() < samples) intScratch_.resize(samples);
        if (!pcm && floatScratch_.size() < samples) floatScratch_.resize(samples);

        // NaN and Inf first, on their own: a loop with no exit in it converts at the memory's speed.
        bool allFinite = true;
        for (int c = 0; c < numChannels; ++c) {
            const float* x = channels[c] + offset;
            bool finite = true;
            for (int64_t i = 0; i < count; ++i)
                finite &= std::abs(x[i]) <= std::numeric_limits<float>::max();
            allFinite = allFinite && finite;
        }
        if (!allFinite)
            for (int64_t i = 0; i < count; ++i)
                for (int c = 0; c < numChannels; ++c)
                    if (!std::isfinite(channels[c][offset + i])) {
                        abandon();
                        throw Error(finalPath_,
                                    "export stopped: the rendered audio contains NaN/Inf samples at frame " +
                                        std::to_string(framesWritten_ + i) + " (a processing fault)");
                    }

        for (int c = 0; c < numChannels; ++c) {
            const float* x = channels[c] + offset;
            if (!pcm) {
                for (int64_t i = 0; i < count; ++i)
                    floatScratch_[static_cast<size_t>(i * numChannels + c)] = x[i];
                continue;
            }
            for (int64_t i = 0; i < count; ++i) {
                // Clamp before rounding: a huge over would not fit. Half away from zero like lround, by
                // truncation: a float times 2^(bits-1) has at most 24 significant bits, so adding 0.5 to
                // it is exact in double and truncating gives lround's result without a libm call.
                const double v = std::clamp(double(x[i]) * scale, -scale, double(maxCode));
                const auto k = static_cast<int32_t>(v < 0.0 ? v - 0.5 : v + 0.5);
                const size_t index = static_cast<size_t>(i * numChannels + c);
                if (packed) {
                    const auto u = static_cast<uint32_t>(k);
                    unsigned char* out = byteScratch_.data() + index * static_cast<size_t>(bytesPerSample);
                    out[0] = static_cast<unsigned char>(u);
                    out[1] = static_cast<unsigned char>(u >> 8);
                    if (bytesPerSample == 3) out[2] = static_cast<unsigned char>(u >> 16);
                } else {
                    // Shift as unsigned: left-shifting a negative int is not portable C++.
                    intScratch_[index] = static_cast<int>(static_cast<uint32_t>(k) << shift);
                }
            }
        }

        const sf_count_t written =
            packed ? sf_write_raw(handle_->file, byteScratch_.data(), count * numChannels * bytesPerSample) /
                         (numChannels * bytesPerSample)
            : pcm ? sf_writef_int(handle_->file, intScratch_.data(), count)
                  : sf_writef_float(handle_->file, floatScratch_.data(), count);
        if (written != count || handle_->writeErrno != 0 || sf_error(handle_->file) != SF_ERR_NO_ERROR) {
            const int err = handle_->writeErrno;
            const std::string detail = err != 0 ? describeSystemError(err) : sf_strerror(handle_->file);
            abandon();
            throw Error(finalPath_, err == ENOSPC || err == EDQUOT
                                        ? "disk full while writing; nothing was saved under this name"
                                        : "disk full or write error (" + detail + "); nothing was saved");
        }
        framesWritten_ += count;
        offset += count;
    }
}

void AudioFileWriter::commit(const std::function<void(const std::string& tempPath)>& finish) {
    if (committed_) return;
    if (!lavc_ && !handle_->file) throw Error(finalPath_, "internal error: commit after a failed write");
    // sf_close writes the final header / flushes the MP3 encoder; `finish` then edits the closed file; then
    // fsync the data (whichever descriptor wrote it) before the name points at it.
    try {
        if (lavc_) {
            lavc_->finish();
            lavc_.reset();
        }
        if (handle_->file) {
            const int closeResult = sf_close(handle_->file);
            handle_->file = nullptr;
            if (handle_->writeErrno == 0 && closeResult != 0) handle_->writeErrno = EIO;
        }
        if (finish && handle_->writeErrno == 0) finish(tempPath_);
    } catch (...) {
        abandon();
        throw;
    }
    const int err = handle_->close(true);
    if (err != 0) {
        abandon();
        throw Error(finalPath_,
                    err == ENOSPC || err == EDQUOT
                        ? "disk full while writing; nothing was saved under this name"
                        : "disk full or write error (" + describeSystemError(err) + "); nothing was saved");
    }
    if (::rename(tempPath_.c_str(), finalPath_.c_str()) != 0) {
        const int renameErr = errno;
        abandon();
        throw Error(finalPath_, "could not save: " + describeSystemError(renameErr));
    }
    committed_ = true;
    // Without this a power cut shortly after export can lose the rename even though the data was synced.
    detail::syncParentDirectory(finalPath_);
}

} // namespace lathe::core
