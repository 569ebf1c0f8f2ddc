#pragma once

#include "AudioBlock.h"
#include "BiquadCoefficients.h"

#include <array>
#include <atomic>
#include <string_view>
#include <vector>

namespace lathe::dsp {

// Small playback systems an engineer checks a master on. Each is a fixed filter model (band limits and the
// main resonance/tilt of the device class), not a measurement of one product: what it answers is "does the
// vocal and the bass line survive on a phone/laptop/earbuds/car", which depends on the band-limits.
enum class PlaybackSystem { Flat, PhoneSpeaker, LaptopSpeakers, Earbuds, Car };
constexpr int kPlaybackSystemCount = 5;
// "flat", "phone", "laptop", "earbuds", "car", and back. RT safe.
const char* playbackSystemName(PlaybackSystem system);
bool playbackSystemFromName(std::string_view name, PlaybackSystem& system);

// The cascade of second-order sections a model runs, and whether it sums to mono first (one speaker).
struct PlaybackModel {
    static constexpr int kMaxSections = 6;
    std::array<BiquadCoefficients, kMaxSections> sections{};
    int numSections = 0;
    bool monoSum = false;
};
// RT safe.
PlaybackModel makePlaybackModel(PlaybackSystem system, double sampleRate);
// The model's analytic magnitude at a frequency for a centred (L = R) signal, from the sections' transfer
// functions; what a test or a report compares a measurement with. RT safe.
double playbackSystemMagnitudeDb(PlaybackSystem system, double sampleRate, double frequency);

// Stereo filter applying one PlaybackSystem model. Flat is bit-transparent. setSystem() is RT safe
// (recomputes coefficients, no allocation) and crossfades ~20 ms from the old model to the new one so a
// switch while playing does not click. Phone speaker sums to mono (one speaker).
class PlaybackSimulation {
public:
    // Starts on the requested model, without a crossfade. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames);
    // Clears the filters and jumps to the requested model, without a crossfade. RT safe.
    void reset();
    // Stores the request only: process() starts the crossfade at the next sample (a request made during a
    // crossfade waits for it to finish, so the output is always a blend of two models); prepare() and
    // reset() start on it at once. RT safe; any thread.
    void setSystem(PlaybackSystem system);
    // The model requested last. RT safe; any thread.
    PlaybackSystem system() const;
    // 1 or 2 channels, in place. RT safe.
    void process(const AudioBlock& block);

private:
    // One model running with its own filter state; two slots so the old model keeps ringing while it fades
    // out.
    struct Slot {
        PlaybackSystem system = PlaybackSystem::Flat;
        PlaybackModel model;
        std::array<std::array<std::array<double, 2>, 2>, PlaybackModel::kMaxSections>
            state{}; // [section][ch]
        void load(PlaybackSystem s, double sampleRate);
        void clearState();
        void run(float* const* in, float* const* out, int channels, int frames);
    };

    void processChunk(const AudioBlock& block);

    double sampleRate_ = 48000.0;
    int maxBlockFrames_ = 0;
    int fadeFrames_ = 960;
    std::atomic<int> requested_{static_cast<int>(PlaybackSystem::Flat)};
    std::array<Slot, 2> slots_{};
    int active_ = 0;             // the slot heard when not fading
    int fadePosition_ = -1;      // frames into a fade from the other slot to active_, -1 when not fading
    std::vector<float> scratch_; // 4 channels x maxBlockFrames: outputs of both slots
};

} // namespace lathe::dsp
