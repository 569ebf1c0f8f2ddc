#include "PlaybackSimulation.h"

#include "Decibels.h"

#include <algorithm>
#include <cmath>
#include <complex>

namespace lathe::dsp {

namespace {

// Fourth-order Butterworth as two sections (Q of the pole pairs for n = 4).
constexpr double kButterworth4Q1 = 0.5411961;
constexpr double kButterworth4Q2 = 1.3065630;
constexpr double kButterworth2Q = 0.7071068;
constexpr double kCrossfadeSeconds = 0.02;

struct Named {
    PlaybackSystem system;
    const char* name;
};
constexpr std::array<Named, kPlaybackSystemCount> kNames{{{PlaybackSystem::Flat, "flat"},
                                                          {PlaybackSystem::PhoneSpeaker, "phone"},
                                                          {PlaybackSystem::LaptopSpeakers, "laptop"},
                                                          {PlaybackSystem::Earbuds, "earbuds"},
                                                          {PlaybackSystem::Car, "car"}}};

} // namespace

const char* playbackSystemName(PlaybackSystem system) {
    for (const auto& n : kNames)
        if (n.system == system) return n.name;
    return "flat";
}

bool playbackSystemFromName(std::string_view name, PlaybackSystem& system) {
    for (const auto& n : kNames)
        if (name == n.name) {
            system = n.system;
            return true;
        }
    return false;
}

PlaybackModel makePlaybackModel(PlaybackSystem system, double fs) {
    PlaybackModel m;
    auto add = [&m](const BiquadCoefficients& c) {
        m.sections[static_cast<std::size_t>(m.numSections++)] = c;
    };
    switch (system) {
    case PlaybackSystem::Flat:
        break;
    case PlaybackSystem::PhoneSpeaker:
        // A 10-15 mm micro speaker in a sealed phone: nothing useful below ~350 Hz (24 dB/oct), a resonance
        // lifting the presence region, and little above ~9 kHz. One speaker, so the mix is heard in mono.
        m.monoSum = true;
        add(makeHighPass(fs, 350.0, kButterworth4Q1));
        add(makeHighPass(fs, 350.0, kButterworth4Q2));
        add(makeLowPass(fs, 9000.0, kButterworth2Q));
        add(makeBell(fs, 2500.0, 1.2, 3.0));
        break;
    case PlaybackSystem::LaptopSpeakers:
        // Two small drivers a few cm apart: bass gone below ~180 Hz, a boxy low-mid/mid bump, top rolled at
        // 14 kHz.
        add(makeHighPass(fs, 180.0, kButterworth4Q1));
        add(makeHighPass(fs, 180.0, kButterworth4Q2));
        add(makeLowPass(fs, 14000.0, kButterworth2Q));
        add(makeBell(fs, 1000.0, 1.0, 2.5));
        break;
    case PlaybackSystem::Earbuds:
        // Sealed in the ear canal the bass mostly survives; leakage rolls off the lowest octave, and the
        // canal resonance shows as a peak around 4 kHz.
        add(makeHighPass(fs, 40.0, kButterworth2Q));
        add(makeBell(fs, 4000.0, 2.0, 4.0));
        break;
    case PlaybackSystem::Car:
        // Cabin gain lifts the low end below ~80 Hz; seats, glass and off-axis tweeters dull the top.
        add(makeLowShelf(fs, 80.0, kButterworth2Q, 5.0));
        add(makeHighShelf(fs, 8000.0, kButterworth2Q, -4.0));
        break;
    }
    return m;
}

double playbackSystemMagnitudeDb(PlaybackSystem system, double sampleRate, double frequency) {
    const PlaybackModel m = makePlaybackModel(system, sampleRate);
    std::complex<double> h = 1.0;
    for (int s = 0; s < m.numSections; ++s)
        h *= response(m.sections[static_cast<std::size_t>(s)], sampleRate, frequency);
    return gainToDb(std::abs(h));
}

void PlaybackSimulation::Slot::load(PlaybackSystem s, double sampleRate) {
    system = s;
    model = makePlaybackModel(s, sampleRate);
    clearState();
}

void PlaybackSimulation::Slot::clearState() {
    for (auto& section : state)
        for (auto& ch : section)
            ch = {0.0, 0.0};
}

void PlaybackSimulation::Slot::run(float* const* in, float* const* out, int channels, int frames) {
    const bool mono = model.monoSum && channels == 2;
    for (int c = 0; c < channels; ++c) {
        // Mono sum: the left path carries (L + R) / 2 and the right path copies it, so a centred signal keeps
        // its level and the filter runs once.
        if (mono && c == 1) {
            std::copy(out[0], out[0] + frames, out[1]);
            break;
        }
        for (int i = 0; i < frames; ++i) {
            double x =
                mono ? 0.5 * (static_cast<double>(in[0][i]) + in[1][i]) : static_cast<double>(in[c][i]);
            for (int s = 0; s < model.numSections; ++s) {
                const BiquadCoefficients& k = model.sections[static_cast<std::size_t>(s)];
                auto& z = state[static_cast<std::size_t>(s)][static_cast<std::size_t>(c)];
                const double y = k.b0 * x + z[0];
                z[0] = k.b1 * x - k.a1 * y + z[1];
                z[1] = k.b2 * x - k.a2 * y;
                x = y;
            }
            out[c][i] = static_cast<float>(x);
        }
    }
}

void PlaybackSimulation::prepare(double sampleRate, int maxBlockFrames) {
    sampleRate_ = sampleRate;
    maxBlockFrames_ = std::max(1, maxBlockFrames);
    fadeFrames_ = std::max(1, static_cast<int>(std::lround(kCrossfadeSeconds * sampleRate)));
    scratch_.assign(static_cast<std::size_t>(4 * maxBlockFrames_), 0.0f);
    const auto wanted = static_cast<PlaybackSystem>(requested_.load(std::memory_order_acquire));
    active_ = 0;
    slots_[0].load(wanted, sampleRate_);
    slots_[1].load(PlaybackSystem::Flat, sampleRate_);
    fadePosition_ = -1;
}

void PlaybackSimulation::reset() {
    // A reset jumps straight to the requested model: there is no previous output to blend from.
    const auto wanted = static_cast<PlaybackSystem>(requested_.load(std::memory_order_acquire));
    if (slots_[static_cast<std::size_t>(active_)].system != wanted)
        slots_[static_cast<std::size_t>(active_)].load(wanted, sampleRate_);
    for (auto& slot : slots_)
        slot.clearState();
    fadePosition_ = -1;
}

void PlaybackSimulation::setSystem(PlaybackSystem system) {
    requested_.store(static_cast<int>(system), std::memory_order_release);
}

PlaybackSystem PlaybackSimulation::system() const {
    return static_cast<PlaybackSystem>(requested_.load(std::memory_order_acquire));
}

void PlaybackSimulation::process(const AudioBlock& block) {
    for (int start = 0; start < block.numFrames(); start += maxBlockFrames_)
        processChunk(block.subBlock(start, std::min(maxBlockFrames_, block.numFrames() - start)));
}

void PlaybackSimulation::processChunk(const AudioBlock& block) {
    const int channels = std::min(block.numChannels(), 2);
    const int frames = block.numFrames();
    if (channels == 0 || frames == 0) return;

    const auto wanted = static_cast<PlaybackSystem>(requested_.load(std::memory_order_acquire));
    if (fadePosition_ < 0 && wanted != slots_[static_cast<std::size_t>(active_)].system) {
        // The new model starts from silent state; its start-up transient is inside the fade-in, where it is
        // scaled down to nothing.
        active_ = 1 - active_;
        slots_[static_cast<std::size_t>(active_)].load(wanted, sampleRate_);
        fadePosition_ = 0;
    }

    Slot& current = slots_[static_cast<std::size_t>(active_)];
    if (fadePosition_ < 0) {
        if (current.system == PlaybackSystem::Flat) return; // bit-transparent
        current.run(block.channels(), block.channels(), channels, frames);
        return;
    }

    Slot& previous = slots_[static_cast<std::size_t>(1 - active_)];
    float* oldOut[2] = {scratch_.data(), scratch_.data() + maxBlockFrames_};
    float* newOut[2] = {scratch_.data() + 2 * maxBlockFrames_, scratch_.data() + 3 * maxBlockFrames_};
    previous.run(block.channels(), oldOut, channels, frames);
    current.run(block.channels(), newOut, channels, frames);

    const double step = 1.0 / fadeFrames_;
    for (int i = 0; i < frames; ++i) {
        const int position = std::min(fadePosition_ + i, fadeFrames_);
        // Equal-gain (linear) crossfade: both models see the same signal, so their outputs are correlated and
        // a linear blend keeps the level steady where equal-power would bulge by up to 3 dB.
        const double g = position * step;
        for (int c = 0; c < channels; ++c)
            block.channel(c)[i] = static_cast<float>((1.0 - g) * oldOut[c][i] + g * newOut[c][i]);
    }
    fadePosition_ += frames;
    if (fadePosition_ >= fadeFrames_) fadePosition_ = -1;
}

} // namespace lathe::dsp
