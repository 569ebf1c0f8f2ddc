#include "core/analysis/BassNotes.h"

#include "dsp/Biquad.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/ScopedFlushDenormals.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace lathe::core {

namespace {

// The band a bass line is read in: its fundamentals and first harmonics, without DC (a stem's offset) or
// the kick bleed and noise above.
constexpr double kLowHz = 20.0, kHighHz = 250.0;
// A rise of a half-cycle's peak over the lower of the two before it of the same polarity: a held 808 note
// only decays (0.1 dB a cycle in the demo's), a new note returns to its attack level, 0.7 dB or more over the
// previous note's tail even at eight notes a second in the demo's legato line, and more where the previous
// note's release meets it.
constexpr double kOnsetRiseDb = 1.0;
constexpr double kLineRangeDb = 40.0;      // half-cycles this far below the loudest start no note
constexpr double kSilentDb = 50.0;         // nor count as the note before one
constexpr double kLongestHalfCycle = 0.06; // a gap, not a half-cycle: below 8 Hz
constexpr double kMinNoteGap = 0.1;
// Where a note's level is read: past the previous note's release (the demo's 808 fades over 30 ms, 20 ms
// of it after the next onset) and the attack, early enough for a short note.
constexpr double kWindowStart = 0.03, kWindowEnd = 0.09, kShortestWindow = 0.04;
constexpr std::size_t kMaxOthers = 8;
constexpr double kNoLevel = std::numeric_limits<double>::quiet_NaN();

struct HalfCycle {
    std::size_t start = 0, end = 0;
    double peakDb = -300.0;
    bool positive = false;
};

double medianOf(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<double> bandOf(const std::vector<float>& x, double fs, dsp::BiquadCoefficients& hp,
                           dsp::BiquadCoefficients& lp) {
    const dsp::ScopedFlushDenormals flush;
    hp = dsp::makeHighPass(fs, kLowHz, std::sqrt(0.5));
    lp = dsp::makeLowPass(fs, std::min(kHighHz, 0.45 * fs), std::sqrt(0.5));
    dsp::Biquad high, low;
    high.prepare(fs, 1, 1);
    low.prepare(fs, 1, 1);
    high.setCoefficients(hp);
    low.setCoefficients(lp);
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = low.processSample(0, high.processSample(0, x[i]));
    return y;
}

std::vector<HalfCycle> halfCycles(const std::vector<double>& y) {
    std::vector<HalfCycle> out;
    std::size_t start = 0;
    const auto close = [&](std::size_t end) {
        if (end <= start) return;
        double peak = 0.0;
        for (std::size_t i = start; i < end; ++i)
            peak = std::max(peak, std::abs(y[i]));
        out.push_back({start, end, peak > 0.0 ? 20.0 * std::log10(peak) : -300.0, y[start] > 0.0});
        start = end;
    };
    for (std::size_t i = 1; i < y.size(); ++i)
        if ((y[i - 1] <= 0.0 && y[i] > 0.0) || (y[i - 1] >= 0.0 && y[i] < 0.0)) close(i);
    close(y.size());
    return out;
}

} // namespace

std::vector<BassNote> findBassNotes(const std::vector<float>& bassMono, double sampleRate) {
    dsp::BiquadCoefficients hp, lp;
    const std::vector<double> y = bandOf(bassMono, sampleRate, hp, lp);
    const std::vector<HalfCycle> cycles = halfCycles(y);
    double loudest = -300.0;
    for (const auto& c : cycles)
        loudest = std::max(loudest, c.peakDb);
    const auto longest = static_cast<std::size_t>(kLongestHalfCycle * sampleRate);
    // A half-cycle's peak as the note before an onset: silence and gaps count as nothing.
    const auto heard = [&](const HalfCycle& c) {
        return c.end - c.start > longest || c.peakDb < loudest - kSilentDb ? -300.0 : c.peakDb;
    };
    std::vector<std::size_t> onsets;
    for (std::size_t k = 0; k < cycles.size(); ++k) {
        const HalfCycle& c = cycles[k];
        if (c.peakDb < loudest - kLineRangeDb || c.end - c.start > longest) continue;
        // The two half-cycles before it of its polarity (a waveform with even harmonics peaks higher on one
        // side than on the other); before the file starts is silence.
        const double before = k >= 4 ? std::min(heard(cycles[k - 2]), heard(cycles[k - 4])) : -300.0;
        if (c.peakDb - before < kOnsetRiseDb) continue;
        if (!onsets.empty() && static_cast<double>(c.start - onsets.back()) < kMinNoteGap * sampleRate)
            continue;
        onsets.push_back(c.start);
    }
    std::vector<BassNote> notes;
    for (std::size_t k = 0; k < onsets.size(); ++k) {
        BassNote note;
        note.onsetSeconds = static_cast<double>(onsets[k]) / sampleRate;
        const auto from = onsets[k] + static_cast<std::size_t>(kWindowStart * sampleRate);
        std::size_t to = std::min(y.size(), onsets[k] + static_cast<std::size_t>(kWindowEnd * sampleRate));
        if (k + 1 < onsets.size()) to = std::min(to, onsets[k + 1]);
        note.levelDb = kNoLevel;
        if (to > from && static_cast<double>(to - from) >= kShortestWindow * sampleRate) {
            double energy = 0.0;
            std::size_t first = 0, last = 0, crossings = 0;
            for (std::size_t i = from; i < to; ++i) {
                energy += y[i] * y[i];
                if (i > from && ((y[i - 1] <= 0.0 && y[i] > 0.0) || (y[i - 1] >= 0.0 && y[i] < 0.0))) {
                    if (crossings++ == 0) first = i;
                    last = i;
                }
            }
            // Half-cycles between the first and the last crossing in the window.
            note.frequencyHz = crossings >= 2 ? static_cast<double>(crossings - 1) * sampleRate /
                                                    (2.0 * static_cast<double>(last - first))
                                              : 0.0;
            const double meanSquare = energy / static_cast<double>(to - from);
            if (meanSquare > 1e-20) {
                // The band's own edges would read a low note quieter than a higher one (0.2 dB at 43 Hz):
                // taken out at the note's fundamental, so notes of any pitch compare.
                const double edges = note.frequencyHz > kLowHz / 4.0
                                         ? dsp::magnitudeDb(hp, sampleRate, note.frequencyHz) +
                                               dsp::magnitudeDb(lp, sampleRate, note.frequencyHz)
                                         : 0.0;
                note.levelDb = 10.0 * std::log10(meanSquare) - edges;
            }
        }
        notes.push_back(note);
    }
    return notes;
}

BassLineJudgement judgeBassLine(const std::vector<BassNote>& notes,
                                const std::vector<std::vector<SongSection>>& sectionings) {
    const auto middleOf = [](const BassNote& n) {
        return n.onsetSeconds + 0.5 * (kWindowStart + kWindowEnd);
    };
    const std::vector<std::vector<SongSection>> splits =
        sectionings.empty() ? std::vector<std::vector<SongSection>>{{}} : sectionings;
    // Each note's section in each split (0 for the whole line when a split is empty; -1 outside).
    std::vector<std::vector<int>> sectionOf(splits.size());
    for (std::size_t v = 0; v < splits.size(); ++v)
        for (const auto& n : notes) {
            int at = splits[v].empty() ? 0 : -1;
            for (std::size_t s = 0; s < splits[v].size(); ++s)
                if (middleOf(n) >= splits[v][s].startSeconds && middleOf(n) < splits[v][s].endSeconds)
                    at = static_cast<int>(s);
            sectionOf[v].push_back(at);
        }
    // The note against the other notes of one section, nearest first (a long section's line may drift, and
    // the notes around one are what it is heard against); nullopt with fewer than two.
    struct Against {
        double over = 0, spread = 0;
    };
    const auto against = [&](std::size_t k, std::size_t v, int s) -> std::optional<Against> {
        std::vector<std::size_t> others;
        for (std::size_t j = 0; j < notes.size(); ++j)
            if (j != k && sectionOf[v][j] == s && !std::isnan(notes[j].levelDb)) others.push_back(j);
        std::sort(others.begin(), others.end(), [&](std::size_t a, std::size_t b) {
            return std::abs(notes[a].onsetSeconds - notes[k].onsetSeconds) <
                   std::abs(notes[b].onsetSeconds - notes[k].onsetSeconds);
        });
        if (others.size() > kMaxOthers) others.resize(kMaxOthers);
        if (others.size() < 2) return std::nullopt;
        std::vector<double> levels;
        for (std::size_t j : others)
            levels.push_back(notes[j].levelDb);
        const double middle = medianOf(levels);
        std::vector<double> deviation;
        for (double l : levels)
            deviation.push_back(std::abs(l - middle));
        return Against{notes[k].levelDb - middle, medianOf(deviation)};
    };
    BassLineJudgement out;
    for (std::size_t k = 0; k < notes.size(); ++k) {
        if (std::isnan(notes[k].levelDb)) continue;
        // A boundary is placed only to within half a novelty window (SongSection's stable part): a note
        // nearer one than that may belong to the section across it, and is judged against both. And each
        // split is one estimate of where the sections are: the note must stand out of every section it may
        // belong to, in each, or the hook's first note, read a little early into the verse, would stand out
        // by the hook's own lift.
        std::optional<Against> least;
        for (std::size_t v = 0; v < splits.size(); ++v) {
            const int s = sectionOf[v][k];
            if (s < 0) continue;
            std::vector<int> candidates{s};
            if (!splits[v].empty()) {
                const SongSection& here = splits[v][static_cast<std::size_t>(s)];
                if (s > 0 && middleOf(notes[k]) < here.stableStartSeconds) candidates.push_back(s - 1);
                if (s + 1 < static_cast<int>(splits[v].size()) && middleOf(notes[k]) > here.stableEndSeconds)
                    candidates.push_back(s + 1);
            }
            for (int c : candidates)
                if (const auto a = against(k, v, c); a && (!least || a->over < least->over)) least = a;
        }
        if (!least) continue;
        const BassNoteJump judged{notes[k].onsetSeconds, notes[k].levelDb, least->over};
        out.line.push_back(judged);
        // A played line varies (velocity, the pitch's place in the band): a jump counts once it also
        // stands three times the other notes' own median deviation above them.
        if (least->over > kBassNoteJumpDb && least->over > 3.0 * least->spread) out.jumps.push_back(judged);
    }
    std::sort(out.jumps.begin(), out.jumps.end(), [](const BassNoteJump& x, const BassNoteJump& y) {
        return x.overNeighboursDb > y.overNeighboursDb;
    });
    return out;
}

std::vector<float> withJumpsLevelled(const std::vector<float>& bassMono, double sampleRate,
                                     const std::vector<BassNote>& notes,
                                     const std::vector<BassNoteJump>& jumps) {
    std::vector<float> out = bassMono;
    for (const auto& jump : jumps) {
        const auto note = std::find_if(notes.begin(), notes.end(),
                                       [&](const BassNote& n) { return n.onsetSeconds == jump.timeSeconds; });
        if (note == notes.end() || jump.overNeighboursDb <= 0.0) continue;
        const double endSeconds =
            note + 1 != notes.end() ? (note + 1)->onsetSeconds : static_cast<double>(out.size()) / sampleRate;
        const auto from =
            std::min(out.size(), static_cast<std::size_t>(std::llround(jump.timeSeconds * sampleRate)));
        const auto to = std::min(out.size(), static_cast<std::size_t>(std::llround(endSeconds * sampleRate)));
        const auto gain = static_cast<float>(std::pow(10.0, -jump.overNeighboursDb / 20.0));
        for (std::size_t i = from; i < to; ++i)
            out[i] *= gain;
    }
    return out;
}

} // namespace lathe::core
