#pragma once

#include "AudioBlock.h"

#include <string_view>

namespace lathe::dsp {

// Small playback systems an engineer checks a master on. Each is a fixed filter model (band limits and the
// main resonance/tilt of the device class), not a measurement of one product: what it answers is "does the
// vocal and the bass line survive on a phone/laptop/earbuds/car", which depends on the band-limits.
enum class PlaybackSystem { Flat, PhoneSpeaker, LaptopSpeakers, Earbuds, Car };
constexpr int kPlaybackSystemCount = 5;
const char* playbackSystemName(PlaybackSystem system); // "flat","phone","laptop","earbuds","car"
bool playbackSystemFromName(std::string_view name, PlaybackSystem& system);

// Stereo filter applying one PlaybackSystem model. Flat is bit-transparent. setSystem() is real-time safe
// (recomputes coefficients, no allocation) and crossfades ~20 ms from the old model to the new one so a
// switch while playing does not click. Phone speaker sums to mono (one speaker).
class PlaybackSimulation {
public:
    void prepare(double sampleRate, int maxBlockFrames);
    void reset();
    void setSystem(PlaybackSystem system);
    PlaybackSystem system() const;
    void process(const AudioBlock& block); // 1 or 2 channels, in place
};

} // namespace lathe::dsp
