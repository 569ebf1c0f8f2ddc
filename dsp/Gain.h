#pragma once

#include "AudioBlock.h"
#include "SmoothedValue.h"

namespace lathe::dsp {

// Gain, polarity and mute for any number of channels. Changes ramp per sample (20 ms by default) so a fader
// moved during playback does not click. At 0 dB, polarity normal and not muted the output is bit-identical to
// the input.
class Gain {
public:
    // Jumps to the set gain. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Jumps to the set gain (no ramp). RT safe.
    void reset();
    // In place, any number of channels. RT safe.
    void process(const AudioBlock& block);

    // Each ramps from the current gain over the ramp time. RT safe.
    void setGainDb(double gainDb);
    void setPolarityInverted(bool inverted);
    void setMuted(bool muted);
    // A ramp under way restarts from where it is with the new length. RT safe.
    void setRampSeconds(double seconds);

    // Settings. RT safe.
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
