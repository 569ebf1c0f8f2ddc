#include "core/io/AudioFileWriter.h"
#include "core/Error.h"
#include "core/io/AudioFileReader.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>

using namespace lathe;
using lathe::test::PlanarAudio;

namespace {

void writeAll(core::AudioFileWriter& writer, const PlanarAudio& audio, int64_t blockFrames = 777) {
    const int64_t frames = static_cast<int64_t>(audio[0].size());
    std::vector<const float*> pointers(audio.size());
    for (int64_t offset = 0; offset < frames; offset += blockFrames) {
        for (size_t c = 0; c < audio.size(); ++c)
            pointers[c] = audio[c].data() + offset;
        writer.write(pointers.data(), std::min(blockFrames, frames - offset));
    }
}

// Reads a file's samples as libsndfile integers (left-justified in 32 bits), independent of our reader.
std::vector<int> readInts(const std::string& path, SF_INFO& info) {
    info = SF_INFO{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    EXPECT_NE(file, nullptr) << sf_strerror(nullptr);
    if (!file) return {};
    std::vector<int> samples(static_cast<size_t>(info.frames * info.channels));
    EXPECT_EQ(sf_readf_int(file, samples.data(), info.frames), info.frames);
    sf_close(file);
    return samples;
}

std::string runCommand(const std::string& command) {
    std::string output;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return output;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0)
        output.append(buffer, n);
    return output;
}

bool haveFfprobe() {
    return std::system("ffprobe -version >/dev/null 2>&1") == 0;
}

// Value of `key=` in ffprobe's flat "default" output, or "" if absent.
std::string probeField(const std::string& output, const std::string& key) {
    const auto at = output.find(key + "=");
    if (at == std::string::npos) return {};
    const auto start = at + key.size() + 1;
    return output.substr(start, output.find('\n', start) - start);
}

} // namespace

TEST(AudioFileWriter, Pcm24IsBitExactOnTheGridIncludingFullScale) {
    // Codes k chosen where float scaling goes wrong: libsndfile's own float->int path multiplies by 2^23 - 1,
    // which moves every large code by one LSB (k = 2^23 - 1 would come out as 2^23 - 2).
    const std::array<int, 10> codes = {0,       1,       -1,       4194304,  -4194304,
                                       8388606, 8388607, -8388607, -8388608, 1234567};
    PlanarAudio audio(2);
    for (int k : codes) {
        audio[0].push_back(float(k / 8388608.0));
        audio[1].push_back(float(-k / 8388608.0));
    }
    test::TempDir dir;
    const std::string path = dir.file("master.wav");
    core::WriterOptions options;
    options.format = core::OutputFormat::Wav24;
    options.sampleRate = 96000;
    {
        core::AudioFileWriter writer(path, options);
        writeAll(writer, audio, 3);
        writer.commit();
    }
    SF_INFO info;
    const std::vector<int> samples = readInts(path, info);
    EXPECT_EQ(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    EXPECT_EQ(info.samplerate, 96000);
    ASSERT_EQ(samples.size(), 2 * codes.size());
    for (size_t i = 0; i < codes.size(); ++i) {
        EXPECT_EQ(samples[2 * i] >> 8, codes[i]) << "frame " << i;
        // -(-2^23) is beyond full scale and must clamp to the largest positive code.
        EXPECT_EQ(samples[2 * i + 1] >> 8, std::min(-codes[i], 8388607)) << "frame " << i;
        EXPECT_EQ(samples[2 * i] & 0xFF, 0); // nothing below the 24-bit grid
    }

    // The test can tell: libsndfile's float path really is off by one at full scale here.
    const std::string viaFloat = dir.file("via_float.wav");
    SF_INFO out{};
    out.samplerate = 96000;
    out.channels = 1;
    out.format = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    SNDFILE* file = sf_open(viaFloat.c_str(), SFM_WRITE, &out);
    ASSERT_NE(file, nullptr);
    const float nearFull = float(8388607 / 8388608.0);
    sf_writef_float(file, &nearFull, 1);
    sf_close(file);
    SF_INFO viaInfo;
    EXPECT_NE(readInts(viaFloat, viaInfo).at(0) >> 8, 8388607);
}

TEST(AudioFileWriter, Pcm16IsExactAndClampsBeyondFullScale) {
    PlanarAudio audio(1);
    const std::array<int, 6> codes = {0, 1, -32768, 32767, -12345, 20000};
    for (int k : codes)
        audio[0].push_back(float(k / 32768.0));
    audio[0].push_back(1.5f); // overs clamp rather than wrap
    audio[0].push_back(-1.5f);
    audio[0].push_back(1.0f);
    test::TempDir dir;
    const std::string path = dir.file("master16.wav");
    core::WriterOptions options;
    options.format = core::OutputFormat::Wav16;
    options.channels = 1;
    options.sampleRate = 44100;
    core::AudioFileWriter writer(path, options);
    writeAll(writer, audio);
    writer.commit();

    SF_INFO info;
    const std::vector<int> samples = readInts(path, info);
    EXPECT_EQ(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    ASSERT_EQ(samples.size(), 9u);
    for (size_t i = 0; i < codes.size(); ++i)
        EXPECT_EQ(samples[i] >> 16, codes[i]);
    EXPECT_EQ(samples[6] >> 16, 32767);
    EXPECT_EQ(samples[7] >> 16, -32768);
    EXPECT_EQ(samples[8] >> 16, 32767);
}

TEST(AudioFileWriter, FloatWavRoundTripsThroughTheReader) {
    PlanarAudio audio = test::makeSine(2, 48000, 48000, 1000, 1.2); // float keeps overs
    audio[0][10] = 1e-30f;                                          // denormal-range values survive as well
    test::TempDir dir;
    const std::string path = dir.file("master_float.wav");
    core::WriterOptions options;
    options.format = core::OutputFormat::WavFloat;
    {
        core::AudioFileWriter writer(path, options);
        writeAll(writer, audio, 4096);
        writer.commit();
    }
    core::AudioFileReader reader(path);
    EXPECT_EQ(reader.info().encoding, "float");
    EXPECT_EQ(reader.info().frames, 48000);
    std::vector<float> left(48000), right(48000);
    float* channels[] = {left.data(), right.data()};
    ASSERT_EQ(reader.read(channels, 48000), 48000);
    EXPECT_EQ(left, audio[0]);
    EXPECT_EQ(right, audio[1]);
}

TEST(AudioFileWriter, Mp3Is320kCbrWithTagsAndDecodes) {
    test::TempDir dir;
    const std::string path = dir.file("master.mp3");
    const double seconds = 5.0;
    const PlanarAudio audio = test::makeSine(2, int64_t(seconds * 48000), 48000, 1000, 0.5);
    core::WriterOptions options;
    options.format = core::OutputFormat::Mp3;
    options.title = "Night Drive (Master)";
    options.artist = "The Example Band";
    {
        core::AudioFileWriter writer(path, options);
        writeAll(writer, audio, 1024);
        writer.commit();
    }

    core::AudioFileReader reader(path);
    EXPECT_EQ(reader.info().container, "mp3");
    EXPECT_TRUE(reader.info().lossy);
    EXPECT_EQ(reader.info().sampleRate, 48000);
    EXPECT_EQ(reader.info().channels, 2);
    std::vector<float> left(400000), right(400000);
    float* channels[] = {left.data(), right.data()};
    const int64_t frames = reader.read(channels, 400000);
    // LAME adds an encoder delay plus padding to a whole 1152-sample frame: well under 0.1 s.
    EXPECT_NEAR(double(frames) / 48000.0, seconds, 0.1);
    double sum = 0;
    for (int64_t i = 0; i < frames; ++i)
        sum += double(left[i]) * left[i];
    EXPECT_NEAR(10 * std::log10(sum / double(frames)), 20 * std::log10(0.5 / std::sqrt(2.0)), 0.5);

    if (!haveFfprobe()) GTEST_SKIP() << "ffprobe not installed: bitrate and tags not checked";
    const std::string output = runCommand(
        "ffprobe -v error -select_streams a:0 -show_entries stream=codec_name,bit_rate,sample_rate:"
        "format=duration,size:format_tags=title,artist -of default '" +
        path + "'");
    EXPECT_EQ(probeField(output, "codec_name"), "mp3") << output;
    EXPECT_EQ(probeField(output, "bit_rate"), "320000") << output;
    EXPECT_EQ(probeField(output, "sample_rate"), "48000") << output;
    EXPECT_EQ(probeField(output, "TAG:title"), options.title) << output;
    EXPECT_EQ(probeField(output, "TAG:artist"), options.artist) << output;
    // Constant bitrate: the whole file's size over its length is 320 kb/s (tags and the info frame are a few
    // kB).
    const double size = std::stod(probeField(output, "size"));
    const double duration = std::stod(probeField(output, "duration"));
    EXPECT_NEAR(size * 8 / duration / 1000.0, 320.0, 320.0 * 0.03) << output;
}

TEST(AudioFileWriter, Mp3HonoursOtherBitrates) {
    if (!haveFfprobe()) GTEST_SKIP() << "ffprobe not installed";
    test::TempDir dir;
    for (int kbps : {192, 128}) {
        const std::string path = dir.file("m" + std::to_string(kbps) + ".mp3");
        core::WriterOptions options;
        options.format = core::OutputFormat::Mp3;
        options.mp3BitrateKbps = kbps;
        options.sampleRate = 44100;
        core::AudioFileWriter writer(path, options);
        writeAll(writer, test::makeSine(2, 44100, 44100, 440, 0.5));
        writer.commit();
        const std::string output = runCommand(
            "ffprobe -v error -select_streams a:0 -show_entries stream=bit_rate -of default '" + path + "'");
        EXPECT_EQ(probeField(output, "bit_rate"), std::to_string(kbps * 1000)) << output;
    }
}

TEST(AudioFileWriter, UncommittedWriterLeavesNothing) {
    test::TempDir dir;
    const std::string path = dir.file("master.wav");
    {
        core::AudioFileWriter writer(path, {});
        writeAll(writer, test::makeSine(2, 10000, 48000, 440, 0.5));
        // Work in progress lives under a hidden temporary name in the same folder, never under the final
        // name.
        EXPECT_EQ(std::filesystem::path(writer.tempPath()).parent_path(), std::filesystem::path(dir.path()));
        const std::string tempName = std::filesystem::path(writer.tempPath()).filename().string();
        EXPECT_EQ(tempName.rfind(".lathe-", 0), 0u) << tempName;
        EXPECT_EQ(tempName.substr(tempName.size() - 8), ".partial") << tempName;
        EXPECT_TRUE(std::filesystem::exists(writer.tempPath()));
        EXPECT_FALSE(std::filesystem::exists(path));
    }
    EXPECT_TRUE(dir.entries().empty());
}

TEST(AudioFileWriter, CommitReplacesAnOldExportOnlyWhenComplete) {
    test::TempDir dir;
    const std::string path = dir.file("master.wav");
    test::writeBytes(path, "previous export");
    {
        core::AudioFileWriter writer(path, {});
        writeAll(writer, test::makeSine(2, 10000, 48000, 440, 0.5));
        EXPECT_EQ(test::readBytes(path), "previous export");
        const std::string temp = writer.tempPath();
        writer.commit();
        EXPECT_FALSE(std::filesystem::exists(temp));
    }
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"master.wav"});
    EXPECT_EQ(core::probeAudioFile(path).frames, 10000);
}

TEST(AudioFileWriter, NonFiniteAudioIsRefused) {
    test::TempDir dir;
    const std::string path = dir.file("master.wav");
    PlanarAudio audio = test::makeSine(2, 1000, 48000, 440, 0.5);
    audio[1][500] = std::numeric_limits<float>::quiet_NaN();
    core::AudioFileWriter writer(path, {});
    try {
        writeAll(writer, audio, 256);
        ADD_FAILURE() << "NaN was written";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), path);
        EXPECT_NE(std::string(e.what()).find("NaN/Inf samples at frame 500"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(dir.entries().empty());
}

TEST(AudioFileWriter, MissingOrBlockedOutputFolderIsAnError) {
    test::TempDir dir;
    const std::string missing = dir.file("no_such_folder/master.wav");
    try {
        core::AudioFileWriter writer(missing, {});
        ADD_FAILURE() << "opened under a missing folder";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), missing);
        EXPECT_NE(std::string(e.what()).find("output folder does not exist"), std::string::npos) << e.what();
    }
    // A file where a folder should be fails even for root (permission bits would not).
    test::writeBytes(dir.file("notes.txt"), "x");
    const std::string underFile = dir.file("notes.txt/master.wav");
    try {
        core::AudioFileWriter writer(underFile, {});
        ADD_FAILURE() << "opened under a regular file";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), underFile);
        EXPECT_NE(std::string(e.what()).find("not a folder"), std::string::npos) << e.what();
    }
}

namespace {

// Scenario for the isolated child: returns "" if writing `format` into the full tmpfs failed cleanly.
std::string expectDiskFullFailure(const std::string& folder, core::OutputFormat format) {
    const std::string path = folder + "/master." + (format == core::OutputFormat::Mp3 ? "mp3" : "wav");
    core::WriterOptions options;
    options.format = format;
    options.sampleRate = 48000;
    const PlanarAudio audio = test::makeSine(2, 10 * 48000, 48000, 440, 0.5); // 10 s: ~2.9 MB as 24-bit WAV
    std::string message;
    try {
        core::AudioFileWriter writer(path, options);
        writeAll(writer, audio, 4096);
        writer.commit();
        return "writing 10 s into a 64 kB disk did not fail";
    } catch (const core::Error& e) {
        message = e.what();
        if (e.path() != path) return "error names '" + e.path() + "', not the final path: " + message;
    }
    if (message.find("disk full") == std::string::npos) return "error does not say disk full: " + message;
    std::error_code ec;
    if (!std::filesystem::is_empty(folder, ec))
        return "files left behind after a failed export: " +
               std::filesystem::directory_iterator(folder)->path().string();
    return {};
}

} // namespace

TEST(AudioFileWriter, DiskFullThrowsAndLeavesNoFile) {
    test::TempDir dir;
    const std::string folder = dir.file("small_disk");
    std::filesystem::create_directory(folder);
    for (core::OutputFormat format : {core::OutputFormat::Wav24, core::OutputFormat::Mp3}) {
        const test::IsolatedResult result = test::runOnTinyTmpfs(
            folder, 64 * 1024, false, [&] { return expectDiskFullFailure(folder, format); });
        if (!result.skipReason.empty()) GTEST_SKIP() << "cannot mount a private tmpfs: " << result.skipReason;
        EXPECT_EQ(result.failure, "") << (format == core::OutputFormat::Mp3 ? "mp3" : "wav24");
    }
}

TEST(AudioFileWriter, ReadOnlyDiskIsAnError) {
    test::TempDir dir;
    const std::string folder = dir.file("readonly_disk");
    std::filesystem::create_directory(folder);
    const test::IsolatedResult result = test::runOnTinyTmpfs(folder, 64 * 1024, true, [&]() -> std::string {
        const std::string path = folder + "/master.wav";
        try {
            core::AudioFileWriter writer(path, {});
            return "opened a file on a read-only disk";
        } catch (const core::Error& e) {
            const std::string message = e.what();
            if (e.path() != path || message.find("read-only") == std::string::npos)
                return "unclear error: " + message;
        }
        return {};
    });
    if (!result.skipReason.empty()) GTEST_SKIP() << "cannot mount a private tmpfs: " << result.skipReason;
    EXPECT_EQ(result.failure, "");
}

TEST(AudioFileWriter, RejectsImpossibleOptions) {
    test::TempDir dir;
    core::WriterOptions mp3;
    mp3.format = core::OutputFormat::Mp3;
    mp3.sampleRate = 96000;
    EXPECT_THROW(core::AudioFileWriter(dir.file("hi.mp3"), mp3), core::Error);
    core::WriterOptions surround;
    surround.channels = 0;
    EXPECT_THROW(core::AudioFileWriter(dir.file("none.wav"), surround), core::Error);
    EXPECT_TRUE(dir.entries().empty());
}
