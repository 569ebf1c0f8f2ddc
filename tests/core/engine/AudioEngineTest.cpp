#include "core/engine/AudioEngine.h"
#include "core/demo/DemoFolder.h"
#include "core/model/SessionSource.h"
#include "support/AudioProbe.h"
#include "support/EngineCapture.h"
#include "support/MallocCounter.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

namespace lathe::core {
namespace {

using test::LoadedAudio;

class AudioEngineTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        DemoOptions o;
        o.seconds = 5;
        o.sampleRate = 48000;
        writeDemoFolder(dir_->file("song"), o);
        session_ = new Session(openSessionOrFolder(dir_->file("song")));
        // Loading (decoding, the render's loudness search, measuring every source) is the slow part: one
        // engine serves every test, each starting from a stopped, unlooped, unmatched state.
        engine_ = new AudioEngine();
        engine_->load(*session_);
    }
    static void TearDownTestSuite() {
        delete engine_;
        delete session_;
        delete dir_;
    }

    // Plays `frames` frames through the callback body in blocks of `block`.
    static LoadedAudio play(AudioEngine& engine, int64_t frames, int block = 256) {
        return test::captureEngine(engine, frames, block);
    }

    static inline test::TempDir* dir_ = nullptr;
    static inline Session* session_ = nullptr;
    static inline AudioEngine* engine_ = nullptr;

    void SetUp() override {
        AudioEngine& e = *engine_;
        e.update(*session_);
        e.setLoop(0, 0, false);
        e.setLoudnessMatch(false);
        e.setPlaybackSimulation(dsp::PlaybackSystem::Flat);
        e.stop();
        play(e, 1024); // fade out, return to the start
    }
};

TEST(MonitorSourceTest, NamesRoundTrip) {
    for (int i = 0; i < kMonitorSourceCount; ++i) {
        MonitorSource s = MonitorSource::Mix;
        ASSERT_TRUE(monitorSourceFromName(monitorSourceName(static_cast<MonitorSource>(i)), s));
        EXPECT_EQ(static_cast<int>(s), i);
    }
    MonitorSource s;
    EXPECT_FALSE(monitorSourceFromName("master", s));
    EXPECT_STREQ(monitorSourceName(MonitorSource::StereoMaster), "stereo");
    EXPECT_STREQ(monitorSourceName(MonitorSource::Delta), "delta");
    EXPECT_STREQ(monitorSourceName(MonitorSource::Codec), "codec");
}

TEST_F(AudioEngineTest, CallbackNeverAllocatesThroughChangesSwitchesSeeksAndSolo) {
    AudioEngine& engine = *engine_;
    engine.setSource(MonitorSource::StemMaster);
    engine.play();
    std::vector<float> l(512), r(512);
    engine.processForTest(l.data(), r.data(), 512); // picks up the graph built by load()

    Session changed = *session_;
    long allocations = 0;
    double energy = 0;
    const MonitorSource order[] = {MonitorSource::Mix,       MonitorSource::StereoMaster,
                                   MonitorSource::Reference, MonitorSource::Delta,
                                   MonitorSource::Codec,     MonitorSource::StemMaster};
    for (int i = 0; i < 2000; ++i) {
        // Control-thread work (building parameter sets, graphs) happens unarmed, as it would on the GUI
        // thread.
        if (i % 40 == 10) {
            Session s = changed;
            s.stems[static_cast<size_t>(i / 40) % s.stems.size()].gain_db = -3.0 + (i % 7);
            s.stems[0].solo = (i / 40) % 2 == 1;
            s.stems[1].mute = (i / 40) % 3 == 0;
            if (!s.stems[2].eq.empty()) s.stems[2].eq[0].gain_db = (i % 5) - 2;
            s.master.compressor.threshold_db = -20 + (i % 9);
            s.master.limiter.ceiling_dbtp = -1.0 - 0.1 * (i % 3);
            s.master.width = 0.8 + 0.01 * (i % 20);
            if (i % 400 == 10) s.master.limiter.lookahead_ms = 1.5 + 0.5 * ((i / 400) % 2); // new graph
            engine.update(s);
        }
        lathe::test::armMallocCounter(); // this thread: the one standing in for the audio callback
        if (i % 24 == 0) engine.setSource(order[(i / 24) % 6]);
        if (i % 70 == 0)
            engine.setPlaybackSimulation(
                static_cast<dsp::PlaybackSystem>((i / 70) % dsp::kPlaybackSystemCount));
        if (i % 150 == 75) engine.seek((i * 977) % engine.length());
        if (i % 300 == 200) engine.setLoop(48000, 96000, i % 600 == 200);
        if (i % 100 == 50) engine.setLoudnessMatch(i % 200 == 50);
        if (i == 1500) engine.pause();
        if (i == 1600) engine.play();
        engine.processForTest(l.data(), r.data(), 256);
        allocations += lathe::test::disarmMallocCounter();
        for (int k = 0; k < 256; ++k)
            energy += static_cast<double>(l[static_cast<size_t>(k)]) * l[static_cast<size_t>(k)];
    }
    EXPECT_EQ(allocations, 0);
    EXPECT_GT(energy, 1.0) << "the callbacks must have played audio for the count to mean anything";

    // The counter itself works: an allocation on the armed thread is seen.
    lathe::test::armMallocCounter();
    auto* probe = new std::vector<int>(3);
    const long seen = lathe::test::disarmMallocCounter();
    delete probe;
    EXPECT_GE(seen, 1);
}

double largestStep(const LoadedAudio& a, int64_t from, int64_t to) {
    double m = 0;
    for (const auto& ch : a.channels)
        for (int64_t i = std::max<int64_t>(from, 1);
             i < std::min<int64_t>(to, static_cast<int64_t>(ch.size())); ++i)
            m = std::max(m, std::abs(static_cast<double>(ch[static_cast<size_t>(i)]) -
                                     ch[static_cast<size_t>(i - 1)]));
    return m;
}

TEST_F(AudioEngineTest, SwitchingEveryHalfSecondLeavesNoClick) {
    const int rate = session_->sample_rate;
    const int64_t half = rate / 2;
    const int64_t total = 10 * half;
    const MonitorSource order[] = {MonitorSource::Mix, MonitorSource::StereoMaster, MonitorSource::StemMaster,
                                   MonitorSource::Reference, MonitorSource::Delta};
    // Each source on its own, loudness-matched as in the switched run, from the same engine.
    std::vector<LoadedAudio> alone;
    AudioEngine& engine = *engine_;
    engine.setLoudnessMatch(true);
    for (MonitorSource s : order) {
        engine.stop();
        play(engine, 1024); // fade out and return to the start
        engine.setSource(s);
        play(engine, 1024); // crossfade to s completes while stopped
        engine.seek(0);
        engine.play();
        alone.push_back(play(engine, total, 240));
    }
    engine.stop();
    play(engine, 1024);
    engine.setSource(order[0]);
    play(engine, 1024);
    engine.seek(0);
    engine.play();

    LoadedAudio switched;
    switched.sampleRate = rate;
    switched.channels.assign(2, std::vector<float>(static_cast<size_t>(total)));
    int switches = 0;
    constexpr int kBlock =
        240; // divides half a second at 48 kHz, so each switch is asked for at a buffer start
    ASSERT_EQ(half % kBlock, 0);
    // Where each crossfade began: the buffer in which heardSource() changed (a switch to a master that was
    // idle waits for its chain to warm up).
    std::vector<int64_t> heardAt;
    for (int64_t pos = 0; pos < total; pos += kBlock) {
        if (pos > 0 && pos % half == 0) {
            engine.setSource(order[(pos / half) % 5]);
            ++switches;
        }
        const MonitorSource before = engine.heardSource();
        engine.processForTest(switched.channels[0].data() + pos, switched.channels[1].data() + pos, kBlock);
        if (engine.heardSource() != before) heardAt.push_back(pos);
    }
    ASSERT_EQ(switches, 9);
    ASSERT_EQ(heardAt.size(), 9u);
    for (int k = 1; k < 10; ++k) {
        const int64_t asked = k * half;
        const int64_t at = heardAt[static_cast<size_t>(k - 1)];
        SCOPED_TRACE("switch " + std::to_string(k) + " asked at " + std::to_string(asked) + ", heard at " +
                     std::to_string(at));
        EXPECT_GE(at, asked);
        EXPECT_LE(at - asked, rate / 20) << "a switch is heard within 50 ms";
        const int64_t from = at - 64, to = at + kBlock + 256 + 64; // the crossfade and a little either side
        const double stepOut = largestStep(switched, from, to);
        const double stepIn = std::max(largestStep(alone[static_cast<size_t>((k - 1) % 5)], from, to),
                                       largestStep(alone[static_cast<size_t>(k % 5)], from, to));
        EXPECT_GT(stepIn, 0.0);
        // A master warmed from the last 0.2 s rather than run from the top may differ from the continuous run
        // by a few thousandths of a dB (its slowest release has not fully converged): hence 0.5 %, far below
        // any click.
        EXPECT_LE(stepOut, stepIn * 1.005 + 1e-7);
        std::printf("switch %d: heard %lld frames after asked, step %.5f vs sources %.5f\n", k,
                    static_cast<long long>(at - asked), stepOut, stepIn);
    }
}

TEST_F(AudioEngineTest, LoudnessMatchBringsEverySourceToTheSameLoudness) {
    AudioEngine& engine = *engine_;
    const MonitorSource sources[] = {MonitorSource::Mix, MonitorSource::StereoMaster,
                                     MonitorSource::StemMaster, MonitorSource::Reference,
                                     MonitorSource::Codec};
    const int64_t total = engine.length() + 4096;
    auto measure = [&](MonitorSource s, bool match) {
        engine.stop();
        play(engine, 1024);
        engine.setSource(s);
        engine.setLoudnessMatch(match);
        play(engine, 1024);
        engine.seek(0);
        engine.play();
        return test::integratedLufs(play(engine, total, 1024));
    };
    double lo = 1e9, hi = -1e9, loOff = 1e9, hiOff = -1e9;
    for (MonitorSource s : sources) {
        ASSERT_TRUE(engine.sourceAvailable(s));
        const double on = measure(s, true);
        // Unmatched, each source plays at the loudness the engine measured ahead (checked by playing two).
        const bool check = s == MonitorSource::Mix || s == MonitorSource::Reference;
        const double off = check ? measure(s, false) : engine.sourceIntegratedLufs(s);
        std::printf("%-9s matched %.2f LUFS, unmatched %.2f LUFS (engine measured %.2f)\n",
                    monitorSourceName(s), on, off, engine.sourceIntegratedLufs(s));
        EXPECT_NEAR(off, engine.sourceIntegratedLufs(s), 0.1);
        lo = std::min(lo, on), hi = std::max(hi, on);
        loOff = std::min(loOff, off), hiOff = std::max(hiOff, off);
    }
    EXPECT_LE(hi - lo, 0.2) << "matched sources should play at one loudness";
    EXPECT_GE(hiOff - loOff, 3.0) << "the demo's sources differ in loudness, else this test proves nothing";
}

TEST_F(AudioEngineTest, TransportSeekLoopAndEnd) {
    AudioEngine& engine = *engine_;
    EXPECT_FALSE(engine.playing());
    engine.seek(24000);
    EXPECT_EQ(engine.position(), 24000);
    play(engine, 512);
    EXPECT_EQ(engine.position(), 24000) << "paused: the play head stays";
    engine.play();
    play(engine, 4800);
    EXPECT_EQ(engine.position(), 24000 + 4800);
    engine.setLoop(48000, 52000, true);
    engine.seek(48000);
    play(engine, 40000);
    EXPECT_GE(engine.position(), 48000);
    EXPECT_LT(engine.position(), 52000);
    engine.setLoop(0, 0, false);
    engine.seek(engine.length() - 1000);
    play(engine, 20000);
    EXPECT_FALSE(engine.playing()) << "stops at the end of the song";
    EXPECT_EQ(engine.position(), engine.length());
}

TEST_F(AudioEngineTest, MetersComeOutOfTheCallback) {
    AudioEngine& engine = *engine_;
    engine.setSource(MonitorSource::StemMaster);
    play(engine, 256);
    ASSERT_TRUE(engine.drainMetersForTest()); // earlier tests' audio is measured before this run starts
    engine.play();
    // Waiting for the meter thread after each buffer, so the meter ring (which drops rather than blocks the
    // callback) never overflows.
    MeterFrame f;
    float loudestPeak = -200;
    for (int64_t done = 0; done < engine.length() + 4096; done += 4096) {
        play(engine, 4096);
        ASSERT_TRUE(engine.drainMetersForTest());
        if (engine.readMeters(f)) loudestPeak = std::max(loudestPeak, f.peakDbfs[0]);
    }
    ASSERT_GT(loudestPeak, -200.0f) << "no meter frame arrived while playing";
    // Drain until the meter thread caught up with everything played.
    for (int i = 0; i < 300 && f.positionFrames < engine.length(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (engine.readMeters(f)) loudestPeak = std::max(loudestPeak, f.peakDbfs[0]);
    }
    EXPECT_GE(f.positionFrames, engine.length() - 4800) << "the meters caught up with the end";
    EXPECT_EQ(static_cast<int>(f.source), static_cast<int>(MonitorSource::StemMaster));
    EXPECT_NEAR(f.integratedLufs, engine.sourceIntegratedLufs(MonitorSource::StemMaster), 0.5);
    EXPECT_GT(loudestPeak, -6.0f); // a master limited to -1 dBTP at -14 LUFS peaks near the ceiling
    EXPECT_LE(loudestPeak, -0.99f);
    EXPECT_GT(f.correlation, -1.01f);
    SpectrumFrame s;
    EXPECT_TRUE(engine.readSpectrum(s));
    EXPECT_EQ(s.numBins, 2049);
    EXPECT_NEAR(s.binHz, 48000.0 / 4096, 1e-9);
}

// RMS of a - b relative to the RMS of a, in dB, over both channels.
double differenceDb(const LoadedAudio& a, const LoadedAudio& b) {
    double diff = 0, ref = 0;
    for (size_t c = 0; c < 2; ++c)
        for (size_t i = 0; i < a.channels[c].size(); ++i) {
            const double x = a.channels[c][i], y = b.channels[c][i];
            diff += (x - y) * (x - y);
            ref += x * x;
        }
    return 10 * std::log10(std::max(diff, 1e-30) / std::max(ref, 1e-30));
}

TEST_F(AudioEngineTest, CodecSourceIsTheStereoMasterAfterAnMp3RoundTrip) {
    AudioEngine& engine = *engine_;
    ASSERT_TRUE(engine.sourceAvailable(MonitorSource::Codec));
    const int64_t total = engine.length() + 4096;
    auto playFromTop = [&](MonitorSource s) {
        engine.stop();
        play(engine, 1024);
        engine.setSource(s);
        play(engine, 1024);
        engine.seek(0);
        engine.play();
        return play(engine, total, 1024);
    };
    const LoadedAudio master = playFromTop(MonitorSource::StereoMaster);
    const LoadedAudio codec = playFromTop(MonitorSource::Codec);
    const double d = differenceDb(master, codec);
    const double masterLufs = test::integratedLufs(master), codecLufs = test::integratedLufs(codec);
    std::printf("codec vs stereo master: difference %.1f dB, %.2f vs %.2f LUFS\n", d, codecLufs, masterLufs);
    // Aligned sample for sample (a misaligned decode would differ by about 0 dB or more); lossy, so not
    // equal.
    EXPECT_LT(d, -20.0);
    EXPECT_GT(d, -90.0);
    EXPECT_NEAR(codecLufs, masterLufs, 0.2);
    EXPECT_NEAR(codecLufs, engine.sourceIntegratedLufs(MonitorSource::Codec), 0.1);
}

TEST_F(AudioEngineTest, PlaybackSimulationShapesTheOutputAfterTheMeters) {
    AudioEngine& engine = *engine_;
    auto playMetered = [&](dsp::PlaybackSystem system, MeterFrame& last) {
        engine.stop();
        play(engine, 1024);
        engine.setSource(MonitorSource::Mix);
        engine.setPlaybackSimulation(system);
        play(engine, 4096); // the simulation's crossfade happens here, while stopped
        EXPECT_TRUE(engine.drainMetersForTest());
        engine.readMeters(last);
        engine.seek(0);
        engine.play();
        LoadedAudio out;
        out.sampleRate = engine.sampleRate();
        const int64_t total = engine.length() + 4096;
        out.channels.assign(2, std::vector<float>(static_cast<size_t>(total)));
        for (int64_t done = 0; done < total; done += 4096) {
            const int n = static_cast<int>(std::min<int64_t>(4096, total - done));
            engine.processForTest(out.channels[0].data() + done, out.channels[1].data() + done, n);
            EXPECT_TRUE(engine.drainMetersForTest()); // the meter ring drops, never waits
            engine.readMeters(last);
        }
        return out;
    };
    MeterFrame flatMeters, phoneMeters;
    const LoadedAudio flat = playMetered(dsp::PlaybackSystem::Flat, flatMeters);
    const LoadedAudio phone = playMetered(dsp::PlaybackSystem::PhoneSpeaker, phoneMeters);
    engine.setPlaybackSimulation(dsp::PlaybackSystem::Flat);
    const double d = differenceDb(flat, phone);
    std::printf("phone vs flat output: difference %.1f dB, %.2f vs %.2f LUFS; meters %.2f vs %.2f LUFS\n", d,
                test::integratedLufs(phone), test::integratedLufs(flat), phoneMeters.integratedLufs,
                flatMeters.integratedLufs);
    EXPECT_GT(d, -10.0) << "a phone speaker (band-limited, mono) changes what is heard";
    EXPECT_NEAR(test::integratedLufs(flat), engine.sourceIntegratedLufs(MonitorSource::Mix), 0.1)
        << "flat is transparent";
    EXPECT_NEAR(phoneMeters.integratedLufs, flatMeters.integratedLufs, 0.1)
        << "the meters read the master itself";
    EXPECT_GT(flatMeters.integratedLufs, -70.0f);
}

} // namespace
} // namespace lathe::core
