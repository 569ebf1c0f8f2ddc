#include "Compressor.h"

#include "BiquadCoefficients.h"
#include "Decibels.h"
#include "FastMath.h"
#include "GainComputer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace lathe::dsp {
namespace {

constexpr double kButterworthQ = std::numbers::sqrt2 / 2.0;
// dB -> natural log of a gain, so the per-sample gain is one exp() instead of pow(10, x / 20).
constexpr double kDbToLogGain = std::numbers::ln10 / 20.0;
// Below this the mean square only decays through denormals, which are slow on x86 and inaudible.
constexpr double kMeanSquareFloor = 1e-30;

// exp(-1 / (tau fs)): a one-pole with this coefficient covers 1 - 1/e = 63.2 % of a step in tau.
double onePoleCoefficient(double timeMs, double sampleRate) {
    return timeMs > 0.0 ? std::exp(-1000.0 / (timeMs * sampleRate)) : 0.0;
}

} // namespace

void Compressor::prepare(double sampleRate, int maxBlockFrames, int numChannels) {
    sampleRate_ = sampleRate;
    sidechainHighPass_.prepare(sampleRate, maxBlockFrames, numChannels);
    updateCoefficients();
    reset();
}

void Compressor::reset() {
    sidechainHighPass_.reset();
    meanSquare_.fill(0.0);
    reductionDb_.fill(0.0);
    currentReductionDb_.store(0.0);
    maxReductionDb_.store(0.0);
}

void Compressor::setParameters(const CompressorParameters& parameters) {
    const bool highPassWasOn = highPassOn_;
    params_ = parameters;
    updateCoefficients();
    // The filter did not run while off; its state belongs to an older signal.
    if (highPassOn_ && !highPassWasOn) sidechainHighPass_.reset();
}

void Compressor::updateCoefficients() {
    attackCoeff_ = onePoleCoefficient(params_.attackMs, sampleRate_);
    releaseCoeff_ = onePoleCoefficient(params_.releaseMs, sampleRate_);
    rmsCoeff_ = onePoleCoefficient(params_.rmsWindowMs, sampleRate_);
    makeupGain_ = std::exp(params_.makeupDb * kDbToLogGain);
    const double kneeStartDb = params_.thresholdDb - std::max(params_.kneeDb, 0.0) / 2.0;
    kneeStartDetector_ = params_.detection == DetectionMode::Rms ? std::pow(10.0, kneeStartDb / 10.0)
                                                                 : std::pow(10.0, kneeStartDb / 20.0);
    highPassOn_ = params_.sidechainHighPassHz > 0.0;
    if (highPassOn_)
        sidechainHighPass_.setCoefficients(
            makeHighPass(sampleRate_, params_.sidechainHighPassHz, kButterworthQ));
}

void Compressor::process(const AudioBlock& block) {
    process(block, block);
}

bool Compressor::linkedPathApplies(int channels) const {
    return channels == 2 && params_.detection == DetectionMode::Peak &&
           std::clamp(params_.stereoLink, 0.0, 1.0) == 1.0 && reductionDb_[0] == reductionDb_[1];
}

void Compressor::process(const AudioBlock& block, const AudioBlock& sidechain) {
    const int channels = block.numChannels();
    assert(sidechain.numFrames() >= block.numFrames() && sidechain.numChannels() >= 1);
    if (channels == 0 || sidechain.numChannels() == 0) return;
    NothingAhead nothing;
    const double blockMaxReduction = linkedPathApplies(channels) ? processLinked(block, sidechain, nothing)
                                                                 : processGeneral(block, sidechain);
    updateMeters(blockMaxReduction, channels);
}

double Compressor::processGeneral(const AudioBlock& block, const AudioBlock& sidechain) {
    const int frames = block.numFrames();
    const int channels = block.numChannels();
    const bool rms = params_.detection == DetectionMode::Rms;
    // Detector value -> level in dB: amplitude is 20 log10, mean square (a power) 10 log10; through log2.
    const double levelScale = (rms ? 10.0 : 20.0) * 0.30102999566398120; // log10(2)
    const double link = std::clamp(params_.stereoLink, 0.0, 1.0);
    const double thresholdDb = params_.thresholdDb;
    const double ratio = params_.ratio;
    const double kneeDb = params_.kneeDb;
    const double makeupDb = params_.makeupDb;
    const int lastKeyChannel = sidechain.numChannels() - 1;

    double blockMaxReduction = 0.0;
    // Reduction (dB) -> gain. At zero reduction the gain is exactly makeupGain_ (1.0 at 0 dB makeup): a 1:1
    // compressor is bit-transparent.
    const auto gainFor = [&](double reduction) {
        return reduction == 0.0 ? makeupGain_ : fastDbToGain(makeupDb - reduction);
    };

    std::array<double, AudioBlock::kMaxChannels> detector{};
    for (int i = 0; i < frames; ++i) {
        // All channels' detector inputs are read before any output is written, so sidechain may alias
        // block.
        double loudest = 0.0;
        for (int c = 0; c < channels; ++c) {
            double s = sidechain.channel(std::min(c, lastKeyChannel))[i];
            if (highPassOn_) s = sidechainHighPass_.processSample(c, s);
            double value;
            if (rms) {
                const double square = s * s;
                double& ms = meanSquare_[static_cast<std::size_t>(c)];
                ms = square + rmsCoeff_ * (ms - square);
                if (ms < kMeanSquareFloor) ms = 0.0;
                value = ms;
            } else {
                value = std::abs(s);
            }
            detector[static_cast<std::size_t>(c)] = value;
            loudest = std::max(loudest, value);
        }

        // Linked channels share a level and, from a common state, a reduction; reusing the previous
        // channel's log and exp then halves the per-frame cost of a stereo link without changing a single
        // output bit.
        double previousLevel = -1.0, previousTarget = 0.0;
        double previousReduction = -1.0, previousGain = 1.0;
        for (int c = 0; c < channels; ++c) {
            const double own = detector[static_cast<std::size_t>(c)];
            const double level = own + link * (loudest - own);
            double target = 0.0;
            if (level == previousLevel) {
                target = previousTarget;
            } else if (level > kneeStartDetector_) {
                target = -compressorGainDb(levelScale * fastLog2(level), thresholdDb, ratio, kneeDb);
            }
            previousLevel = level;
            previousTarget = target;

            double& reduction = reductionDb_[static_cast<std::size_t>(c)];
            const double coeff = target > reduction ? attackCoeff_ : releaseCoeff_;
            reduction = target + coeff * (reduction - target);
            if (reduction < kReductionFloorDb) reduction = 0.0;
            blockMaxReduction = std::max(blockMaxReduction, reduction);

            const double gain = reduction == previousReduction ? previousGain : gainFor(reduction);
            previousReduction = reduction;
            previousGain = gain;

            float* x = block.channel(c);
            x[i] = static_cast<float>(x[i] * gain);
        }
    }
    return blockMaxReduction;
}

void Compressor::updateMeters(double blockMaxReduction, int channels) {
    double current = 0.0;
    for (int c = 0; c < channels; ++c)
        current = std::max(current, reductionDb_[static_cast<std::size_t>(c)]);
    currentReductionDb_.store(current);
    if (blockMaxReduction > maxReductionDb_.load()) maxReductionDb_.store(blockMaxReduction);
}

} // namespace lathe::dsp
