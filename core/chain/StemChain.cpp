#include "core/chain/StemChain.h"

#include "core/chain/ChainSettingsMapping.h"

#include <algorithm>

namespace lathe::core {

void StemChain::prepare(double sampleRate, int maxBlockFrames, const StemSettings& settings) {
    gain_.prepare(sampleRate, maxBlockFrames, 2);
    gainRide_.prepare(sampleRate, maxBlockFrames, kMaxAutomationPoints);
    eq_.prepare(sampleRate, maxBlockFrames, 2);
    dynamicEq_.prepare(sampleRate, maxBlockFrames, 2, kMaxDynamicEqBands);
    compressor_.prepare(sampleRate, maxBlockFrames, 2);
    width_.prepare(sampleRate, maxBlockFrames, 2);
    widthRide_.prepare(sampleRate, maxBlockFrames, kMaxAutomationPoints);
    peakControlOn_ = settings.peak_control.enabled;
    // Peak control's oversampler and limiter are only built for a stem that uses them.
    if (peakControlOn_)
        peakControl_.prepare(sampleRate, maxBlockFrames, 2, settings.peak_control.oversampling);
    compensation_.prepare(0, 2);
    points_.assign(kMaxAutomationPoints, {});
}

void StemChain::reset() {
    gain_.reset();
    gainRide_.reset();
    eq_.reset();
    dynamicEq_.reset();
    compressor_.reset();
    width_.reset();
    widthRide_.reset();
    if (peakControlOn_) peakControl_.reset();
    compensation_.reset();
}

bool StemChain::needsPrepare(const StemSettings& prepared, const StemSettings& next) {
    return prepared.peak_control.enabled != next.peak_control.enabled ||
           (next.peak_control.enabled &&
            prepared.peak_control.oversampling != next.peak_control.oversampling);
}

void StemChain::configure(const StemSettings& s, bool audible) {
    gain_.setGainDb(s.gain_db);
    gain_.setPolarityInverted(s.polarity_inverted);
    gain_.setMuted(!audible);
    configureLane(gainRide_, s.automation.gain_db, points_);
    configureEq(eq_, s.eq);
    dynamicEqEnabled_ = configureDynamicEq(dynamicEq_, s.dynamic_eq);
    compressorEnabled_ = s.compressor.enabled;
    compressorKeyed_ = s.compressor.key != "self";
    compressor_.setParameters(toCompressorParameters(s.compressor));
    width_.setWidth(s.width);
    configureLane(widthRide_, s.automation.width, points_);
    if (peakControlOn_) peakControl_.setParameters(toPeakControlParameters(s.peak_control));
    keyed_ = compressorEnabled_ && compressorKeyed_;
    for (const auto& band : s.dynamic_eq)
        keyed_ = keyed_ || (band.enabled && band.key != "self");
}

void StemChain::process(const dsp::AudioBlock& stereo, int64_t startFrame, const dsp::AudioBlock* key) {
    gain_.process(stereo);
    if (gainRide_.isActive()) gainRide_.process(stereo, startFrame);
    const dsp::AudioBlock* compressorKey = compressorKeyed_ ? key : nullptr;
    if (compressorEnabled_ && !dynamicEqEnabled_) {
        // The EQ's recursion runs beside the compressor's gain smoothing (same bits as one after the other).
        compressor_.processAfter(eq_, stereo, compressorKey);
    } else {
        eq_.process(stereo);
        if (dynamicEqEnabled_) {
            if (key)
                dynamicEq_.process(stereo, *key);
            else
                dynamicEq_.process(stereo);
        }
        if (compressorEnabled_) {
            if (compressorKey)
                compressor_.process(stereo, *compressorKey);
            else
                compressor_.process(stereo);
        }
    }
    width_.process(stereo);
    if (widthRide_.isActive()) widthRide_.process(stereo, startFrame);
    if (peakControlOn_) peakControl_.process(stereo);
    if (const int delay = compensation_.delayFrames(); delay > 0) {
        float* l = stereo.channel(0);
        float* r = stereo.channel(1);
        for (int k = 0; k < stereo.numFrames(); ++k) {
            l[k] = compensation_.push(0, l[k]);
            r[k] = compensation_.push(1, r[k]);
            compensation_.advance();
        }
    }
}

void StemChain::setLatencyCompensation(int frames) {
    compensation_.prepare(std::max(frames, 0), 2);
}

int alignStemLatencies(const std::vector<StemChain*>& chains) {
    int latency = 0;
    for (const StemChain* chain : chains)
        latency = std::max(latency, chain->latencyFrames());
    for (StemChain* chain : chains)
        chain->setLatencyCompensation(latency - chain->latencyFrames());
    return latency;
}

} // namespace lathe::core
