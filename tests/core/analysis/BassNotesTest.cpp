// The bass/808 line's notes and the one that jumps out (issue 17): a legato 808 line (each note held into
// the next, so its level never dips between notes) is built with the demo's own 808 voice, and every note
// must be found, a note 1.5 dB up named with its figure, and a line with a played 1 dB spread left alone.

#include "core/analysis/BassNotes.h"
#include "core/demo/DemoSynth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace lathe;

namespace {

constexpr double kRate = 48000.0;
constexpr double kBeat = 0.5;

struct Line {
    std::vector<float> mono;
    std::vector<double> onsets;
};

// A legato 808 line: a note on every beat, held until 10 ms before the next with the 808's 30 ms release
// overlapping it, cycling A1 A1 F1 F1 C2 C2 G1 G1 and sliding from the previous root into a new one (a
// quarter tone above for a repeated note), as the demo song's 808 plays. Velocities spread by up to
// +-velocitySpread (a fraction), and the note at jumpAt (if any) jumpDb louder; gainDb lifts the notes from
// liftFrom on (a louder section).
Line legatoLine(double seconds, double velocitySpread, std::uint64_t seed, double jumpAt = -1.0,
                double jumpDb = 0.0, double liftFrom = 1e9, double liftDb = 0.0) {
    core::demo::Stereo out(static_cast<std::int64_t>(seconds * kRate));
    core::demo::Rng rng(seed);
    constexpr double kRoots[4] = {33.0, 29.0, 36.0, 31.0};
    Line line;
    double previous = -1.0;
    int k = 0;
    for (double t = 0.0; t + kBeat <= seconds; t += kBeat, ++k) {
        const double midi = kRoots[(k / 2) % 4];
        const double from = previous >= 0.0 && previous != midi ? previous : midi + 0.5;
        double gain = 0.3 * (1.0 + velocitySpread * rng.bipolar());
        if (std::abs(t - jumpAt) < 1e-9) gain *= std::pow(10.0, jumpDb / 20.0);
        if (t >= liftFrom) gain *= std::pow(10.0, liftDb / 20.0);
        core::demo::add808(out, kRate, {t, kBeat - 0.01, midi, from, gain});
        line.onsets.push_back(t);
        previous = midi;
    }
    line.mono = out.left;
    return line;
}

core::SongSection section(double start, double end, double stableMargin) {
    core::SongSection s;
    s.startSeconds = start;
    s.endSeconds = end;
    s.stableStartSeconds = start > 0.0 ? start + stableMargin : start;
    s.stableEndSeconds = end - stableMargin;
    return s;
}

TEST(BassNotes, EveryNoteOfALegatoLineIsFoundThoughItsLevelNeverDipsBetweenNotes) {
    const Line line = legatoLine(10.0, 0.02, 7);
    const auto notes = core::findBassNotes(line.mono, kRate);
    ASSERT_EQ(notes.size(), line.onsets.size());
    for (std::size_t k = 0; k < notes.size(); ++k) {
        // The onset is the start of the first half-cycle that rises out of the previous note's release:
        // at most two half-cycles late (25 ms at F1).
        EXPECT_GE(notes[k].onsetSeconds, line.onsets[k] - 0.002) << k;
        EXPECT_LE(notes[k].onsetSeconds, line.onsets[k] + 0.025) << k;
        // The fundamental in the note's window, mid-slide at worst: between F1 (43.7 Hz) and the octave over
        // C2.
        EXPECT_GT(notes[k].frequencyHz, 40.0) << k;
        EXPECT_LT(notes[k].frequencyHz, 135.0) << k;
    }
}

TEST(BassNotes, ALegatoNoteOneAndAHalfDbUpIsNamedAtItsTimeWithItsFigure) {
    const double jumpAt = 4.0, jumpDb = 1.5;
    const Line line = legatoLine(10.0, 0.02, 7, jumpAt, jumpDb);
    const auto judged = core::judgeBassLine(core::findBassNotes(line.mono, kRate), {});
    ASSERT_EQ(judged.jumps.size(), 1u);
    EXPECT_NEAR(judged.jumps[0].timeSeconds, jumpAt, 0.02);
    EXPECT_NEAR(judged.jumps[0].overNeighboursDb, jumpDb, 0.3);
    EXPECT_EQ(judged.line.size(), line.onsets.size());
}

TEST(BassNotes, APlayedLineWithAOneDbSpreadHasNoJump) {
    // Velocities within +-6 % (a 1 dB spread, as a player's): no note stands a dB over the others, on any of
    // these takes.
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        const Line line = legatoLine(10.0, 0.06, seed);
        const auto judged = core::judgeBassLine(core::findBassNotes(line.mono, kRate), {});
        EXPECT_EQ(judged.line.size(), line.onsets.size()) << "seed " << seed;
        double loudest = -1e9;
        for (const auto& n : judged.line)
            loudest = std::max(loudest, n.overNeighboursDb);
        EXPECT_TRUE(judged.jumps.empty()) << "seed " << seed << ": " << judged.jumps.front().timeSeconds
                                          << " s, " << judged.jumps.front().overNeighboursDb << " dB";
        EXPECT_LT(loudest, core::kBassNoteJumpDb) << "seed " << seed;
    }
}

TEST(BassNotes, ALouderSectionIsNotAJumpButTheVerseNoteRaisedToItIs) {
    // The hook (from 5 s) plays its 808 2 dB harder. Each note is judged against its own section, and the
    // hook's first note, within half a novelty window of the boundary, against both sections: it does not
    // stand out of the hook, so it is no jump.
    const std::vector<core::SongSection> sections = {section(0.0, 5.0, 0.5), section(5.0, 10.0, 0.5)};
    const Line lifted = legatoLine(10.0, 0.02, 3, -1.0, 0.0, 5.0, 2.0);
    const auto clean = core::judgeBassLine(core::findBassNotes(lifted.mono, kRate), {sections});
    EXPECT_TRUE(clean.jumps.empty());

    // A verse note (4 s) 1.5 dB up: nearly as loud as the hook's notes, yet over the verse's.
    const Line raised = legatoLine(10.0, 0.02, 3, 4.0, 1.5, 5.0, 2.0);
    const auto judged = core::judgeBassLine(core::findBassNotes(raised.mono, kRate), {sections});
    ASSERT_EQ(judged.jumps.size(), 1u);
    EXPECT_NEAR(judged.jumps[0].timeSeconds, 4.0, 0.02);
    EXPECT_NEAR(judged.jumps[0].overNeighboursDb, 1.5, 0.3);
}

TEST(BassNotes, SilenceAndAShortLineGiveNoJudgement) {
    EXPECT_TRUE(core::findBassNotes(std::vector<float>(48000, 0.0f), kRate).empty());
    EXPECT_TRUE(core::findBassNotes({}, kRate).empty());
    // Two notes: neither has two others to be judged against.
    const Line line = legatoLine(1.0, 0.0, 1, 0.5, 6.0);
    const auto notes = core::findBassNotes(line.mono, kRate);
    EXPECT_EQ(notes.size(), 2u);
    const auto judged = core::judgeBassLine(notes, {});
    EXPECT_TRUE(judged.line.empty());
    EXPECT_TRUE(judged.jumps.empty());
}

} // namespace

TEST(BassNotes, ALevelledJumpSitsWithItsSectionAndNothingElseMoves) {
    // The line the song's sections are found from: the jump brought down to its neighbours, from its onset
    // to the next note's, and every other sample as it was.
    const double jumpAt = 4.0, jumpDb = 6.0;
    const Line line = legatoLine(10.0, 0.02, 7, jumpAt, jumpDb);
    const auto notes = core::findBassNotes(line.mono, kRate);
    const auto judged = core::judgeBassLine(notes, {});
    ASSERT_EQ(judged.jumps.size(), 1u);
    const std::vector<float> levelled = core::withJumpsLevelled(line.mono, kRate, notes, judged.jumps);
    ASSERT_EQ(levelled.size(), line.mono.size());
    const auto from = static_cast<std::size_t>(std::llround(judged.jumps[0].timeSeconds * kRate));
    std::size_t to = line.mono.size();
    for (const auto& n : notes)
        if (n.onsetSeconds > judged.jumps[0].timeSeconds) {
            to = static_cast<std::size_t>(std::llround(n.onsetSeconds * kRate));
            break;
        }
    EXPECT_NEAR(static_cast<double>(to) / kRate, jumpAt + kBeat, 0.03);
    std::size_t moved = 0;
    for (std::size_t i = 0; i < line.mono.size(); ++i)
        moved += (i < from || i >= to) && levelled[i] != line.mono[i];
    EXPECT_EQ(moved, 0u);
    const float gain = static_cast<float>(std::pow(10.0, -judged.jumps[0].overNeighboursDb / 20.0));
    EXPECT_FLOAT_EQ(levelled[from + 1000], line.mono[from + 1000] * gain);
    // Read again, the levelled note stands within the line's own spread of the others.
    const auto again = core::judgeBassLine(core::findBassNotes(levelled, kRate), {});
    EXPECT_TRUE(again.jumps.empty());
    for (const auto& n : again.line)
        if (std::abs(n.timeSeconds - jumpAt) < 0.03) {
            EXPECT_NEAR(n.overNeighboursDb, 0.0, 0.5);
        }
}
