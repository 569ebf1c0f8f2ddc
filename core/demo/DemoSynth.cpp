#include "core/demo/DemoSynth.h"

#include "dsp/Biquad.h"
#include "dsp/BiquadCoefficients.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace lathe::core::demo {

using dsp::Biquad;

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

std::int64_t toFrame(double seconds, double sampleRate) {
    return std::llround(seconds * sampleRate);
}

// Frames of a sound starting at `start` and lasting `length` that fall inside the buffer.
std::int64_t framesInside(const Stereo& out, std::int64_t start, std::int64_t length) {
    return std::clamp<std::int64_t>(out.frames() - start, 0, length);
}

void add(Stereo& out, std::int64_t frame, double left, double right) {
    const auto i = static_cast<std::size_t>(frame);
    out.left[i] += static_cast<float>(left);
    out.right[i] += static_cast<float>(right);
}

// PolyBLEP residual: subtracting it from a naive saw removes most of the aliasing from its jump, which
// matters for pads and the voice source whose harmonics reach Nyquist.
double polyBlep(double phase, double dt) {
    if (phase < dt) {
        const double t = phase / dt;
        return t + t - t * t - 1.0;
    }
    if (phase > 1.0 - dt) {
        const double t = (phase - 1.0) / dt;
        return t * t + t + t + 1.0;
    }
    return 0.0;
}

// Exponential decay by repeated multiplication: exp() per sample dominated the drum render time.
struct Decay {
    Decay(double start, double timeConstantSeconds, double sampleRate)
        : value(start), factor(std::exp(-1.0 / (timeConstantSeconds * sampleRate))) {}
    double next() {
        const double v = value;
        value *= factor;
        return v;
    }
    double value, factor;
};

// A fixed-frequency sine by rotating a phasor; drift over a second is far below audibility.
struct Sine {
    Sine(double hz, double sampleRate)
        : cosw(std::cos(kTwoPi * hz / sampleRate)), sinw(std::sin(kTwoPi * hz / sampleRate)) {}
    double next() {
        const double out = s;
        const double nc = c * cosw - s * sinw;
        s = s * cosw + c * sinw;
        c = nc;
        return out;
    }
    double c = 1.0, s = 0.0, cosw, sinw;
};

struct Saw {
    double phase = 0.0;
    double next(double dt) {
        phase += dt;
        if (phase >= 1.0) phase -= 1.0;
        return 2.0 * phase - 1.0 - polyBlep(phase, dt);
    }
};

} // namespace

std::uint64_t Rng::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double midiToHz(double midi) {
    return 440.0 * std::exp2((midi - 69.0) / 12.0);
}

void addKick(Stereo& out, double sampleRate, std::int64_t start, double gain, Rng& rng) {
    const std::int64_t n = framesInside(out, start, toFrame(1.2, sampleRate));
    double phase = 0.0;
    // The pitch drop from ~180 Hz to 46 Hz in a few tens of ms is what reads as "kick" rather than "tom".
    Decay sweep(130.0, 0.03, sampleRate), level(1.0, 0.22, sampleRate), clickLevel(0.35, 0.0015, sampleRate);
    for (std::int64_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / sampleRate;
        phase += kTwoPi * (46.0 + sweep.next()) / sampleRate;
        const double body = std::sin(phase) * level.next() * std::min(1.0, t / 0.001);
        const double click = clickLevel.next() * rng.bipolar();
        const double y = gain * (body + click);
        add(out, start + i, y, y);
    }
}

void addSnare(Stereo& out, double sampleRate, std::int64_t start, double gain, Rng& rng) {
    const std::int64_t n = framesInside(out, start, toFrame(0.8, sampleRate));
    Biquad highPass;
    highPass.setCoefficients(dsp::makeHighPass(sampleRate, 1500.0, 0.707));
    Sine low(185.0, sampleRate), high(330.0, sampleRate);
    Decay lowLevel(0.55, 0.05, sampleRate), highLevel(0.3, 0.03, sampleRate),
        noiseLevel(0.8, 0.11, sampleRate);
    for (std::int64_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / sampleRate;
        const double tone = low.next() * lowLevel.next() + high.next() * highLevel.next();
        const double noise = highPass.processSample(0, rng.bipolar()) * noiseLevel.next();
        const double y = gain * (tone + noise) * std::min(1.0, t / 0.0005);
        add(out, start + i, y, y);
    }
}

void addHat(Stereo& out, double sampleRate, std::int64_t start, double gain, bool open, Rng& rng) {
    const double decay = open ? 0.12 : 0.025;
    const std::int64_t n = framesInside(out, start, toFrame(7.0 * decay, sampleRate));
    Biquad highPass;
    highPass.setCoefficients(dsp::makeHighPass(sampleRate, 7000.0, 0.707));
    Decay level(gain, decay, sampleRate);
    for (std::int64_t i = 0; i < n; ++i) {
        // Two passes through the same section (channels 0 and 1 as two stages) give a 24 dB/oct slope.
        const double x = highPass.processSample(1, highPass.processSample(0, rng.bipolar()));
        const double y = x * level.next();
        add(out, start + i, 0.75 * y, y); // hats a little right of centre, as most mixes have them
    }
}

void add808(Stereo& out, double sampleRate, const BassNote& note) {
    constexpr double kFade = 0.03;
    const std::int64_t start = toFrame(note.startSeconds, sampleRate);
    const std::int64_t n = framesInside(out, start, toFrame(note.lengthSeconds + kFade, sampleRate));
    const double drive = 1.8;
    const double norm = 1.0 / std::tanh(drive);
    double phase = 0.0;
    Decay glide(note.glideFromMidi - note.midi, 0.07, sampleRate), level(1.0, 1.2, sampleRate);
    for (std::int64_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / sampleRate;
        phase += kTwoPi * midiToHz(note.midi + glide.next()) / sampleRate;
        double env = std::min(1.0, t / 0.004) * level.next();
        if (t > note.lengthSeconds) env *= std::max(0.0, 1.0 - (t - note.lengthSeconds) / kFade);
        const double y = note.gain * norm * std::tanh(drive * env * std::sin(phase));
        add(out, start + i, y, y);
    }
}

void addPadChord(Stereo& out, double sampleRate, double startSeconds, double lengthSeconds,
                 const std::vector<int>& midiNotes, double gain, Rng& rng) {
    constexpr double kAttack = 0.25, kTail = 1.0;
    constexpr std::array<std::array<double, 3>, 2> kDetuneCents{{{-11.0, 0.0, 7.0}, {-6.0, 4.0, 12.0}}};
    const std::int64_t start = toFrame(startSeconds, sampleRate);
    const std::int64_t n = framesInside(out, start, toFrame(lengthSeconds + kTail, sampleRate));
    std::vector<float> env(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / sampleRate;
        double e = std::min(1.0, t / kAttack);
        // A cubic release reaches exactly zero at the end of the rendered tail, so nothing steps off there.
        if (t > lengthSeconds) e *= std::pow(std::max(0.0, 1.0 - (t - lengthSeconds) / kTail), 3.0);
        env[static_cast<std::size_t>(i)] = static_cast<float>(gain * e);
    }
    for (std::size_t note = 0; note < midiNotes.size(); ++note) {
        for (int channel = 0; channel < 2; ++channel) {
            float* dst = (channel == 0 ? out.left.data() : out.right.data()) + start;
            for (std::size_t v = 0; v < 3; ++v) {
                const double dt = midiToHz(midiNotes[note] + kDetuneCents[channel][v] / 100.0) / sampleRate;
                Saw saw{rng.uniform()}; // free-running phases, as an analogue polysynth's would be
                for (std::int64_t i = 0; i < n; ++i)
                    dst[i] += static_cast<float>(env[static_cast<std::size_t>(i)] * saw.next(dt));
            }
        }
    }
}

void lowPassSweep(Stereo& io, double sampleRate, const std::function<double(double)>& cutoffHzAt) {
    constexpr std::int64_t kControl = 64;
    Biquad filter;
    for (std::int64_t i = 0; i < io.frames(); ++i) {
        if (i % kControl == 0)
            filter.setCoefficients(dsp::makeLowPass(sampleRate, cutoffHzAt(i / sampleRate), 0.707));
        const auto k = static_cast<std::size_t>(i);
        io.left[k] = static_cast<float>(filter.processSample(0, io.left[k]));
        io.right[k] = static_cast<float>(filter.processSample(1, io.right[k]));
    }
}

namespace {

// Alto formants (centre Hz, level dB, bandwidth Hz) from the Csound manual's formant table, first four of
// five: the fifth (~4.9 kHz) adds little and keeps the voice's energy inside its 200 Hz - 4 kHz home.
struct Formants {
    std::array<double, 4> hz, db, bandwidth;
};
constexpr std::array<Formants, 5> kVowels{{
    {{800, 1150, 2800, 3500}, {0, -4, -20, -36}, {80, 90, 120, 130}},   // a
    {{400, 1600, 2700, 3300}, {0, -24, -30, -35}, {60, 80, 120, 150}},  // e
    {{350, 1700, 2700, 3700}, {0, -20, -30, -36}, {50, 100, 120, 150}}, // i
    {{450, 800, 2830, 3500}, {0, -9, -16, -28}, {70, 80, 100, 130}},    // o
    {{325, 700, 2530, 3500}, {0, -12, -30, -40}, {50, 60, 170, 180}},   // u
}};

} // namespace

std::vector<float> renderVoice(const std::vector<VocalNote>& notes, double sampleRate, std::int64_t frames,
                               Rng& rng) {
    std::vector<float> out(static_cast<std::size_t>(frames));
    if (notes.empty()) return out;
    constexpr int kControl = 32;
    const auto coef = [&](double seconds, double every) {
        return 1.0 - std::exp(-every / (seconds * sampleRate));
    };
    const double attack = coef(0.015, 1), release = coef(0.07, 1);
    const double glide = coef(0.035, kControl), vowelGlide = coef(0.06, kControl);
    const double tilt = 1.0 - std::exp(-kTwoPi * 900.0 / sampleRate);

    std::array<Biquad, 4> formant;
    std::array<double, 4> level{};
    Formants current = kVowels[static_cast<std::size_t>(notes.front().vowel)];
    double pitch = notes.front().midi, env = 0.0, source = 0.0, drift = 0.0, dt = 0.0;
    double vibratoPhase = kTwoPi * rng.uniform();
    Saw glottis;
    std::size_t index = 0;
    int untilControl = 0;
    for (std::int64_t i = 0; i < frames; ++i) {
        const double t = static_cast<double>(i) / sampleRate;
        while (index < notes.size() && t >= notes[index].startSeconds + notes[index].lengthSeconds)
            ++index;
        const VocalNote* note =
            index < notes.size() && t >= notes[index].startSeconds ? &notes[index] : nullptr;
        const double targetGain = note ? note->gain : 0.0;
        env += (targetGain - env) * (targetGain > env ? attack : release);
        const bool silent = env < 1e-6 && !note;
        // Pitch, vibrato and formants move slowly: update them every kControl samples, and not at all in
        // rests.
        if (silent) {
            untilControl = 0; // refresh the moment the next note starts
            continue;
        }
        if (untilControl-- == 0) {
            untilControl = kControl - 1;
            const VocalNote& target = note ? *note : notes[index > 0 ? index - 1 : 0];
            const Formants& vowel = kVowels[static_cast<std::size_t>(target.vowel)];
            for (std::size_t k = 0; k < 4; ++k) {
                current.hz[k] += (vowel.hz[k] - current.hz[k]) * vowelGlide;
                current.db[k] += (vowel.db[k] - current.db[k]) * vowelGlide;
                current.bandwidth[k] += (vowel.bandwidth[k] - current.bandwidth[k]) * vowelGlide;
                // 1.5x the table's bandwidths: the textbook values sound whistly on a static source.
                const double q = current.hz[k] / (1.5 * current.bandwidth[k]);
                formant[k].setCoefficients(dsp::makeBandPass(sampleRate, current.hz[k], q));
                level[k] = std::pow(10.0, current.db[k] / 20.0);
            }
            pitch += (target.midi - pitch) * glide;
            drift += (0.08 * rng.bipolar() - drift) * 0.05; // slow pitch wander, a few cents
            vibratoPhase += kTwoPi * 5.4 * kControl / sampleRate;
            // Vibrato arrives after the onset, as singers do; short notes stay straight.
            const double sinceOnset = note ? t - note->startSeconds : 1.0;
            const double depth = 0.3 * std::clamp((sinceOnset - 0.18) / 0.35, 0.0, 1.0);
            dt = midiToHz(pitch + depth * std::sin(vibratoPhase) + drift) / sampleRate;
        }
        source += (glottis.next(dt) - source) * tilt;
        const double excitation = source + 0.03 * rng.bipolar();
        double y = 0.0;
        for (std::size_t k = 0; k < 4; ++k)
            y += level[k] * formant[k].processSample(0, excitation);
        out[static_cast<std::size_t>(i)] = static_cast<float>(env * y);
    }
    return out;
}

void addNoiseTail(Stereo& out, double sampleRate, double startSeconds, double decaySeconds, double lowHz,
                  double highHz, double gain, Rng& rng) {
    const std::int64_t start = toFrame(startSeconds, sampleRate);
    const std::int64_t n = framesInside(out, start, toFrame(7.0 * decaySeconds, sampleRate));
    Biquad highPass, lowPass;
    highPass.setCoefficients(dsp::makeHighPass(sampleRate, lowHz, 0.707));
    lowPass.setCoefficients(dsp::makeLowPass(sampleRate, highHz, 0.707));
    Decay level(gain, decaySeconds, sampleRate);
    for (std::int64_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / sampleRate;
        const double env = std::min(1.0, t / 0.02) * level.next();
        const double l = lowPass.processSample(0, highPass.processSample(0, rng.bipolar()));
        const double r = lowPass.processSample(1, highPass.processSample(1, rng.bipolar()));
        add(out, start + i, env * l, env * r);
    }
}

void addRiser(Stereo& out, double sampleRate, double startSeconds, double lengthSeconds, double gain,
              Rng& rng) {
    constexpr int kControl = 32;
    const std::int64_t start = toFrame(startSeconds, sampleRate);
    const std::int64_t n = framesInside(out, start, toFrame(lengthSeconds, sampleRate));
    Biquad bandPass;
    for (std::int64_t i = 0; i < n; ++i) {
        const double x = static_cast<double>(i) / sampleRate / lengthSeconds;
        if (i % kControl == 0)
            bandPass.setCoefficients(dsp::makeBandPass(sampleRate, 400.0 * std::pow(20.0, x), 2.0));
        const double env = gain * x * x;
        add(out, start + i, env * bandPass.processSample(0, rng.bipolar()),
            env * bandPass.processSample(1, rng.bipolar()));
    }
}

} // namespace lathe::core::demo
