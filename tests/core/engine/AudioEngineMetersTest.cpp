#include "core/engine/AudioEngine.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <ebur128.h>

#include <chrono>
#include <cmath>
#include <thread>

// The meters the GUI shows beside the transport: loudness range of what is played, and each stem's compressor
// gain reduction while the stem master plays. Checked against independent numbers: libebur128 run directly
// on the same signal, and the compressor's static curve for a steady sine.
namespace lathe::core {
namespace {

constexpr int kRate = 48000;
constexpr double kSeconds = 40;
constexpr double kStemAmplitude = 0.5; // -6.02 dBFS peak

// 5 s sections alternating between -20 and -30 LUFS: a 1 kHz sine on both channels reads its peak level in
// LUFS (BS.1770's calibration), so amplitudes 0.1 and 0.1/sqrt(10).
test::PlanarAudio alternatingSections() {
    const int64_t frames = static_cast<int64_t>(kSeconds * kRate);
    test::PlanarAudio a(2, std::vector<float>(static_cast<size_t>(frames)));
    for (int64_t i = 0; i < frames; ++i) {
        const bool loud = (i / (5 * kRate)) % 2 == 0;
        const double amp = loud ? 0.1 : 0.1 / std::sqrt(10.0);
        const float x =
            static_cast<float>(amp * std::sin(2 * M_PI * 1000.0 * static_cast<double>(i) / kRate));
        a[0][static_cast<size_t>(i)] = a[1][static_cast<size_t>(i)] = x;
    }
    return a;
}

double libebur128Range(const test::PlanarAudio& a) {
    ebur128_state* st = ebur128_init(2, kRate, EBUR128_MODE_LRA);
    std::vector<float> inter(2 * a[0].size());
    for (size_t i = 0; i < a[0].size(); ++i) {
        inter[2 * i] = a[0][i];
        inter[2 * i + 1] = a[1][i];
    }
    ebur128_add_frames_float(st, inter.data(), a[0].size());
    double lra = 0;
    ebur128_loudness_range(st, &lra);
    ebur128_destroy(&st);
    return lra;
}

class AudioEngineMetersTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        const int64_t frames = static_cast<int64_t>(kSeconds * kRate);
        mix_ = new test::PlanarAudio(alternatingSections());
        test::writeTestAudio(dir_->file("mix.wav"), *mix_, kRate, 0x010000 | 0x0006); // float WAV
        test::writeTestAudio(dir_->file("sine.wav"), test::makeSine(2, frames, kRate, 1000, kStemAmplitude),
                             kRate, 0x010000 | 0x0006);
        test::writeTestAudio(dir_->file("quiet.wav"), test::makeSine(2, frames, kRate, 440, 0.05), kRate,
                             0x010000 | 0x0006);
        Session s;
        s.folder = dir_->path();
        s.song = "meters";
        s.sample_rate = kRate;
        s.mix = dir_->file("mix.wav");
        StemSettings compressed;
        compressed.id = "music";
        compressed.role = "music";
        compressed.path = dir_->file("sine.wav");
        compressed.compressor.enabled = true;
        compressed.compressor.threshold_db = -40;
        compressed.compressor.ratio = 4;
        compressed.compressor.knee_db = 6;
        compressed.compressor.attack_ms = 5;
        compressed.compressor.release_ms = 50;
        // RMS detection reads a steady sine as a steady level (3.01 dB under its peak); a peak detector's
        // reading ripples with the waveform.
        compressed.compressor.detection = "rms";
        StemSettings plain;
        plain.id = "other";
        plain.path = dir_->file("quiet.wav");
        s.stems = {compressed, plain};
        engine_ = new AudioEngine();
        engine_->load(s);
    }
    static void TearDownTestSuite() {
        delete engine_;
        delete mix_;
        delete dir_;
    }

    // Plays `seconds` from the top of `source`, waiting for the meter thread after each buffer; returns the
    // last frame.
    static MeterFrame playAndMeter(MonitorSource source, double seconds) {
        AudioEngine& e = *engine_;
        e.stop();
        std::vector<float> l(4096), r(4096);
        e.processForTest(l.data(), r.data(), 1024);
        e.setSource(source);
        e.processForTest(l.data(), r.data(), 1024);
        EXPECT_TRUE(e.drainMetersForTest());
        MeterFrame f;
        e.readMeters(f); // drop frames of what came before
        e.seek(0);
        e.play();
        const int64_t total = static_cast<int64_t>(seconds * kRate);
        for (int64_t done = 0; done < total; done += 4096) {
            e.processForTest(l.data(), r.data(), 4096);
            EXPECT_TRUE(e.drainMetersForTest());
            e.readMeters(f);
        }
        return f;
    }

    static inline test::TempDir* dir_ = nullptr;
    static inline test::PlanarAudio* mix_ = nullptr;
    static inline AudioEngine* engine_ = nullptr;
};

TEST_F(AudioEngineMetersTest, LoudnessRangeOfWhatWasPlayedMatchesLibebur128) {
    const double expected = libebur128Range(*mix_);
    // To the end and a second past it (silence, which the range's absolute gate ignores).
    const MeterFrame f = playAndMeter(MonitorSource::Mix, kSeconds + 1);
    std::printf("loudness range: engine %.2f LU, libebur128 %.2f LU\n", f.loudnessRangeLu, expected);
    EXPECT_NEAR(expected, 10.0, 1.0) << "the signal's sections are 10 dB apart";
    EXPECT_NEAR(f.loudnessRangeLu, expected, 1.0);

    // From the top again for 4.5 s, inside the first (steady) section: the range starts over and reads ~0.
    const MeterFrame again = playAndMeter(MonitorSource::Mix, 4.5);
    std::printf("loudness range of a steady section after a restart: %.2f LU\n", again.loudnessRangeLu);
    EXPECT_LT(again.loudnessRangeLu, 1.0);
}

TEST_F(AudioEngineMetersTest, StemGainReductionFollowsTheCompressorsStaticCurveWhileTheStemMasterPlays) {
    // Above the knee the static curve reduces by (1 - 1/ratio)(level - threshold).
    const double levelDb = 20 * std::log10(kStemAmplitude) - 10 * std::log10(2.0);
    const double expected = (1 - 1.0 / 4) * (levelDb + 40);
    const MeterFrame f = playAndMeter(MonitorSource::StemMaster, 3);
    ASSERT_EQ(f.numStems, 2);
    std::printf("stem gain reduction: %.2f dB (static curve %.2f dB), uncompressed stem %.2f dB\n",
                f.stemGainReductionDb[0], expected, f.stemGainReductionDb[1]);
    EXPECT_NEAR(f.stemGainReductionDb[0], expected, 0.3);
    EXPECT_EQ(f.stemGainReductionDb[1], 0.0f) << "its compressor is off";

    const MeterFrame mix = playAndMeter(MonitorSource::Mix, 1);
    EXPECT_EQ(mix.stemGainReductionDb[0], 0.0f) << "not the stem master: nothing to show";
}

} // namespace
} // namespace lathe::core
