#include "core/io/AudioFileReader.h"
#include "core/Error.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

using namespace lathe;
using lathe::test::PlanarAudio;

namespace {

// Reads a whole file through AudioFileReader in deliberately awkward block sizes.
PlanarAudio readAll(core::AudioFileReader& reader, int64_t blockFrames = 1000) {
    const int channels = reader.info().channels;
    PlanarAudio audio(channels);
    std::vector<std::vector<float>> block(channels, std::vector<float>(blockFrames));
    std::vector<float*> pointers(channels);
    for (int c = 0; c < channels; ++c)
        pointers[c] = block[c].data();
    for (;;) {
        const int64_t got = reader.read(pointers.data(), blockFrames);
        if (got == 0) break;
        for (int c = 0; c < channels; ++c)
            audio[c].insert(audio[c].end(), block[c].begin(), block[c].begin() + got);
    }
    return audio;
}

PlanarAudio quantizedSine(int channels, int64_t frames, int bits, double amplitude = 0.9) {
    PlanarAudio audio = test::makeSine(channels, frames, 48000, 997, amplitude);
    if (bits > 0)
        for (auto& channel : audio)
            for (auto& x : channel)
                x = test::quantize(x, bits);
    return audio;
}

// Expects `f` to throw core::Error whose message names `path` and contains `phrase`.
template <typename F>
void expectError(F&& f, const std::string& path, const std::string& phrase) {
    try {
        f();
        ADD_FAILURE() << "no error thrown for " << path << " (expected '" << phrase << "')";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), path);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
    }
}

struct FormatCase {
    const char* file;
    int sfFormat;
    int bits; // grid of the format; 0 for float
    const char* container;
    const char* encoding;
    int bitDepth;
};

} // namespace

TEST(AudioFileReader, LosslessFormatsRoundTripExactly) {
    // Every lossless source format must come back sample-for-sample: values on the format's grid survive
    // libsndfile's k / 2^(bits-1) read scaling exactly, so any difference is a bug in our reading.
    const FormatCase cases[] = {
        {"a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16, "wav", "pcm_16", 16},
        {"b.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 24, "wav", "pcm_24", 24},
        {"c.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 0, "wav", "float", 32},
        {"d.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16, "flac", "pcm_16", 16},
        {"e.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 24, "flac", "pcm_24", 24},
        {"f.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 16, "aiff", "pcm_16", 16},
        {"g.aif", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 24, "aiff", "pcm_24", 24},
    };
    test::TempDir dir;
    for (const auto& fc : cases) {
        SCOPED_TRACE(fc.file);
        const std::string path = dir.file(fc.file);
        const PlanarAudio source = quantizedSine(2, 12345, fc.bits);
        test::writeTestAudio(path, source, 48000, fc.sfFormat);

        core::AudioFileReader reader(path);
        const core::AudioFileInfo& info = reader.info();
        EXPECT_EQ(info.path, path);
        EXPECT_EQ(info.sampleRate, 48000);
        EXPECT_EQ(info.channels, 2);
        EXPECT_EQ(info.frames, 12345);
        EXPECT_EQ(info.container, fc.container);
        EXPECT_EQ(info.encoding, fc.encoding);
        EXPECT_EQ(info.bitDepth, fc.bitDepth);
        EXPECT_EQ(info.isFloat, fc.bits == 0);
        EXPECT_FALSE(info.lossy);
        EXPECT_NEAR(info.durationSeconds(), 12345.0 / 48000.0, 1e-12);
        EXPECT_NO_THROW(core::validateSource(info));

        const PlanarAudio decoded = readAll(reader, 1000);
        ASSERT_EQ(decoded.size(), 2u);
        ASSERT_EQ(decoded[0].size(), 12345u);
        for (int c = 0; c < 2; ++c)
            for (size_t i = 0; i < decoded[c].size(); ++i)
                ASSERT_EQ(decoded[c][i], source[c][i]) << "channel " << c << " frame " << i;

        // probe agrees with the reader.
        const core::AudioFileInfo probed = core::probeAudioFile(path);
        EXPECT_EQ(probed.frames, info.frames);
        EXPECT_EQ(probed.encoding, info.encoding);
    }
}

TEST(AudioFileReader, ReadsOggVorbisAsLossy) {
    test::TempDir dir;
    const std::string path = dir.file("ref.ogg");
    const PlanarAudio source = test::makeSine(2, 48000, 48000, 1000, 0.5);
    test::writeTestAudio(path, source, 48000, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
    core::AudioFileReader reader(path);
    EXPECT_EQ(reader.info().container, "ogg");
    EXPECT_EQ(reader.info().encoding, "vorbis");
    EXPECT_TRUE(reader.info().lossy);
    EXPECT_EQ(reader.info().bitDepth, 0);
    const PlanarAudio decoded = readAll(reader, 4096);
    ASSERT_EQ(decoded.size(), 2u);
    EXPECT_NEAR(double(decoded[0].size()), 48000.0, 2048.0);
    // A 0.5-peak sine has RMS 0.5/sqrt(2); Vorbis at default quality keeps a pure tone's level within 0.5 dB.
    double sum = 0;
    for (float x : decoded[0])
        sum += double(x) * x;
    const double rmsDb = 10 * std::log10(sum / decoded[0].size());
    EXPECT_NEAR(rmsDb, 20 * std::log10(0.5 / std::sqrt(2.0)), 0.5);
}

TEST(AudioFileReader, SeekThenReadMatchesSource) {
    test::TempDir dir;
    const std::string path = dir.file("mix.wav");
    const PlanarAudio source = quantizedSine(2, 10000, 24);
    test::writeTestAudio(path, source, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    core::AudioFileReader reader(path);
    reader.seek(7000);
    EXPECT_EQ(reader.position(), 7000);
    std::vector<float> left(5000), right(5000);
    float* channels[] = {left.data(), right.data()};
    ASSERT_EQ(reader.read(channels, 5000), 3000); // only 3000 frames remain
    for (int i = 0; i < 3000; ++i) {
        ASSERT_EQ(left[i], source[0][7000 + i]);
        ASSERT_EQ(right[i], source[1][7000 + i]);
    }
    EXPECT_EQ(reader.read(channels, 5000), 0);
}

TEST(AudioFileReader, MissingFileSaysNotFound) {
    test::TempDir dir;
    const std::string path = dir.file("nope.wav");
    expectError([&] { core::AudioFileReader reader(path); }, path, "file not found");
    expectError([&] { core::probeAudioFile(path); }, path, "file not found");
}

TEST(AudioFileReader, TextFileNamedWavIsNotAudio) {
    test::TempDir dir;
    const std::string path = dir.file("mix.wav");
    test::writeBytes(path, "These are the session notes, not audio. Please master loud!\n");
    expectError([&] { core::probeAudioFile(path); }, path, "not an audio file (libsndfile: ");
}

TEST(AudioFileReader, ZeroLengthFileIsEmpty) {
    test::TempDir dir;
    const std::string path = dir.file("empty.wav");
    test::writeBytes(path, "");
    expectError([&] { core::probeAudioFile(path); }, path, "file is empty");
}

TEST(AudioFileReader, DirectoryIsRejected) {
    test::TempDir dir;
    const std::string path = dir.file("stems.wav");
    std::filesystem::create_directory(path);
    expectError([&] { core::AudioFileReader reader(path); }, path, "is a folder");
}

TEST(AudioFileReader, TruncatedWavIsDetectedAtProbe) {
    // A half-uploaded file: libsndfile quietly reports only the frames present, so the header's own data size
    // is the only evidence; the song must not silently become half as long.
    test::TempDir dir;
    const std::string path = dir.file("mix.wav");
    test::writeTestAudio(path, quantizedSine(2, 48000, 24), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const auto size = std::filesystem::file_size(path);
    std::filesystem::resize_file(path, size / 2);
    // 44-byte canonical header, 6 bytes per stereo 24-bit frame.
    const int64_t readable = (int64_t(size / 2) - 44) / 6;
    expectError([&] { core::probeAudioFile(path); }, path,
                "truncated: header says 48000 frames, only " + std::to_string(readable) + " readable");
    expectError([&] { core::AudioFileReader reader(path); }, path, "truncated");
}

TEST(AudioFileReader, TruncatedAiffIsDetectedAtProbe) {
    test::TempDir dir;
    const std::string path = dir.file("mix.aiff");
    test::writeTestAudio(path, quantizedSine(2, 48000, 16), 48000, SF_FORMAT_AIFF | SF_FORMAT_PCM_16);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 3);
    expectError([&] { core::probeAudioFile(path); }, path, "truncated: header says 48000 frames");
}

TEST(AudioFileReader, TruncatedFlacFailsWhileReading) {
    test::TempDir dir;
    const std::string path = dir.file("mix.flac");
    // Noise-like content so FLAC cannot compress the file to almost nothing.
    PlanarAudio source = test::makeSine(2, 96000, 48000, 3111.7, 0.3);
    for (size_t i = 0; i < source[0].size(); ++i)
        source[1][i] = test::quantize(std::sin(i * i * 0.001), 16);
    test::writeTestAudio(path, source, 48000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
    try {
        core::AudioFileReader reader(path);
        readAll(reader, 4096);
        ADD_FAILURE() << "reading a truncated FLAC did not throw";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), path);
        const std::string message = e.what();
        EXPECT_TRUE(message.find("truncated") != std::string::npos) << message;
    }
}

TEST(AudioFileReader, EightBitWavIsRefusedAsSource) {
    test::TempDir dir;
    const std::string path = dir.file("old.wav");
    test::writeTestAudio(path, quantizedSine(2, 1000, 8), 22050, SF_FORMAT_WAV | SF_FORMAT_PCM_U8);
    const core::AudioFileInfo info = core::probeAudioFile(path);
    EXPECT_EQ(info.bitDepth, 8);
    EXPECT_EQ(info.encoding, "pcm_u8");
    expectError([&] { core::validateSource(info); }, path, "8-bit audio: ask");
}

TEST(AudioFileReader, NonFiniteSamplesNameTheFrame) {
    test::TempDir dir;
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
        const std::string path = dir.file(std::isnan(bad) ? "nan.wav" : "inf.wav");
        PlanarAudio source = test::makeSine(2, 20000, 48000, 440, 0.5);
        source[1][12345] = bad;
        test::writeTestAudio(path, source, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
        core::AudioFileReader reader(path);
        expectError([&] { readAll(reader, 4096); }, path, "contains NaN/Inf samples at frame 12345");
    }
}

TEST(AudioFileReader, SurroundIsRefusedWithAClearReason) {
    test::TempDir dir;
    const std::string path = dir.file("surround.wav");
    test::writeTestAudio(path, quantizedSine(6, 1000, 24), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const core::AudioFileInfo info = core::probeAudioFile(path);
    EXPECT_EQ(info.channels, 6);
    expectError([&] { core::validateSource(info); }, path, "6-channel audio: Lathe masters stereo");
}

TEST(AudioFileReader, ValidateSourceLimits) {
    test::TempDir dir;
    const std::string mono = dir.file("mono.wav");
    test::writeTestAudio(mono, quantizedSine(1, 100, 16), 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    EXPECT_NO_THROW(core::validateSource(core::probeAudioFile(mono)));

    const std::string silentHeader = dir.file("zero.wav");
    test::writeTestAudio(silentHeader, PlanarAudio(2), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    expectError([&] { core::validateSource(core::probeAudioFile(silentHeader)); }, silentHeader, "no audio");

    const std::string lowRate = dir.file("phone.wav");
    test::writeTestAudio(lowRate, quantizedSine(1, 100, 16), 4000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    expectError([&] { core::validateSource(core::probeAudioFile(lowRate)); }, lowRate, "sample rate 4000 Hz");
}

namespace {

// The open(2) flags of this process's descriptor on `path`, from /proc; -1 if none is open.
int openFlagsOf(const std::string& path) {
    const auto target = std::filesystem::canonical(path);
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        if (std::filesystem::read_symlink(entry.path(), ec) != target) continue;
        std::ifstream fdinfo("/proc/self/fdinfo/" + entry.path().filename().string());
        std::string key;
        while (fdinfo >> key) {
            if (key == "flags:") {
                std::string octal;
                fdinfo >> octal;
                return static_cast<int>(std::stol(octal, nullptr, 8));
            }
        }
    }
    return -1;
}

} // namespace

TEST(AudioFileReader, NeverOpensSourcesForWriting) {
    test::TempDir dir;
    const std::string path = dir.file("client_mix.wav");
    test::writeTestAudio(path, quantizedSine(2, 48000, 24), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    // Back-date the file so an accidental rewrite would show even within the same clock tick.
    const auto past = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24);
    std::filesystem::last_write_time(path, past);
    const std::string checksum = test::sha256File(path);
    ASSERT_EQ(::chmod(path.c_str(), 0444), 0);

    {
        core::AudioFileReader reader(path);
        // The kernel's own record of how the source is open: read-only, no O_RDWR/O_WRONLY/O_TRUNC/O_CREAT.
        const int flags = openFlagsOf(path);
        ASSERT_NE(flags, -1) << "reader holds no descriptor on the file";
        EXPECT_EQ(flags & O_ACCMODE, O_RDONLY);
        EXPECT_EQ(flags & (O_TRUNC | O_CREAT | O_APPEND), 0);
        readAll(reader, 4096);
        reader.seek(100);
        readAll(reader, 333);
        core::probeAudioFile(path);
    }
    EXPECT_EQ(test::sha256File(path), checksum);
    EXPECT_EQ(std::filesystem::last_write_time(path), past);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0444u);
}
