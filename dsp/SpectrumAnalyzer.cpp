#include "SpectrumAnalyzer.h"

#include "Decibels.h"
#include "FftwPlanner.h"

#include <fftw3.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <mutex>
#include <new>
#include <numbers>

namespace lathe::dsp {

struct SpectrumAnalyzer::Fft {
    explicit Fft(int n) : size(n) {
        input = fftwf_alloc_real(static_cast<std::size_t>(n));
        output = fftwf_alloc_complex(static_cast<std::size_t>(n / 2 + 1));
        if (!input || !output) {
            fftwf_free(input);
            fftwf_free(output);
            throw std::bad_alloc();
        }
        std::lock_guard lock(fftwPlannerMutex());
        // ESTIMATE: MEASURE would spend seconds timing candidates at startup for a display that runs at ~20
        // Hz.
        plan = fftwf_plan_dft_r2c_1d(n, input, output, FFTW_ESTIMATE);
    }
    ~Fft() {
        {
            std::lock_guard lock(fftwPlannerMutex());
            fftwf_destroy_plan(plan);
        }
        fftwf_free(input);
        fftwf_free(output);
    }
    Fft(const Fft&) = delete;
    Fft& operator=(const Fft&) = delete;

    int size;
    float* input = nullptr;
    fftwf_complex* output = nullptr;
    fftwf_plan plan = nullptr;
};

SpectrumAnalyzer::SpectrumAnalyzer() = default;
SpectrumAnalyzer::~SpectrumAnalyzer() = default;
SpectrumAnalyzer::SpectrumAnalyzer(SpectrumAnalyzer&&) noexcept = default;
SpectrumAnalyzer& SpectrumAnalyzer::operator=(SpectrumAnalyzer&&) noexcept = default;

void SpectrumAnalyzer::setAveraging(double amount) {
    averaging_ = std::clamp(amount, 0.0, 0.999);
}

void SpectrumAnalyzer::prepare(double sampleRate, int /*maxBlockFrames*/, int /*numChannels*/, int fftSize) {
    assert(fftSize >= 32 && fftSize <= 65536 && (fftSize & (fftSize - 1)) == 0);
    sampleRate_ = sampleRate;
    if (!fft_ || size_ != fftSize) {
        fft_.reset();
        fft_ = std::make_unique<Fft>(fftSize);
    }
    size_ = fftSize;
    const auto n = static_cast<std::size_t>(size_);
    history_.assign(n, 0.0f);
    window_.resize(n);
    // Periodic (DFT-even) Hann: its coherent gain is exactly 1/2 and its ENBW exactly 1.5 bins.
    for (std::size_t i = 0; i < n; ++i)
        window_[i] = static_cast<float>(
            0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n)));
    averagePower_.assign(n / 2 + 1, 0.0);
    magnitudesDb_.assign(n / 2 + 1, MeterValue{});
    reset();
}

void SpectrumAnalyzer::reset() {
    std::fill(history_.begin(), history_.end(), 0.0f);
    std::fill(averagePower_.begin(), averagePower_.end(), 0.0);
    for (MeterValue& m : magnitudesDb_)
        m.store(static_cast<float>(kSilenceDb));
    writeIndex_ = 0;
    samplesUntilFrame_ = size_ / 2;
    framesComputed_ = 0;
    framesComputedMeter_.store(0.0);
}

void SpectrumAnalyzer::copyMagnitudesDb(float* out, int count) const {
    assert(count >= 0 && count <= numBins());
    for (int k = 0; k < count; ++k)
        out[k] = magnitudeDb(k);
}

void SpectrumAnalyzer::process(const AudioBlock& block) {
    assert(fft_);
    const int channels = block.numChannels();
    if (channels == 0) return;
    const float scale = 1.0f / static_cast<float>(channels);
    const int mask = size_ - 1;
    for (int i = 0, n = block.numFrames(); i < n; ++i) {
        float sum = 0.0f;
        for (int c = 0; c < channels; ++c)
            sum += block.channel(c)[i];
        history_[static_cast<std::size_t>(writeIndex_)] = sum * scale;
        writeIndex_ = (writeIndex_ + 1) & mask;
        if (--samplesUntilFrame_ == 0) {
            computeFrame();
            samplesUntilFrame_ = size_ / 2;
        }
    }
}

void SpectrumAnalyzer::computeFrame() {
    const int n = size_;
    // writeIndex_ is the oldest sample of the circular history.
    const int tail = n - writeIndex_;
    float* in = fft_->input;
    for (int i = 0; i < tail; ++i)
        in[i] = history_[static_cast<std::size_t>(writeIndex_ + i)] * window_[static_cast<std::size_t>(i)];
    for (int i = tail; i < n; ++i)
        in[i] = history_[static_cast<std::size_t>(i - tail)] * window_[static_cast<std::size_t>(i)];
    fftwf_execute(fft_->plan);

    // Single-sided amplitude: |X| * 2 / sum(w), sum(w) = n / 2 for the periodic Hann. DC and Nyquist have no
    // mirror image, so they take half that factor.
    const double amplitudeScale = 4.0 / n;
    const double powerScale = amplitudeScale * amplitudeScale;
    const int bins = n / 2 + 1;
    const bool first = framesComputed_ == 0;
    const double keep = first ? 0.0 : averaging_;
    for (int k = 0; k < bins; ++k) {
        const double re = fft_->output[k][0];
        const double im = fft_->output[k][1];
        double power = (re * re + im * im) * powerScale;
        if (k == 0 || k == n / 2) power *= 0.25;
        double& avg = averagePower_[static_cast<std::size_t>(k)];
        avg = keep * avg + (1.0 - keep) * power;
        magnitudesDb_[static_cast<std::size_t>(k)].store(static_cast<float>(powerToDb(avg)));
    }
    ++framesComputed_;
    framesComputedMeter_.store(static_cast<double>(framesComputed_));
}

} // namespace lathe::dsp
