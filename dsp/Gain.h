#pragma once

#include "AudioBlock.h"
#include "SmoothedValue.h"

namespace lathe::dsp {

// Gain, polarity and mute for any number of channels. Changes ramp per sample (20 ms by default) so a fader moved
// during playback does not click. At 0 dB, polarity normal and not muted the output is bit-identical to the input.
class Gain {
public:
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    void reset();
    void process(const AudioBlock& block);

    void setGainDb(double gainDb);
    void setPolarityInverted(bool inverted);
    void setMuted(bool muted);
    void setRampSeconds(double seconds);

    double gainDb() const { return gainDb_; }
    bool polarityInverted() const { return inverted_; }
    bool muted() const { return muted_; }

private:
    void updateTarget();

    double sampleRate_ = 48000.0;
    double rampSeconds_ = 0.02;
    double gainDb_ = 0.0;
    bool inverted_ = false;
    bool muted_ = false;
    SmoothedValue gain_;
};

} // namespace lathe::dsp
