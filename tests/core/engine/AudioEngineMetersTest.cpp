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

TEST_F(AudioEngineMetersTest, EachStemsLevelAfterItsChainIsMeteredWhateverSourceIsHeard) {
    // The uncompressed stem: a 0.05 sine, peak 20 log10(0.05) = -26.02 dBFS, RMS 3.01 dB lower.
    const double peak = 20 * std::log10(0.05);
    for (MonitorSource heard : {MonitorSource::StemMaster, MonitorSource::Mix}) {
        const MeterFrame f = playAndMeter(heard, 2);
        ASSERT_EQ(f.numStems, 2);
        std::printf("%s: quiet stem peak %.2f dBFS, RMS %.2f dBFS; compressed stem peak %.2f dBFS\n",
                    monitorSourceName(heard), f.stemPeakDbfs[1], f.stemRmsDbfs[1], f.stemPeakDbfs[0]);
        EXPECT_NEAR(f.stemPeakDbfs[1], peak, 0.1);
        EXPECT_NEAR(f.stemRmsDbfs[1], peak - 3.01, 0.15);
        // The compressed stem reads its level after the compressor: lower than the -6.02 dBFS it came in at.
        EXPECT_LT(f.stemPeakDbfs[0], 20 * std::log10(kStemAmplitude) - 3.0);
        EXPECT_GT(f.stemPeakDbfs[0], -60.0f);
    }
}

double libebur128Integrated(const std::vector<float>& l, const std::vector<float>& r) {
    ebur128_state* st = ebur128_init(2, kRate, EBUR128_MODE_I);
    std::vector<float> inter(2 * l.size());
    for (size_t i = 0; i < l.size(); ++i) {
        inter[2 * i] = l[i];
        inter[2 * i + 1] = r[i];
    }
    ebur128_add_frames_float(st, inter.data(), l.size());
    double lufs = -HUGE_VAL;
    ebur128_loudness_global(st, &lufs);
    ebur128_destroy(&st);
    return lufs;
}

// Plays from the top of `first`, switches to `second` after `switchSeconds` (0: never), keeps what went to
// the speakers after the switch (and its crossfade) and the last meter frame.
struct PlayedRun {
    MeterFrame last;
    std::vector<float> l, r; // the output after the switch
};
PlayedRun playWithSwitch(AudioEngine& e, MonitorSource first, MonitorSource second, double switchSeconds,
                         double seconds, bool match) {
    e.stop();
    e.setLoudnessMatch(match);
    std::vector<float> l(4096), r(4096);
    e.setSource(first);
    e.processForTest(l.data(), r.data(), 1024);
    EXPECT_TRUE(e.drainMetersForTest());
    PlayedRun run;
    e.readMeters(run.last);
    e.seek(0);
    e.play();
    const int64_t total = static_cast<int64_t>(seconds * kRate);
    const int64_t switchAt = static_cast<int64_t>(switchSeconds * kRate);
    bool switched = switchAt == 0;
    int64_t keepFrom = 0;
    for (int64_t done = 0; done < total; done += 4096) {
        if (!switched && done >= switchAt) {
            e.setSource(second);
            switched = true;
            keepFrom = done + 4096; // the crossfade (256 frames) lies inside the first buffer after it
        }
        e.processForTest(l.data(), r.data(), 4096);
        if (switched && done >= keepFrom) {
            run.l.insert(run.l.end(), l.begin(), l.end());
            run.r.insert(run.r.end(), r.begin(), r.end());
        }
        EXPECT_TRUE(e.drainMetersForTest());
        e.readMeters(run.last);
    }
    e.setLoudnessMatch(false);
    return run;
}

TEST_F(AudioEngineMetersTest, MetersReadTheSourceBeforeTheMonitorGain) {
    AudioEngine& e = *engine_;
    // The stereo master is mastered to -14 LUFS, the mix peaks at -20: matching turns the master down.
    const MonitorSource master = MonitorSource::StereoMaster;
    const PlayedRun matched = playWithSwitch(e, master, master, 0, 4.5, true);
    e.setLoudnessMatch(true);
    const double monitorDb = e.monitorGainDb(master);
    e.setLoudnessMatch(false);
    EXPECT_EQ(e.monitorGainDb(master), 0.0) << "no monitor gain without matching";
    const PlayedRun plain = playWithSwitch(e, master, master, 0, 4.5, false);
    const double heardMatched = libebur128Integrated(matched.l, matched.r);
    const double heardPlain = libebur128Integrated(plain.l, plain.r);
    std::printf("stereo master: meter %.2f LUFS matched, %.2f unmatched; heard %.2f / %.2f LUFS; monitor "
                "gain %.2f dB\n",
                matched.last.integratedLufs, plain.last.integratedLufs, heardMatched, heardPlain, monitorDb);
    ASSERT_LT(monitorDb, -3.0) << "the test needs a source that matching turns down";
    EXPECT_NEAR(matched.last.integratedLufs, plain.last.integratedLufs, 0.05)
        << "the monitor gain must not reach the meters";
    EXPECT_NEAR(plain.last.integratedLufs, heardPlain, 0.2) << "unmatched, the meter reads what is played";
    EXPECT_NEAR(heardMatched - heardPlain, monitorDb, 0.1) << "the speakers get the monitor gain";
}

TEST_F(AudioEngineMetersTest, IntegratedLoudnessStartsOverOnASourceSwitch) {
    AudioEngine& e = *engine_;
    // 3 s of the mix (-20 LUFS), then the stereo master (about -14 LUFS) to 4.8 s, inside the first section.
    const PlayedRun run = playWithSwitch(e, MonitorSource::Mix, MonitorSource::StereoMaster, 2.0, 4.8, false);
    const double masterOnly = libebur128Integrated(run.l, run.r);
    std::printf("after the switch: meter %.2f LUFS, the master as played %.2f LUFS\n",
                run.last.integratedLufs, masterOnly);
    EXPECT_EQ(run.last.source, MonitorSource::StereoMaster);
    EXPECT_GT(masterOnly, -20.0 + 3.0) << "the sources must differ for the test to mean anything";
    EXPECT_NEAR(run.last.integratedLufs, masterOnly, 0.5) << "the reading describes the new source only";
}

} // namespace
} // namespace lathe::core
