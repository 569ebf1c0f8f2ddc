#include "DynamicEq.h"

#include "Decibels.h"
#include "FastMath.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace lathe::dsp {
namespace {

// Below this the smoothed gain is snapped to 0 dB, where the band adds exactly nothing.
constexpr double kGainFloorDb = 1e-9;
constexpr double kLevelFloor = 1e-30;

double onePoleCoefficient(double timeMs, double sampleRate) {
    return timeMs > 0.0 ? std::exp(-1000.0 / (timeMs * sampleRate)) : 0.0;
}

FilterType shapeOf(const DynamicEqBand& band) {
    return band.type == FilterType::LowShelf || band.type == FilterType::HighShelf ? band.type
                                                                                   : FilterType::Bell;
}

} // namespace

double dynamicEqGainDb(const DynamicEqBand& band, double levelDb) {
    const double slope = 1.0 - 1.0 / std::max(band.ratio, 1.0);
    const double range = std::max(band.rangeDb, 0.0);
    if (band.mode == DynamicEqMode::CutAbove)
        return -std::min(range, slope * std::max(levelDb - band.thresholdDb, 0.0));
    return std::min(range, slope * std::max(band.thresholdDb - levelDb, 0.0));
}

std::complex<double> dynamicEqBandResponse(const DynamicEqBand& band, double sampleRate, double gainDb,
                                           double frequency) {
    std::complex<double> f;
    const FilterType shape = shapeOf(band);
    if (shape == FilterType::Bell) {
        f = response(makeSvfBandPass(sampleRate, band.frequencyHz, band.q), sampleRate, frequency);
    } else {
        // First-order prototype 1 / (1 + s), s = j tan(pi f / fs) / g (bilinear, prewarped at the corner).
        const std::complex<double> s(0.0, std::tan(std::numbers::pi * frequency / sampleRate) /
                                              svfPrewarp(sampleRate, band.frequencyHz));
        const std::complex<double> low = 1.0 / (1.0 + s);
        f = shape == FilterType::LowShelf ? low : 1.0 - low;
    }
    return 1.0 + (dbToGain(gainDb) - 1.0) * f;
}

void DynamicEq::prepare(double sampleRate, int maxBlockFrames, int numChannels, int numBands) {
    assert(numChannels >= 1 && numChannels <= 2 && numBands >= 0 && maxBlockFrames >= 1);
    (void)numChannels;
    sampleRate_ = sampleRate;
    maxBlockFrames_ = std::max(maxBlockFrames, 1);
    bands_.assign(static_cast<std::size_t>(std::max(numBands, 0)), Band{});
    maxHoldFrames_ = std::max(1, static_cast<int>(std::ceil(kMaxHoldSeconds * sampleRate)));
    for (Band& b : bands_)
        b.hold.prepare(maxHoldFrames_);
    const auto frames = static_cast<std::size_t>(maxBlockFrames_);
    for (auto* v : {&work_.signal[0], &work_.signal[1], &work_.band[0], &work_.band[1], &work_.listen[0],
                    &work_.listen[1], &work_.part, &work_.level, &work_.gainDb, &work_.gainMinusOne})
        v->assign(frames, 0.0);
    for (int i = 0; i < numBands; ++i)
        setBand(i, DynamicEqBand{});
    reset();
}

void DynamicEq::reset() {
    for (Band& b : bands_) {
        b.filterState = {};
        b.keyState = {};
        b.hold.reset();
        b.gainDb = 0.0;
    }
    resetMeters();
}

void DynamicEq::resetMeters() {
    for (Band& b : bands_) {
        b.meterGainDb.store(b.gainDb);
        b.maxCutDb.store(0.0);
        b.maxBoostDb.store(0.0);
    }
}

void DynamicEq::setBand(int index, const DynamicEqBand& settings) {
    assert(index >= 0 && index < numBands());
    if (index < 0 || index >= numBands()) return;
    Band& b = bands_[static_cast<std::size_t>(index)];
    const DynamicEqBand previous = b.settings;
    b.settings = settings;
    const FilterType shape = shapeOf(settings);
    b.filter.shape = shape;
    b.filter.bandPass = makeSvfBandPass(sampleRate_, settings.frequencyHz, settings.q);
    const double g = svfPrewarp(sampleRate_, settings.frequencyHz);
    b.filter.onePoleGain = g / (1.0 + g);
    b.slope = 1.0 - 1.0 / std::max(settings.ratio, 1.0);
    b.range = std::max(settings.rangeDb, 0.0);
    b.thresholdLinear = dbToGain(settings.thresholdDb);
    b.attackCoeff = onePoleCoefficient(settings.attackMs, sampleRate_);
    b.releaseCoeff = onePoleCoefficient(settings.releaseMs, sampleRate_);
    // A band switched on, or moved to another part of the signal, another shape or another detector input,
    // starts from rest: its states were built on another signal (or none). Frequency and Q changes keep
    // them; the filters take those between any two samples.
    const bool restart = settings.enabled != previous.enabled || settings.channels != previous.channels ||
                         shape != shapeOf(previous) || settings.keyed != previous.keyed;
    if (restart) {
        b.filterState = {};
        b.keyState = {};
        b.gainDb = 0.0;
    }
    // One period of the band's frequency: long enough to hold a steady note's peak through its cycle.
    const int holdFrames = std::clamp(
        static_cast<int>(std::ceil(sampleRate_ / std::max(settings.frequencyHz, 1.0))), 1, maxHoldFrames_);
    if (restart || holdFrames != b.hold.window()) b.hold.setWindow(holdFrames);
}

bool DynamicEq::gains(Band& b, int frames) {
    const DynamicEqBand& s = b.settings;
    const bool cut = s.mode == DynamicEqMode::CutAbove;
    double* level = work_.level.data();
    double* gainDb = work_.gainDb.data();
    double* gainMinusOne = work_.gainMinusOne.data();

    // At rest with every level on the flat side of the curve (below the threshold when cutting, above it
    // when boosting), the band stays at exactly 0 dB and adds nothing.
    if (b.gainDb == 0.0) {
        bool flat = true;
        for (int i = 0; i < frames && flat; ++i)
            flat = cut ? level[i] <= b.thresholdLinear : level[i] >= b.thresholdLinear;
        if (flat) return false;
    }

    // Static curve, branch-free: overshoot o = level dB - threshold; cut -min(range, slope max(o, 0)),
    // boost min(range, slope max(-o, 0)). The level is floored so silence has a finite log (a boost then
    // sits at its range).
    const double sign = cut ? 1.0 : -1.0, range = b.range, slope = b.slope, threshold = s.thresholdDb;
    constexpr double kDbPerLog2 = 6.0205999132796239; // 20 log10(2)
    int i = 0;
#if defined(__SSE2__)
    for (; i + 2 <= frames; i += 2) {
        const __m128d l = _mm_max_pd(_mm_loadu_pd(level + i), _mm_set1_pd(kLevelFloor));
        const __m128d over =
            _mm_mul_pd(_mm_set1_pd(sign),
                       _mm_sub_pd(_mm_mul_pd(_mm_set1_pd(kDbPerLog2), fastLog2(l)), _mm_set1_pd(threshold)));
        const __m128d moved = _mm_min_pd(_mm_set1_pd(range),
                                         _mm_mul_pd(_mm_set1_pd(slope), _mm_max_pd(over, _mm_setzero_pd())));
        _mm_storeu_pd(gainDb + i, _mm_mul_pd(_mm_set1_pd(-sign), moved));
    }
#endif
    for (; i < frames; ++i) {
        const double over = sign * (kDbPerLog2 * fastLog2(maxNoBranch(level[i], kLevelFloor)) - threshold);
        gainDb[i] = -sign * minNoBranch(range, slope * maxNoBranch(over, 0.0));
    }

    // Smoothing in dB: the only recursion.
    double gain = b.gainDb, lowest = b.lowest, highest = b.highest;
    for (i = 0; i < frames; ++i) {
        const double target = gainDb[i];
        gain = target + selectGreater(gain, target, b.attackCoeff, b.releaseCoeff) * (gain - target);
        gain = selectGreater(kGainFloorDb, std::abs(gain), 0.0, gain);
        lowest = minNoBranch(lowest, gain);
        highest = maxNoBranch(highest, gain);
        gainDb[i] = gain;
    }
    b.gainDb = gain;
    b.lowest = lowest;
    b.highest = highest;

    // G - 1, exactly 0 at 0 dB (fastExp2(0) is exactly 1 as well; the select keeps it so whatever the lane).
    i = 0;
#if defined(__SSE2__)
    for (; i + 2 <= frames; i += 2) {
        const __m128d g = _mm_loadu_pd(gainDb + i);
        const __m128d linear = fastExp2(_mm_mul_pd(g, _mm_set1_pd(0.16609640474436813))); // log2(10) / 20
        const __m128d atRest = _mm_cmpeq_pd(g, _mm_setzero_pd());
        _mm_storeu_pd(gainMinusOne + i, _mm_andnot_pd(atRest, _mm_sub_pd(linear, _mm_set1_pd(1.0))));
    }
#endif
    for (; i < frames; ++i)
        gainMinusOne[i] = gainDb[i] == 0.0 ? 0.0 : fastDbToGain(gainDb[i]) - 1.0;
    return true;
}

void DynamicEq::process(const AudioBlock& block) {
    process(block, block);
}

void DynamicEq::process(const AudioBlock& block, const AudioBlock& key) {
    assert(key.numFrames() >= block.numFrames() && key.numChannels() >= 1);
    for (int start = 0; start < block.numFrames(); start += maxBlockFrames_) {
        const int n = std::min(maxBlockFrames_, block.numFrames() - start);
        processChunk(block.subBlock(start, n), key.subBlock(start, n));
    }
}

void DynamicEq::processBand(Band& b, const AudioBlock& key, int frames, bool stereo, bool listening) {
    const DynamicEqBand& s = b.settings;
    const BandFilter& f = b.filter;
    double* yL = work_.signal[0].data();
    double* yR = work_.signal[1].data();
    double* bandL = work_.band[0].data();
    double* bandR = work_.band[1].data();
    double* part = work_.part.data();
    double* level = work_.level.data();
    double* listenL = s.listen && listening ? work_.listen[0].data() : nullptr;
    double* listenR = s.listen && listening ? work_.listen[1].data() : nullptr;
    const bool stereoKey = key.numChannels() >= 2;
    const float* keyL = key.channel(0);
    const float* keyR = key.channel(stereoKey ? 1 : 0);
    const bool midSide = s.channels != BandChannels::Stereo;
    const bool mid = s.channels == BandChannels::Mid;
    if (midSide && !stereo && !mid) return; // a mono block has no side

    // Filters and detector: the band's part of the signal through F, the detector's level (the band's own
    // signal, or the key's part through F), held over the band's period.
    for (int i = 0; i < frames; ++i) {
        double heardL, heardR;
        if (!midSide) {
            bandL[i] = f.process(b.filterState[0], yL[i]);
            bandR[i] = stereo ? f.process(b.filterState[1], yR[i]) : bandL[i];
            if (s.keyed) {
                heardL = f.process(b.keyState[0], keyL[i]);
                heardR = stereo ? f.process(b.keyState[1], keyR[i]) : heardL;
            } else {
                heardL = bandL[i];
                heardR = bandR[i];
            }
            level[i] = maxNoBranch(std::abs(heardL), std::abs(heardR));
        } else {
            part[i] = !stereo ? yL[i] : mid ? 0.5 * (yL[i] + yR[i]) : 0.5 * (yL[i] - yR[i]);
            bandL[i] = f.process(b.filterState[0], part[i]);
            heardL = bandL[i];
            if (s.keyed) {
                // A mono key is its own mid and has no side.
                const double k = mid ? (stereoKey ? 0.5 * (static_cast<double>(keyL[i]) + keyR[i]) : keyL[i])
                                     : (stereoKey ? 0.5 * (static_cast<double>(keyL[i]) - keyR[i]) : 0.0);
                heardL = f.process(b.keyState[0], k);
            }
            heardR = mid ? heardL : -heardL;
            level[i] = std::abs(heardL);
        }
        level[i] = b.hold.push(level[i]);
        if (listenL) {
            listenL[i] += heardL;
            listenR[i] += heardR;
        }
    }

    if (!gains(b, frames)) return;
    const double* g = work_.gainMinusOne.data();
    if (!midSide) {
        for (int i = 0; i < frames; ++i) {
            yL[i] += g[i] * bandL[i];
            yR[i] += g[i] * bandR[i];
        }
    } else if (!stereo) {
        for (int i = 0; i < frames; ++i)
            yL[i] += g[i] * bandL[i];
    } else {
        for (int i = 0; i < frames; ++i) {
            // A frame the band does not change is left as it is rather than rebuilt from mid and side.
            if (g[i] == 0.0) continue;
            const double newPart = part[i] + g[i] * bandL[i];
            const double other = mid ? 0.5 * (yL[i] - yR[i]) : 0.5 * (yL[i] + yR[i]);
            yL[i] = mid ? newPart + other : other + newPart;
            yR[i] = mid ? newPart - other : other - newPart;
        }
    }
}

void DynamicEq::processChunk(const AudioBlock& block, const AudioBlock& key) {
    const int frames = block.numFrames();
    const bool stereo = block.numChannels() >= 2;
    float* outL = block.channel(0);
    float* outR = stereo ? block.channel(1) : nullptr;
    double* yL = work_.signal[0].data();
    double* yR = work_.signal[1].data();
    for (int i = 0; i < frames; ++i) {
        yL[i] = outL[i];
        yR[i] = stereo ? outR[i] : 0.0;
    }

    bool listening = false;
    for (Band& b : bands_) {
        b.lowest = b.highest = b.gainDb;
        listening = listening || (b.settings.enabled && b.settings.listen);
    }
    if (listening) {
        std::fill_n(work_.listen[0].begin(), frames, 0.0);
        std::fill_n(work_.listen[1].begin(), frames, 0.0);
    }

    // The key is only read, and block only written at the end: key may alias block.
    for (Band& b : bands_)
        if (b.settings.enabled) processBand(b, key, frames, stereo, listening);

    const double* outputL = listening ? work_.listen[0].data() : yL;
    const double* outputR = listening ? work_.listen[1].data() : yR;
    for (int i = 0; i < frames; ++i)
        outL[i] = static_cast<float>(outputL[i]);
    if (stereo)
        for (int i = 0; i < frames; ++i)
            outR[i] = static_cast<float>(outputR[i]);

    for (Band& b : bands_) {
        if (!b.settings.enabled) continue;
        b.meterGainDb.store(b.gainDb);
        if (-b.lowest > b.maxCutDb.load()) b.maxCutDb.store(-b.lowest);
        if (b.highest > b.maxBoostDb.load()) b.maxBoostDb.store(b.highest);
    }
}

} // namespace lathe::dsp
