#include "core/analysis/SectionFinder.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace lathe::core {

std::vector<double> levelCurveDb(const std::vector<float>& mono, double sampleRate, double hopSeconds) {
    const auto hop =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(hopSeconds * sampleRate)));
    std::vector<double> out;
    for (std::size_t start = 0; start < mono.size(); start += hop) {
        const std::size_t end = std::min(mono.size(), start + hop);
        double e = 0.0;
        for (std::size_t i = start; i < end; ++i)
            e += static_cast<double>(mono[i]) * mono[i];
        const double ms = e / static_cast<double>(end - start);
        out.push_back(std::max(-100.0, ms > 1e-20 ? 10.0 * std::log10(ms) : -100.0));
    }
    return out;
}

namespace {

constexpr double kHop = 0.1;

// The sections from the 0.1 s level curve (raw, dB), the song's length, and the mean square of the song over
// any span of seconds (for each section's level).
std::vector<SongSection> sectionsFromLevels(const std::vector<double>& raw, double duration,
                                            const std::function<double(double, double)>& meanSquare) {
    // A running median over 1.1 s: a single loud note or hit (an 808 note 16 dB up) is not a change of
    // arrangement and must not move a boundary; a section's step survives a median untouched.
    std::vector<double> level(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        std::vector<double> w(raw.begin() + static_cast<long>(i >= 5 ? i - 5 : 0),
                              raw.begin() + static_cast<long>(std::min(raw.size(), i + 6)));
        std::nth_element(w.begin(), w.begin() + static_cast<long>(w.size() / 2), w.end());
        level[i] = w[w.size() / 2];
    }
    const auto hops = static_cast<int>(level.size());
    const int window =
        std::max(1, static_cast<int>(std::lround(std::clamp(duration / 16.0, 1.0, 4.0) / kHop)));
    const int minGap = window * 3 / 2;

    // Mean in dB (not of power) so a few loud hits do not outweigh a sustained change of arrangement.
    std::vector<double> prefix(level.size() + 1, 0.0);
    for (std::size_t i = 0; i < level.size(); ++i)
        prefix[i + 1] = prefix[i] + level[i];
    const auto mean = [&](int a, int b) {
        return (prefix[static_cast<std::size_t>(b)] - prefix[static_cast<std::size_t>(a)]) / (b - a);
    };
    std::vector<std::pair<double, int>> candidates;
    for (int b = minGap; b + minGap <= hops; ++b) {
        const double novelty =
            std::abs(mean(b, std::min(hops, b + window)) - mean(std::max(0, b - window), b));
        candidates.push_back({novelty, b});
    }
    // Keep local maxima only, strongest first.
    std::sort(candidates.begin(), candidates.end(), [](auto& x, auto& y) { return x.first > y.first; });
    std::vector<int> boundaries;
    for (const auto& [novelty, b] : candidates) {
        if (novelty < 2.5) break;
        bool farEnough = true;
        for (int other : boundaries)
            farEnough = farEnough && std::abs(other - b) >= minGap;
        if (farEnough) boundaries.push_back(b);
    }
    std::sort(boundaries.begin(), boundaries.end());
    boundaries.insert(boundaries.begin(), 0);
    boundaries.push_back(hops);

    std::vector<SongSection> sections;
    for (std::size_t k = 0; k + 1 < boundaries.size(); ++k) {
        SongSection s;
        s.startSeconds = boundaries[k] * kHop;
        s.endSeconds = std::min(duration, boundaries[k + 1] * kHop);
        const double ms = meanSquare(s.startSeconds, s.endSeconds);
        s.levelDb = ms > 1e-20 ? 10.0 * std::log10(ms) : -200.0;
        sections.push_back(s);
    }
    if (sections.empty()) return sections;
    std::size_t loudest = 0;
    for (std::size_t k = 1; k < sections.size(); ++k)
        if (sections[k].levelDb > sections[loudest].levelDb) loudest = k;
    for (std::size_t k = 0; k < sections.size(); ++k) {
        const bool quieter = sections[k].levelDb < sections[loudest].levelDb - 3.0;
        if (k == loudest)
            sections[k].label = "hook";
        else if (k == 0 && quieter)
            sections[k].label = "intro";
        else if (k + 1 == sections.size() && quieter)
            sections[k].label = "outro";
        else
            sections[k].label = "verse";
    }
    return sections;
}

} // namespace

std::vector<SongSection> findSections(const std::vector<float>& mixMono, double sampleRate) {
    const double duration = static_cast<double>(mixMono.size()) / sampleRate;
    return sectionsFromLevels(levelCurveDb(mixMono, sampleRate, kHop), duration, [&](double from, double to) {
        double e = 0.0;
        const auto a = static_cast<std::size_t>(std::llround(from * sampleRate));
        const auto z = std::min(mixMono.size(), static_cast<std::size_t>(std::llround(to * sampleRate)));
        for (std::size_t i = a; i < z; ++i)
            e += static_cast<double>(mixMono[i]) * mixMono[i];
        return z > a ? e / static_cast<double>(z - a) : 0.0;
    });
}

SectionLevels::SectionLevels(double sampleRate)
    : sampleRate_(sampleRate),
      hopFrames_(std::max<int64_t>(1, static_cast<int64_t>(std::llround(kHop * sampleRate)))) {}

void SectionLevels::add(const float* mono, int64_t frames) {
    for (int64_t i = 0; i < frames; ++i) {
        if (inHop_ == 0) energies_.push_back(0.0);
        energies_.back() += static_cast<double>(mono[i]) * mono[i];
        if (++inHop_ == hopFrames_) inHop_ = 0;
        ++frames_;
    }
}

std::vector<SongSection> findSections(const SectionLevels& levels) {
    const std::vector<double>& e = levels.energies_;
    const int64_t hop = levels.hopFrames_;
    const int64_t frames = levels.frames_;
    std::vector<double> raw;
    raw.reserve(e.size());
    for (std::size_t k = 0; k < e.size(); ++k) {
        const int64_t n = std::min<int64_t>(hop, frames - static_cast<int64_t>(k) * hop);
        const double ms = e[k] / static_cast<double>(n);
        raw.push_back(std::max(-100.0, ms > 1e-20 ? 10.0 * std::log10(ms) : -100.0));
    }
    const double duration = static_cast<double>(frames) / levels.sampleRate_;
    return sectionsFromLevels(raw, duration, [&](double from, double to) {
        // Sections start and end on the 0.1 s grid: whole hops.
        const auto a = static_cast<std::size_t>(std::llround(from / kHop));
        const auto z =
            std::min(e.size(), static_cast<std::size_t>(std::llround(std::ceil(to / kHop - 1e-9))));
        double sum = 0.0;
        int64_t n = 0;
        for (std::size_t k = a; k < z; ++k) {
            sum += e[k];
            n += std::min<int64_t>(hop, frames - static_cast<int64_t>(k) * hop);
        }
        return n > 0 ? sum / static_cast<double>(n) : 0.0;
    });
}

nlohmann::json toJson(const std::vector<SongSection>& sections) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : sections)
        out.push_back({{"start_seconds", s.startSeconds},
                       {"end_seconds", s.endSeconds},
                       {"level_db", s.levelDb},
                       {"label", s.label}});
    return out;
}

} // namespace lathe::core
