#pragma once

// Client folders with one known delivery or balance defect each, built from core::writeDemoFolder (clean by
// construction: stems on the 24-bit grid, the mix their exact sum) and edited with libsndfile, for the
// validation, null test and advisor tests.

#include "core/demo/DemoFolder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lathe::test {

enum class Defect {
    Clean,
    StemShifted37,       // 01_Drums 37 samples late
    StemOneSecondShort,  // 03_Music 1 s shorter than the rest
    MixedSampleRates,    // 05_BGV_Adlibs written with a 44.1 kHz header, the rest at 48 kHz
    LimitedMix,          // the mix driven 8 dB into a soft limiter (ceiling -1 dBFS)
    VocalBuriedInHook,   // 04_Lead_Vocal 3 dB down in the hook; the mix re-summed
    Mp3Stem,             // 01_Drums round-tripped through LAME at 128 kbps
    PolarityFlippedStem, // 04_Lead_Vocal inverted; the mix unchanged
    ClippedVocal,        // 04_Lead_Vocal driven 12 dB into a hard clip at its old peak; the mix re-summed
    // 01_Drums replaced by a kick on every beat (plus hats) and 02_Bass_808 by short 808 notes at the same
    // level in the same band: on the kicks (SameNotes) or halfway between them (Alternating). The mix
    // re-summed.
    Kick808SameNotes,
    Kick808Alternating,
    VocalLoudInVerse, // 04_Lead_Vocal 7 dB up in the verse: 3 dB above its balance in the hook; the mix
                      // re-summed
    // 02_Bass_808 replaced by an 808 line of held notes on every beat (A1 F1 C2 G1, velocities within a few
    // per cent) in which the note starting at kBassJumpSeconds is played twice as hard (+6.02 dB). The mix
    // re-summed.
    BassNoteJump,
};

inline constexpr double kBassJumpSeconds = 4.0;
inline constexpr double kBassJumpDb = 6.020599913279624; // 20 log10(2)

// The kick/808 folders' figures, for the tests.
inline constexpr double kKick808Bpm = 120.0;
inline constexpr double kVocalVerseLiftDb = 8.0;

struct DefectiveFolder {
    std::string folder;
    core::DemoLayout layout;
    std::string affectedFile;       // full path of the edited file, empty for Clean
    std::vector<std::string> files; // the demo's: six stems, the mix, the rough master reference
};

inline constexpr double kDefectSeconds = 10.0;
inline constexpr int kDefectSampleRate = 48000;

// Writes the folder into dir (created), from the demo song of `seed` and length `seconds` (the defects' times
// are for kDefectSeconds). Throws std::runtime_error or
// core::Error.
DefectiveFolder writeDefectiveFolder(const std::string& dir, Defect defect, std::uint32_t seed = 1,
                                     double seconds = kDefectSeconds);

// Rewrites the mix (files[6]) as the exact sum of the six stems (files[0..5]), on the 24-bit grid.
void resumMix(const std::vector<std::string>& files);
// Scales one stem between two times (a ride printed into the stem), kept on the 24-bit grid.
void scaleSection(const std::string& path, double fromSeconds, double toSeconds, double gainDb);
// Replaces 02_Bass_808 (files[1]) with held 808 notes on every beat at 120 BPM, each stopping 50 ms before
// the next starts (a clear onset), the one at kBassJumpSeconds jumpDb louder, and re-sums the mix.
void writeBassNoteLine(const std::vector<std::string>& files, double jumpDb);

} // namespace lathe::test
