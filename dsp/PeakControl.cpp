#include "PeakControl.h"

#include "Decibels.h"

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
    limiter_.setLookaheadMs(0.0); // its minimum attack: the clipper has already taken the peaks
    limiter_.setDetectionOversampling(oversampling >= 8 ? 8 : 4);
    limiter_.prepare(sampleRate, maxBlockFrames_, numChannels);
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
    double smallestRatio = 1.0; // of |curve(x)| / |x| where the curve acts
    const auto kneeStart = static_cast<float>(kneeStart_);
    for (int c = 0; c < channels; ++c) {
        float* u = up.channel(c);
        for (int i = 0; i < up.numFrames(); ++i) {
            const float x = u[i];
            if (std::abs(x) <= kneeStart) {
                u[i] = 0.0f;
                continue;
            }
            const double shaped = peakControlCurve(x, clip_, kneeStart_);
            smallestRatio = std::min(smallestRatio, shaped / x);
            u[i] = static_cast<float>(shaped - x);
        }
    }
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
    limiter_.process(io);
    return -gainToDb(smallestRatio);
}

} // namespace lathe::dsp
