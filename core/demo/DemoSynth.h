#pragma once

#include <cstdint>
#include <functional>
#include <vector>

// Small offline instruments for the bundled demo song (core/demo/DemoFolder). They render whole notes into
// buffers; nothing here runs on the audio thread, so plain std::vector is fine.
namespace lathe::core::demo {

// splitmix64: a fixed, portable generator so a seed gives the same files on every machine and compiler
// (std::mt19937 is portable too, but the std distributions are not).
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0, 1)
    double bipolar() { return 2.0 * uniform() - 1.0; }                         // [-1, 1)
    int below(int n) { return static_cast<int>(uniform() * n); }
    bool chance(double p) { return uniform() < p; }

private:
    std::uint64_t state_;
};

struct Stereo {
    explicit Stereo(std::int64_t frames) : left(static_cast<std::size_t>(frames)), right(left) {}
    std::int64_t frames() const { return static_cast<std::int64_t>(left.size()); }
    std::vector<float> left, right;
};

double midiToHz(double midi);

// Drums, placed at a start frame; each is a few hundred milliseconds of sound clipped at the buffer's end.
void addKick(Stereo& out, double sampleRate, std::int64_t start, double gain, Rng& rng);
void addSnare(Stereo& out, double sampleRate, std::int64_t start, double gain, Rng& rng);
void addHat(Stereo& out, double sampleRate, std::int64_t start, double gain, bool open, Rng& rng);

// An 808: sine gliding from glideFromMidi to midi, long decay, gentle tanh saturation.
struct BassNote {
    double startSeconds, lengthSeconds, midi, glideFromMidi, gain;
};
void add808(Stereo& out, double sampleRate, const BassNote& note);

// A pad chord of detuned band-limited saws; left and right use different detunings, which is what makes it
// wide.
void addPadChord(Stereo& out, double sampleRate, double startSeconds, double lengthSeconds,
                 const std::vector<int>& midiNotes, double gain, Rng& rng);

// Low-pass both channels with a cutoff that follows cutoffHzAt(seconds), updated every few milliseconds.
void lowPassSweep(Stereo& io, double sampleRate, const std::function<double(double)>& cutoffHzAt);

enum class Vowel { A, E, I, O, U };

struct VocalNote {
    double startSeconds, lengthSeconds, midi;
    Vowel vowel;
    double gain;
};

// A mono singing voice: band-limited glottal source (saw with spectral tilt plus breath noise) through four
// parallel formant band-passes that glide between vowels, with delayed vibrato and portamento. Notes must be
// sorted by start and not overlap.
std::vector<float> renderVoice(const std::vector<VocalNote>& notes, double sampleRate, std::int64_t frames,
                               Rng& rng);

// Decorrelated stereo noise, band-limited to [lowHz, highHz], decaying exponentially: a reverb return's tail.
void addNoiseTail(Stereo& out, double sampleRate, double startSeconds, double decaySeconds, double lowHz,
                  double highHz, double gain, Rng& rng);

// Noise through a band-pass sweeping up over lengthSeconds, growing in level: the classic build before a
// drop.
void addRiser(Stereo& out, double sampleRate, double startSeconds, double lengthSeconds, double gain,
              Rng& rng);

} // namespace lathe::core::demo
