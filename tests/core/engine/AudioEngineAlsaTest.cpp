#include "core/demo/DemoFolder.h"
#include "support/AudioProbe.h"
#include "support/CliRunner.h"
#include "support/PrivateAudioSystem.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

// End to end through real PortAudio without a sound card: the test's private ALSA configuration
// (test::PrivateAudioSystem) defines a `file` PCM whose slave is `null`, so whatever `lathe-cli play` sends
// to that device is written to a file. The captured stem master must equal the offline render of the same
// session before dither.
namespace lathe::core {
namespace {

std::vector<float> readRawFloat(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> samples(bytes.size() / sizeof(float));
    std::memcpy(samples.data(), bytes.data(), samples.size() * sizeof(float));
    return samples;
}

int64_t firstAudible(const float* interleaved, int64_t frames, int stride) {
    for (int64_t i = 0; i < frames; ++i)
        if (std::abs(interleaved[i * stride]) > 1e-4f) return i;
    return -1;
}

class AudioEngineAlsaTest : public ::testing::TestWithParam<int> {};

TEST_P(AudioEngineAlsaTest, CapturedStemMasterEqualsTheOfflineRenderBeforeDither) {
    const int buffer = GetParam();
    test::PrivateAudioSystem audio;
    test::TempDir dir;
    DemoOptions demo;
    demo.seconds = 5;
    writeDemoFolder(dir.file("song"), demo);
    const std::vector<std::string> exact = {"--set", "output.bit_depth=32", "--set", "output.dither=false"};

    std::vector<std::string> render = {"render", dir.file("song"), "--out",    dir.file("out"),
                                       "--mode", "stem",           "--no-mp3", "--quiet"};
    render.insert(render.end(), exact.begin(), exact.end());
    const auto rendered = test::runCli(render);
    ASSERT_EQ(rendered.exitCode, 0) << rendered.err;
    const test::PlanarAudio reference = test::readTestAudio(dir.file("out/song_stem_master.wav"));
    ASSERT_EQ(reference.size(), 2u);
    const int64_t frames = static_cast<int64_t>(reference[0].size());

    // PortAudio's ALSA host lists the PCMs the configuration defines as devices.
    std::vector<std::string> play = {
        "play",     dir.file("song"),       "--device", test::PrivateAudioSystem::kCaptureDevice,
        "--buffer", std::to_string(buffer), "--source", "stem",
        "--stats"};
    play.insert(play.end(), exact.begin(), exact.end());
    const auto played = test::runCli(play);
    ASSERT_EQ(played.exitCode, 0) << played.err;
    ASSERT_NE(played.err.find(std::string("on ") + test::PrivateAudioSystem::kCaptureDevice + ", " +
                              std::to_string(buffer) + " frames"),
              std::string::npos)
        << played.err;

    // The device gets float32 interleaved stereo (PortAudio asks for float first and null accepts it).
    const std::vector<float> capture = readRawFloat(audio.captureFile());
    const int64_t captured = static_cast<int64_t>(capture.size() / 2);
    ASSERT_GT(captured, frames);

    // --stats counts what reached the device: every callback wrote one buffer to the capture file. The null
    // device is not paced (it takes buffers as fast as they come), so the timing figures are only checked for
    // consistency.
    long long callbacks = -1, xruns = -1, late = -1;
    double mean = -1, p99 = -1, max = -1;
    const size_t at = played.out.find("callbacks ");
    ASSERT_NE(at, std::string::npos) << played.out;
    ASSERT_EQ(
        std::sscanf(
            played.out.c_str() + at,
            "callbacks %lld\nxruns %lld\nlate_callbacks %lld\ncallback_percent mean %lf p99 %lf max %lf",
            &callbacks, &xruns, &late, &mean, &p99, &max),
        6)
        << played.out;
    std::printf(
        "stats: %lld callbacks (captured %lld frames), %lld xruns, %lld late, mean %.2f p99 %.2f max %.2f\n",
        callbacks, static_cast<long long>(captured), xruns, late, mean, p99, max);
    // PortAudio's ALSA host primes the device with up to one device buffer of silence before the first
    // callback (here 512 and 2048 frames); the rest is one buffer per callback.
    EXPECT_GE(captured, callbacks * buffer);
    EXPECT_LE(captured, callbacks * buffer + 4096);
    EXPECT_GE(xruns, 0);
    EXPECT_GE(late, 0);
    EXPECT_LE(late, callbacks);
    EXPECT_GT(mean, 0.0);
    EXPECT_LE(mean, max);
    EXPECT_LE(p99, max);

    // Align the latency: the first audible sample of each, then the offset near it with the least residual.
    std::vector<float> refInterleaved(static_cast<size_t>(2 * frames));
    for (int64_t i = 0; i < frames; ++i) {
        refInterleaved[static_cast<size_t>(2 * i)] = reference[0][static_cast<size_t>(i)];
        refInterleaved[static_cast<size_t>(2 * i + 1)] = reference[1][static_cast<size_t>(i)];
    }
    const int64_t a = firstAudible(capture.data(), captured, 2);
    const int64_t b = firstAudible(refInterleaved.data(), frames, 2);
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    int64_t worstAt = 0;
    auto residual = [&](int64_t offset, int64_t upTo) {
        double worst = 0;
        for (int64_t i = 0; i < upTo; ++i) {
            const int64_t j = i + offset;
            for (int c = 0; c < 2; ++c) {
                const double x = j >= 0 && j < captured ? capture[static_cast<size_t>(2 * j + c)] : 0.0;
                const double d = std::abs(x - refInterleaved[static_cast<size_t>(2 * i + c)]);
                if (d > worst) worst = d, worstAt = i;
            }
        }
        return worst;
    };
    int64_t best = a - b;
    double bestResidual = 1e9;
    for (int64_t off = a - b - 16; off <= a - b + 16; ++off) {
        const double r = residual(off, std::min<int64_t>(frames, 48000));
        if (r < bestResidual) bestResidual = r, best = off;
    }
    worstAt = 0;
    const double worst = residual(best, frames);
    const double db = 20.0 * std::log10(std::max(worst, 1e-30));
    std::printf(
        "buffer %d: latency %lld frames, residual %.1f dBFS over %lld frames (largest at frame %lld)\n",
        buffer, static_cast<long long>(best), db, static_cast<long long>(frames),
        static_cast<long long>(worstAt));
    EXPECT_LE(db, -100.0);
}

INSTANTIATE_TEST_SUITE_P(Buffers, AudioEngineAlsaTest, ::testing::Values(64, 1024));

// `play --codec` through the device: the codec source is the chosen codec's (Opus: nothing above its 20 kHz
// full band, where the master and AAC at 256 kb/s keep the demo's air), aligned with the master.
TEST(AudioEngineAlsaCodecTest, PlayCodecOptionPlaysThatCodecThroughTheDevice) {
    test::PrivateAudioSystem audio;
    test::TempDir dir;
    DemoOptions demo;
    demo.seconds = 5;
    writeDemoFolder(dir.file("song"), demo);
    auto playCaptured = [&](const std::string& source, const std::string& codec) {
        std::vector<std::string> play = {
            "play",     dir.file("song"), "--device", test::PrivateAudioSystem::kCaptureDevice,
            "--source", source,           "--buffer", "256"};
        if (!codec.empty()) play.insert(play.end(), {"--codec", codec});
        const auto played = test::runCli(play);
        EXPECT_EQ(played.exitCode, 0) << played.err;
        if (!codec.empty())
            EXPECT_NE(played.err.find("(codec " + codec + ")"), std::string::npos) << played.err;
        const std::vector<float> interleaved = readRawFloat(audio.captureFile());
        std::vector<float> left(interleaved.size() / 2);
        for (size_t i = 0; i < left.size(); ++i)
            left[i] = interleaved[2 * i];
        return left;
    };
    const std::vector<float> master = playCaptured("stereo", "");
    const std::vector<float> opus = playCaptured("codec", "opus:96");
    const std::vector<float> aac = playCaptured("codec", "aac:256");
    const double masterHigh = test::energyAboveDb(master, demo.sampleRate, 20500);
    const double opusHigh = test::energyAboveDb(opus, demo.sampleRate, 20500);
    const double aacHigh = test::energyAboveDb(aac, demo.sampleRate, 20500);
    std::printf("energy above 20.5 kHz: master %.1f dB, opus:96 %.1f dB, aac:256 %.1f dB\n", masterHigh,
                opusHigh, aacHigh);
    EXPECT_LT(opusHigh, masterHigh - 20.0);
    EXPECT_LT(opusHigh, aacHigh - 10.0);
    // Same loudness as the master it previews (a displaced or wrong source would not be).
    const double masterLufs = test::integratedLufs(test::LoadedAudio{demo.sampleRate, {master, master}});
    const double opusLufs = test::integratedLufs(test::LoadedAudio{demo.sampleRate, {opus, opus}});
    EXPECT_NEAR(opusLufs, masterLufs, 0.5);

    // Not a codec, or out of range: a usage error naming the problem.
    for (const char* bad : {"wav:24", "opus:900", "flac", "mp4"}) {
        const auto r =
            test::runCli({"play", dir.file("song"), "--device", test::PrivateAudioSystem::kCaptureDevice,
                          "--source", "codec", "--codec", bad});
        EXPECT_EQ(r.exitCode, 2) << bad;
        EXPECT_NE(r.err.find("--codec"), std::string::npos) << r.err;
    }
}

} // namespace
} // namespace lathe::core
