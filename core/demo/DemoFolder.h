#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lathe::core {

struct DemoOptions {
    double seconds = 30.0; // 5 .. 120
    // 22050 .. 96000
    int sampleRate = 48000;
    std::uint32_t seed = 1;
    std::string songName = "Demo Song";
    // Write into a folder that already holds something (replacing files of the demo's names, nothing else).
    // Without it a folder that is not empty is refused, so a client's delivery can never be overwritten.
    bool force = false;
};

struct DemoResult {
    std::string folder;
    std::vector<std::string> files; // full paths: six stems, the mix, the rough master reference
};

// Where the song's sections fall (seconds). Sections scale with the length: for 30 s the intro ends at 4 s,
// the verse at 14 s, the hook at 24 s, and the outro fades to the end. Boundaries sit on beats.
struct DemoLayout {
    double bpm = 120.0;
    double introEnd = 0.0, verseEnd = 0.0, hookEnd = 0.0, end = 0.0;
};
DemoLayout demoLayout(const DemoOptions& options);

// Synthesises a small client folder (24-bit stereo WAVs, all the same length to the frame) so Lathe can be
// tried without one's own audio: 01_Drums, 02_Bass_808, 03_Music, 04_Lead_Vocal, 05_BGV_Adlibs,
// 06_FX_Returns,
// "<song> Mix.wav" (the float sum of the stems, quantised once, so stems null against it down to 24-bit
// rounding) and "<song> - Rough Master REF.wav" (the mix pushed about 7 dB into a limiter and soft clipper).
// The mix peaks at -4 dBFS and is not mastered. Deterministic for a given seed. Creates outDir and its
// parents if needed; refuses an outDir that is not an empty folder unless options.force (then existing files
// of the same names are replaced). Throws Error on invalid options, a refused outDir or any I/O failure.
DemoResult writeDemoFolder(const std::string& outDir, const DemoOptions& options = {});

} // namespace lathe::core
