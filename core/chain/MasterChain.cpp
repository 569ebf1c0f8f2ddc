#include "core/chain/MasterChain.h"

#include "core/chain/ChainSettingsMapping.h"

#include <algorithm>

namespace lathe::core {

void MasterChain::prepare(double sampleRate, int maxBlockFrames, const MasterSettings& settings) {
    eq_.prepare(sampleRate, maxBlockFrames, 2);
    compressor_.prepare(sampleRate, maxBlockFrames, 2);
    multiband_.prepare(sampleRate, maxBlockFrames, 2);
    saturation_.prepare(sampleRate, maxBlockFrames, 2, settings.saturation.oversampling);
    width_.prepare(sampleRate, maxBlockFrames, 2);
    limiter_.prepare(sampleRate, maxBlockFrames, settings.limiter);
    configure(settings);
    reset();
}

void MasterChain::reset() {
    eq_.reset();
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
    configureEq(eq_, s.eq);

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

void MasterChain::processPreLimiter(const dsp::AudioBlock& stereo) {
    eq_.process(stereo);
    // A multiband compressor replaces the broadband one when enabled (the session offers one or the other).
    if (multibandEnabled_)
        multiband_.process(stereo);
    else if (compressorEnabled_)
        compressor_.process(stereo);
    if (saturationEnabled_) saturation_.process(stereo);
    width_.process(stereo);
}

void MasterChain::processLimiter(const dsp::AudioBlock& stereo) {
    limiter_.process(stereo);
}

int MasterChain::preLimiterLatencyFrames() const {
    // Only the oversampled saturation adds latency before the limiter; when it is bypassed nothing does.
    return saturationEnabled_ ? saturation_.latencyFrames() : 0;
}

} // namespace lathe::core
