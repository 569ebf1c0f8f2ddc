#include "core/io/AudioFileReader.h"

#include "core/Error.h"

#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace lathe::core {

namespace {

// The longest path libsndfile 1.2 opens by name (measured: 1,024 bytes opens, 1,025 is refused).
constexpr std::size_t kSndfileMaxPathBytes = 1024;

// Bounds the interleaved scratch buffer; read() loops for larger requests.
constexpr int64_t kMaxFramesPerCall = 65536;

struct SndfileCloser {
    void operator()(SNDFILE* file) const {
        if (file) sf_close(file);
    }
};

std::string formatTime(double seconds) {
    const int minutes = static_cast<int>(seconds / 60.0);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%d:%06.3f", minutes, seconds - 60.0 * minutes);
    return buffer;
}

// Gives the reasons a path cannot be an audio file that libsndfile would only report as "system error".
void checkIsReadableRegularFile(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        throw Error(path, err == ENOENT ? "file not found" : "cannot open: " + describeSystemError(err));
    }
    if (S_ISDIR(st.st_mode)) throw Error(path, "is a folder, not an audio file");
    if (!S_ISREG(st.st_mode)) throw Error(path, "not a regular file");
    if (st.st_size == 0) throw Error(path, "file is empty");
}

SNDFILE* openReadOnly(const std::string& path, SF_INFO& sfInfo) {
    checkIsReadableRegularFile(path);
    sfInfo = SF_INFO{};
    // SFM_READ only: libsndfile then opens with O_RDONLY, so a source can never be modified or truncated by
    // Lathe.
    SNDFILE* file = nullptr;
    if (path.size() <= kSndfileMaxPathBytes) {
        file = sf_open(path.c_str(), SFM_READ, &sfInfo);
    } else {
        // libsndfile keeps the name in a fixed buffer and refuses a longer one ("Supplied filename too
        // long"); the system takes paths up to PATH_MAX, so the file is opened here (read-only too) and
        // handed over.
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw Error(path, "cannot open: " + describeSystemError(errno));
        file = sf_open_fd(fd, SFM_READ, &sfInfo, SF_TRUE); // closes fd itself, on failure too
    }
    if (!file) {
        const std::string reason = sf_strerror(nullptr);
        if (reason.find("ystem error") != std::string::npos && errno != 0)
            throw Error(path, "cannot open: " + describeSystemError(errno));
        throw Error(path, "not an audio file (libsndfile: " + reason + ")");
    }
    return file;
}

std::string containerName(int major) {
    switch (major) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
        return "wav";
    case SF_FORMAT_RF64:
        return "rf64";
    case SF_FORMAT_W64:
        return "w64";
    case SF_FORMAT_AIFF:
        return "aiff";
    case SF_FORMAT_FLAC:
        return "flac";
    case SF_FORMAT_OGG:
        return "ogg";
    case SF_FORMAT_MPEG:
        return "mp3";
    case SF_FORMAT_CAF:
        return "caf";
    case SF_FORMAT_AU:
        return "au";
    default:
        return "other";
    }
}

void describeEncoding(int subtype, AudioFileInfo& info) {
    switch (subtype) {
    case SF_FORMAT_PCM_S8:
        info.bitDepth = 8;
        info.encoding = "pcm_s8";
        break;
    case SF_FORMAT_PCM_U8:
        info.bitDepth = 8;
        info.encoding = "pcm_u8";
        break;
    case SF_FORMAT_PCM_16:
        info.bitDepth = 16;
        info.encoding = "pcm_16";
        break;
    case SF_FORMAT_PCM_24:
        info.bitDepth = 24;
        info.encoding = "pcm_24";
        break;
    case SF_FORMAT_PCM_32:
        info.bitDepth = 32;
        info.encoding = "pcm_32";
        break;
    case SF_FORMAT_FLOAT:
        info.bitDepth = 32;
        info.isFloat = true;
        info.encoding = "float";
        break;
    case SF_FORMAT_DOUBLE:
        info.bitDepth = 64;
        info.isFloat = true;
        info.encoding = "double";
        break;
    case SF_FORMAT_ALAC_16:
        info.bitDepth = 16;
        info.encoding = "alac_16";
        break;
    case SF_FORMAT_ALAC_20:
        info.bitDepth = 20;
        info.encoding = "alac_20";
        break;
    case SF_FORMAT_ALAC_24:
        info.bitDepth = 24;
        info.encoding = "alac_24";
        break;
    case SF_FORMAT_ALAC_32:
        info.bitDepth = 32;
        info.encoding = "alac_32";
        break;
    // Companded telephone formats carry 8 bits per sample: treat them like 8-bit PCM.
    case SF_FORMAT_ULAW:
        info.bitDepth = 8;
        info.encoding = "ulaw";
        break;
    case SF_FORMAT_ALAW:
        info.bitDepth = 8;
        info.encoding = "alaw";
        break;
    case SF_FORMAT_VORBIS:
        info.lossy = true;
        info.encoding = "vorbis";
        break;
    case SF_FORMAT_OPUS:
        info.lossy = true;
        info.encoding = "opus";
        break;
    case SF_FORMAT_MPEG_LAYER_I:
        info.lossy = true;
        info.encoding = "mp1";
        break;
    case SF_FORMAT_MPEG_LAYER_II:
        info.lossy = true;
        info.encoding = "mp2";
        break;
    case SF_FORMAT_MPEG_LAYER_III:
        info.lossy = true;
        info.encoding = "mp3";
        break;
    default:
        info.lossy = true;
        info.encoding = "other";
        break;
    }
}

uint32_t le32(const unsigned char* p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24);
}
uint32_t be32(const unsigned char* p) {
    return (uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

// The frame count the file's own header declares, for uncompressed WAV and AIFF; -1 when unknown. libsndfile
// quietly shortens its frame count to what the file holds, so a cut-off upload would otherwise look like a
// shorter song.
int64_t declaredFrames(const std::string& path, const AudioFileInfo& info, int major) {
    if (info.lossy || info.bitDepth == 0 || info.channels <= 0) return -1;
    std::ifstream in(path, std::ios::binary);
    if (!in) return -1;
    unsigned char header[12];
    if (!in.read(reinterpret_cast<char*>(header), 12)) return -1;
    const bool wav = major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX;
    if (wav && std::memcmp(header, "RIFF", 4) != 0) return -1; // RIFX etc: leave to libsndfile
    if (major == SF_FORMAT_AIFF && std::memcmp(header, "FORM", 4) != 0) return -1;
    if (!wav && major != SF_FORMAT_AIFF) return -1;

    for (int chunk = 0; chunk < 1000; ++chunk) {
        unsigned char chunkHeader[8];
        if (!in.read(reinterpret_cast<char*>(chunkHeader), 8)) return -1;
        const uint32_t size = wav ? le32(chunkHeader + 4) : be32(chunkHeader + 4);
        if (wav && std::memcmp(chunkHeader, "data", 4) == 0) {
            // 0 and 0xFFFFFFFF are what streaming writers leave when they never patched the header.
            if (size == 0 || size == 0xFFFFFFFFu) return -1;
            const int bytesPerSample = info.bitDepth == 8 ? 1 : (info.bitDepth + 7) / 8;
            return size / (int64_t(bytesPerSample) * info.channels);
        }
        if (!wav && std::memcmp(chunkHeader, "COMM", 4) == 0) {
            unsigned char comm[6];
            if (!in.read(reinterpret_cast<char*>(comm), 6)) return -1;
            return be32(comm + 2);
        }
        in.seekg(static_cast<std::streamoff>(size + (size & 1u)), std::ios::cur);
        if (!in) return -1;
    }
    return -1;
}

AudioFileInfo describe(const std::string& path, const SF_INFO& sfInfo) {
    AudioFileInfo info;
    info.path = path;
    info.sampleRate = sfInfo.samplerate;
    info.channels = sfInfo.channels;
    info.frames = sfInfo.frames;
    // libsndfile reports SF_COUNT_MAX frames when it cannot tell a stream's length (a damaged Ogg file, found
    // by tests/fuzz); a source of unknown length cannot be mastered.
    if (sfInfo.frames < 0 || sfInfo.frames == SF_COUNT_MAX)
        throw Error(path, "damaged: the length of the audio cannot be determined");
    const int major = sfInfo.format & SF_FORMAT_TYPEMASK;
    info.container = containerName(major);
    describeEncoding(sfInfo.format & SF_FORMAT_SUBMASK, info);

    const int64_t declared = declaredFrames(path, info, major);
    if (declared > info.frames)
        throw Error(path, "truncated: header says " + std::to_string(declared) + " frames, only " +
                              std::to_string(info.frames) + " readable (incomplete upload or copy?)");
    return info;
}

} // namespace

double AudioFileInfo::durationSeconds() const {
    return sampleRate > 0 ? double(frames) / sampleRate : 0.0;
}

AudioFileInfo probeAudioFile(const std::string& path) {
    SF_INFO sfInfo{};
    std::unique_ptr<SNDFILE, SndfileCloser> file(openReadOnly(path, sfInfo));
    return describe(path, sfInfo);
}

struct AudioFileReader::Handle {
    std::unique_ptr<SNDFILE, SndfileCloser> file;
};

AudioFileReader::AudioFileReader(const std::string& path) : handle_(std::make_unique<Handle>()) {
    SF_INFO sfInfo{};
    handle_->file.reset(openReadOnly(path, sfInfo));
    info_ = describe(path, sfInfo);
    // Integer PCM is read as k / 2^(bits-1), which is exact in float for up to 24 bits: the grid survives
    // intact.
    sf_command(handle_->file.get(), SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
}

AudioFileReader::~AudioFileReader() = default;

int64_t AudioFileReader::readInterleaved(float* interleaved, int64_t maxFrames) {
    SNDFILE* file = handle_->file.get();
    const int numChannels = info_.channels;
    // Integer PCM decodes to finite floats by construction; only float and lossy data can carry NaN/Inf.
    const bool check = info_.isFloat || info_.lossy;
    int64_t total = 0;
    while (total < maxFrames) {
        const int64_t wanted = std::min(maxFrames - total, kMaxFramesPerCall);
        float* out = interleaved + total * numChannels;
        const sf_count_t got = sf_readf_float(file, out, wanted);
        if (got < 0 || sf_error(file) != SF_ERR_NO_ERROR)
            throw Error(info_.path, "damaged or truncated: decoding failed near frame " +
                                        std::to_string(position_) + " (libsndfile: " + sf_strerror(file) +
                                        ")");
        if (check)
            for (int64_t k = 0; k < got * numChannels; ++k)
                if (!std::isfinite(out[k])) {
                    const int64_t frame = position_ + k / numChannels;
                    throw Error(info_.path,
                                "contains NaN/Inf samples at frame " + std::to_string(frame) + " (" +
                                    formatTime(double(frame) / info_.sampleRate) +
                                    "): the file is corrupt or was exported from a faulty plug-in");
                }
        position_ += got;
        total += got;
        if (got < wanted) {
            // Lossy decoders only estimate the length from the header; for everything else a short read
            // before the announced end means data is missing.
            if (!info_.lossy && position_ < info_.frames)
                throw Error(info_.path, "truncated: header says " + std::to_string(info_.frames) +
                                            " frames, only " + std::to_string(position_) + " readable");
            break;
        }
    }
    return total;
}

int64_t AudioFileReader::read(float* const* channels, int64_t maxFrames) {
    const int numChannels = info_.channels;
    int64_t total = 0;
    while (total < maxFrames) {
        const int64_t wanted = std::min(maxFrames - total, kMaxFramesPerCall);
        const size_t needed = static_cast<size_t>(wanted * numChannels);
        if (interleaved_.size() < needed) interleaved_.resize(needed);
        const int64_t got = readInterleaved(interleaved_.data(), wanted);
        if (numChannels == 2) {
            float* left = channels[0] + total;
            float* right = channels[1] + total;
            for (int64_t i = 0; i < got; ++i) {
                left[i] = interleaved_[static_cast<size_t>(2 * i)];
                right[i] = interleaved_[static_cast<size_t>(2 * i + 1)];
            }
        } else {
            for (int64_t i = 0; i < got; ++i)
                for (int c = 0; c < numChannels; ++c)
                    channels[c][total + i] = interleaved_[static_cast<size_t>(i * numChannels + c)];
        }
        total += got;
        if (got < wanted) break;
    }
    return total;
}

void AudioFileReader::seek(int64_t frame) {
    if (sf_seek(handle_->file.get(), frame, SEEK_SET) < 0)
        throw Error(info_.path, "cannot seek to frame " + std::to_string(frame) +
                                    " (libsndfile: " + sf_strerror(handle_->file.get()) + ")");
    position_ = frame;
}

void validateSource(const AudioFileInfo& info) {
    if (info.bitDepth == 8 && !info.isFloat)
        throw Error(info.path, "8-bit audio: ask the client for a 16-bit, 24-bit or float export");
    if (info.channels < 1) throw Error(info.path, "has no audio channels");
    if (info.channels > 2)
        throw Error(info.path, std::to_string(info.channels) +
                                   "-channel audio: Lathe masters stereo; export a stereo (or mono) file");
    if (info.frames <= 0) throw Error(info.path, "contains no audio (0 frames)");
    if (info.sampleRate < 8000 || info.sampleRate > 384000)
        throw Error(info.path, "sample rate " + std::to_string(info.sampleRate) +
                                   " Hz is outside the 8 kHz to 384 kHz Lathe accepts");
}

} // namespace lathe::core
