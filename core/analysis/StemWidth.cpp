#include "core/analysis/StemWidth.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

namespace {

// -200 dB for nothing over something or nothing at all, +200 dB for something over nothing: a stem that is
// all side (one channel the other inverted) is as wide as a stem can be, not mono.
double dbRatio(double num, double den) {
    if (num <= 1e-20) return -200.0;
    return den > 1e-20 ? 10.0 * std::log10(num / den) : 200.0;
}

float sampleAt(const LoadedAudio& a, std::size_t channel, std::size_t i) {
    const auto& c = a.channels[std::min(channel, a.channels.size() - 1)];
    return i < c.size() ? c[i] : 0.0f;
}

} // namespace

std::vector<std::vector<SectionWidth>> sectionWidths(const std::vector<const LoadedAudio*>& stems,
                                                     const std::vector<SongSection>& sections,
                                                     double sampleRate, std::size_t frames) {
    // The song's left and right as the stems sum to them; the rest of a stem is that sum less the stem.
    std::vector<float> sumL(frames, 0.0f), sumR(frames, 0.0f);
    for (const LoadedAudio* s : stems)
        if (s && !s->channels.empty())
            for (std::size_t i = 0; i < frames; ++i) {
                sumL[i] += sampleAt(*s, 0, i);
                sumR[i] += sampleAt(*s, 1, i);
            }
    std::vector<std::vector<SectionWidth>> out(stems.size(), std::vector<SectionWidth>(sections.size()));
    for (std::size_t k = 0; k < stems.size(); ++k) {
        if (!stems[k] || stems[k]->channels.empty()) continue;
        const LoadedAudio& s = *stems[k];
        for (std::size_t j = 0; j < sections.size(); ++j) {
            const auto a = std::min(
                frames, static_cast<std::size_t>(std::llround(sections[j].stableStartSeconds * sampleRate)));
            const auto z = std::min(
                frames, static_cast<std::size_t>(std::llround(sections[j].stableEndSeconds * sampleRate)));
            double mid = 0, side = 0, restMid = 0, restSide = 0;
            for (std::size_t i = a; i < z; ++i) {
                const double l = sampleAt(s, 0, i), r = sampleAt(s, 1, i);
                const double restL = sumL[i] - l, restR = sumR[i] - r;
                mid += 0.25 * (l + r) * (l + r);
                side += 0.25 * (l - r) * (l - r);
                restMid += 0.25 * (restL + restR) * (restL + restR);
                restSide += 0.25 * (restL - restR) * (restL - restR);
            }
            SectionWidth& w = out[k][j];
            w.sideOverMidDb = dbRatio(side, mid);
            w.restSideOverMidDb = dbRatio(restSide, restMid);
            // L^2 + R^2 = 2 (M^2 + S^2): the ratio of the two sums is the ratio of their energies.
            w.stemOverRestDb = dbRatio(mid + side, restMid + restSide);
        }
    }
    return out;
}

double widthFactorFor(double sideOverMidDb, double targetDb) {
    return std::pow(10.0, (targetDb - sideOverMidDb) / 20.0);
}

nlohmann::json toJson(const SectionWidth& w) {
    return {{"side_over_mid_db", w.sideOverMidDb},
            {"rest_side_over_mid_db", w.restSideOverMidDb},
            {"stem_over_rest_db", w.stemOverRestDb}};
}

} // namespace lathe::core
