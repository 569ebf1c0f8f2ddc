#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

struct SongSection {
    double startSeconds = 0;
    double endSeconds = 0;
    double levelDb = 0; // RMS of the mix over the section, dBFS
    std::string label;  // "intro", "verse", "hook", "outro": a guess from position and level, for people
};

// Level of x in hops of hopSeconds (RMS, dBFS, floored at -100).
std::vector<double> levelCurveDb(const std::vector<float>& mono, double sampleRate, double hopSeconds);

// Splits a song into sections where its level changes: the novelty at each 0.1 s boundary is the difference
// of the mean level (dB) in the windows just before and just after it (window = duration / 16, 1..4 s);
// peaks above 2.5 dB at least 1.5 windows apart and from the ends become boundaries. The loudest section is
// "hook"; a quieter first or last section is "intro" / "outro"; the rest "verse". Contiguous, covering the
// whole song.
std::vector<SongSection> findSections(const std::vector<float>& mixMono, double sampleRate);

nlohmann::json toJson(const std::vector<SongSection>& sections);

} // namespace lathe::core
