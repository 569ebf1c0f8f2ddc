#include "core/chain/LimiterStage.h"

#include "core/chain/ChainPolicy.h"

namespace lathe::core {

void LimiterStage::prepare(double sampleRate, int maxBlockFrames, const LimiterSettings& settings) {
    limiter_.setLookaheadMs(settings.lookahead_ms);
    limiter_.prepare(sampleRate, maxBlockFrames, 2);
    bypassGain_.prepare(sampleRate, maxBlockFrames, 2);
    configure(settings);
    reset();
}

void LimiterStage::reset() {
    limiter_.reset();
    bypassGain_.reset();
}

void LimiterStage::configure(const LimiterSettings& settings) {
    enabled_ = settings.enabled;
    limiter_.setCeilingDbtp(limiterCeilingDbtp(settings));
    limiter_.setReleaseMs(settings.release_ms);
}

void LimiterStage::setInputGainDb(double gainDb) {
    limiter_.setInputGainDb(gainDb);
    bypassGain_.setGainDb(gainDb);
}

void LimiterStage::process(const dsp::AudioBlock& stereo) {
    if (enabled_)
        limiter_.process(stereo);
    else
        bypassGain_.process(stereo);
}

} // namespace lathe::core
