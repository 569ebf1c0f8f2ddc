#include "core/analysis/ElementAnalysis.h"

#include "dsp/KWeighting.h"
#include "dsp/ScopedFlushDenormals.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lathe::core {

namespace {

// RBJ cookbook second-order sections, run in double; analysis only, so no state kept between calls.
struct Biquad {
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0, z1 = 0, z2 = 0;
    double run(double x) {
        const double y = b0 * x + z1;
        z1 = b1 * x - a1 * y + z2;
        z2 = b2 * x - a2 * y;
        return y;
    }
};

Biquad makePass(double fs, double f0, bool high) {
    const double w = 2.0 * std::numbers::pi * f0 / fs, c = std::cos(w),
                 alpha = std::sin(w) / (2.0 * std::sqrt(0.5));
    const double a0 = 1.0 + alpha;
    Biquad q;
    if (high) {
        q.b0 = (1.0 + c) / 2.0 / a0;
        q.b1 = -(1.0 + c) / a0;
        q.b2 = q.b0;
    } else {
        q.b0 = (1.0 - c) / 2.0 / a0;
        q.b1 = (1.0 - c) / a0;
        q.b2 = q.b0;
    }
    q.a1 = -2.0 * c / a0;
    q.a2 = (1.0 - alpha) / a0;
    return q;
}

std::vector<float> bandPass(const std::vector<float>& x, double fs, double lowHz, double highHz) {
    Biquad hp = makePass(fs, lowHz, true), lp = makePass(fs, std::min(highHz, 0.45 * fs), false);
    std::vector<float> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = static_cast<float>(lp.run(hp.run(x[i])));
    return y;
}

double energyOf(const std::vector<float>& x, std::size_t a, std::size_t z) {
    double e = 0.0;
    z = std::min(z, x.size());
    for (std::size_t i = a; i < z; ++i)
        e += static_cast<double>(x[i]) * x[i];
    return e;
}

double dbRatio(double num, double den) {
    return num > 1e-20 && den > 1e-20 ? 10.0 * std::log10(num / den) : -200.0;
}

// One pass over a stem for both bands the analysis reads: 30-120 Hz energy per hop of lowHop frames (the
// low end's level curve and, summed, its total) and the 5-12 kHz energy (skipped at rates that cannot
// carry it). The two filters are independent chains, so running them side by side costs little more than
// one; the sums are the same as filtering with bandPass and adding squares.
struct StemBands {
    std::vector<double> lowHops; // 30-120 Hz energy per hop
    double low = 0.0, high = 0.0;
};

StemBands stemBands(const std::vector<float>& x, double fs, std::size_t lowHop, bool withHigh) {
    // The filters' states decay into denormals through a silent passage (4x the cost of this pass on the
    // demo's stems); flushing them changes no figure.
    const dsp::ScopedFlushDenormals flush;
    Biquad lowHp = makePass(fs, 30.0, true), lowLp = makePass(fs, std::min(120.0, 0.45 * fs), false);
    Biquad highHp = makePass(fs, 5000.0, true), highLp = makePass(fs, std::min(12000.0, 0.45 * fs), false);
    StemBands b;
    b.lowHops.assign((x.size() + lowHop - 1) / lowHop, 0.0);
    for (std::size_t h = 0; h < b.lowHops.size(); ++h) {
        const std::size_t end = std::min(x.size(), (h + 1) * lowHop);
        double lowSum = 0.0, highSum = 0.0;
        for (std::size_t i = h * lowHop; i < end; ++i) {
            // Rounded to float where bandPass stores its output, so the figures match it.
            const auto lo = static_cast<float>(lowLp.run(lowHp.run(x[i])));
            lowSum += static_cast<double>(lo) * lo;
            if (withHigh) {
                const auto hi = static_cast<float>(highLp.run(highHp.run(x[i])));
                highSum += static_cast<double>(hi) * hi;
            }
        }
        b.lowHops[h] = lowSum;
        b.low += lowSum;
        b.high += highSum;
    }
    return b;
}

// levelCurveDb's figures from per-hop energies.
std::vector<double> curveDb(const std::vector<double>& hopEnergy, std::size_t hop, std::size_t frames) {
    std::vector<double> out(hopEnergy.size());
    for (std::size_t h = 0; h < out.size(); ++h) {
        const std::size_t len = std::min(frames, (h + 1) * hop) - h * hop;
        const double ms = hopEnergy[h] / static_cast<double>(len);
        out[h] = std::max(-100.0, ms > 1e-20 ? 10.0 * std::log10(ms) : -100.0);
    }
    return out;
}

double medianOf(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// ElementAnalysis::vocalGapFloorDb, from its first sung 10 ms hop (within 30 dB of its loudest) to its last.
std::optional<double> gapFloorDb(const std::vector<float>& vocal, double fs) {
    const std::vector<double> level = levelCurveDb(vocal, fs, 0.01);
    if (level.empty()) return std::nullopt;
    const double loudest = *std::max_element(level.begin(), level.end());
    std::size_t first = level.size(), last = 0;
    for (std::size_t h = 0; h < level.size(); ++h)
        if (level[h] > loudest - 30.0) first = std::min(first, h), last = h;
    if (first >= last || last - first < 100) return std::nullopt;
    const std::vector<double> sung(level.begin() + static_cast<long>(first),
                                   level.begin() + static_cast<long>(last) + 1);
    // The quietest 50 ms between its phrases against the loudest 10 ms within half a second of it: a dry
    // voice that breathes for a quarter of a second falls 40 dB or more under its own phrase there; a reverb
    // tail (RT60 of a second or more) stays 20-30 dB under it. Relative to the phrase around it, so a verse
    // ridden up or down does not move it.
    double quietest = 0.0;
    for (std::size_t h = 0; h + 5 <= sung.size(); ++h) {
        double e = 0.0;
        for (std::size_t j = h; j < h + 5; ++j)
            e += std::pow(10.0, sung[j] / 10.0);
        const double window = 10.0 * std::log10(e / 5.0 + 1e-30);
        const double phrase =
            *std::max_element(sung.begin() + static_cast<long>(h >= 50 ? h - 50 : 0),
                              sung.begin() + static_cast<long>(std::min(sung.size(), h + 55)));
        quietest = std::min(quietest, std::max(-100.0, window) - phrase);
    }
    return quietest;
}

std::vector<float> kWeighted(const std::vector<float>& x, double fs) {
    const dsp::ScopedFlushDenormals flush;
    const dsp::KWeighting k = dsp::makeKWeighting(fs);
    std::vector<float> y(x.size());
    double s1 = 0, s2 = 0, h1 = 0, h2 = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double a = k.shelf.b0 * x[i] + s1;
        s1 = k.shelf.b1 * x[i] - k.shelf.a1 * a + s2;
        s2 = k.shelf.b2 * x[i] - k.shelf.a2 * a;
        const double b = k.highPass.b0 * a + h1;
        h1 = k.highPass.b1 * a - k.highPass.a1 * b + h2;
        h2 = k.highPass.b2 * a - k.highPass.a2 * b;
        y[i] = static_cast<float>(b);
    }
    return y;
}

} // namespace

std::vector<double> bandLevelCurveDb(const std::vector<float>& x, double sampleRate, double lowHz,
                                     double highHz, double hopSeconds) {
    return levelCurveDb(bandPass(x, sampleRate, lowHz, highHz), sampleRate, hopSeconds);
}

ElementAnalysis analyzeElements(const LoadedAudio* mix, const std::vector<ElementStem>& stems) {
    ElementAnalysis a;
    if (stems.empty() && mix == nullptr) return a;
    const double fs = mix ? mix->info.sampleRate : stems.front().audio->info.sampleRate;
    const std::size_t n = mix ? static_cast<std::size_t>(mix->frames())
                              : static_cast<std::size_t>(stems.front().audio->frames());
    std::vector<std::vector<float>> monos;
    std::vector<float> sum(n, 0.0f);
    for (const auto& s : stems) {
        monos.push_back(s.audio->mono());
        monos.back().resize(n, 0.0f);
        for (std::size_t i = 0; i < n; ++i)
            sum[i] += monos.back()[i];
    }
    const auto firstOf = [&](StemRole role) -> int {
        for (std::size_t k = 0; k < stems.size(); ++k)
            if (stems[k].role == role) return static_cast<int>(k);
        return -1;
    };
    const int vocal = firstOf(StemRole::LeadVocal), drums = firstOf(StemRole::Drums),
              bass = firstOf(StemRole::Bass), fx = firstOf(StemRole::Fx);
    // The bass line's notes first: the sections below are found with its jumps levelled.
    std::vector<BassNote> bassNotes;
    if (bass >= 0) {
        // The line's sections from the other stems, two ways: with the lead vocal (the demo's band alone
        // steps too weakly into its hook to place it) and without it (a vocal ridden up in the verse moves
        // that boundary). No edit of the bass can move either; a note must stand out in both.
        std::vector<std::vector<SongSection>> splits;
        for (const bool withVocal : {true, false}) {
            std::vector<std::vector<float>> others;
            std::vector<float> othersSum(n, 0.0f);
            for (std::size_t k = 0; k < stems.size(); ++k)
                if (static_cast<int>(k) != bass && (withVocal || static_cast<int>(k) != vocal)) {
                    others.push_back(monos[k]);
                    for (std::size_t i = 0; i < n; ++i)
                        othersSum[i] += monos[k][i];
                }
            if (!others.empty() && (withVocal || vocal >= 0))
                splits.push_back(findSections(others, othersSum, fs));
        }
        bassNotes = findBassNotes(monos[static_cast<std::size_t>(bass)], fs);
        BassLineJudgement judged = judgeBassLine(bassNotes, splits);
        a.bassNotes = static_cast<int>(bassNotes.size());
        a.bassNoteJumps = std::move(judged.jumps);
        a.bassNoteLine = std::move(judged.line);
    }

    // Sections follow the band's arrangement, without the lead vocal: its balance is what is judged in them,
    // so no ride of the vocal (a verse pushed 8 dB) may move or merge them; nor may one loud bass note, so
    // the bass counts with its jumps levelled to their sections.
    std::vector<std::vector<float>> band;
    for (std::size_t k = 0; k < stems.size(); ++k)
        if (static_cast<int>(k) == bass && !bassNotes.empty())
            band.push_back(withJumpsLevelled(monos[k], fs, bassNotes, a.bassNoteJumps));
        else if (static_cast<int>(k) != vocal)
            band.push_back(monos[k]);
    a.sections = findSections(band, mix ? mix->mono() : sum, fs);

    // Lead vocal against the rest, per section, over the hops the vocal sings in (within 30 dB of its
    // loudest hop): silence between phrases would otherwise read as a buried vocal.
    a.hasLeadVocal = vocal >= 0;
    if (vocal >= 0) {
        // K-weighted, as loudness is heard: the low end of a kick-heavy band counts for less against a voice
        // than its energy says.
        const std::vector<float> v = kWeighted(monos[static_cast<std::size_t>(vocal)], fs);
        std::vector<float> rest(n);
        for (std::size_t i = 0; i < n; ++i)
            rest[i] = sum[i] - monos[static_cast<std::size_t>(vocal)][i];
        rest = kWeighted(rest, fs);
        const auto hop = static_cast<std::size_t>(std::llround(0.1 * fs));
        const std::vector<double> vocalLevel = levelCurveDb(v, fs, 0.1);
        const double loudest =
            vocalLevel.empty() ? -100.0 : *std::max_element(vocalLevel.begin(), vocalLevel.end());
        double lo = 1e9, hi = -1e9;
        for (const auto& section : a.sections) {
            SectionVocalBalance b;
            b.section = section;
            const auto h0 = static_cast<std::size_t>(std::llround(section.startSeconds / 0.1));
            const auto h1 =
                std::min(vocalLevel.size(), static_cast<std::size_t>(std::llround(section.endSeconds / 0.1)));
            std::vector<double> differences;
            for (std::size_t h = h0; h < h1; ++h)
                if (vocalLevel[h] > loudest - 30.0)
                    differences.push_back(
                        dbRatio(energyOf(v, h * hop, (h + 1) * hop), energyOf(rest, h * hop, (h + 1) * hop)));
            const std::size_t sung = differences.size();
            b.vocalPresent = h1 > h0 && sung * 4 >= (h1 - h0);
            if (b.vocalPresent) {
                b.vocalToRestDb = medianOf(differences);
                lo = std::min(lo, b.vocalToRestDb);
                hi = std::max(hi, b.vocalToRestDb);
            }
            a.vocalBalance.push_back(b);
        }
        a.vocalToRestSpreadDb = hi >= lo ? hi - lo : 0.0;
        a.vocalGapFloorDb = gapFloorDb(monos[static_cast<std::size_t>(vocal)], fs);
    }

    // Both bands of every stem in one pass each: the low end's 20 ms curves, its total and the highs.
    constexpr double kLowHop = 0.02;
    const auto lowHop = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(kLowHop * fs)));
    std::vector<StemBands> bands;
    for (const auto& m : monos)
        bands.push_back(stemBands(m, fs, lowHop, fs > 24000.0));
    if (drums >= 0 && bass >= 0) {
        a.hasKickAndBass = true;
        const auto kick = curveDb(bands[static_cast<std::size_t>(drums)].lowHops, lowHop, n);
        const auto low = curveDb(bands[static_cast<std::size_t>(bass)].lowHops, lowHop, n);
        const std::size_t hops = std::min(kick.size(), low.size());
        if (hops > 0) {
            const double kMax = *std::max_element(kick.begin(), kick.begin() + static_cast<long>(hops)),
                         bMax = *std::max_element(low.begin(), low.begin() + static_cast<long>(hops));
            int sounding = 0, masked = 0;
            std::vector<double> differences;
            for (std::size_t h = 5; h + 3 < hops; ++h) {
                // A hit: the loudest hop within +-60 ms, at least 6 dB above the quietest of the 100 ms
                // before it (the kick's sweep puts its band peak a hop or two after the onset), within 15 dB
                // of the loudest kick.
                bool peak = kick[h] >= kMax - 15.0;
                double before = kick[h];
                for (std::size_t j = h - 5; j < h; ++j)
                    before = std::min(before, kick[j]);
                for (std::size_t j = h - 3; peak && j <= h + 3; ++j)
                    peak = j == h || (j < h ? kick[j] < kick[h] : kick[j] <= kick[h]);
                if (!peak || kick[h] - before < 6.0) continue;
                ++a.kickHits;
                if (low[h] <= bMax - 20.0) continue;
                ++sounding;
                differences.push_back(low[h] - kick[h]);
                masked += low[h] >= kick[h] - kKickMaskingDb;
            }
            if (a.kickHits > 0) {
                a.lowEndOverlap = static_cast<double>(sounding) / a.kickHits;
                a.lowEndMasking = static_cast<double>(masked) / a.kickHits;
            }
            if (!differences.empty()) {
                std::sort(differences.begin(), differences.end());
                a.bassOverKickDb = differences[differences.size() / 2];
            }
        }
    }

    if (drums >= 0 && vocal >= 0 && fs > 24000.0)
        a.cymbalsOverVocalDb =
            dbRatio(bands[static_cast<std::size_t>(drums)].high, bands[static_cast<std::size_t>(vocal)].high);
    if (fx >= 0 && vocal >= 0)
        a.fxOverVocalDb = dbRatio(energyOf(monos[static_cast<std::size_t>(fx)], 0, n),
                                  energyOf(monos[static_cast<std::size_t>(vocal)], 0, n));

    // Which stem makes the loudest peaks of the sum: at each 10 ms hop's peak within 3 dB of the song's
    // peak, the stem with the largest same-signed contribution.
    std::vector<int> dominated(stems.size(), 0);
    int peaks = 0;
    if (!stems.empty() && n > 0) {
        float songPeak = 0.0f;
        for (float x : sum)
            songPeak = std::max(songPeak, std::abs(x));
        const auto hop = std::max<std::size_t>(1, static_cast<std::size_t>(0.01 * fs));
        for (std::size_t start = 0; start < n; start += hop) {
            std::size_t at = start;
            for (std::size_t i = start; i < std::min(n, start + hop); ++i)
                if (std::abs(sum[i]) > std::abs(sum[at])) at = i;
            if (std::abs(sum[at]) < songPeak * 0.708f) continue;
            ++peaks;
            std::size_t best = 0;
            for (std::size_t k = 1; k < stems.size(); ++k)
                if (monos[k][at] * std::copysign(1.0f, sum[at]) >
                    monos[best][at] * std::copysign(1.0f, sum[at]))
                    best = k;
            ++dominated[best];
        }
    }
    for (std::size_t k = 0; k < stems.size(); ++k) {
        StemElementFigures f;
        f.path = stems[k].audio->info.path;
        f.role = stems[k].role;
        const double e = energyOf(monos[k], 0, n);
        f.levelDb = dbRatio(e, static_cast<double>(std::max<std::size_t>(n, 1)));
        const LoadedAudio& s = *stems[k].audio;
        if (s.channels.size() >= 2) {
            double mid = 0.0, side = 0.0;
            for (std::size_t i = 0; i < s.channels[0].size(); ++i) {
                const double l = s.channels[0][i], r = s.channels[1][i];
                mid += (l + r) * (l + r);
                side += (l - r) * (l - r);
            }
            f.widthDb = dbRatio(side, mid);
        }
        if (fs > 24000.0) f.brightnessDb = dbRatio(bands[k].high, e);
        f.lowBandDb = dbRatio(bands[k].low, static_cast<double>(std::max<std::size_t>(n, 1)));
        f.peakShare = peaks ? static_cast<double>(dominated[k]) / peaks : 0.0;
        a.stems.push_back(f);
    }
    std::vector<const LoadedAudio*> audio;
    for (const auto& s : stems)
        audio.push_back(s.audio);
    const auto widths = sectionWidths(audio, a.sections, fs, n);
    for (std::size_t k = 0; k < stems.size(); ++k)
        a.stems[k].sectionWidths = widths[k];
    if (peaks) {
        const auto best = std::max_element(dominated.begin(), dominated.end()) - dominated.begin();
        a.limiterDriver = stems[static_cast<std::size_t>(best)].audio->info.path;
    }
    std::vector<DriveStem> drive;
    for (const auto& s : stems)
        drive.push_back({s.audio, s.role});
    a.limiterDrive = analyzeLimiterDrive(drive);
    return a;
}

ElementAnalysis analyzeFolderElements(const FolderScan& scan) {
    std::optional<LoadedAudio> mix;
    if (scan.mix) mix = loadAudio(scan.mix->path);
    std::vector<LoadedAudio> loaded;
    std::vector<StemRole> roles;
    for (const auto& s : scan.stems) {
        const int rate = mix              ? mix->info.sampleRate
                         : loaded.empty() ? s.info.sampleRate
                                          : loaded.front().info.sampleRate;
        if (s.info.sampleRate != rate) continue;
        loaded.push_back(loadAudio(s.path));
        roles.push_back(s.role);
    }
    std::vector<ElementStem> stems;
    for (std::size_t k = 0; k < loaded.size(); ++k)
        stems.push_back({&loaded[k], roles[k]});
    return analyzeElements(mix ? &*mix : nullptr, stems);
}

nlohmann::json toJson(const ElementAnalysis& a) {
    nlohmann::json balance = nlohmann::json::array();
    for (const auto& b : a.vocalBalance)
        balance.push_back(
            {{"label", b.section.label},
             {"start_seconds", b.section.startSeconds},
             {"end_seconds", b.section.endSeconds},
             {"vocal_present", b.vocalPresent},
             {"vocal_to_rest_db", b.vocalPresent ? nlohmann::json(b.vocalToRestDb) : nlohmann::json()}});
    const auto widths = [](const std::vector<SectionWidth>& w) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& x : w)
            out.push_back(toJson(x));
        return out;
    };
    nlohmann::json stems = nlohmann::json::array();
    for (const auto& s : a.stems)
        stems.push_back({{"path", s.path},
                         {"role", stemRoleName(s.role)},
                         {"level_db", s.levelDb},
                         {"width_db", s.widthDb},
                         {"brightness_db", s.brightnessDb},
                         {"low_band_db", s.lowBandDb},
                         {"peak_share", s.peakShare},
                         {"section_widths", widths(s.sectionWidths)}});
    const auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    const auto notes = [](const std::vector<BassNoteJump>& list) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& j : list)
            out.push_back({{"time_seconds", j.timeSeconds},
                           {"level_db", j.levelDb},
                           {"over_neighbours_db", j.overNeighboursDb}});
        return out;
    };
    return {{"sections", toJson(a.sections)},
            {"vocal_to_rest", balance},
            {"vocal_to_rest_spread_db", a.vocalToRestSpreadDb},
            {"low_end_overlap", a.hasKickAndBass ? nlohmann::json(a.lowEndOverlap) : nlohmann::json()},
            {"low_end_masking", a.hasKickAndBass ? nlohmann::json(a.lowEndMasking) : nlohmann::json()},
            {"kick_hits", a.hasKickAndBass ? nlohmann::json(a.kickHits) : nlohmann::json()},
            {"bass_over_kick_db", opt(a.bassOverKickDb)},
            {"bass_notes", a.bassNotes},
            {"bass_note_jumps", notes(a.bassNoteJumps)},
            {"bass_note_line", notes(a.bassNoteLine)},
            {"cymbals_over_vocal_db", opt(a.cymbalsOverVocalDb)},
            {"fx_over_vocal_db", opt(a.fxOverVocalDb)},
            {"limiter_driver", a.limiterDriver},
            {"vocal_gap_floor_db", opt(a.vocalGapFloorDb)},
            {"limiter_drive", toJson(a.limiterDrive)},
            {"stems", stems}};
}

} // namespace lathe::core
