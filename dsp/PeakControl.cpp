#include "PeakControl.h"

#include "Decibels.h"
#include "FastMath.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace lathe::dsp {

double peakControlCurve(double x, double clip, double kneeStart) {
    const double magnitude = std::abs(x);
    if (magnitude <= kneeStart) return x;
    const double span = clip - kneeStart;
    const double shaped = span > 0.0 ? kneeStart + span * std::tanh((magnitude - kneeStart) / span) : clip;
    return x < 0.0 ? -shaped : shaped;
}

void PeakControl::prepare(double sampleRate, int maxBlockFrames, int numChannels, int oversampling) {
    assert(numChannels >= 1 && numChannels <= AudioBlock::kMaxChannels);
    numChannels_ = numChannels;
    maxBlockFrames_ = std::max(maxBlockFrames, 1);
    oversampler_.prepare(sampleRate, maxBlockFrames_, numChannels, oversampling);
    TruePeakLimiter::Config limiterConfig;
    limiterConfig.lookaheadMs = 0.0; // its minimum attack: the clipper has already taken the peaks
    limiterConfig.detectionOversampling = oversampling >= 8 ? 8 : 4;
    limiter_.prepare(sampleRate, maxBlockFrames_, numChannels, limiterConfig);
    const auto channels = static_cast<std::size_t>(numChannels);
    const auto frames = static_cast<std::size_t>(maxBlockFrames_);
    dryDelay_.assign(channels,
                     std::vector<float>(static_cast<std::size_t>(oversampler_.latencyFrames()), 0.0f));
    dry_.assign(channels, std::vector<float>(frames, 0.0f));
    correction_.assign(channels, std::vector<float>(frames, 0.0f));
    setParameters(params_);
    reset();
}

void PeakControl::reset() {
    oversampler_.reset();
    limiter_.reset();
    for (auto& line : dryDelay_)
        std::fill(line.begin(), line.end(), 0.0f);
    dryIndex_ = 0;
    zeroFrames_ = 0;
    reductionDb_.store(0.0);
    resetMeters();
}

void PeakControl::resetMeters() {
    maxReductionDb_.store(0.0);
}

void PeakControl::setParameters(const PeakControlParameters& parameters) {
    params_ = parameters;
    params_.kneeDb = std::max(params_.kneeDb, 0.0);
    limiter_.setCeilingDbtp(params_.ceilingDb);
    limiter_.setReleaseMs(params_.releaseMs);
    updateCurve();
}

void PeakControl::updateCurve() {
    // Aim below the limiter's own threshold so it only ever meets the overshoot of band-limiting.
    clip_ = dbToGain(params_.ceilingDb - limiter_.detectionMarginDb());
    kneeStart_ = std::min(dbToGain(params_.ceilingDb - params_.kneeDb), clip_);
}

void PeakControl::process(const AudioBlock& block) {
    double reduction = 0.0;
    for (int start = 0; start < block.numFrames(); start += maxBlockFrames_) {
        const int n = std::min(maxBlockFrames_, block.numFrames() - start);
        limiter_.resetStats();
        const double clipped = processChunk(block.subBlock(start, n));
        reduction = std::max(reduction, clipped + limiter_.stats().maxGainReductionDb);
    }
    reductionDb_.store(reduction);
    if (reduction > maxReductionDb_.load()) maxReductionDb_.store(reduction);
}

double PeakControl::processChunk(const AudioBlock& block) {
    const int frames = block.numFrames();
    const int channels = std::min(block.numChannels(), numChannels_);
    const AudioBlock io = AudioBlock(block.channels(), channels, frames);

    // Dry, delayed by the oversampler's round trip.
    const int latency = oversampler_.latencyFrames();
    for (int c = 0; c < channels; ++c) {
        const float* in = io.channel(c);
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

    // The clipper's correction at the oversampled rate: exactly 0 where the curve is the identity.
    const AudioBlock up = oversampler_.upsample(io);
    float loudest = 0.0f;
    for (int c = 0; c < channels; ++c)
        loudest = std::max(loudest, shapeCorrection(up.channel(c), up.numFrames()));

    // A run of zero corrections longer than the downsampler's memory (which is within its round trip, the
    // latency) leaves that memory all zeros: downsampling more zeros would only give zeros, so it is
    // skipped, and the output is the delayed dry signal itself.
    const bool quiet = loudest <= static_cast<float>(kneeStart_);
    if (quiet && zeroFrames_ > 2 * latency + 8) {
        for (int c = 0; c < channels; ++c)
            std::copy(dry_[static_cast<std::size_t>(c)].data(),
                      dry_[static_cast<std::size_t>(c)].data() + frames, io.channel(c));
    } else {
        std::array<float*, AudioBlock::kMaxChannels> correction{};
        for (int c = 0; c < channels; ++c)
            correction[static_cast<std::size_t>(c)] = correction_[static_cast<std::size_t>(c)].data();
        oversampler_.downsample(AudioBlock(correction.data(), channels, frames));
        for (int c = 0; c < channels; ++c) {
            float* out = io.channel(c);
            const float* dry = dry_[static_cast<std::size_t>(c)].data();
            const float* fix = correction[static_cast<std::size_t>(c)];
            for (int i = 0; i < frames; ++i)
                out[i] = dry[i] + fix[i];
        }
    }
    zeroFrames_ = quiet ? std::min(zeroFrames_ + frames, 1 << 30) : 0;
    limiter_.process(io);
    // curve(x) / x falls as |x| grows: the loudest sample had the largest reduction.
    return quiet ? 0.0 : -gainToDb(peakControlCurve(loudest, clip_, kneeStart_) / loudest);
}

// curve(x) - x in place over n oversampled samples, four at a time (fastTanh, 5e-7 relative: far below the
// oversampler's own 110 dB rejection); a ragged tail runs through the same lanes, padded, so no sample's
// result depends on where a block ends. Returns the largest |x|.
float PeakControl::shapeCorrection(float* x, int n) const {
    const float kneeStart = static_cast<float>(kneeStart_);
    const float span = static_cast<float>(clip_ - kneeStart_);
    const float clip = static_cast<float>(clip_);
#if defined(__SSE2__)
    const __m128 signBit = _mm_set1_ps(-0.0f);
    __m128 loudest = _mm_setzero_ps();
    const auto lanes = [&](float* v) {
        const __m128 in = _mm_loadu_ps(v);
        const __m128 magnitude = _mm_andnot_ps(signBit, in);
        loudest = _mm_max_ps(loudest, magnitude);
        const __m128 over = _mm_cmpgt_ps(magnitude, _mm_set1_ps(kneeStart));
        if (_mm_movemask_ps(over) == 0) {
            _mm_storeu_ps(v, _mm_setzero_ps());
            return;
        }
        __m128 shaped;
        if (span > 0.0f) {
            const __m128 z = _mm_div_ps(_mm_sub_ps(magnitude, _mm_set1_ps(kneeStart)), _mm_set1_ps(span));
            shaped = _mm_add_ps(_mm_set1_ps(kneeStart), _mm_mul_ps(_mm_set1_ps(span), fastTanh(z)));
        } else {
            shaped = _mm_set1_ps(clip);
        }
        // (shaped - |x|) with the sign of x, where the curve acts.
        const __m128 correction = _mm_xor_ps(_mm_sub_ps(shaped, magnitude), _mm_and_ps(signBit, in));
        _mm_storeu_ps(v, _mm_and_ps(over, correction));
    };
#else
    float loudest = 0.0f;
    const auto lanes = [&](float* v) {
        for (int j = 0; j < 4; ++j) {
            const float magnitude = std::abs(v[j]);
            loudest = std::max(loudest, magnitude);
            if (magnitude <= kneeStart) {
                v[j] = 0.0f;
                continue;
            }
            const float shaped =
                span > 0.0f ? kneeStart + span * std::tanh((magnitude - kneeStart) / span) : clip;
            v[j] = std::copysign(shaped - magnitude, v[j]);
        }
    };
#endif
    int i = 0;
    for (; i + 4 <= n; i += 4)
        lanes(x + i);
    if (i < n) {
        alignas(16) float tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        std::copy(x + i, x + n, tail);
        lanes(tail);
        std::copy(tail, tail + (n - i), x + i);
    }
#if defined(__SSE2__)
    alignas(16) float m[4];
    _mm_store_ps(m, loudest);
    return std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
#else
    return loudest;
#endif
}

} // namespace lathe::dsp
