#pragma once

// The notes of a bass/808 line and the ones that jump out of it (issue 17). An 808 line is often legato:
// each note is held into the next, so its level never dips between notes and a level curve in 20 ms hops
// cannot tell them apart. Here a note starts where the line's waveform, read one half-cycle at a time in
// the stem's own low end, rises above the decay of the note before it: an 808 only decays while it holds,
// so any rise is a new note. Each note's level is read at the same place in it (30-90 ms after its onset),
// so notes of any length are compared like with like, and against the other notes of its section only:
// a line played harder in the hook is an arrangement, not a loud note.

#include "core/analysis/SectionFinder.h"

#include <vector>

namespace lathe::core {

// A bass/808 note this much louder than the other notes of its section, and three times their own median
// deviation, jumps out of the line: the seed article's smallest nudge (1-2 dB) is heard on one note.
constexpr double kBassNoteJumpDb = 1.0;

// One note of a bass/808 line.
struct BassNote {
    double onsetSeconds = 0;
    // RMS of the stem's 20-250 Hz band 30-90 ms after the onset (past the previous note's release and the
    // attack), corrected by the band filters' response at the note's fundamental; NaN for a note shorter
    // than 40 ms there, which is counted but not judged.
    double levelDb = 0;
    double frequencyHz = 0; // its fundamental in that window, from its zero crossings
};

// One judged note: its onset, its level (BassNote::levelDb) and how far that is above the median of the up
// to eight other notes of its section nearest to it.
struct BassNoteJump {
    double timeSeconds = 0;
    double levelDb = 0;
    double overNeighboursDb = 0;
};

// The notes of a bass stem (mono), by time. A half-cycle (between zero crossings of the 20-250 Hz band)
// whose peak is 1 dB or more above the lower of the two before it of the same polarity starts a note,
// within 40 dB of the line's loudest half-cycle and 100 ms or more after the last onset; after silence
// (or a half-cycle over 60 ms long, below 8 Hz), any half-cycle in range starts one. Not real-time safe.
std::vector<BassNote> findBassNotes(const std::vector<float>& bassMono, double sampleRate);

struct BassLineJudgement {
    std::vector<BassNoteJump> line;  // every note with two or more others in its section, by time
    std::vector<BassNoteJump> jumps; // those over kBassNoteJumpDb and their neighbours' spread, loudest first
};

// Each note against the other notes of the section it sounds in (its measuring window's middle). Each
// split of the song into sections is one estimate of where they are (they should come from the parts other
// than the bass, so no edit of the bass can move them): a note is judged in every split, against both
// sections where it sits within half a novelty window of a boundary, and its figure is the least of those
// judgements. No splits: the whole line is one section.
BassLineJudgement judgeBassLine(const std::vector<BassNote>& notes,
                                const std::vector<std::vector<SongSection>>& sectionings);

// The line with each jump brought down by its overNeighboursDb, from its onset to the next note's (or the
// end): the line as its section plays it, for finding the song's sections from the band's parts. One loud
// note is a fault of one note, not a change of arrangement, and must not move a boundary that another
// stem is judged in (an 808 note 1.5 dB up moved the hook's start and read as a buried lead vocal there).
std::vector<float> withJumpsLevelled(const std::vector<float>& bassMono, double sampleRate,
                                     const std::vector<BassNote>& notes,
                                     const std::vector<BassNoteJump>& jumps);

} // namespace lathe::core
