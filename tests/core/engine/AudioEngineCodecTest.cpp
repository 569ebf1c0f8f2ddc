#include "core/Error.h"
#include "core/demo/DemoFolder.h"
#include "core/engine/AudioEngine.h"
#include "core/io/CodecPreview.h"
#include "core/model/SessionSource.h"
#include "support/AudioProbe.h"
#include "support/EngineCapture.h"
#include "support/MallocCounter.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>

// The live codec compare source switched between codecs: what it plays is the chosen codec's round trip of
// the stereo master as played (the render's encoders and decoders), and a switch while playing is handed to
// the audio thread without allocation, lock or glitch, leaving the other sources untouched. Runs under
// packaging/tsan-tests.sh (every AudioEngine*Test).
namespace lathe::core {
namespace {

using test::LoadedAudio;

class AudioEngineCodecTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        DemoOptions o;
        o.seconds = 5;
        o.sampleRate = 48000;
        writeDemoFolder(dir_->file("song"), o);
        session_ = new Session(openSessionOrFolder(dir_->file("song")));
        engine_ = new AudioEngine();
        engine_->load(*session_);
    }
    static void TearDownTestSuite() {
        delete engine_;
        delete session_;
        delete dir_;
    }

    // `frames` frames (default: the whole song plus the masters' latency) from the top, in blocks of
    // `block`.
    static LoadedAudio playFromTop(MonitorSource source, int block = 1024, int64_t frames = 0) {
        AudioEngine& e = *engine_;
        e.setLoop(0, 0, false);
        e.stop();
        test::captureEngine(e, 1024);
        e.setSource(source);
        test::captureEngine(e, 1024);
        e.seek(0);
        e.play();
        // The first callback after a seek from a stop still sees the seek: it plays one block faded out and
        // lands back on frame 0 (the engine's transport, as it is). The song starts with the second.
        test::captureEngine(e, block, block);
        EXPECT_EQ(e.position(), 0);
        return test::captureEngine(e, frames > 0 ? frames : e.length() + e.latencyFrames(), block);
    }

    static void switchTo(const std::string& spec) {
        engine_->setCodecPreview(parseDeliverableSpec(spec));
        ASSERT_TRUE(engine_->waitForCodecPreview(300)) << spec;
        const AudioEngine::CodecPreviewState s = engine_->codecPreviewState();
        ASSERT_TRUE(s.error.empty()) << s.error;
        ASSERT_TRUE(s.ready.has_value());
        ASSERT_EQ(deliverableSpecText(*s.ready), spec);
    }

    void SetUp() override {
        engine_->setLoudnessMatch(false);
        engine_->setPlaybackSimulation(dsp::PlaybackSystem::Flat);
    }

    static inline test::TempDir* dir_ = nullptr;
    static inline Session* session_ = nullptr;
    static inline AudioEngine* engine_ = nullptr;
};

// The transport's fade-in after a seek (kDeclickFrames, 128) shapes the first frames played: compared from
// here on.
constexpr size_t kAfterFadeIn = 256;

// RMS of a - b relative to a, in dB, over both channels, frames [kAfterFadeIn, frames).
double differenceDb(const std::vector<float>& al, const std::vector<float>& ar, const std::vector<float>& bl,
                    const std::vector<float>& br, size_t frames) {
    double d = 0, e = 0;
    for (size_t i = kAfterFadeIn; i < frames; ++i) {
        d += (al[i] - bl[i]) * static_cast<double>(al[i] - bl[i]) +
             (ar[i] - br[i]) * static_cast<double>(ar[i] - br[i]);
        e += static_cast<double>(al[i]) * al[i] + static_cast<double>(ar[i]) * ar[i];
    }
    return 10 * std::log10(std::max(d, 1e-30) / std::max(e, 1e-30));
}

TEST_F(AudioEngineCodecTest, EachCodecPlaysItsOwnRoundTripOfTheStereoMasterAsPlayed) {
    AudioEngine& engine = *engine_;
    // The stereo master load() played, which every preview is made from; and as playback plays it (from the
    // top, in the load pass's blocks): the same music, aligned.
    constexpr int kBlock = 2048;
    LoadedAudio master{engine.sampleRate(), {{}, {}}};
    ASSERT_TRUE(engine.codecPreviewMasterForTest(master.channels[0], master.channels[1]));
    const size_t frames = master.channels[0].size();
    ASSERT_EQ(static_cast<int64_t>(frames), engine.length() + engine.latencyFrames());
    const LoadedAudio played = playFromTop(MonitorSource::StereoMaster, kBlock);
    const double playedVsLoaded =
        differenceDb(master.channels[0], master.channels[1], played.channels[0], played.channels[1], frames);
    std::printf("stereo master as played vs as loaded: %.1f dB\n", playedVsLoaded);
    EXPECT_LT(playedVsLoaded, -20.0); // aligned (misaligned, the two differ by about +2 dB)
    const std::vector<std::string> specs = {"aac:256", "opus:96", "vorbis:5", "mp3:128"};
    // What each codec does to the master as played, made here through the same round trip the render's
    // codec check uses.
    std::map<std::string, CodecPreview> expected;
    for (const std::string& spec : specs)
        expected[spec] = codecRoundTrip(master.channels[0].data(), master.channels[1].data(),
                                        static_cast<int64_t>(frames), master.sampleRate,
                                        parseDeliverableSpec(spec), session_->master.limiter.ceiling_dbtp);
    for (const std::string& spec : specs) {
        SCOPED_TRACE(spec);
        switchTo(spec);
        ASSERT_TRUE(engine.sourceAvailable(MonitorSource::Codec));
        const LoadedAudio heard = playFromTop(MonitorSource::Codec, kBlock);
        const auto& c = heard.channels;
        const double own = differenceDb(expected[spec].left, expected[spec].right, c[0], c[1], frames);
        const double toMaster = differenceDb(master.channels[0], master.channels[1], c[0], c[1], frames);
        std::printf("%s: vs its round trip %.1f dB, vs the master %.1f dB", spec.c_str(), own, toMaster);
        // The codec heard is exactly this codec's round trip of that master (the encoders are deterministic),
        // and not another codec's.
        EXPECT_LT(own, -200.0);
        for (const std::string& other : specs) {
            if (other == spec) continue;
            const double d = differenceDb(expected[other].left, expected[other].right, c[0], c[1], frames);
            std::printf(", vs %s %.1f dB", other.c_str(), d);
            EXPECT_GT(d, -40.0) << other;
        }
        std::printf("\n");
        EXPECT_LT(toMaster, -10.0); // aligned with the master: lossy, not displaced (about +2 dB)
        // Its figures are this codec's (measured as every source is, and so is the match gain).
        EXPECT_NEAR(engine.sourceIntegratedLufs(MonitorSource::Codec), test::integratedLufs(heard), 0.1);
        EXPECT_NEAR(engine.sourceTruePeakDbtp(MonitorSource::Codec), expected[spec].truePeakDbtp, 0.2);
    }
    // Opus' signature: nothing above its 20 kHz full band, where the master and MP3 at 128 kb/s (LAME's
    // 17 kHz low-pass at that rate) differ from it in kind, checked on the captures themselves.
    switchTo("opus:96");
    const LoadedAudio opus = playFromTop(MonitorSource::Codec);
    const double masterHigh = test::energyAboveDb(master.channels[0], master.sampleRate, 20500);
    const double opusHigh = test::energyAboveDb(opus.channels[0], opus.sampleRate, 20500);
    std::printf("energy above 20.5 kHz: master %.1f dB, opus %.1f dB\n", masterHigh, opusHigh);
    EXPECT_LT(opusHigh, masterHigh - 20.0);
}

TEST_F(AudioEngineCodecTest, SwitchingCodecsWhilePlayingNeverAllocatesGlitchesOrTouchesTheOtherSources) {
    AudioEngine& engine = *engine_;
    const std::vector<std::string> cycle = {"opus:64", "aac:128", "mp3:320", "vorbis:4"};
    // Every preview the switches can land on, as the engine plays it from the top.
    std::map<std::string, LoadedAudio> previews;
    for (const std::string& spec : cycle) {
        switchTo(spec);
        previews[spec] = playFromTop(MonitorSource::Codec, 200);
    }
    constexpr int kBlock = 200;
    const int64_t loopEnd = engine.length() / kBlock * kBlock;
    ASSERT_GT(loopEnd, 48000);

    // One run: the audio thread (this test's stand-in for the device callback, malloc counter armed around
    // every callback) plays `source` looping while the control thread switches the codec `switches` times,
    // each switch waiting until the new preview is built, then playing on a little.
    struct Run {
        std::vector<float> l, r;
        std::vector<int64_t> blockPositions;
        long allocations = 0;
    };
    auto run = [&](MonitorSource source, int switches, int64_t fixedBlocks) {
        Run out;
        engine.setCodecPreview(parseDeliverableSpec(cycle.back()));
        EXPECT_TRUE(engine.waitForCodecPreview(300));
        engine.stop();
        test::captureEngine(engine, 1024);
        engine.setSource(source);
        engine.setLoop(0, loopEnd, true);
        test::captureEngine(engine, 1024);
        engine.seek(0);
        engine.play();
        std::atomic<bool> done{false};
        std::thread audio([&] {
            std::vector<float> l(kBlock), r(kBlock);
            for (int64_t b = 0; fixedBlocks > 0 ? b < fixedBlocks : !done.load(); ++b) {
                out.blockPositions.push_back(engine.position());
                test::armMallocCounter();
                engine.processForTest(l.data(), r.data(), kBlock);
                out.allocations += test::disarmMallocCounter();
                out.l.insert(out.l.end(), l.begin(), l.end());
                out.r.insert(out.r.end(), r.begin(), r.end());
                // Paced near real time, so the switches land while playing.
                if (fixedBlocks == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
            }
        });
        for (int i = 0; i < switches; ++i) {
            engine.setCodecPreview(parseDeliverableSpec(cycle[static_cast<size_t>(i) % cycle.size()]));
            EXPECT_TRUE(engine.waitForCodecPreview(300));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        done = true;
        audio.join();
        return out;
    };

    // The stereo master heard while the codec switches under it: sample for sample what the same callbacks
    // play with no switch at all.
    const Run switched = run(MonitorSource::StereoMaster, 5, 0);
    const Run plain =
        run(MonitorSource::StereoMaster, 0, static_cast<int64_t>(switched.blockPositions.size()));
    EXPECT_EQ(switched.allocations, 0);
    ASSERT_EQ(switched.l.size(), plain.l.size());
    EXPECT_TRUE(switched.l == plain.l && switched.r == plain.r) << "a codec switch changed the stereo master";

    // The codec source heard across the switches: every sample is one of the previews at that position or a
    // crossfade between two (inside their hull: a click would leave it), and each codec was heard.
    const Run heard = run(MonitorSource::Codec, 8, 0);
    EXPECT_EQ(heard.allocations, 0);
    std::map<std::string, long> blocksOf;
    long outside = 0;
    long mixed = 0; // blocks that are no one preview: crossfades
    // From the third block: the first is the transport's seek from a stop (faded out and played again), the
    // second starts with its fade-in.
    for (size_t b = 2; b < heard.blockPositions.size(); ++b) {
        const int64_t pos = heard.blockPositions[b];
        // The previews were captured with the fade-in over their first frames: compared after it.
        if (pos < static_cast<int64_t>(kAfterFadeIn)) continue;
        bool matched = false;
        for (const std::string& spec : cycle) {
            const LoadedAudio& p = previews[spec];
            bool equal = true;
            for (int k = 0; k < kBlock && equal; ++k)
                equal = heard.l[b * kBlock + static_cast<size_t>(k)] ==
                            p.channels[0][static_cast<size_t>(pos + k)] &&
                        heard.r[b * kBlock + static_cast<size_t>(k)] ==
                            p.channels[1][static_cast<size_t>(pos + k)];
            if (equal) ++blocksOf[spec];
            matched = matched || equal;
        }
        if (!matched) ++mixed;
        for (int k = 0; k < kBlock; ++k)
            for (int c = 0; c < 2; ++c) {
                const float y = (c == 0 ? heard.l : heard.r)[b * kBlock + static_cast<size_t>(k)];
                float lo = HUGE_VALF, hi = -HUGE_VALF;
                for (const std::string& spec : cycle) {
                    const float v =
                        previews[spec].channels[static_cast<size_t>(c)][static_cast<size_t>(pos + k)];
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
                if (y < lo - 1e-6f || y > hi + 1e-6f) ++outside;
            }
    }
    EXPECT_EQ(outside, 0) << "samples outside every preview and crossfade";
    std::printf("%ld blocks were crossfades between two previews\n", mixed);
    EXPECT_GT(mixed, 0) << "no switch was heard as a crossfade";
    for (const std::string& spec : cycle) {
        std::printf("%s heard in %ld of %zu blocks\n", spec.c_str(), blocksOf[spec],
                    heard.blockPositions.size());
        EXPECT_GT(blocksOf[spec], 0) << spec << " never heard";
    }
    engine.setLoop(0, 0, false);
}

TEST_F(AudioEngineCodecTest, ANonCodecSpecIsRefusedAndTheCurrentPreviewKept) {
    AudioEngine& engine = *engine_;
    switchTo("aac:192");
    EXPECT_THROW(engine.setCodecPreview(parseDeliverableSpec("wav:24")), Error);
    DeliverableSpec tooFast;
    tooFast.format = "mp3";
    tooFast.kbps = 512;
    EXPECT_THROW(engine.setCodecPreview(tooFast), Error);
    EXPECT_EQ(deliverableSpecText(engine.codecPreview()), "aac:192");
    EXPECT_FALSE(engine.codecPreviewState().building);
    EXPECT_TRUE(engine.sourceAvailable(MonitorSource::Codec));
}

} // namespace
} // namespace lathe::core
