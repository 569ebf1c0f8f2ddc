#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
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

// What findSections needs of a song, fed block by block: the energy of each 0.1 s hop (8 bytes per 0.1 s,
// so a 30-minute song is never held whole; issue 22). The sections found from it are findSections' for the
// same song up to rounding (the section levels are summed per hop).
class SectionLevels {
public:
    explicit SectionLevels(double sampleRate);
    void add(const float* mono, int64_t frames);
    int64_t frames() const { return frames_; }

private:
    friend std::vector<SongSection> findSections(const SectionLevels& levels);
    double sampleRate_;
    int64_t hopFrames_;
    int64_t inHop_ = 0, frames_ = 0;
    std::vector<double> energies_;
};
std::vector<SongSection> findSections(const SectionLevels& levels);

nlohmann::json toJson(const std::vector<SongSection>& sections);

} // namespace lathe::core
