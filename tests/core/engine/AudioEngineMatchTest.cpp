// The match stage in the live engine: it plays what the render writes (null after the latency), keeps the
// plain sources aligned with the matched masters, and takes new curves while playing without allocating or
// clicking.
#include "core/demo/DemoFolder.h"
#include "core/engine/AudioEngine.h"
#include "core/model/SessionSource.h"
#include "core/render/Renderer.h"
#include "support/AudioProbe.h"
#include "support/EngineCapture.h"
#include "support/MallocCounter.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

namespace lathe::core {
namespace {

namespace fs = std::filesystem;
using test::LoadedAudio;

class AudioEngineMatchTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        setenv("XDG_CACHE_HOME", dir_->file("cache").c_str(), 1);
        DemoOptions o;
        o.seconds = 6;
        o.sampleRate = 48000;
        writeDemoFolder(dir_->file("song"), o);
        session_ = new Session(openSessionOrFolder(dir_->file("song")));
        ASSERT_FALSE(session_->reference.empty()) << "the demo folder has a rough master reference";
        session_->master.match.enabled = true;
        session_->master.match.tone_amount_pct = 100;
        session_->output.bit_depth = 32; // no dither: render and engine compare sample for sample
        session_->output.mp3 = false;
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

    // From the top, `source` captured for the song's length plus the latency, the latency then removed.
    static LoadedAudio captureFromTop(MonitorSource source, int block) {
        AudioEngine& e = *engine_;
        e.update(*session_);
        e.setSource(source);
        e.stop();
        play(e, 1024);
        e.play();
        const int latency = e.latencyFrames();
        LoadedAudio all = play(e, e.length() + latency, block);
        for (auto& ch : all.channels)
            ch.erase(ch.begin(), ch.begin() + latency);
        e.stop();
        return all;
    }

    static inline test::TempDir* dir_ = nullptr;
    static inline Session* session_ = nullptr;
    static inline AudioEngine* engine_ = nullptr;
};

TEST_F(AudioEngineMatchTest, LatencyIncludesTheMatchStageAndGoesWithIt) {
    AudioEngine& e = *engine_;
    // 16383 taps (8191 frames of delay) plus the engine's 512-frame partition, on top of the chain's own.
    const int withMatch = e.latencyFrames();
    Session off = *session_;
    off.master.match.enabled = false;
    e.update(off);
    const int without = e.latencyFrames();
    EXPECT_EQ(withMatch - without, 8191 + 512);
    e.update(*session_);
    EXPECT_EQ(e.latencyFrames(), withMatch);
}

TEST_F(AudioEngineMatchTest, OnlyANewLoudnessTargetOrNewSourcesNeedALoad) {
    const AudioEngine& e = *engine_;
    Session s = *session_;
    EXPECT_FALSE(e.needsLoad(s));
    s.master.match.tone_amount_pct = 30;
    s.master.match.width = false;
    s.master.match.max_correction_db = 3;
    EXPECT_FALSE(e.needsLoad(s)) << "a new curve is crossfaded in by update()";
    s.master.match.loudness = false;
    EXPECT_TRUE(e.needsLoad(s)) << "the session's own target again";
    s = *session_;
    s.master.match.range_start_s = 1;
    EXPECT_TRUE(e.needsLoad(s)) << "another part of the reference, another loudness";
    s = *session_;
    s.master.match.enabled = false;
    EXPECT_TRUE(e.needsLoad(s));
    s = *session_;
    s.mix.clear();
    EXPECT_TRUE(e.needsLoad(s));
}

TEST_F(AudioEngineMatchTest, EngineCaptureNullsTheRenderWithMatchOn) {
    const RenderReport report = renderSession(*session_, dir_->file("out"));
    ASSERT_EQ(report.deliverables.size(), 2u);
    for (const auto& d : report.deliverables) {
        ASSERT_TRUE(d.match.has_value()) << d.kind;
        const LoadedAudio rendered = test::loadAudio(d.wavPath);
        const MonitorSource source =
            d.kind == "stem_master" ? MonitorSource::StemMaster : MonitorSource::StereoMaster;
        // Two callback sizes: the convolver gathers partitions, so any block size must give the same.
        for (int block : {64, 1000}) {
            LoadedAudio captured = captureFromTop(source, block);
            for (auto& ch : captured.channels)
                ch.resize(rendered.channels[0].size());
            const double null = test::maxDifferenceDbfs(rendered, captured);
            EXPECT_LE(null, -90.0) << d.kind << " at " << block << "-frame callbacks";
            std::printf("[ measured ] %s, %d-frame callbacks: render - engine peak %.1f dBFS\n",
                        d.kind.c_str(), block, null);
        }
    }
}

TEST_F(AudioEngineMatchTest, MixAndReferenceStayAlignedWithTheMatchedMasters) {
    const LoadedAudio mix = test::loadAudio(session_->mix);
    const LoadedAudio captured = captureFromTop(MonitorSource::Mix, 256);
    // The mix is not processed: after the latency it is the file, sample for sample.
    for (int c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < mix.channels[0].size(); i += 97)
            ASSERT_EQ(captured.channels[static_cast<size_t>(c)][i], mix.channels[static_cast<size_t>(c)][i])
                << "frame " << i;
}

TEST_F(AudioEngineMatchTest, NewCurvesWhilePlayingNeverAllocateInTheCallbackNorClick) {
    AudioEngine& e = *engine_;
    // The same 3 s from the top, once as it is and once with a new curve every 30 callbacks: the swaps
    // crossfade over a partition, so the largest sample-to-sample step stays that of the music.
    const auto run = [&](bool changes, long& allocations, double& energy) {
        e.update(*session_);
        e.setSource(MonitorSource::StereoMaster);
        e.stop();
        play(e, 1024);
        e.play();
        std::vector<float> l(256), r(256);
        double largestStep = 0;
        energy = 0;
        float last = 0;
        for (int i = 0; i < 600; ++i) {
            if (changes && i % 30 == 5) {
                Session s = *session_;
                s.master.match.tone_amount_pct = (i / 30) % 2 == 0 ? 0 : 100;
                s.master.match.width = (i / 30) % 3 != 0;
                s.master.match.max_correction_db = 6 + (i / 30) % 7;
                e.update(s); // control thread: designs the kernels, unarmed
            }
            test::armMallocCounter();
            e.processForTest(l.data(), r.data(), 256);
            allocations += test::disarmMallocCounter();
            for (int k = 0; k < 256; ++k) {
                const float x = l[static_cast<size_t>(k)];
                if (i * 256 + k > e.latencyFrames())
                    largestStep = std::max(largestStep, static_cast<double>(std::abs(x - last)));
                last = x;
                energy += static_cast<double>(x) * x;
            }
        }
        EXPECT_GT(energy, 1.0);
        e.stop();
        play(e, 1024);
        return largestStep;
    };
    long steadyAllocations = 0, allocations = 0;
    double steadyEnergy = 0, swappedEnergy = 0;
    const double steady = run(false, steadyAllocations, steadyEnergy);
    const double swapped = run(true, allocations, swappedEnergy);
    EXPECT_EQ(allocations, 0);
    EXPECT_GT(std::abs(10 * std::log10(swappedEnergy / steadyEnergy)), 0.01) << "the new curves were heard";
    EXPECT_LE(swapped, steady * 1.2 + 0.01);
    std::printf("[ measured ] largest step %.3f steady, %.3f with 19 curve swaps\n", steady, swapped);
}

} // namespace
} // namespace lathe::core
