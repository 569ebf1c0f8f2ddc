#include "core/chain/LimiterStage.h"

#include "core/chain/ChainPolicy.h"
#include "core/chain/ChainSettingsMapping.h"

namespace lathe::core {

void LimiterStage::prepare(double sampleRate, int maxBlockFrames, const LimiterSettings& settings) {
    limiter_.prepare(sampleRate, maxBlockFrames, 2, toLimiterConfig(settings));
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
    if (settings.style == "safe")
        limiter_.setReleaseMs(settings.release_ms);
    else
        limiter_.setAdaptiveRelease(settings.fast_release_ms, settings.release_ms, settings.sustain_ms);
    limiter_.setStereoLink(settings.stereo_link);
    const LimiterOnset onset = limiterOnset(settings);
    limiter_.setOnsetDepthsDb(onset.shallowDb, onset.deepDb);
    limiter_.setShallowReleaseScale(onset.shallowReleaseScale);
    limiter_.setSoftClipDb(settings.soft_clip_db);
}

bool LimiterStage::needsPrepare(const LimiterSettings& prepared, const LimiterSettings& next) {
    return !(toLimiterConfig(next) == toLimiterConfig(prepared));
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
