#include "core/chain/MasterChain.h"

#include "core/chain/ChainSettingsMapping.h"

#include <algorithm>

namespace lathe::core {

void MasterChain::prepare(double sampleRate, int maxBlockFrames, const MasterSettings& settings,
                          const MatchStageShape& match) {
    matchEnabled_ = match.enabled();
    if (matchEnabled_) match_.prepare(maxBlockFrames, match.partitionSize, match.taps, match.delayFrames);
    gainRide_.prepare(sampleRate, maxBlockFrames, kMaxAutomationPoints);
    points_.assign(kMaxAutomationPoints, {});
    eq_.prepare(sampleRate, maxBlockFrames, 2);
    dynamicEq_.prepare(sampleRate, maxBlockFrames, 2, kMaxDynamicEqBands);
    compressor_.prepare(sampleRate, maxBlockFrames, 2);
    multiband_.prepare(sampleRate, maxBlockFrames, 2);
    saturation_.prepare(sampleRate, maxBlockFrames, 2, settings.saturation.oversampling);
    width_.prepare(sampleRate, maxBlockFrames, 2);
    limiter_.prepare(sampleRate, maxBlockFrames, settings.limiter);
    configure(settings);
    reset();
}

void MasterChain::reset() {
    gainRide_.reset();
    if (matchEnabled_) match_.reset();
    eq_.reset();
    dynamicEq_.reset();
    compressor_.reset();
    multiband_.reset();
    saturation_.reset();
    width_.reset();
    limiter_.reset();
}

bool MasterChain::needsPrepare(const MasterSettings& prepared, const MasterSettings& next) {
    return next.saturation.oversampling != prepared.saturation.oversampling ||
           LimiterStage::needsPrepare(prepared.limiter, next.limiter);
}

void MasterChain::configure(const MasterSettings& s) {
    configureLane(gainRide_, s.automation.gain_db, points_);
    configureEq(eq_, s.eq);
    dynamicEqEnabled_ = configureDynamicEq(dynamicEq_, s.dynamic_eq);

    compressorEnabled_ = s.compressor.enabled;
    compressor_.setParameters(toCompressorParameters(s.compressor));

    multibandEnabled_ = s.multiband.enabled;
    const int crossovers = std::clamp<int>(static_cast<int>(s.multiband.crossovers_hz.size()), 1,
                                           dsp::MultibandCompressor::kMaxBands - 1);
    multiband_.setCrossoverFrequencies(s.multiband.crossovers_hz.data(), crossovers);
    for (int b = 0; b <= crossovers; ++b) {
        if (b < static_cast<int>(s.multiband.bands.size())) {
            const auto& band = s.multiband.bands[static_cast<size_t>(b)];
            multiband_.setBandParameters(b, toCompressorParameters(band));
            multiband_.setBandEnabled(b, band.enabled);
        } else {
            multiband_.setBandEnabled(b, false);
        }
    }

    saturationEnabled_ = s.saturation.enabled;
    saturation_.setMode(toSaturationMode(s.saturation.mode));
    saturation_.setDriveDb(s.saturation.drive_db);
    saturation_.setMix(s.saturation.mix);

    width_.setWidth(s.width);
    width_.setBalance(s.balance);

    limiter_.configure(s.limiter);
}

void MasterChain::processPreLimiter(const dsp::AudioBlock& stereo, int64_t startFrame) {
    // The ride first: its points are song times at the chain's input, before the match stage's delay.
    if (gainRide_.isActive()) gainRide_.process(stereo, startFrame);
    // Then the match, so the curve corrects what the mix engineer delivered and the master's own EQ and
    // dynamics work on the matched signal (as a Match EQ at the top of a mastering chain).
    if (matchEnabled_) match_.process(stereo);
    // A multiband compressor replaces the broadband one when enabled (the session offers one or the other).
    if (!dynamicEqEnabled_ && !multibandEnabled_ && compressorEnabled_) {
        // The EQ's recursion runs beside the compressor's gain smoothing (same bits as one after the other).
        compressor_.processAfter(eq_, stereo);
    } else {
        eq_.process(stereo);
        if (dynamicEqEnabled_) dynamicEq_.process(stereo);
        if (multibandEnabled_)
            multiband_.process(stereo);
        else if (compressorEnabled_)
            compressor_.process(stereo);
    }
    if (saturationEnabled_) saturation_.process(stereo);
    width_.process(stereo);
}

void MasterChain::processLimiter(const dsp::AudioBlock& stereo) {
    limiter_.process(stereo);
}

int MasterChain::preLimiterLatencyFrames() const {
    // The match stage and the oversampled saturation add latency before the limiter; bypassed, nothing does.
    return (matchEnabled_ ? match_.latencyFrames() : 0) +
           (saturationEnabled_ ? saturation_.latencyFrames() : 0);
}

} // namespace lathe::core
