#include "core/chain/StemChain.h"

#include "core/chain/ChainSettingsMapping.h"

namespace lathe::core {

void StemChain::prepare(double sampleRate, int maxBlockFrames) {
    gain_.prepare(sampleRate, maxBlockFrames, 2);
    eq_.prepare(sampleRate, maxBlockFrames, 2);
    compressor_.prepare(sampleRate, maxBlockFrames, 2);
    width_.prepare(sampleRate, maxBlockFrames, 2);
}

void StemChain::reset() {
    gain_.reset();
    eq_.reset();
    compressor_.reset();
    width_.reset();
}

void StemChain::configure(const StemSettings& s, bool audible) {
    gain_.setGainDb(s.gain_db);
    gain_.setPolarityInverted(s.polarity_inverted);
    gain_.setMuted(!audible);
    configureEq(eq_, s.eq);
    compressorEnabled_ = s.compressor.enabled;
    compressor_.setParameters(toCompressorParameters(s.compressor));
    width_.setWidth(s.width);
}

void StemChain::process(const dsp::AudioBlock& stereo) {
    gain_.process(stereo);
    eq_.process(stereo);
    if (compressorEnabled_) compressor_.process(stereo);
    width_.process(stereo);
}

} // namespace lathe::core
