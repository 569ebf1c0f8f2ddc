#include "core/analysis/ElementAnalysis.h"
#include "core/io/ClientFolder.h"
#include "support/DefectiveFolders.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

using namespace lathe;

namespace {

core::LoadedAudio stereo(std::vector<float> l, std::vector<float> r, const std::string& name) {
    core::LoadedAudio a;
    a.info.path = "/x/" + name;
    a.info.sampleRate = 48000;
    a.info.channels = 2;
    a.info.frames = static_cast<int64_t>(l.size());
    a.channels = {std::move(l), std::move(r)};
    return a;
}

std::vector<float> sine(std::size_t n, double hz, double amplitude) {
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<float>(amplitude * std::sin(2.0 * 3.14159265358979 * hz * i / 48000.0));
    return x;
}

} // namespace

TEST(ElementAnalysis, WidthBrightnessAndLimiterDriverOnKnownSignals) {
    const std::size_t n = 48000 * 4;
    // A centred 60 Hz bass, a 8 kHz "hat" only on the left (side = mid: 0 dB width), and a vocal sine with
    // short loud bursts that make the sum's peaks.
    auto bass = sine(n, 60.0, 0.2);
    auto hat = sine(n, 8000.0, 0.05);
    auto vocal = sine(n, 440.0, 0.05);
    for (std::size_t i = 0; i < n; i += 4800)
        for (std::size_t j = i; j < std::min(n, i + 200); ++j)
            vocal[j] *= 12.0f;
    const auto b = stereo(bass, bass, "bass.wav"), h = stereo(hat, std::vector<float>(n, 0.0f), "hat.wav"),
               v = stereo(vocal, vocal, "vocal.wav");
    const auto a = core::analyzeElements(
        nullptr, {{&b, core::StemRole::Bass}, {&h, core::StemRole::Drums}, {&v, core::StemRole::LeadVocal}});
    ASSERT_EQ(a.stems.size(), 3u);
    EXPECT_EQ(a.stems[0].widthDb, -200.0);
    EXPECT_NEAR(a.stems[1].widthDb, 0.0, 0.01);
    // All of the hat's energy is in 5-12 kHz (less the second-order skirts at 8 kHz, about 1 dB), none of the
    // bass's.
    EXPECT_NEAR(a.stems[1].brightnessDb, 0.0, 1.5);
    EXPECT_LT(a.stems[0].brightnessDb, -60.0);
    // A 60 Hz sine at 0.2 peak: RMS 0.141 -> -17 dBFS, all inside 30-120 Hz (less the band edges' ripple).
    EXPECT_NEAR(a.stems[0].lowBandDb, 20.0 * std::log10(0.2 / std::sqrt(2.0)), 1.0);
    EXPECT_EQ(a.limiterDriver, "/x/vocal.wav");
    EXPECT_GT(a.stems[2].peakShare, 0.9);
    ASSERT_TRUE(a.cymbalsOverVocalDb);
    // The vocal's only highs are the clicks of its bursts' hard edges.
    EXPECT_GT(*a.cymbalsOverVocalDb, 6.0);
}

namespace {

core::ElementAnalysis analyzeDefect(test::Defect defect, const char* name) {
    test::TempDir dir;
    test::writeDefectiveFolder(dir.path(), defect);
    auto a = core::analyzeFolderElements(core::scanClientFolder(dir.path()));
    std::cout << "  " << name << ": " << a.kickHits << " kick hits, overlap " << a.lowEndOverlap
              << ", masking " << a.lowEndMasking << ", bass over kick "
              << (a.bassOverKickDb ? *a.bassOverKickDb : -999.0) << " dB\n";
    return a;
}

} // namespace

TEST(ElementAnalysis, KickAnd808OnTheSameNotesMaskEachOtherAndAlternatingDoNot) {
    const auto same = analyzeDefect(test::Defect::Kick808SameNotes, "same notes");
    const auto alternating = analyzeDefect(test::Defect::Kick808Alternating, "alternating");
    // A kick on every beat at 120 bpm for 10 s: 20 hits (the last one's rise may fall in the final hops).
    for (const auto* a : {&same, &alternating}) {
        ASSERT_TRUE(a->hasKickAndBass);
        EXPECT_GE(a->kickHits, 19);
        EXPECT_LE(a->kickHits, 20);
    }
    // Same notes: the 808 sounds under every kick, as loud as it.
    EXPECT_GE(same.lowEndOverlap, 0.9);
    EXPECT_GE(same.lowEndMasking, 0.9);
    ASSERT_TRUE(same.bassOverKickDb);
    EXPECT_GE(*same.bassOverKickDb, -core::kKickMaskingDb);
    // Alternating: the 808 has died away (its 0.2 s note and 30 ms fade end 20 ms before the next kick) by
    // every kick.
    EXPECT_LE(alternating.lowEndOverlap, 0.1);
    EXPECT_EQ(alternating.lowEndMasking, 0.0);
}

TEST(ElementAnalysis, DemoKickLeadsIts808) {
    // The demo plays its 808 on the kicks by construction, but the kick's hit stands a few dB above it, so
    // the two read as one event with the kick on top: sounding together, not masking.
    const auto a = analyzeDefect(test::Defect::Clean, "demo");
    ASSERT_TRUE(a.hasKickAndBass);
    EXPECT_GT(a.kickHits, 8);
    EXPECT_GT(a.lowEndOverlap, 0.5);
    EXPECT_LT(a.lowEndMasking, 0.5);
    ASSERT_TRUE(a.bassOverKickDb);
    EXPECT_LT(*a.bassOverKickDb, -core::kKickMaskingDb);
    EXPECT_FALSE(a.sections.empty());
}

TEST(ElementAnalysis, OneLoudNoteInASyntheticBassLineIsFoundWithItsTimeAndFigure) {
    // 60 Hz tone bursts, 0.4 s long every 0.5 s, all at 0.1 but the one at 3.0 s at 0.25 (+7.96 dB). Bursts
    // of one pitch in one band: every other note reads the same level, so the figure is the gain itself.
    const std::size_t n = 48000 * 8;
    std::vector<float> bass(n, 0.0f);
    const double jumpAt = 3.0, jumpGain = 0.25 / 0.1;
    for (int k = 0; k < 16; ++k) {
        const double t = 0.5 * k;
        const double amplitude = std::abs(t - jumpAt) < 1e-9 ? 0.25 : 0.1;
        const auto from = static_cast<std::size_t>(t * 48000.0);
        for (std::size_t i = from; i < std::min(n, from + 19200); ++i)
            bass[i] = static_cast<float>(amplitude * std::sin(2.0 * 3.14159265358979 * 60.0 * i / 48000.0));
    }
    const auto b = stereo(bass, bass, "bass.wav");
    const auto a = core::analyzeElements(nullptr, {{&b, core::StemRole::Bass}});
    EXPECT_EQ(a.bassNotes, 16);
    ASSERT_EQ(a.bassNoteJumps.size(), 1u);
    EXPECT_NEAR(a.bassNoteJumps[0].timeSeconds, jumpAt, 0.02);
    EXPECT_NEAR(a.bassNoteJumps[0].overNeighboursDb, 20.0 * std::log10(jumpGain), 0.3);
    // The loudest hop of a steady 60 Hz sine at 0.25 peak: its RMS, less the band-pass edges (< 0.5 dB).
    EXPECT_NEAR(a.bassNoteJumps[0].levelDb, 20.0 * std::log10(0.25 / std::sqrt(2.0)), 0.5);
}

TEST(ElementAnalysis, OneLoud808NoteInAFolderIsFoundAndTheDemoLineHasNone) {
    const auto jump = analyzeDefect(test::Defect::BassNoteJump, "bass note jump");
    std::cout << "  " << jump.bassNotes << " notes\n";
    for (const auto& j : jump.bassNoteJumps)
        std::cout << "  jump at " << j.timeSeconds << " s: " << j.overNeighboursDb
                  << " dB over its neighbours\n";
    // A note on every beat for 10 s at 120 BPM.
    EXPECT_GE(jump.bassNotes, 19);
    EXPECT_LE(jump.bassNotes, 20);
    ASSERT_EQ(jump.bassNoteJumps.size(), 1u);
    EXPECT_NEAR(jump.bassNoteJumps[0].timeSeconds, test::kBassJumpSeconds, 0.05);
    EXPECT_NEAR(jump.bassNoteJumps[0].overNeighboursDb, test::kBassJumpDb, 1.0);

    const auto clean = analyzeDefect(test::Defect::Clean, "demo");
    std::cout << "  demo: " << clean.bassNotes << " notes\n";
    // The demo's 808 holds each note into the next (legato); every one of its ten notes (on the verse's and
    // the hook's kicks, and the outro's) is told apart.
    EXPECT_EQ(clean.bassNotes, 10);
    EXPECT_TRUE(clean.bassNoteJumps.empty());
    const auto json = core::toJson(jump);
    ASSERT_EQ(json.at("bass_note_jumps").size(), 1u);
    EXPECT_EQ(json.at("bass_notes").get<int>(), jump.bassNotes);
    EXPECT_DOUBLE_EQ(json.at("bass_note_jumps")[0].at("time_seconds").get<double>(),
                     jump.bassNoteJumps[0].timeSeconds);
}

TEST(ElementAnalysis, OneLoud808NoteDoesNotMoveTheSectionsTheVocalIsJudgedIn) {
    // The demo with one 808 note (the beat at kBassJumpSeconds) 1.5 dB and 6 dB up, the mix re-summed: the
    // vocal is untouched, so its sections and its balance in them must be the clean demo's (the note moved
    // the hook's start to 3.6 s and read as a vocal buried 1.8 dB there).
    const auto clean = analyzeDefect(test::Defect::Clean, "demo");
    for (const double db : {1.5, 6.0}) {
        test::TempDir dir;
        const test::DefectiveFolder f = test::writeDefectiveFolder(dir.path(), test::Defect::Clean);
        test::scaleSection(f.files[1], test::kBassJumpSeconds, test::kBassJumpSeconds + 0.45, db);
        test::resumMix(f.files);
        const auto a = core::analyzeFolderElements(core::scanClientFolder(dir.path()));
        ASSERT_EQ(a.bassNoteJumps.size(), 1u) << db;
        EXPECT_NEAR(a.bassNoteJumps[0].timeSeconds, test::kBassJumpSeconds, 0.05) << db;
        ASSERT_EQ(a.sections.size(), clean.sections.size()) << db;
        ASSERT_EQ(a.vocalBalance.size(), clean.vocalBalance.size()) << db;
        for (std::size_t s = 0; s < a.sections.size(); ++s) {
            EXPECT_NEAR(a.sections[s].startSeconds, clean.sections[s].startSeconds, 0.05)
                << db << " dB, " << s;
            EXPECT_EQ(a.sections[s].label, clean.sections[s].label) << db << " dB, " << s;
            EXPECT_EQ(a.vocalBalance[s].vocalPresent, clean.vocalBalance[s].vocalPresent)
                << db << " dB, " << s;
            // The note still counts in the band the vocal is heard against (its median over the verse's
            // hops moves by a few tenths).
            if (a.vocalBalance[s].vocalPresent) {
                EXPECT_NEAR(a.vocalBalance[s].vocalToRestDb, clean.vocalBalance[s].vocalToRestDb, 0.5)
                    << db << " dB, " << s;
            }
        }
    }
}
