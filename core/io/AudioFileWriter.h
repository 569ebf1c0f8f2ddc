#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lathe::core {

enum class OutputFormat { Wav16, Wav24, WavFloat, Mp3, Flac16, Flac24, Opus, Vorbis, Aac };

class LavcEncoder;

// Opus (as libopus takes it): 48, 24, 16, 12 or 8 kHz. The render makes Opus files at 48 kHz.
bool opusCarriesSampleRate(int sampleRate);
// AAC (libavcodec's encoder): the MPEG-4 rates from 8 to 96 kHz.
bool aacCarriesSampleRate(int sampleRate);

// Whether MP3 (MPEG-1 Layer III, what the encoder writes) carries this sample rate: 32, 44.1 or 48 kHz. The
// render makes no MP3 at any other rate (with a warning), the codec preview and `advise` skip it.
bool mp3CarriesSampleRate(int sampleRate);

struct WriterOptions {
    OutputFormat format = OutputFormat::Wav24;
    int sampleRate = 48000;
    int channels = 2;
    int mp3BitrateKbps = 320;
    int lossyKbps = 160;      // Opus and AAC
    double vorbisQuality = 8; // 0..10
    std::string title;
    std::string artist;
    // WAV only: a BWF bext chunk (version 2) ahead of the audio, its loudness fields marked unknown until
    // patched at commit (FileTags.h: patchBextLoudness) once the audio is measured.
    bool broadcastExtension = false;
    std::string bextDescription;
    std::string bextOriginator;
    std::string bextDate; // yyyy-mm-dd
    std::string bextTime; // hh:mm:ss
};

// Writes an export under a temporary name beside finalPath and renames it over finalPath only on commit(), so
// the final name never holds a partial file (a crash, a full disk or an exception leaves the old file or
// nothing).
class AudioFileWriter {
public:
    AudioFileWriter(std::string finalPath,
                    const WriterOptions& options); // opens a temp file beside finalPath; throws Error
    ~AudioFileWriter(); // not committed -> temp removed; a final name never holds a partial file
    AudioFileWriter(const AudioFileWriter&) = delete;
    AudioFileWriter& operator=(const AudioFileWriter&) = delete;

    // Planar float. For PCM formats samples are expected already on the bit-depth grid (dithered upstream)
    // and are converted exactly (k / 2^(bits-1) -> integer k, clamped to full scale), not via libsndfile's
    // float scaling.
    void write(const float* const* channels,
               int64_t frames); // throws Error (e.g. disk full), naming finalPath
    // flush, close, run `finish` on the complete temporary file (tags, chunks), fsync, rename over finalPath;
    // throws Error and removes temp (also when `finish` throws).
    void commit(const std::function<void(const std::string& tempPath)>& finish = {});

    const std::string& finalPath() const { return finalPath_; }
    const std::string& tempPath() const { return tempPath_; }
    int64_t framesWritten() const { return framesWritten_; }

private:
    void abandon() noexcept;

    struct Handle;
    std::unique_ptr<Handle> handle_;
    std::unique_ptr<LavcEncoder> lavc_; // Opus, Vorbis, AAC
    std::string finalPath_;
    std::string tempPath_;
    WriterOptions options_;
    int64_t framesWritten_ = 0;
    bool committed_ = false;
    std::vector<int> intScratch_;
    std::vector<unsigned char> byteScratch_; // WAV PCM as the file holds it
    std::vector<float> floatScratch_;
};

} // namespace lathe::core
