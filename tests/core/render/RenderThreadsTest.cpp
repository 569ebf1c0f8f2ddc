#include "core/demo/DemoFolder.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"
#include "core/model/SessionSource.h"
#include "core/render/Renderer.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

using namespace lathe::core;

namespace {

// The render splits stems over threads and measures on another one; the sum is taken in stem order, so the
// deliverable must be the same file whatever the thread count.
RenderReport renderWith(const Session& session, const std::string& out, int threads) {
    RenderControl control;
    control.threads = threads;
    return renderSession(session, out, control);
}

// The demo song, 8 s long, written into dir/Song and opened as a session.
Session eightSecondDemo(const lathe::test::TempDir& dir) {
    DemoOptions demo;
    demo.seconds = 8.0;
    writeDemoFolder(dir.file("Song"), demo);
    return openSessionOrFolder(dir.file("Song"));
}

} // namespace

TEST(RenderThreads, OutputIsBitIdenticalForAnyThreadCount) {
    lathe::test::TempDir dir;
    Session session = eightSecondDemo(dir);
    session.output.mode = "both";
    session.output.mp3 = false;
    // Chains on every stem and on the master, as a real stem master has.
    for (auto& stem : session.stems) {
        stem.eq = {EqBandSettings{}};
        stem.eq[0].enabled = true;
        stem.eq[0].type = "bell";
        stem.eq[0].frequency_hz = 2500;
        stem.eq[0].gain_db = 2;
        stem.compressor.enabled = true;
        stem.compressor.threshold_db = -24;
        stem.compressor.ratio = 3;
    }
    session.master.compressor.enabled = true;

    const RenderReport one = renderWith(session, dir.file("one"), 1);
    const RenderReport two = renderWith(session, dir.file("two"), 2);
    const RenderReport three = renderWith(session, dir.file("three"), 3);
    ASSERT_EQ(one.deliverables.size(), 2u);
    for (size_t d = 0; d < one.deliverables.size(); ++d) {
        const std::string reference = lathe::test::sha256File(one.deliverables[d].wavPath);
        EXPECT_EQ(lathe::test::sha256File(two.deliverables[d].wavPath), reference)
            << one.deliverables[d].kind;
        EXPECT_EQ(lathe::test::sha256File(three.deliverables[d].wavPath), reference)
            << one.deliverables[d].kind;
        EXPECT_EQ(two.deliverables[d].integratedLufs, one.deliverables[d].integratedLufs);
        EXPECT_EQ(three.deliverables[d].truePeakDbtp, one.deliverables[d].truePeakDbtp);
        EXPECT_EQ(three.deliverables[d].passes, one.deliverables[d].passes);
        EXPECT_TRUE(one.deliverables[d].meetsTarget);
        EXPECT_TRUE(one.deliverables[d].withinCeiling);
    }
}

// Whether the first pass's probe runs beside it (two threads and a forecast of heavy limiting) or after it
// (one thread, only once the pass missed), it is the same measurement: a loud target that takes several
// passes gives the same master either way.
TEST(RenderThreads, LoudTargetTakesTheSamePassesWhereverTheProbeRuns) {
    lathe::test::TempDir dir;
    Session session = eightSecondDemo(dir);
    session.output.mode = "stem";
    session.output.mp3 = false;
    session.loudness.target_lufs = -9.0;

    const RenderReport alone = renderWith(session, dir.file("one"), 1);
    const RenderReport beside = renderWith(session, dir.file("two"), 2);
    ASSERT_EQ(alone.deliverables.size(), 1u);
    ASSERT_EQ(beside.deliverables.size(), 1u);
    EXPECT_GE(alone.deliverables[0].passes, 2); // the probe was needed
    EXPECT_EQ(beside.deliverables[0].passes, alone.deliverables[0].passes);
    EXPECT_EQ(beside.deliverables[0].loudnessGainDb, alone.deliverables[0].loudnessGainDb);
    EXPECT_EQ(lathe::test::sha256File(beside.deliverables[0].wavPath),
              lathe::test::sha256File(alone.deliverables[0].wavPath));
    EXPECT_TRUE(alone.deliverables[0].meetsTarget);
}

// The MP3 is encoded beside the limiter pass, on a thread of its own, from what the pass keeps. It must be
// the file the encoder makes from the finished master: the WAV (24-bit, so every dithered sample is exact in
// float) read back and encoded in the render's chunks of 16384 frames. And the same whatever the threads.
TEST(RenderThreads, Mp3EncodedBesideThePassIsTheOneEncodedFromTheMaster) {
    lathe::test::TempDir dir;
    Session session = eightSecondDemo(dir);
    session.output.mode = "stem";
    session.output.mp3 = true;
    session.output.bit_depth = 24;
    const RenderReport two = renderWith(session, dir.file("two"), 2);
    const RenderReport one = renderWith(session, dir.file("one"), 1);
    ASSERT_EQ(two.deliverables.size(), 1u);
    const DeliverableReport& master = two.deliverables[0];
    ASSERT_FALSE(master.mp3Path.empty());
    EXPECT_EQ(lathe::test::sha256File(one.deliverables[0].mp3Path), lathe::test::sha256File(master.mp3Path));

    WriterOptions options;
    options.format = OutputFormat::Mp3;
    options.sampleRate = master.sampleRate;
    options.mp3BitrateKbps = session.output.mp3_bitrate_kbps;
    options.title = session.output.title.empty() ? session.song : session.output.title;
    options.artist = session.output.artist;
    const std::string again = dir.file("again.mp3");
    {
        AudioFileReader wav(master.wavPath);
        ASSERT_EQ(wav.info().channels, 2);
        AudioFileWriter writer(again, options);
        std::vector<float> l(16384), r(16384);
        float* planar[2] = {l.data(), r.data()};
        for (int64_t n; (n = wav.read(planar, 16384)) > 0;) {
            const float* in[2] = {l.data(), r.data()};
            writer.write(in, static_cast<int>(n));
        }
        writer.commit();
    }
    EXPECT_EQ(lathe::test::sha256File(master.mp3Path), lathe::test::sha256File(again));
}

// A cancel while the stems and the master chain run as a ChunkFlow, and one while a pass limits, measures,
// writes and encodes on four threads: the render stops there (progress goes no further than that stage),
// throws RenderCancelled and leaves no file behind, under a final name or a temporary one.
TEST(RenderThreads, CancelMidPipelineLeavesNoFile) {
    lathe::test::TempDir dir;
    Session session = eightSecondDemo(dir);
    session.output.mode = "stem";
    session.output.mp3 = true;
    struct Case {
        double cancelAt, stageEnd; // progress: the pre-limiter signal up to 0.4, the first pass up to 0.7
        const char* name;
    };
    for (const Case c : {Case{0.1, 0.4, "pre-limiter"}, Case{0.55, 0.7, "first pass"}}) {
        for (int threads : {1, 2}) {
            SCOPED_TRACE(::testing::Message() << c.name << ", " << threads << " threads");
            const std::string out = dir.file(std::string("out-") + c.name + std::to_string(threads));
            std::atomic<bool> cancel{false};
            std::mutex mutex;
            double furthest = 0;
            RenderControl control;
            control.threads = threads;
            control.cancel = &cancel;
            control.progress = [&](double fraction) {
                std::lock_guard lock(mutex);
                furthest = std::max(furthest, fraction);
                if (fraction >= c.cancelAt) cancel = true;
            };
            EXPECT_THROW(renderSession(session, out, control), RenderCancelled);
            EXPECT_TRUE(cancel.load());
            EXPECT_LT(furthest, c.stageEnd) << "the render ran past the stage it was cancelled in";
            std::vector<std::string> left;
            if (std::filesystem::exists(out))
                for (const auto& entry : std::filesystem::recursive_directory_iterator(out))
                    left.push_back(entry.path().filename().string());
            EXPECT_EQ(left, std::vector<std::string>{});
        }
    }
}
