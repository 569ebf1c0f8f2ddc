#include "Saturation.h"

#include "Decibels.h"
#include "FastMath.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace lathe::dsp {

namespace {

// Operating point of the tape curve on tanh: tanh(0.15) = 0.149 puts the 2nd harmonic at about 0.075 * peak
// level relative to the fundamental (-28.6 dB at -6 dBFS, 0 dB drive), below the 3rd until the curve is
// pushed: the "gentle even harmonics" character, not a rectifier.
constexpr double kTapeBias = 0.15;
constexpr double kRampSeconds = 0.02;
constexpr double kDcBlockHz = 2.0;

// The curves over one channel's oversampled block, four samples at a time. gain and scale hold one value per
// base-rate frame, each covering `factor` samples:
// clang-format off
//   soft clip: tanh(g x) / g
//   tape:      (tanh(g x + b) - tanh(b)) / (g (1 - tanh^2 b)), unit slope at x = 0
// clang-format on
// Every sample goes through the same lane arithmetic (a ragged tail is padded to four lanes), so the output
// does not depend on where a block boundary falls.
template <SaturationMode Mode>
void shape(float* x, int frames, int factor, const float* gain, const float* scale) {
    const int samples = frames * factor;
    const float tanhBias = static_cast<float>(std::tanh(kTapeBias));
    const auto lanes = [&](float* v, int first) {
#if defined(__SSE2__)
        __m128 g, k;
        if (factor >= 4) {
            g = _mm_set1_ps(gain[first / factor]);
            k = _mm_set1_ps(scale[first / factor]);
        } else {
            alignas(16) float gs[4], ks[4];
            for (int j = 0; j < 4; ++j) {
                const int frame = std::min((first + j) / factor, frames - 1);
                gs[j] = gain[frame];
                ks[j] = scale[frame];
            }
            g = _mm_load_ps(gs);
            k = _mm_load_ps(ks);
        }
        __m128 u = _mm_mul_ps(_mm_loadu_ps(v), g);
        if constexpr (Mode == SaturationMode::Tape)
            u = _mm_add_ps(u, _mm_set1_ps(static_cast<float>(kTapeBias)));
        __m128 t = fastTanh(u);
        if constexpr (Mode == SaturationMode::Tape) t = _mm_sub_ps(t, _mm_set1_ps(tanhBias));
        _mm_storeu_ps(v, _mm_mul_ps(t, k));
#else
        for (int j = 0; j < 4; ++j) {
            const int frame = std::min((first + j) / factor, frames - 1);
            v[j] = Mode == SaturationMode::SoftClip
                       ? std::tanh(v[j] * gain[frame]) * scale[frame]
                       : (std::tanh(v[j] * gain[frame] + static_cast<float>(kTapeBias)) - tanhBias) *
                             scale[frame];
        }
#endif
    };
    int i = 0;
    for (; i + 4 <= samples; i += 4)
        lanes(x + i, i);
    if (i < samples) {
        alignas(16) float tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        std::copy(x + i, x + samples, tail);
        lanes(tail, i);
        std::copy(tail, tail + (samples - i), x + i);
    }
}

} // namespace

double softClipCurve(double x, double driveGain) {
    return std::tanh(x * driveGain) / driveGain;
}

double tapeCurve(double x, double driveGain) {
    const double t = std::tanh(kTapeBias);
    return (std::tanh(x * driveGain + kTapeBias) - t) / (driveGain * (1.0 - t * t));
}

void Saturation::prepare(double sampleRate, int maxBlockFrames, int numChannels, int oversampling) {
    sampleRate_ = sampleRate;
    const int factor = oversampling <= 1 ? 1 : oversampling <= 2 ? 2 : oversampling <= 4 ? 4 : 8;
    oversampler_.prepare(sampleRate, maxBlockFrames, numChannels, factor);
    const auto channels = static_cast<std::size_t>(numChannels);
    const auto frames = static_cast<std::size_t>(maxBlockFrames);
    driveRamp_.assign(frames, 1.0);
    driveGain_.assign(frames, 1.0f);
    driveScale_.assign(frames, 1.0f);
    mixRamp_.assign(frames, 1.0);
    dry_.assign(channels, std::vector<float>(frames, 0.0f));
    dryDelay_.assign(channels,
                     std::vector<float>(static_cast<std::size_t>(oversampler_.latencyFrames()), 0.0f));
    drive_.prepare(sampleRate, kRampSeconds);
    mixGain_.prepare(sampleRate, kRampSeconds);

    // First-order bilinear high-pass: it removes the tape curve's DC while shifting 20 Hz by under 6 degrees,
    // which keeps a 50 % mix within 0.02 dB of flat there (a steeper DC filter would comb against the dry
    // path).
    const double k = std::tan(std::numbers::pi * kDcBlockHz / sampleRate);
    BiquadCoefficients dc;
    dc.b0 = 1.0 / (1.0 + k);
    dc.b1 = -dc.b0;
    dc.b2 = 0.0;
    dc.a1 = (k - 1.0) / (k + 1.0);
    dc.a2 = 0.0;
    for (auto& f : dcBlock_) {
        f.setCoefficients(dc);
        f.prepare(sampleRate, maxBlockFrames, 1);
    }
    reset();
}

void Saturation::reset() {
    oversampler_.reset();
    for (auto& line : dryDelay_)
        std::fill(line.begin(), line.end(), 0.0f);
    dryIndex_ = 0;
    for (auto& f : dcBlock_)
        f.reset();
    drive_.setImmediate(dbToGain(driveDb_));
    mixGain_.setImmediate(mix_);
}

void Saturation::setDriveDb(double driveDb) {
    driveDb_ = std::clamp(driveDb, kMinDriveDb, kMaxDriveDb);
    drive_.setTarget(dbToGain(driveDb_));
}

void Saturation::setMix(double mix) {
    mix_ = std::clamp(mix, 0.0, 1.0);
    mixGain_.setTarget(mix_);
}

void Saturation::process(const AudioBlock& block) {
    const int frames = block.numFrames();
    const int channels = block.numChannels();
    const int factor = oversampler_.factor();

    // Ramps are stepped once per base-rate frame and held across its oversampled samples: the steps are 1/960
    // of the change at most, far too small to be heard as zipper.
    const bool mixMoving = mixGain_.isSmoothing();
    for (int i = 0; i < frames; ++i) {
        driveRamp_[static_cast<std::size_t>(i)] = drive_.next();
        mixRamp_[static_cast<std::size_t>(i)] = mixGain_.next();
    }

    const int latency = static_cast<int>(dryDelay_.empty() ? 0 : dryDelay_[0].size());
    for (int c = 0; c < channels; ++c) {
        const float* in = block.channel(c);
        float* dry = dry_[static_cast<std::size_t>(c)].data();
        if (latency == 0) {
            std::copy(in, in + frames, dry);
            continue;
        }
        float* line = dryDelay_[static_cast<std::size_t>(c)].data();
        int index = dryIndex_;
        for (int i = 0; i < frames; ++i) {
            dry[i] = line[index];
            line[index] = in[i];
            index = index + 1 == latency ? 0 : index + 1;
        }
    }
    if (latency > 0) dryIndex_ = (dryIndex_ + frames) % latency;

    const AudioBlock wet = oversampler_.upsample(block);
    const double slopeAtZero = 1.0 - std::tanh(kTapeBias) * std::tanh(kTapeBias);
    for (int i = 0; i < frames; ++i) {
        const double g = driveRamp_[static_cast<std::size_t>(i)];
        driveGain_[static_cast<std::size_t>(i)] = static_cast<float>(g);
        driveScale_[static_cast<std::size_t>(i)] =
            static_cast<float>(mode_ == SaturationMode::SoftClip ? 1.0 / g : 1.0 / (g * slopeAtZero));
    }
    for (int c = 0; c < channels; ++c) {
        if (mode_ == SaturationMode::SoftClip)
            shape<SaturationMode::SoftClip>(wet.channel(c), frames, factor, driveGain_.data(),
                                            driveScale_.data());
        else
            shape<SaturationMode::Tape>(wet.channel(c), frames, factor, driveGain_.data(),
                                        driveScale_.data());
    }
    oversampler_.downsample(block);

    for (int c = 0; c < channels; ++c) {
        float* out = block.channel(c);
        if (mode_ == SaturationMode::Tape) {
            dcBlock_[static_cast<std::size_t>(c)].process(AudioBlock(&out, 1, frames));
        } else {
            for (int i = 0; i < frames; ++i)
                out[i] = std::clamp(out[i], -1.0f, 1.0f);
        }
        const float* dry = dry_[static_cast<std::size_t>(c)].data();
        if (!mixMoving && mixGain_.current() == 1.0) continue;
        for (int i = 0; i < frames; ++i) {
            const float m =
                static_cast<float>(mixMoving ? mixRamp_[static_cast<std::size_t>(i)] : mixGain_.current());
            // (1 - m) d + m w rather than d + m (w - d): exact dry at m = 0 and exact wet at m = 1.
            out[i] = (1.0f - m) * dry[i] + m * out[i];
        }
    }
}

} // namespace lathe::dsp
