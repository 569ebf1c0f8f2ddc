#pragma once

// Synthesized stems for the stem tools' tests (sidechain, peak control, automation, dynamic EQ) and their
// seed-case scenarios: a kick, an 808 with chosen notes, a voice, a snare, a wide pad; and a client folder
// holding them with their mix (the sum) and a session for it. Deterministic (a fixed-seed generator).

#include "core/model/Session.h"
#include "support/TestAudio.h"

#include <string>
#include <vector>

namespace lathe::test {

// A kick: a pitched thump (60 -> 45 Hz over 50 ms, 150 ms decay) every `periodSeconds`, from `firstSeconds`.
PlanarAudio kickStem(double seconds, int rate, double amplitude, double periodSeconds,
                     double firstSeconds = 0.0);

// An 808 line: one sustained sine note per entry (start, length, frequency, amplitude), 5 ms fades.
struct Note {
    double startSeconds, lengthSeconds, frequencyHz, amplitude;
};
PlanarAudio bassStem(double seconds, int rate, const std::vector<Note>& notes);

// A voice: a 220 Hz sawtooth-like tone with harmonics falling 6 dB per octave up to 4 kHz, in 250 ms
// syllables, centred.
PlanarAudio voiceStem(double seconds, int rate, double amplitude);

// A snare: a 3 ms full-scale noise crack and a 120 ms 200 Hz body every `periodSeconds` (offset by half a
// period), at `amplitude` peak.
PlanarAudio snareStem(double seconds, int rate, double amplitude, double periodSeconds);

// A pad: a chord whose left and right channels are decorrelated (side level `sideRatio` times the mid's).
PlanarAudio padStem(double seconds, int rate, double amplitude, double sideRatio);

// Writes each stem as <id>.wav (32-bit float) and their sum as mix.wav in `dir`/song, and returns a session
// for the folder: one stem per entry (id, role), the master's limiter and compressor as makeDefaultSession
// leaves them off, 32-bit float output without MP3, rendering `mode` ("stem", "stereo" or "both").
struct StemSource {
    std::string id, role;
    PlanarAudio audio;
};
core::Session writeStemFolder(const std::string& dir, const std::vector<StemSource>& stems, int rate,
                              const std::string& mode = "both");

// Planar sum of stems (all the same length).
PlanarAudio sumOf(const std::vector<const PlanarAudio*>& stems);

} // namespace lathe::test
