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
        b.hold.prepare(1, 0.0, maxHoldFrames_);
    for (auto& l : listen_)
        l.assign(static_cast<std::size_t>(maxBlockFrames_), 0.0);
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
        b.gainMinusOne = 0.0;
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
        b.gainMinusOne = 0.0;
    }
    // One period of the band's frequency: long enough to hold a steady note's peak through its cycle.
    const int holdFrames = std::clamp(
        static_cast<int>(std::ceil(sampleRate_ / std::max(settings.frequencyHz, 1.0))), 1, maxHoldFrames_);
    if (restart || holdFrames != b.hold.window()) b.hold.setWindow(holdFrames);
}

double DynamicEq::follow(Band& b, double instantLevel) {
    const DynamicEqBand& s = b.settings;
    const double level = -b.hold.push(-instantLevel);
    double target = 0.0;
    // The level's only use is the static curve: where the curve is flat (below the threshold when cutting,
    // above it when boosting) the logarithm is skipped.
    if (s.mode == DynamicEqMode::CutAbove) {
        if (level > b.thresholdLinear)
            target = -std::min(b.range, b.slope * (fastGainToDb(level) - s.thresholdDb));
    } else if (level < b.thresholdLinear) {
        target = std::min(b.range, b.slope * (s.thresholdDb - fastGainToDb(std::max(level, kLevelFloor))));
    }
    const double previous = b.gainDb;
    double gain = target + (target < previous ? b.attackCoeff : b.releaseCoeff) * (previous - target);
    if (std::abs(gain) < kGainFloorDb) gain = 0.0;
    b.gainDb = gain;
    b.lowest = std::min(b.lowest, gain);
    b.highest = std::max(b.highest, gain);
    // fastDbToGain(0) is exactly 1, so a band at rest adds exactly 0.
    if (gain != previous) b.gainMinusOne = gain == 0.0 ? 0.0 : fastDbToGain(gain) - 1.0;
    return b.gainMinusOne;
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

void DynamicEq::processChunk(const AudioBlock& block, const AudioBlock& key) {
    const int frames = block.numFrames();
    const bool stereo = block.numChannels() >= 2;
    const bool stereoKey = key.numChannels() >= 2;
    float* outL = block.channel(0);
    float* outR = stereo ? block.channel(1) : nullptr;
    const float* keyL = key.channel(0);
    const float* keyR = key.channel(stereoKey ? 1 : 0);

    bool listening = false;
    for (Band& b : bands_) {
        b.lowest = b.highest = b.gainDb;
        listening = listening || (b.settings.enabled && b.settings.listen);
    }
    if (listening) {
        std::fill_n(listen_[0].begin(), frames, 0.0);
        std::fill_n(listen_[1].begin(), frames, 0.0);
    }

    for (int i = 0; i < frames; ++i) {
        // The key's frame is read before the block's frame is written, so key may alias block.
        const double kl = keyL[i], kr = keyR[i];
        double l = outL[i], r = stereo ? outR[i] : 0.0;
        for (Band& b : bands_) {
            const DynamicEqBand& s = b.settings;
            if (!s.enabled) continue;
            const BandFilter& f = b.filter;
            double heardL = 0.0, heardR = 0.0; // the detector signal, for listening
            switch (s.channels) {
            case BandChannels::Stereo: {
                const double bandL = f.process(b.filterState[0], l);
                const double bandR = stereo ? f.process(b.filterState[1], r) : bandL;
                if (s.keyed) {
                    heardL = f.process(b.keyState[0], kl);
                    heardR = stereo ? f.process(b.keyState[1], kr) : heardL;
                } else {
                    heardL = bandL;
                    heardR = bandR;
                }
                const double g = follow(b, std::max(std::abs(heardL), std::abs(heardR)));
                l += g * bandL;
                r += g * bandR;
                break;
            }
            case BandChannels::Mid:
            case BandChannels::Side: {
                const bool mid = s.channels == BandChannels::Mid;
                if (!stereo && !mid) {
                    heardL = heardR = 0.0; // a mono block has no side
                    break;
                }
                const double m = stereo ? 0.5 * (l + r) : l, side = stereo ? 0.5 * (l - r) : 0.0;
                const double band = f.process(b.filterState[0], mid ? m : side);
                double heard = band;
                if (s.keyed) {
                    // A mono key is its own mid and has no side.
                    const double keyPart =
                        mid ? (stereoKey ? 0.5 * (kl + kr) : kl) : (stereoKey ? 0.5 * (kl - kr) : 0.0);
                    heard = f.process(b.keyState[0], keyPart);
                }
                heardL = heard;
                heardR = mid ? heard : -heard;
                const double g = follow(b, std::abs(heard));
                // A band at rest adds exactly 0: leave the frame as it is rather than rebuild it.
                if (g != 0.0) {
                    if (!stereo) {
                        l += g * band;
                    } else if (mid) {
                        const double newMid = m + g * band;
                        l = newMid + side;
                        r = newMid - side;
                    } else {
                        const double newSide = side + g * band;
                        l = m + newSide;
                        r = m - newSide;
                    }
                }
                break;
            }
            }
            if (listening && s.listen) {
                listen_[0][static_cast<std::size_t>(i)] += heardL;
                listen_[1][static_cast<std::size_t>(i)] += heardR;
            }
        }
        outL[i] = static_cast<float>(l);
        if (stereo) outR[i] = static_cast<float>(r);
    }

    if (listening) {
        for (int i = 0; i < frames; ++i)
            outL[i] = static_cast<float>(listen_[0][static_cast<std::size_t>(i)]);
        if (stereo)
            for (int i = 0; i < frames; ++i)
                outR[i] = static_cast<float>(listen_[1][static_cast<std::size_t>(i)]);
    }

    for (Band& b : bands_) {
        if (!b.settings.enabled) continue;
        b.meterGainDb.store(b.gainDb);
        if (-b.lowest > b.maxCutDb.load()) b.maxCutDb.store(-b.lowest);
        if (b.highest > b.maxBoostDb.load()) b.maxBoostDb.store(b.highest);
    }
}

} // namespace lathe::dsp
