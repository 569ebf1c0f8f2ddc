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
    // Where the section is steady: half a novelty window inside each boundary with another section (a
    // boundary is only placed that closely), so what is measured per section is not smeared across a
    // change of arrangement. The song's own start and end are not trimmed.
    double stableStartSeconds = 0;
    double stableEndSeconds = 0;
};

// Level of x in hops of hopSeconds (RMS, dBFS, floored at -100).
std::vector<double> levelCurveDb(const std::vector<float>& mono, double sampleRate, double hopSeconds);

// Splits a song into sections where its level changes: the novelty at each 0.1 s boundary is the difference
// of the mean level (dB, a running median over 1.1 s) in the windows just before and just after it
// (window = duration / 16, 1..4 s); peaks above 2.5 dB at least 1.5 windows apart and from the ends become
// boundaries. The loudest section (by its median level, so one loud note does not make it) is "hook"; a
// quieter first or last section is "intro" / "outro"; the rest "verse". Contiguous, covering the whole song.
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

// The same from the song's parts (stems, mono): where the arrangement changes. Each part's level steps are
// read on its own curve (within 30 dB of its loudest, so a part entering counts as a step, capped at
// 12 dB) and weighted by the part's typical level (the median of its curve), so a loud part's change
// outweighs a quiet one's, yet no part hides another's step as a summed mix does (a vocal pushed up in the
// verse fills in the band's step into the hook). A hop over 10 dB above both the 1.1 s before and after it is
// one part's note, brought down first, so it cannot carry the part's step onto itself. Boundaries where the
// weighted steps peak above 2 dB; levels and labels from mixMono. Fewer than two parts: findSections(mixMono,
// sampleRate).
std::vector<SongSection> findSections(const std::vector<std::vector<float>>& parts,
                                      const std::vector<float>& mixMono, double sampleRate);

nlohmann::json toJson(const std::vector<SongSection>& sections);

} // namespace lathe::core
