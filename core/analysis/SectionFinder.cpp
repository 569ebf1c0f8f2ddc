#include "core/analysis/SectionFinder.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace lathe::core {

// A boundary is a step of the (weighted) level of this much between the windows either side of it.
constexpr double kMixStepDb = 2.5, kPartStepDb = 2.0;
// A part's level is read within this range below its loudest, and one part's step counts up to
// kPartStepCapDb: a part entering or leaving is a step, but not one that outweighs the rest of the band.
constexpr double kPartRangeDb = 30.0, kPartStepCapDb = 12.0;

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

double medianOf(std::vector<double> v) {
    if (v.empty()) return -100.0;
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

// A hop more than kTransientDb above the typical level on both sides of it (the medians of the 1.1 s
// before and after) is one note or hit, not the arrangement: it is brought down to the quieter side. A
// median alone does not remove a loud note next to a louder section, where note and section together make
// the majority of the window and the step moves onto the note (an 808 note 16 dB up half a second before
// the hook). A section's first hops sit at the level after them, so a real step is never clipped. 10 dB,
// not less: a drum part's hits stand that far over its hats, and flattening them moved the demo's
// sections (clean_44k1 then read a buried vocal).
constexpr double kTransientDb = 10.0;
std::vector<double> withoutTransients(const std::vector<double>& raw) {
    std::vector<double> out = raw;
    const std::size_t side = 11;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i == 0 || i + 1 == raw.size()) continue;
        const double before = medianOf(std::vector<double>(
            raw.begin() + static_cast<long>(i >= side ? i - side : 0), raw.begin() + static_cast<long>(i)));
        const double after = medianOf(
            std::vector<double>(raw.begin() + static_cast<long>(i + 1),
                                raw.begin() + static_cast<long>(std::min(raw.size(), i + 1 + side))));
        if (raw[i] > before + kTransientDb && raw[i] > after + kTransientDb) out[i] = std::min(before, after);
    }
    return out;
}

// A running median over 1.1 s: a single loud note or hit (an 808 note 16 dB up) is not a change of
// arrangement and must not move a boundary; a section's step survives a median untouched. Parts are read
// without their transients first (withoutTransients).
std::vector<double> medianSmoothed(const std::vector<double>& raw) {
    std::vector<double> level(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        std::vector<double> w(raw.begin() + static_cast<long>(i >= 5 ? i - 5 : 0),
                              raw.begin() + static_cast<long>(std::min(raw.size(), i + 6)));
        std::nth_element(w.begin(), w.begin() + static_cast<long>(w.size() / 2), w.end());
        level[i] = w[w.size() / 2];
    }
    return level;
}

std::vector<double> smoothedLevel(const std::vector<float>& mono, double sampleRate, bool part = false) {
    const std::vector<double> raw = levelCurveDb(mono, sampleRate, kHop);
    return medianSmoothed(part ? withoutTransients(raw) : raw);
}

// The mean square of the song from one time to another, in seconds (a section's level).
using MeanSquare = std::function<double(double, double)>;

MeanSquare meanSquareOf(const std::vector<float>& mono, double sampleRate) {
    return [&mono, sampleRate](double from, double to) {
        double e = 0.0;
        const auto a = static_cast<std::size_t>(std::llround(from * sampleRate));
        const auto z = std::min(mono.size(), static_cast<std::size_t>(std::llround(to * sampleRate)));
        for (std::size_t i = a; i < z; ++i)
            e += static_cast<double>(mono[i]) * mono[i];
        return z > a ? e / static_cast<double>(z - a) : 0.0;
    };
}

// |mean after - mean before| of a curve at every hop b, over `window` hops either side (in dB, not of
// power, so a few loud hits do not outweigh a sustained change).
std::vector<double> stepNovelty(const std::vector<double>& level, int window) {
    const auto hops = static_cast<int>(level.size());
    std::vector<double> prefix(level.size() + 1, 0.0);
    for (std::size_t i = 0; i < level.size(); ++i)
        prefix[i + 1] = prefix[i] + level[i];
    const auto mean = [&](int a, int b) {
        return (prefix[static_cast<std::size_t>(b)] - prefix[static_cast<std::size_t>(a)]) / (b - a);
    };
    std::vector<double> novelty(level.size(), 0.0);
    for (int b = 1; b < hops; ++b)
        novelty[static_cast<std::size_t>(b)] =
            std::abs(mean(b, std::min(hops, b + window)) - mean(std::max(0, b - window), b));
    return novelty;
}

int windowHops(double duration) {
    return std::max(1, static_cast<int>(std::lround(std::clamp(duration / 16.0, 1.0, 4.0) / kHop)));
}

// Sections between the novelty's peaks over `threshold`, strongest first, at least 1.5 windows apart and
// from the ends; levels and labels from the mix (its smoothed level curve and its mean square).
std::vector<SongSection> sectionsAt(const std::vector<double>& novelty, double threshold,
                                    const std::vector<double>& mixLevel, double duration,
                                    const MeanSquare& meanSquare) {
    const auto hops = static_cast<int>(novelty.size());
    const int minGap = windowHops(duration) * 3 / 2;
    std::vector<std::pair<double, int>> candidates;
    for (int b = minGap; b + minGap <= hops; ++b)
        candidates.push_back({novelty[static_cast<std::size_t>(b)], b});
    std::sort(candidates.begin(), candidates.end(), [](auto& x, auto& y) { return x.first > y.first; });
    std::vector<int> boundaries;
    for (const auto& [value, b] : candidates) {
        if (value < threshold) break;
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
        const double smear = 0.5 * windowHops(duration) * kHop;
        s.stableStartSeconds = k == 0 ? s.startSeconds : s.startSeconds + smear;
        s.stableEndSeconds = k + 2 == boundaries.size() ? s.endSeconds : s.endSeconds - smear;
        if (s.stableEndSeconds <= s.stableStartSeconds)
            s.stableStartSeconds = s.stableEndSeconds = 0.5 * (s.startSeconds + s.endSeconds);
        sections.push_back(s);
    }
    if (sections.empty()) return sections;
    // Named by their typical level (the median of the smoothed curve), so one loud note does not make its
    // section the hook.
    std::vector<double> typical;
    for (std::size_t k = 0; k < sections.size(); ++k) {
        const auto a = std::min(mixLevel.size(), static_cast<std::size_t>(boundaries[k]));
        const auto z = std::min(mixLevel.size(), static_cast<std::size_t>(boundaries[k + 1]));
        typical.push_back(medianOf(std::vector<double>(mixLevel.begin() + static_cast<long>(a),
                                                       mixLevel.begin() + static_cast<long>(z))));
    }
    std::size_t loudest = 0;
    for (std::size_t k = 1; k < sections.size(); ++k)
        if (typical[k] > typical[loudest]) loudest = k;
    for (std::size_t k = 0; k < sections.size(); ++k) {
        const bool quieter = typical[k] < typical[loudest] - 3.0;
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
    const std::vector<double> mixLevel = smoothedLevel(mixMono, sampleRate);
    return sectionsAt(stepNovelty(mixLevel, windowHops(duration)), kMixStepDb, mixLevel, duration,
                      meanSquareOf(mixMono, sampleRate));
}

std::vector<SongSection> findSections(const std::vector<std::vector<float>>& parts,
                                      const std::vector<float>& mixMono, double sampleRate) {
    if (parts.size() < 2) return findSections(mixMono, sampleRate);
    const int window = windowHops(static_cast<double>(mixMono.size()) / sampleRate);
    std::vector<std::vector<double>> levels;
    std::vector<double> weights;
    double total = 0.0;
    for (const auto& p : parts) {
        levels.push_back(smoothedLevel(p, sampleRate, true));
        weights.push_back(levels.back().empty() ? 0.0 : std::pow(10.0, medianOf(levels.back()) / 10.0));
        total += weights.back();
    }
    std::vector<double> novelty(levels.front().size(), 0.0);
    for (std::size_t k = 0; k < levels.size(); ++k) {
        std::vector<double>& level = levels[k];
        if (level.empty() || total <= 0.0) continue;
        // A part entering or leaving steps by kPartRangeDb, not by its distance to digital silence.
        const double top = *std::max_element(level.begin(), level.end());
        for (double& x : level)
            x = std::max(x, top - kPartRangeDb);
        const std::vector<double> step = stepNovelty(level, window);
        for (std::size_t b = 0; b < novelty.size() && b < step.size(); ++b)
            novelty[b] += weights[k] / total * std::min(step[b], kPartStepCapDb);
    }
    return sectionsAt(novelty, kPartStepDb, smoothedLevel(mixMono, sampleRate),
                      static_cast<double>(mixMono.size()) / sampleRate, meanSquareOf(mixMono, sampleRate));
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
    const std::vector<double> mixLevel = medianSmoothed(raw);
    return sectionsAt(stepNovelty(mixLevel, windowHops(duration)), kMixStepDb, mixLevel, duration,
                      [&](double from, double to) {
                          // Sections start and end on the 0.1 s grid: whole hops.
                          const auto a = static_cast<std::size_t>(std::llround(from / kHop));
                          const auto z = std::min(
                              e.size(), static_cast<std::size_t>(std::llround(std::ceil(to / kHop - 1e-9))));
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
