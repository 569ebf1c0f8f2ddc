#include "core/chain/MasterChain.h"

#include "core/chain/ChainSettingsMapping.h"

#include <algorithm>

namespace lathe::core {

void MasterChain::prepare(double sampleRate, int maxBlockFrames, const MasterSettings& settings) {
    sampleRate_ = sampleRate;
    maxBlockFrames_ = maxBlockFrames;
    saturationOversampling_ = settings.saturation.oversampling;
    lookaheadMs_ = settings.limiter.lookahead_ms;
    limiter_.setLookaheadMs(lookaheadMs_);
    eq_.prepare(sampleRate, maxBlockFrames, 2);
    compressor_.prepare(sampleRate, maxBlockFrames, 2);
    multiband_.prepare(sampleRate, maxBlockFrames, 2);
    saturation_.prepare(sampleRate, maxBlockFrames, 2, saturationOversampling_);
    width_.prepare(sampleRate, maxBlockFrames, 2);
    limiter_.prepare(sampleRate, maxBlockFrames, 2);
    limiterBypassGain_.prepare(sampleRate, maxBlockFrames, 2);
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
    limiterBypassGain_.reset();
}

bool MasterChain::configure(const MasterSettings& s) {
    const int bands = std::min<int>(static_cast<int>(s.eq.size()), dsp::ParametricEq::kMaxBands);
    eq_.setNumBands(bands);
    for (int i = 0; i < bands; ++i)
        eq_.setBand(i, toEqBand(s.eq[static_cast<size_t>(i)]));

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
    saturation_.setMode(s.saturation.mode == "tape" ? dsp::SaturationMode::Tape
                                                    : dsp::SaturationMode::SoftClip);
    saturation_.setDriveDb(s.saturation.drive_db);
    saturation_.setMix(s.saturation.mix);

    width_.setWidth(s.width);
    width_.setBalance(s.balance);

    limiterEnabled_ = s.limiter.enabled;
    limiter_.setCeilingDbtp(s.limiter.ceiling_dbtp);
    limiter_.setReleaseMs(s.limiter.release_ms);

    return s.saturation.oversampling == saturationOversampling_ && s.limiter.lookahead_ms == lookaheadMs_;
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
    if (limiterEnabled_)
        limiter_.process(stereo);
    else
        limiterBypassGain_.process(stereo);
}

int MasterChain::preLimiterLatencyFrames() const {
    // Only the oversampled saturation adds latency before the limiter; when it is bypassed nothing does.
    return saturationEnabled_ ? saturation_.latencyFrames() : 0;
}

void MasterChain::setLimiterInputGainDb(double gainDb) {
    limiter_.setInputGainDb(gainDb);
    limiterBypassGain_.setGainDb(gainDb);
}

void MasterChain::setLimiterCeilingDbtp(double ceilingDbtp) {
    limiter_.setCeilingDbtp(ceilingDbtp);
}

} // namespace lathe::core
