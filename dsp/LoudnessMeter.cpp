#include "LoudnessMeter.h"

#include "Decibels.h"

#include <ebur128.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <new>

namespace lathe::dsp {

namespace {

int modeFor(int features) {
    // Histogram mode keeps integrated / LRA memory fixed: the block-list mode mallocs a node per 100 ms.
    int mode = EBUR128_MODE_HISTOGRAM;
    if (features & LoudnessMeter::Momentary) mode |= EBUR128_MODE_M;
    if (features & LoudnessMeter::ShortTerm) mode |= EBUR128_MODE_S;
    if (features & LoudnessMeter::Integrated) mode |= EBUR128_MODE_I;
    if (features & LoudnessMeter::Range) mode |= EBUR128_MODE_LRA;
    if (features & LoudnessMeter::SamplePeak) mode |= EBUR128_MODE_SAMPLE_PEAK;
    if (features & LoudnessMeter::TruePeak) mode |= EBUR128_MODE_TRUE_PEAK;
    // libebur128 needs at least the momentary filter to run at all.
    return mode | EBUR128_MODE_M;
}

// libebur128 reports silence (and a window with no gated blocks) as -HUGE_VAL.
double finiteLufs(double lufs) {
    return std::isfinite(lufs) && lufs > kSilenceDb ? lufs : kSilenceDb;
}

} // namespace

struct LoudnessMeter::State {
    explicit State(ebur128_state* s) : st(s) {}
    ~State() { ebur128_destroy(&st); }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ebur128_state* st;
};

LoudnessMeter::LoudnessMeter() = default;
LoudnessMeter::~LoudnessMeter() = default;
LoudnessMeter::LoudnessMeter(LoudnessMeter&&) noexcept = default;
LoudnessMeter& LoudnessMeter::operator=(LoudnessMeter&&) noexcept = default;

void LoudnessMeter::prepare(double sampleRate, int maxBlockFrames, int numChannels, int features) {
    assert(numChannels >= 1 && numChannels <= 5);
    assert(maxBlockFrames >= 1);
    sampleRate_ = sampleRate;
    maxBlockFrames_ = maxBlockFrames;
    numChannels_ = numChannels;
    features_ = features & All;
    // Same rounding as libebur128's samples_in_100ms, so our evaluation grid coincides with its block grid.
    framesPerEvaluation_ = static_cast<int>((static_cast<long>(std::lround(sampleRate)) + 5) / 10);
    interleaved_.assign(static_cast<std::size_t>(maxBlockFrames_) * static_cast<std::size_t>(numChannels_),
                        0.0f);
    createState();
    clearReadings();
}

void LoudnessMeter::reset() {
    if (numChannels_ == 0) return;
    createState();
    clearReadings();
}

void LoudnessMeter::createState() {
    state_.reset();
    ebur128_state* st =
        ebur128_init(static_cast<unsigned>(numChannels_),
                     static_cast<unsigned long>(std::lround(sampleRate_)), modeFor(features_));
    if (!st) throw std::bad_alloc();
    state_ = std::make_unique<State>(st);
}

void LoudnessMeter::clearReadings() {
    framesUntilEvaluation_ = framesPerEvaluation_;
    for (MeterValue* lufs : {&momentaryLufs_, &shortTermLufs_, &integratedLufs_, &maxMomentaryLufs_,
                             &maxShortTermLufs_, &samplePeakDbfs_, &truePeakDbtp_})
        lufs->store(kSilenceDb);
    loudnessRangeLu_.store(0.0);
}

void LoudnessMeter::process(const AudioBlock& block) {
    assert(state_ && block.numChannels() == numChannels_ && block.numFrames() <= maxBlockFrames_);
    int done = 0;
    const int total = block.numFrames();
    while (done < total) {
        const int count = std::min(total - done, framesUntilEvaluation_);
        feed(block.subBlock(done, count));
        done += count;
        framesUntilEvaluation_ -= count;
        if (framesUntilEvaluation_ == 0) {
            evaluate();
            framesUntilEvaluation_ = framesPerEvaluation_;
        }
    }
    samplePeakDbfs_.store(libraryPeakDb(false));
    truePeakDbtp_.store(libraryPeakDb(true));
}

void LoudnessMeter::feed(const AudioBlock& chunk) {
    const int n = chunk.numFrames();
    const int channels = numChannels_;
    for (int c = 0; c < channels; ++c) {
        const float* src = chunk.channel(c);
        float* dst = interleaved_.data() + c;
        for (int i = 0; i < n; ++i)
            dst[static_cast<std::size_t>(i) * static_cast<std::size_t>(channels)] = src[i];
    }
    ebur128_add_frames_float(state_->st, interleaved_.data(), static_cast<std::size_t>(n));
}

void LoudnessMeter::evaluate() {
    ebur128_state* st = state_->st;
    double value = 0.0;
    if ((features_ & Momentary) && ebur128_loudness_momentary(st, &value) == EBUR128_SUCCESS) {
        const double momentary = finiteLufs(value);
        momentaryLufs_.store(momentary);
        maxMomentaryLufs_.store(std::max(maxMomentaryLufs_.load(), momentary));
    }
    if ((features_ & ShortTerm) && ebur128_loudness_shortterm(st, &value) == EBUR128_SUCCESS) {
        const double shortTerm = finiteLufs(value);
        shortTermLufs_.store(shortTerm);
        maxShortTermLufs_.store(std::max(maxShortTermLufs_.load(), shortTerm));
    }
    if ((features_ & Integrated) && ebur128_loudness_global(st, &value) == EBUR128_SUCCESS)
        integratedLufs_.store(finiteLufs(value));
    if ((features_ & Range) && ebur128_loudness_range(st, &value) == EBUR128_SUCCESS)
        loudnessRangeLu_.store(std::isfinite(value) ? value : 0.0);
}

double LoudnessMeter::libraryPeakDb(bool truePeak) const {
    const int needed = truePeak ? TruePeak : (SamplePeak | TruePeak);
    if (!state_ || !(features_ & needed)) return kSilenceDb;
    double peak = 0.0;
    for (int c = 0; c < numChannels_; ++c) {
        double p = 0.0;
        const int status = truePeak ? ebur128_true_peak(state_->st, static_cast<unsigned>(c), &p)
                                    : ebur128_sample_peak(state_->st, static_cast<unsigned>(c), &p);
        if (status == EBUR128_SUCCESS) peak = std::max(peak, p);
    }
    return gainToDb(peak);
}

} // namespace lathe::dsp
