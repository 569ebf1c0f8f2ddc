// The stem tools in the live engine: the same chains as the render with automation, dynamic EQ, a cross-stem
// sidechain and peak control on (offline render == engine capture, sample-aligned once the engine's latency
// is taken off), a step of automation landing on its frame in both, their meters out through the meter path,
// and a callback that never allocates while they change. ThreadSanitizer runs this file
// (packaging/tsan-tests.sh).
#include "core/engine/AudioEngine.h"
#include "core/render/Renderer.h"
#include "support/MallocCounter.h"
#include "support/StemSignals.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace lathe::core {
namespace {

constexpr int kRate = 48000;
constexpr double kSeconds = 4.0;

// kick (peak control), bass (a 55 Hz band and its compressor keyed by the kick), voice (gain and width
// rides), and on the master a gain ride and a dynamic EQ band.
Session toolsSession(const std::string& dir) {
    Session s = test::writeStemFolder(
        dir,
        {{"kick", "drums", test::kickStem(kSeconds, kRate, 0.9, 0.5)},
         {"bass", "bass", test::bassStem(kSeconds, kRate, {{0.0, kSeconds, 55.0, 0.4}})},
         {"voice", "lead_vocal", test::voiceStem(kSeconds, kRate, 0.3)}},
        kRate, "stem");
    s.stems[0].peak_control = {true, -8.0, 4};
    const DynamicEqBandSettings duck{.frequency_hz = 55,
                                     .q = 1.2,
                                     .threshold_db = -30,
                                     .ratio = 4,
                                     .attack_ms = 2,
                                     .release_ms = 100,
                                     .range_db = 9,
                                     .key = "kick"};
    s.stems[1].dynamic_eq = {duck};
    s.stems[1].compressor.enabled = true;
    s.stems[1].compressor.threshold_db = -24;
    s.stems[1].compressor.ratio = 2;
    s.stems[1].compressor.key = "kick";
    s.stems[2].automation.gain_db = {{1.0, 0.0}, {1.0, 4.0}, {2.0, 4.0}, {2.5, -3.0}};
    s.stems[2].automation.width = {{0.0, 1.0}, {3.0, 0.3}};
    s.master.automation.gain_db = {{0.5, 0.0}, {1.5, 2.0}};
    const DynamicEqBandSettings presence{.frequency_hz = 2500, .threshold_db = -35, .ratio = 3};
    s.master.dynamic_eq = {presence};
    return s;
}

test::PlanarAudio capture(AudioEngine& engine, int64_t frames, int block) {
    test::PlanarAudio out(2, std::vector<float>(static_cast<size_t>(frames)));
    for (int64_t done = 0; done < frames;) {
        const int n = static_cast<int>(std::min<int64_t>(block, frames - done));
        engine.processForTest(out[0].data() + done, out[1].data() + done, n);
        done += n;
    }
    return out;
}

// Largest |engine - render| in dBFS, the engine's output taken `latency` frames later.
double nullDbfs(const test::PlanarAudio& engine, const test::PlanarAudio& render, int latency) {
    double worst = 0.0;
    for (size_t c = 0; c < 2; ++c)
        for (size_t i = 0; i < render[c].size(); ++i)
            worst =
                std::max(worst, std::abs(static_cast<double>(engine[c][i + static_cast<size_t>(latency)]) -
                                         render[c][i]));
    return 20.0 * std::log10(std::max(worst, 1e-30));
}

test::PlanarAudio renderStemMaster(const Session& s, const std::string& out) {
    renderSession(s, out);
    return test::readTestAudio(out + "/song_stem_master.wav");
}

} // namespace

TEST(AudioEngineStemTools, OfflineRenderEqualsEngineCaptureWithEveryToolOn) {
    test::TempDir dir;
    const Session s = toolsSession(dir.path());
    const test::PlanarAudio rendered = renderStemMaster(s, dir.file("out"));
    AudioEngine engine;
    engine.load(s);
    // 198 frames of the kick's peak control (4x) before the limiter's lookahead: every stem waits for it.
    ASSERT_GE(engine.latencyFrames(), 198);
    engine.setSource(MonitorSource::StemMaster);
    engine.play();
    const auto played = capture(engine, engine.length() + engine.latencyFrames(), 256);
    ASSERT_EQ(rendered[0].size(), static_cast<size_t>(engine.length()));
    const double null = nullDbfs(played, rendered, engine.latencyFrames());
    EXPECT_LT(null, -120.0) << "engine - render peaks at " << null << " dBFS";
    // Off by one frame, they would not null: the comparison can tell alignment.
    EXPECT_GT(nullDbfs(played, rendered, engine.latencyFrames() + 1), -40.0);
}

// A step of the voice's gain ride written at 1.0 s changes the stem master exactly from frame 48000, in the
// render and, latency taken off, in the engine. Everything else off, so the master is the voice.
TEST(AudioEngineStemTools, AutomationStepLandsOnItsFrameInRenderAndEngine) {
    test::TempDir dir;
    Session s = test::writeStemFolder(dir.path(),
                                      {{"kick", "drums", test::kickStem(2.0, kRate, 0.5, 0.5)},
                                       {"voice", "lead_vocal", test::voiceStem(2.0, kRate, 0.3)}},
                                      kRate, "stem");
    s.stems[0].peak_control = {true, -12.0, 2}; // latency on a stem the step is not on
    s.stems[1].automation.gain_db = {{1.0, 0.0}, {1.0, -20.0}};
    s.master.limiter.enabled = false;
    s.loudness.normalize = false;
    s.stems[0].mute = true; // muted: still latency-aligned, so the voice is delayed like it
    const test::PlanarAudio voice = test::voiceStem(2.0, kRate, 0.3);
    const test::PlanarAudio rendered = renderStemMaster(s, dir.file("out"));
    for (size_t i = 47000; i < 48001; ++i)
        ASSERT_EQ(rendered[0][i], voice[0][i]) << "frame " << i;
    EXPECT_LT(std::abs(rendered[0][48010]), std::abs(voice[0][48010]));

    AudioEngine engine;
    engine.load(s);
    engine.setSource(MonitorSource::StemMaster);
    engine.play();
    const int latency = engine.latencyFrames();
    EXPECT_EQ(latency, 189); // the kick's peak control at 2x; no limiter
    const auto played = capture(engine, engine.length() + latency, 300);
    for (size_t i = 47000; i < 49000; ++i)
        ASSERT_EQ(played[0][i + static_cast<size_t>(latency)], rendered[0][i]) << "frame " << i;
}

TEST(AudioEngineStemTools, MetersAndNoAllocationWhileTheToolsChange) {
    test::TempDir dir;
    Session s = toolsSession(dir.path());
    AudioEngine engine;
    engine.load(s);
    engine.setLoop(0, engine.length(), true); // 8 s of callbacks over a 4 s song: never stops at its end
    engine.setSource(MonitorSource::StemMaster);
    engine.play();
    std::vector<float> l(256), r(256);
    engine.processForTest(l.data(), r.data(), 256); // picks up the graph
    long allocations = 0;
    float deepestDuck = 0, mostPeakReduction = 0, masterBand = 0;
    for (int i = 0; i < 1500; ++i) {
        if (i % 50 == 20) { // control thread, unarmed
            Session changed = s;
            changed.stems[1].dynamic_eq[0].threshold_db = -30.0 + (i % 7);
            changed.stems[1].dynamic_eq[0].listen = i % 400 == 20;
            changed.stems[1].compressor.key = i % 200 == 20 ? "voice" : "kick";
            changed.stems[1].dynamic_eq[0].key = changed.stems[1].compressor.key;
            changed.stems[2].automation.gain_db.push_back({3.5, static_cast<double>(i % 5)});
            changed.stems[0].peak_control.ceiling_dbtp = -8.0 - (i % 3);
            if (i % 500 == 20) changed.stems[0].peak_control.oversampling = 8; // structural: a new graph
            changed.master.automation.gain_db[1].value = 0.1 * (i % 20);
            engine.update(changed);
        }
        test::armMallocCounter();
        if (i % 300 == 150) engine.seek((i * 7919) % engine.length());
        if (i % 200 == 100) // ends on the stem master, whose stems the meters read
            engine.setSource(i % 400 == 100 && i < 1200 ? MonitorSource::StereoMaster
                                                        : MonitorSource::StemMaster);
        engine.processForTest(l.data(), r.data(), 256);
        allocations += test::disarmMallocCounter();
        // readMeters returns the newest frame only: over the last blocks every frame is measured and read
        // before the next block plays (a block is shorter than a meter period), so none is skipped.
        if (i >= 1200) ASSERT_TRUE(engine.drainMetersForTest());
        MeterFrame f;
        while (engine.readMeters(f)) {
            if (f.numStems < 3) continue;
            deepestDuck = std::min(deepestDuck, f.stemDynamicEqGainDb[1][0]);
            mostPeakReduction = std::max(mostPeakReduction, f.stemPeakReductionDb[0]);
            masterBand = std::min(masterBand, f.masterDynamicEqGainDb[0]);
        }
    }
    EXPECT_EQ(allocations, 0);
    ASSERT_TRUE(engine.drainMetersForTest());
    MeterFrame f;
    while (engine.readMeters(f)) {
        deepestDuck = std::min(deepestDuck, f.stemDynamicEqGainDb[1][0]);
        mostPeakReduction = std::max(mostPeakReduction, f.stemPeakReductionDb[0]);
        masterBand = std::min(masterBand, f.masterDynamicEqGainDb[0]);
    }
    // The kick keys the bass's band down by most of its 9 dB range; its peak control reduces the 0.9 (-0.9
    // dBFS) kick towards -8 dBTP (a frame holds the largest reduction of its period); the master's band cuts
    // the voice's presence.
    EXPECT_LT(deepestDuck, -4.0f);
    EXPECT_GT(mostPeakReduction, 3.0f);
    EXPECT_LT(masterBand, -1.0f);
}

} // namespace lathe::core
