#include "core/engine/AudioEngine.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

// The master dynamics' gain-reduction meters the master section shows (issue 19): the broadband compressor's
// and each multiband band's, read from the engine while the stereo master plays. Checked against the static
// curve for a steady sine far above the threshold, as the stem compressor's meter is (AudioEngineMetersTest).
namespace lathe::core {
namespace {

constexpr int kRate = 48000;
constexpr double kSeconds = 6;
constexpr double kAmplitude = 0.5;
// RMS detection reads a steady sine 3.01 dB under its peak, without the ripple a peak detector has.
const double kSineRmsDb = 20 * std::log10(kAmplitude) - 10 * std::log10(2.0);

CompressorSettings steadyCompressor(double thresholdDb, double ratio) {
    CompressorSettings c;
    c.enabled = true;
    c.threshold_db = thresholdDb;
    c.ratio = ratio;
    c.knee_db = 6;
    c.attack_ms = 5;
    c.release_ms = 50;
    c.detection = "rms";
    return c;
}

// Above the knee the static curve reduces by (1 - 1/ratio)(level - threshold).
double staticCurveDb(double levelDb, double thresholdDb, double ratio) {
    return (1 - 1 / ratio) * (levelDb - thresholdDb);
}

class AudioEngineMasterMetersTest : public ::testing::Test {
protected:
    // A song whose mix is a steady sine of `hz` (no stems): the stereo master runs `master` over it.
    void load(double hz, const MasterSettings& master) {
        const int64_t frames = static_cast<int64_t>(kSeconds * kRate);
        test::writeTestAudio(dir_.file("mix.wav"), test::makeSine(2, frames, kRate, hz, kAmplitude), kRate,
                             0x010000 | 0x0006); // float WAV
        Session s;
        s.folder = dir_.path();
        s.song = "master meters";
        s.sample_rate = kRate;
        s.mix = dir_.file("mix.wav");
        s.master = master;
        // The limiter's own reduction is metered apart; off, nothing after the dynamics can be mistaken for
        // it.
        s.master.limiter.enabled = false;
        session_ = s;
        engine_ = std::make_unique<AudioEngine>();
        engine_->load(s);
    }

    // Plays `seconds` of `source` from the top, waiting for the meter thread after each buffer; the last
    // frame.
    MeterFrame playAndMeter(MonitorSource source, double seconds) {
        AudioEngine& e = *engine_;
        e.stop();
        std::vector<float> l(4096), r(4096);
        e.setSource(source);
        e.processForTest(l.data(), r.data(), 1024);
        EXPECT_TRUE(e.drainMetersForTest());
        MeterFrame f;
        e.readMeters(f);
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

    test::TempDir dir_;
    Session session_;
    std::unique_ptr<AudioEngine> engine_;
};

TEST_F(AudioEngineMasterMetersTest, MasterCompressorGainReductionFollowsItsStaticCurve) {
    MasterSettings master;
    master.compressor = steadyCompressor(-40, 4);
    load(1000, master);
    ASSERT_TRUE(engine_->sourceAvailable(MonitorSource::StereoMaster));
    const double expected = staticCurveDb(kSineRmsDb, -40, 4);
    const MeterFrame f = playAndMeter(MonitorSource::StereoMaster, 3);
    std::printf("master compressor gain reduction: %.2f dB (static curve %.2f dB)\n",
                f.masterCompressorGainReductionDb, expected);
    EXPECT_NEAR(f.masterCompressorGainReductionDb, expected, 0.3);
    EXPECT_EQ(f.numBands, 0) << "the multiband is off";

    // A gentler setting reads a smaller figure, again on the curve: the meter follows the settings.
    session_.master.compressor = steadyCompressor(-20, 2);
    engine_->update(session_);
    const double gentle = staticCurveDb(kSineRmsDb, -20, 2);
    const MeterFrame g = playAndMeter(MonitorSource::StereoMaster, 3);
    std::printf("after the edit: %.2f dB (static curve %.2f dB)\n", g.masterCompressorGainReductionDb,
                gentle);
    EXPECT_NEAR(g.masterCompressorGainReductionDb, gentle, 0.3);

    const MeterFrame mix = playAndMeter(MonitorSource::Mix, 1);
    EXPECT_EQ(mix.masterCompressorGainReductionDb, 0.0f) << "the mix runs through no master chain";
}

TEST_F(AudioEngineMasterMetersTest, EachMultibandBandReadsItsOwnReduction) {
    // A 16 kHz sine lies in the top band (over 5 kHz), where the Linkwitz-Riley split passes it within
    // 0.04 dB; the 5 kHz low-pass leaves the band under it 40 dB down, far below that band's threshold.
    MasterSettings master;
    master.compressor = steadyCompressor(-40, 4); // replaced by the multiband: must not be metered
    master.multiband.enabled = true;
    master.multiband.crossovers_hz = {120, 1000, 5000};
    master.multiband.bands = {steadyCompressor(0, 4), steadyCompressor(0, 4), steadyCompressor(0, 4),
                              steadyCompressor(-40, 4)};
    load(16000, master);
    const double expected = staticCurveDb(kSineRmsDb, -40, 4);
    const MeterFrame f = playAndMeter(MonitorSource::StereoMaster, 3);
    ASSERT_EQ(f.numBands, 4);
    std::printf(
        "band reductions: %.2f %.2f %.2f %.2f dB (top band's static curve %.2f dB); broadband %.2f dB\n",
        f.bandGainReductionDb[0], f.bandGainReductionDb[1], f.bandGainReductionDb[2],
        f.bandGainReductionDb[3], expected, f.masterCompressorGainReductionDb);
    EXPECT_NEAR(f.bandGainReductionDb[3], expected, 0.3);
    for (int b = 0; b < 3; ++b)
        EXPECT_LT(f.bandGainReductionDb[b], 0.05f) << "band " << b << " holds nothing over its threshold";
    EXPECT_EQ(f.masterCompressorGainReductionDb, 0.0f) << "the broadband compressor is not in the chain";
}

} // namespace
} // namespace lathe::core
