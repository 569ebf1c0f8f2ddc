#include "Oversampler.h"

#include <algorithm>
#include <cassert>
#include <cstddef>

namespace lathe::dsp {

double Oversampler::stagePassbandEdge(int stageIndex) {
    // Stage 0 runs at 2 fs and sets the audio band. Stage s > 0 runs at 2^(s+1) fs and must pass all that
    // stage 0 lets through, transition band included, so its images of that band are rejected as well.
    return stageIndex == 0 ? kPassbandEdge / 2.0 : kStopbandEdge / static_cast<double>(2 << stageIndex);
}

const std::vector<double>& Oversampler::stageTaps(int stageIndex) {
    assert(stageIndex >= 0 && stageIndex < kMaxStages);
    // Function-local statics: designed on first use (about 40 ms for the first stage), thread-safe by the
    // language.
    static const std::array<std::vector<double>, kMaxStages> designs = [] {
        std::array<std::vector<double>, kMaxStages> d;
        for (int s = 0; s < kMaxStages; ++s)
            d[static_cast<std::size_t>(s)] = designHalfBand(stagePassbandEdge(s), kStopbandRejectionDb);
        return d;
    }();
    return designs[static_cast<std::size_t>(stageIndex)];
}

void Oversampler::prepare(double /*sampleRate*/, int maxBlockFrames, int numChannels, int factor) {
    assert(factor == 1 || factor == 2 || factor == 4 || factor == 8);
    assert(numChannels >= 0 && numChannels <= AudioBlock::kMaxChannels);
    factor_ = factor;
    numStages_ = factor == 8 ? 3 : factor == 4 ? 2 : factor == 2 ? 1 : 0;
    maxBlockFrames_ = maxBlockFrames;
    numChannels_ = numChannels;
    lastFrames_ = 0;

    const auto channels = static_cast<std::size_t>(numChannels);
    for (auto& level : levels_)
        level.clear();
    levels_[0].assign(channels, std::vector<float>(static_cast<std::size_t>(maxBlockFrames), 0.0f));

    // Each stage's up and down together delay 2 * delay() samples at its high rate; sum them in top-rate
    // samples.
    int roundTripTopSamples = 0;
    for (int s = 0; s < numStages_; ++s) {
        const int stageInputFrames = maxBlockFrames << s;
        stages_[static_cast<std::size_t>(s)].prepare(stageTaps(s), stageInputFrames, numChannels);
        levels_[static_cast<std::size_t>(s + 1)].assign(
            channels, std::vector<float>(static_cast<std::size_t>(2 * stageInputFrames), 0.0f));
        roundTripTopSamples += (2 * stages_[static_cast<std::size_t>(s)].delay()) << (numStages_ - 1 - s);
    }
    padSamples_ = (factor_ - roundTripTopSamples % factor_) % factor_;
    latencyFrames_ = (roundTripTopSamples + padSamples_) / factor_;
    pad_.assign(channels, {});
    reset();
}

void Oversampler::reset() {
    for (int s = 0; s < numStages_; ++s)
        stages_[static_cast<std::size_t>(s)].reset();
    for (auto& p : pad_)
        p.fill(0.0f);
    padIndex_ = 0;
}

AudioBlock Oversampler::upsample(const AudioBlock& input) {
    const int frames = input.numFrames();
    const int channels = input.numChannels();
    assert(frames <= maxBlockFrames_ && channels <= numChannels_);
    lastFrames_ = frames;
    std::array<float*, AudioBlock::kMaxChannels> top{};
    for (int c = 0; c < channels; ++c) {
        const auto ch = static_cast<std::size_t>(c);
        if (numStages_ == 0) {
            std::copy(input.channel(c), input.channel(c) + frames, levels_[0][ch].data());
            top[ch] = levels_[0][ch].data();
            continue;
        }
        const float* source = input.channel(c);
        for (int s = 0; s < numStages_; ++s) {
            float* destination = levels_[static_cast<std::size_t>(s + 1)][ch].data();
            stages_[static_cast<std::size_t>(s)].upsample(c, source, destination, frames << s);
            source = destination;
        }
        top[ch] = levels_[static_cast<std::size_t>(numStages_)][ch].data();
    }
    return AudioBlock(top.data(), channels, frames * factor_);
}

void Oversampler::downsample(const AudioBlock& output) {
    const int frames = output.numFrames();
    assert(frames == lastFrames_ && output.numChannels() <= numChannels_);
    const int topFrames = frames * factor_;
    for (int c = 0; c < output.numChannels(); ++c) {
        const auto ch = static_cast<std::size_t>(c);
        if (numStages_ == 0) {
            std::copy(levels_[0][ch].data(), levels_[0][ch].data() + frames, output.channel(c));
            continue;
        }
        float* top = levels_[static_cast<std::size_t>(numStages_)][ch].data();
        if (padSamples_ > 0) {
            auto& line = pad_[ch];
            int index = padIndex_;
            for (int i = 0; i < topFrames; ++i) {
                const float delayed = line[static_cast<std::size_t>(index)];
                line[static_cast<std::size_t>(index)] = top[i];
                top[i] = delayed;
                index = index + 1 == padSamples_ ? 0 : index + 1;
            }
        }
        for (int s = numStages_ - 1; s >= 0; --s) {
            const float* source = levels_[static_cast<std::size_t>(s + 1)][ch].data();
            float* destination = s == 0 ? output.channel(c) : levels_[static_cast<std::size_t>(s)][ch].data();
            stages_[static_cast<std::size_t>(s)].downsample(c, source, destination, frames << s);
        }
    }
    if (padSamples_ > 0) padIndex_ = static_cast<int>((padIndex_ + topFrames) % padSamples_);
}

} // namespace lathe::dsp
