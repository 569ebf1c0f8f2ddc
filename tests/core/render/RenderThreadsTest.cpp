#include "core/demo/DemoFolder.h"
#include "core/model/SessionSource.h"
#include "core/render/Renderer.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <string>

using namespace lathe::core;

namespace {

// The render splits stems over threads and measures on another one; the sum is taken in stem order, so the
// deliverable must be the same file whatever the thread count.
RenderReport renderWith(const Session& session, const std::string& out, int threads) {
    RenderControl control;
    control.threads = threads;
    return renderSession(session, out, control);
}

} // namespace

TEST(RenderThreads, OutputIsBitIdenticalForAnyThreadCount) {
    lathe::test::TempDir dir;
    DemoOptions demo;
    demo.seconds = 8.0;
    writeDemoFolder(dir.file("Song"), demo);
    Session session = openSessionOrFolder(dir.file("Song"));
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
    DemoOptions demo;
    demo.seconds = 8.0;
    writeDemoFolder(dir.file("Song"), demo);
    Session session = openSessionOrFolder(dir.file("Song"));
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
