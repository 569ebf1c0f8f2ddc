#include "MatchCurve.h"

#include "KWeighting.h"

#include <algorithm>
#include <cmath>

namespace lathe::dsp {

namespace {

constexpr double kNoEnergyFadeDb = 10.0;
// A band whose side is this far below its mid is mono: boosting its side would raise leakage and noise,
// cutting it would change nothing audible.
constexpr double kMonoBandDb = -30.0;

// The reference's values on the source's grid (the same grid unless the analyses come from different
// versions, which the cache's format number should prevent).
std::vector<double> onGrid(const std::vector<double>& grid, const MatchAnalysis& a,
                           const std::vector<double>& db) {
    if (a.frequencyHz == grid) return db;
    const FrequencyCurve c{a.frequencyHz, db};
    std::vector<double> out(grid.size());
    for (std::size_t i = 0; i < grid.size(); ++i)
        out[i] = grid[i] >= a.sampleRate / 2.0 ? kSilenceDb : c.gainDbAt(grid[i]);
    return out;
}

// 1 where the mid has energy, fading to 0 over kNoEnergyFadeDb down to `floorDb` below its loudest point.
std::vector<double> energyWeight(const std::vector<double>& midDb, const std::vector<bool>& inRange,
                                 double floorDb) {
    double loudest = kSilenceDb;
    for (std::size_t i = 0; i < midDb.size(); ++i)
        if (inRange[i]) loudest = std::max(loudest, midDb[i]);
    std::vector<double> w(midDb.size(), 0.0);
    if (loudest <= kSilenceDb) return w;
    for (std::size_t i = 0; i < midDb.size(); ++i)
        w[i] = std::clamp((midDb[i] - (loudest - floorDb)) / kNoEnergyFadeDb, 0.0, 1.0);
    return w;
}

// Below the range the first value in it, above it the last.
void holdOutsideRange(std::vector<double>& db, const std::vector<bool>& inRange) {
    const auto first = std::find(inRange.begin(), inRange.end(), true);
    if (first == inRange.end()) {
        std::fill(db.begin(), db.end(), 0.0);
        return;
    }
    const auto lo = static_cast<std::size_t>(first - inRange.begin());
    const auto hi =
        static_cast<std::size_t>(inRange.rend() - std::find(inRange.rbegin(), inRange.rend(), true)) - 1;
    for (std::size_t i = 0; i < lo; ++i)
        db[i] = db[lo];
    for (std::size_t i = hi + 1; i < db.size(); ++i)
        db[i] = db[hi];
}

} // namespace

MatchCurve computeMatchCurve(const MatchAnalysis& source, const MatchAnalysis& reference,
                             const MatchCurveSettings& settings) {
    const std::vector<double>& grid = source.frequencyHz;
    const std::size_t n = grid.size();
    const std::vector<double> refMid = onGrid(grid, reference, reference.midDb);

    MatchCurve curve;
    curve.tone.frequencyHz = grid;
    curve.side.frequencyHz = grid;
    curve.tone.gainDb.assign(n, 0.0);
    curve.side.gainDb.assign(n, 0.0);
    if (source.integratedLufs > kSilenceDb && reference.integratedLufs > kSilenceDb)
        curve.loudnessDifferenceDb = reference.integratedLufs - source.integratedLufs;

    // Where the difference is followed: the settings' range, below both files' Nyquist (with a margin for
    // their anti-alias filters' roll-off).
    const double top = std::min(settings.highestHz, 0.48 * std::min(source.sampleRate, reference.sampleRate));
    std::vector<bool> inRange(n);
    for (std::size_t i = 0; i < n; ++i)
        inRange[i] = grid[i] >= settings.lowestHz && grid[i] <= top;

    std::vector<double> difference(n, 0.0), weight(n, 0.0);
    if (source.hasLoudAudio() && reference.hasLoudAudio()) {
        const std::vector<double> sourceWeight =
            energyWeight(source.midDb, inRange, settings.noEnergyBelowDb);
        const std::vector<double> referenceWeight = energyWeight(refMid, inRange, settings.noEnergyBelowDb);
        for (std::size_t i = 0; i < n; ++i) {
            if (!inRange[i]) continue;
            difference[i] = refMid[i] - source.midDb[i];
            weight[i] = std::min(sourceWeight[i], referenceWeight[i]);
        }
    }

    // K-weighted power of the source's loud passages per grid point (density x the point's share of the
    // 1/48-octave spaced axis), for predicting what a curve does to its loudness.
    const KWeighting k = makeKWeighting(source.sampleRate > 0.0 ? source.sampleRate : 48000.0);
    std::vector<double> midPower(n, 0.0), sidePower(n, 0.0);
    double totalPower = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (grid[i] >= source.sampleRate / 2.0) continue;
        const double lo = i > 0 ? std::sqrt(grid[i - 1] * grid[i]) : grid[i];
        const double hi = i + 1 < n ? std::sqrt(grid[i] * grid[i + 1]) : grid[i];
        const double share = (hi - lo) * kWeightingPowerGain(k, source.sampleRate, grid[i]);
        midPower[i] = share * std::pow(10.0, source.midDb[i] / 10.0);
        sidePower[i] = share * std::pow(10.0, source.sideDb[i] / 10.0);
        totalPower += midPower[i] + sidePower[i];
    }
    const auto loudnessChange = [&](const std::vector<double>& midDb, const std::vector<double>& sideDb) {
        if (totalPower <= 0.0) return 0.0;
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            sum += midPower[i] * std::pow(10.0, midDb[i] / 10.0) +
                   sidePower[i] * std::pow(10.0, sideDb[i] / 10.0);
        return 10.0 * std::log10(sum / totalPower);
    };

    // Tone: remove the level, limit, scale; find the level again for the limited, scaled curve. Each step
    // moves the offset by what the curve still changes the loudness by (scaled back by the amount), which
    // converges in a few steps unless the whole range is at a limit.
    const double amount = std::clamp(settings.toneAmount, 0.0, 1.0);
    std::vector<double>& tone = curve.tone.gainDb;
    if (amount > 0.0) {
        double offset = 0.0;
        for (int step = 0; step < 30; ++step) {
            for (std::size_t i = 0; i < n; ++i)
                tone[i] = amount * std::clamp(weight[i] * (difference[i] - offset), -settings.maxCorrectionDb,
                                              settings.maxCorrectionDb);
            holdOutsideRange(tone, inRange);
            const double change = loudnessChange(tone, tone);
            if (std::abs(change) < 1e-5) break;
            offset += change / amount;
        }
    }

    // Width: per band, the side against the mid, reference minus source.
    const double widthAmount = std::clamp(settings.widthAmount, 0.0, 1.0);
    FrequencyCurve widthCurve;
    const std::size_t bands = std::min(source.widthBands.size(), reference.widthBands.size());
    double loudestBand = kSilenceDb;
    for (std::size_t b = 0; b < bands; ++b)
        loudestBand = std::max(loudestBand, source.widthBands[b].midDbfs);
    for (std::size_t b = 0; b < bands; ++b) {
        const MatchWidthBand& s = source.widthBands[b];
        const MatchWidthBand& r = reference.widthBands[b];
        if (!(s.highHz > s.lowHz) || !(r.highHz > r.lowHz)) continue;
        MatchWidthCorrection c;
        c.lowHz = s.lowHz;
        c.highHz = s.highHz;
        c.centreHz = std::sqrt(s.lowHz * s.highHz);
        const bool sourceHasBand =
            s.midDbfs > loudestBand - settings.noEnergyBelowDb && s.sideToMidDb > kMonoBandDb;
        const bool referenceHasBand = r.midDbfs > kSilenceDb && r.sideDbfs > kSilenceDb;
        if (source.hasLoudAudio() && reference.hasLoudAudio() && sourceHasBand && referenceHasBand)
            c.sideGainDb =
                widthAmount * std::clamp(r.sideToMidDb - s.sideToMidDb, -settings.maxWidthCorrectionDb,
                                         settings.maxWidthCorrectionDb);
        curve.width.push_back(c);
        widthCurve.frequencyHz.push_back(c.centreHz);
        widthCurve.gainDb.push_back(c.sideGainDb);
    }
    for (std::size_t i = 0; i < n; ++i)
        curve.side.gainDb[i] = tone[i] + widthCurve.gainDbAt(grid[i]);

    curve.filterLoudnessChangeDb = loudnessChange(tone, curve.side.gainDb);
    curve.loudnessGainDb = curve.loudnessDifferenceDb - curve.filterLoudnessChangeDb;
    return curve;
}

std::vector<CurvePoint> curveAtThirdOctaves(const FrequencyCurve& curve, double lowHz, double highHz) {
    std::vector<CurvePoint> points;
    for (double f : thirdOctaveCentres(lowHz, highHz))
        points.push_back({f, curve.gainDbAt(f)});
    return points;
}

} // namespace lathe::dsp
