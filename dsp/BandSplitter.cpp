#include "BandSplitter.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace lathe::dsp {
namespace {

constexpr double kButterworthQ = std::numbers::sqrt2 / 2.0;

} // namespace

BiquadCoefficients makeLinkwitzRileyAllPass(double sampleRate, double frequency) {
    // Same prewarp and clamp as the cookbook LP/HP in BiquadCoefficients.cpp, so the identity
    // LP^2 + HP^2 == allpass holds exactly in the z-domain and not just approximately.
    const double f = std::clamp(frequency, 1.0, sampleRate * 0.49);
    const double w0 = 2.0 * std::numbers::pi * f / sampleRate;
    const double cosw = std::cos(w0);
    const double alpha = std::sin(w0) / (2.0 * kButterworthQ);
    const double a0 = 1.0 + alpha;
    return {(1.0 - alpha) / a0, -2.0 * cosw / a0, 1.0, -2.0 * cosw / a0, (1.0 - alpha) / a0};
}

void BandSplitter::prepare(double sampleRate, int /*maxBlockFrames*/, int /*numChannels*/) {
    sampleRate_ = sampleRate;
    updateCoefficients();
    reset();
}

void BandSplitter::reset() {
    for (int k = 0; k < kMaxCrossovers; ++k) {
        for (auto& s : lowPass_[static_cast<std::size_t>(k)])
            s.reset();
        for (auto& s : highPass_[static_cast<std::size_t>(k)])
            s.reset();
        for (auto& s : allPass_[static_cast<std::size_t>(k)])
            s.reset();
    }
}

void BandSplitter::setCrossoverFrequencies(const double* frequenciesHz, int count) {
    assert(count >= 1 && count <= kMaxCrossovers);
    count = std::clamp(count, 1, kMaxCrossovers);
    double previous = 0.0;
    for (int k = 0; k < count; ++k) {
        const double f = std::max(std::clamp(frequenciesHz[k], 10.0, 0.45 * sampleRate_), previous);
        crossoverHz_[static_cast<std::size_t>(k)] = f;
        previous = f;
    }
    const bool countChanged = count != numCrossovers_;
    numCrossovers_ = count;
    updateCoefficients();
    // Sections that were idle hold stale state from an earlier layout; clearing everything is simplest and a
    // band-count change is an edit, not an automation gesture.
    if (countChanged) reset();
}

void BandSplitter::updateCoefficients() {
    for (int k = 0; k < kMaxCrossovers; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        const double f = std::min(crossoverHz_[ku], 0.45 * sampleRate_);
        crossovers_[ku] = {makeLowPass(sampleRate_, f, kButterworthQ),
                           makeHighPass(sampleRate_, f, kButterworthQ),
                           makeLinkwitzRileyAllPass(sampleRate_, f)};
        for (auto& s : lowPass_[ku])
            s.setCoefficients(crossovers_[ku].lowPass);
        for (auto& s : highPass_[ku])
            s.setCoefficients(crossovers_[ku].highPass);
        for (auto& band : allPass_)
            band[ku].setCoefficients(crossovers_[ku].allPass);
    }
}

void BandSplitter::process(const AudioBlock& input, const AudioBlock* bands) {
    const int n = input.numFrames();
    const int crossovers = numCrossovers_;
    for (int c = 0; c < input.numChannels(); ++c) {
        const float* in = input.channel(c);
        std::array<float*, kMaxBands> out{};
        for (int b = 0; b <= crossovers; ++b)
            out[static_cast<std::size_t>(b)] = bands[b].channel(c);
        for (int i = 0; i < n; ++i) {
            // Tree: crossover k splits what is left above crossover k-1; its low output is band k, which then
            // passes through the allpasses of every crossover above it.
            double rest = in[i];
            for (int k = 0; k < crossovers; ++k) {
                const auto ku = static_cast<std::size_t>(k);
                double low = lowPass_[ku][1].processSample(c, lowPass_[ku][0].processSample(c, rest));
                rest = highPass_[ku][1].processSample(c, highPass_[ku][0].processSample(c, rest));
                for (int j = k + 1; j < crossovers; ++j)
                    low = allPass_[ku][static_cast<std::size_t>(j)].processSample(c, low);
                out[ku][i] = static_cast<float>(low);
            }
            out[static_cast<std::size_t>(crossovers)][i] = static_cast<float>(rest);
        }
    }
}

std::complex<double> BandSplitter::bandResponse(int band, double frequencyHz) const {
    assert(band >= 0 && band <= numCrossovers_);
    std::complex<double> h = 1.0;
    for (int k = 0; k < band; ++k) {
        const auto hp = response(crossovers_[static_cast<std::size_t>(k)].highPass, sampleRate_, frequencyHz);
        h *= hp * hp;
    }
    if (band < numCrossovers_) {
        const auto lp =
            response(crossovers_[static_cast<std::size_t>(band)].lowPass, sampleRate_, frequencyHz);
        h *= lp * lp;
        for (int j = band + 1; j < numCrossovers_; ++j)
            h *= response(crossovers_[static_cast<std::size_t>(j)].allPass, sampleRate_, frequencyHz);
    }
    return h;
}

} // namespace lathe::dsp
