#pragma once

#include "core/analysis/SectionFinder.h"
#include "core/io/LoadedAudio.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace lathe::core {

// A stem's stereo width in one section, against the rest of the song there. Side and mid as a width control
// sees them (M = (L + R) / 2, S = (L - R) / 2): side over mid is -200 dB for a mono stem, 0 dB for left and
// right uncorrelated, above 0 dB when more of the stem cancels than adds in mono (its phase correlation is
// negative).
struct SectionWidth {
    double sideOverMidDb = -200;     // the stem's
    double restSideOverMidDb = -200; // the other stems' sum's
    double stemOverRestDb = -200;    // the stem's energy (L and R) over the rest's, dB
};

// Per section, each stem's width and the rest's; sections and stems as ElementAnalysis takes them. `frames`
// is the song's length: a shorter stem counts as silence past its end.
std::vector<std::vector<SectionWidth>> sectionWidths(const std::vector<const LoadedAudio*>& stems,
                                                     const std::vector<SongSection>& sections,
                                                     double sampleRate, std::size_t frames);

// The width a stem's side must be scaled by to bring its side over mid from `sideOverMidDb` to
// `targetDb` (S scales, M stays): 10^((target - now) / 20).
double widthFactorFor(double sideOverMidDb, double targetDb);

nlohmann::json toJson(const SectionWidth& width);

} // namespace lathe::core
