#include "support/StemSignals.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numbers>

namespace lathe::test {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

PlanarAudio silence(double seconds, int rate) {
    return PlanarAudio(2, std::vector<float>(static_cast<size_t>(std::llround(seconds * rate)), 0.0f));
}

// xorshift64: deterministic noise in [-1, 1).
struct Noise {
    uint64_t state = 0x9E3779B97F4A7C15ull;
    double next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<double>(state >> 11) / static_cast<double>(1ull << 52) - 1.0;
    }
};

} // namespace

PlanarAudio kickStem(double seconds, int rate, double amplitude, double periodSeconds, double firstSeconds) {
    PlanarAudio a = silence(seconds, rate);
    const size_t n = a[0].size();
    for (double start = firstSeconds; start < seconds; start += periodSeconds) {
        const auto first = static_cast<size_t>(std::llround(start * rate));
        double phase = 0.0;
        for (size_t i = first; i < n && i < first + static_cast<size_t>(0.6 * rate); ++i) {
            const double t = static_cast<double>(i - first) / rate;
            const double f = 45.0 + 15.0 * std::exp(-t / 0.05);
            phase += kTwoPi * f / rate;
            const double env = std::min(1.0, t / 0.002) * std::exp(-t / 0.15);
            const auto x = static_cast<float>(amplitude * env * std::sin(phase));
            a[0][i] += x;
            a[1][i] += x;
        }
    }
    return a;
}

PlanarAudio bassStem(double seconds, int rate, const std::vector<Note>& notes) {
    PlanarAudio a = silence(seconds, rate);
    const size_t n = a[0].size();
    for (const Note& note : notes) {
        const auto first = static_cast<size_t>(std::llround(note.startSeconds * rate));
        const auto length = static_cast<size_t>(std::llround(note.lengthSeconds * rate));
        const double fade = 0.005 * rate;
        for (size_t k = 0; k < length && first + k < n; ++k) {
            const double env =
                std::min({1.0, static_cast<double>(k) / fade, static_cast<double>(length - k) / fade});
            const auto x = static_cast<float>(
                note.amplitude * env * std::sin(kTwoPi * note.frequencyHz * static_cast<double>(k) / rate));
            a[0][first + k] += x;
            a[1][first + k] += x;
        }
    }
    return a;
}

PlanarAudio voiceStem(double seconds, int rate, double amplitude) {
    PlanarAudio a = silence(seconds, rate);
    const double f0 = 220.0;
    const int harmonics = static_cast<int>(4000.0 / f0);
    double norm = 0.0;
    for (int h = 1; h <= harmonics; ++h)
        norm += 1.0 / h;
    for (size_t i = 0; i < a[0].size(); ++i) {
        const double t = static_cast<double>(i) / rate;
        const double syllable = std::fmod(t, 0.25) / 0.25;
        const double env = std::sin(std::numbers::pi * syllable); // each syllable swells and fades
        // A slight vibrato keeps the harmonics from locking to any filter's period.
        const double phase = kTwoPi * f0 * t + 0.3 * std::sin(kTwoPi * 5.0 * t);
        double x = 0.0;
        for (int h = 1; h <= harmonics; ++h)
            x += std::sin(h * phase) / h;
        a[0][i] = a[1][i] = static_cast<float>(amplitude * env * x / norm * 2.0);
    }
    return a;
}

PlanarAudio snareStem(double seconds, int rate, double amplitude, double periodSeconds) {
    PlanarAudio a = silence(seconds, rate);
    const size_t n = a[0].size();
    Noise noise;
    for (double start = periodSeconds / 2; start < seconds; start += periodSeconds) {
        const auto first = static_cast<size_t>(std::llround(start * rate));
        for (size_t i = first; i < n && i < first + static_cast<size_t>(0.2 * rate); ++i) {
            const double t = static_cast<double>(i - first) / rate;
            const double crack = t < 0.003 ? 1.0 : std::exp(-(t - 0.003) / 0.002);
            const double body = 0.25 * std::exp(-t / 0.12) * std::sin(kTwoPi * 200.0 * t);
            const auto x = static_cast<float>(amplitude * (crack * noise.next() + body));
            a[0][i] += x;
            a[1][i] += x;
        }
    }
    return a;
}

PlanarAudio padStem(double seconds, int rate, double amplitude, double sideRatio) {
    PlanarAudio a = silence(seconds, rate);
    const double chord[] = {261.63, 329.63, 392.0, 523.25};
    for (size_t i = 0; i < a[0].size(); ++i) {
        const double t = static_cast<double>(i) / rate;
        double mid = 0.0, side = 0.0;
        for (int v = 0; v < 4; ++v) {
            mid += std::sin(kTwoPi * chord[v] * t);
            side += std::sin(kTwoPi * chord[v] * 1.003 * t + v); // detuned: the width
        }
        mid *= amplitude / 4.0;
        side *= amplitude * sideRatio / 4.0;
        a[0][i] = static_cast<float>(mid + side);
        a[1][i] = static_cast<float>(mid - side);
    }
    return a;
}

PlanarAudio sumOf(const std::vector<const PlanarAudio*>& stems) {
    PlanarAudio sum = *stems.front();
    for (size_t s = 1; s < stems.size(); ++s)
        for (size_t c = 0; c < 2; ++c)
            for (size_t i = 0; i < sum[c].size(); ++i)
                sum[c][i] += (*stems[s])[c][i];
    return sum;
}

core::Session writeStemFolder(const std::string& dir, const std::vector<StemSource>& stems, int rate,
                              const std::string& mode) {
    // The client folder is <dir>/song, so a render may write beside it (<dir>/out).
    const std::string folder = dir + "/song";
    std::filesystem::create_directories(folder);
    core::Session s;
    s.folder = folder;
    s.song = "song";
    s.sample_rate = rate;
    std::vector<const PlanarAudio*> all;
    for (const StemSource& stem : stems) {
        writeTestAudio(folder + "/" + stem.id + ".wav", stem.audio, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
        core::StemSettings settings;
        settings.id = stem.id;
        settings.role = stem.role;
        settings.path = folder + "/" + stem.id + ".wav";
        s.stems.push_back(settings);
        all.push_back(&stem.audio);
    }
    writeTestAudio(folder + "/mix.wav", sumOf(all), rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    s.mix = folder + "/mix.wav";
    s.master.compressor.enabled = false;
    s.master.multiband.bands.assign(s.master.multiband.crossovers_hz.size() + 1, core::CompressorSettings{});
    s.output.mode = mode;
    s.output.bit_depth = 32;
    s.output.mp3 = false;
    return s;
}

} // namespace lathe::test
