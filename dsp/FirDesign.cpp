#include "FirDesign.h"

#include "Decibels.h"
#include "FftwPlanner.h"

#include <fftw3.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <complex>
#include <memory>
#include <numbers>

namespace lathe::dsp {

namespace {

int nextPowerOfTwo(int n) {
    int p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

struct FftwFree {
    void operator()(void* p) const { fftw_free(p); }
};
using RealBuffer = std::unique_ptr<double, FftwFree>;
using ComplexBuffer = std::unique_ptr<fftw_complex, FftwFree>;

RealBuffer allocReal(int n) {
    RealBuffer b(fftw_alloc_real(static_cast<std::size_t>(n)));
    if (!b) throw std::bad_alloc();
    return b;
}

ComplexBuffer allocComplex(int n) {
    ComplexBuffer b(fftw_alloc_complex(static_cast<std::size_t>(n)));
    if (!b) throw std::bad_alloc();
    return b;
}

// A planned transform that is executed once: planned and destroyed under the planner mutex.
class OneShotPlan {
public:
    explicit OneShotPlan(fftw_plan plan) : plan_(plan) {}
    ~OneShotPlan() {
        std::lock_guard lock(fftwPlannerMutex());
        fftw_destroy_plan(plan_);
    }
    OneShotPlan(const OneShotPlan&) = delete;
    OneShotPlan& operator=(const OneShotPlan&) = delete;
    void execute() const { fftw_execute(plan_); }

private:
    fftw_plan plan_;
};

std::unique_ptr<OneShotPlan> planC2r(int n, fftw_complex* in, double* out) {
    std::lock_guard lock(fftwPlannerMutex());
    return std::make_unique<OneShotPlan>(fftw_plan_dft_c2r_1d(n, in, out, FFTW_ESTIMATE));
}

std::unique_ptr<OneShotPlan> planR2c(int n, double* in, fftw_complex* out) {
    std::lock_guard lock(fftwPlannerMutex());
    return std::make_unique<OneShotPlan>(fftw_plan_dft_r2c_1d(n, in, out, FFTW_ESTIMATE));
}

} // namespace

int linearPhaseFirTaps(double sampleRate) {
    const int octavesAbove48k = static_cast<int>(std::lround(std::log2(sampleRate / 48000.0)));
    const int size =
        std::clamp(16384 << std::max(0, octavesAbove48k) >> std::max(0, -octavesAbove48k), 1024, 131072);
    return size - 1;
}

std::vector<float> designLinearPhaseFir(const FrequencyCurve& curve, double sampleRate, int taps) {
    assert(taps >= 3 && taps % 2 == 1);
    const int half = (taps - 1) / 2;
    const int m = 4 * nextPowerOfTwo(taps);
    const int bins = m / 2 + 1;
    ComplexBuffer spectrum = allocComplex(bins);
    RealBuffer impulse = allocReal(m);
    const auto plan = planC2r(m, spectrum.get(), impulse.get());
    for (int k = 0; k < bins; ++k) {
        spectrum.get()[k][0] = dbToGain(curve.gainDbAt(k * sampleRate / m));
        spectrum.get()[k][1] = 0.0;
    }
    plan->execute();
    // The zero-phase response is even around sample 0 of the circular result: sample d (and m - d) becomes
    // taps half + d (and half - d).
    std::vector<float> h(static_cast<std::size_t>(taps));
    for (int d = 0; d <= half; ++d) {
        // Hann over the taps, i.e. zero one sample beyond each end, so the outermost taps are not wasted.
        const double w = 0.5 + 0.5 * std::cos(std::numbers::pi * d / (half + 1));
        const double value = w * 0.5 * (impulse.get()[d] + impulse.get()[(m - d) % m]) / m;
        h[static_cast<std::size_t>(half + d)] = static_cast<float>(value);
        h[static_cast<std::size_t>(half - d)] = static_cast<float>(value);
    }
    return h;
}

std::vector<float> designMinimumPhaseFir(const FrequencyCurve& curve, double sampleRate, int taps) {
    assert(taps >= 3);
    // The cepstrum of a log magnitude decays slowly; a long transform keeps its time aliasing negligible.
    const int m = 8 * nextPowerOfTwo(taps);
    const int bins = m / 2 + 1;
    ComplexBuffer spectrum = allocComplex(bins);
    RealBuffer time = allocReal(m);
    const auto toTime = planC2r(m, spectrum.get(), time.get());
    const auto toFrequency = planR2c(m, time.get(), spectrum.get());

    // Real cepstrum of ln|H|.
    for (int k = 0; k < bins; ++k) {
        spectrum.get()[k][0] = curve.gainDbAt(k * sampleRate / m) * std::log(10.0) / 20.0;
        spectrum.get()[k][1] = 0.0;
    }
    toTime->execute();
    // Fold onto positive time (the causal part doubled); 1/m undoes the unnormalised inverse.
    double* c = time.get();
    c[0] /= m;
    for (int n = 1; n < m / 2; ++n)
        c[n] = 2.0 * c[n] / m;
    c[m / 2] /= m;
    for (int n = m / 2 + 1; n < m; ++n)
        c[n] = 0.0;
    toFrequency->execute();
    for (int k = 0; k < bins; ++k) {
        const std::complex<double> h =
            std::exp(std::complex<double>(spectrum.get()[k][0], spectrum.get()[k][1]));
        spectrum.get()[k][0] = h.real();
        spectrum.get()[k][1] = h.imag();
    }
    toTime->execute();
    std::vector<float> h(static_cast<std::size_t>(taps));
    const int fadeStart = taps - taps / 4;
    for (int n = 0; n < taps; ++n) {
        double w = 1.0;
        if (n >= fadeStart)
            w = 0.5 + 0.5 * std::cos(std::numbers::pi * (n - fadeStart + 1) / (taps - fadeStart + 1));
        h[static_cast<std::size_t>(n)] = static_cast<float>(w * time.get()[n] / m);
    }
    return h;
}

double firMagnitudeDb(const std::vector<float>& taps, double sampleRate, double frequencyHz) {
    const double w = 2.0 * std::numbers::pi * frequencyHz / sampleRate;
    // Rotating phasor, renormalised now and then so 16k steps do not drift.
    std::complex<double> sum = 0.0;
    const std::complex<double> step = std::polar(1.0, -w);
    std::complex<double> phasor = 1.0;
    for (std::size_t n = 0; n < taps.size(); ++n) {
        sum += static_cast<double>(taps[n]) * phasor;
        phasor *= step;
        if ((n & 1023) == 1023) phasor = std::polar(1.0, -w * static_cast<double>(n + 1));
    }
    return gainToDb(std::abs(sum));
}

} // namespace lathe::dsp
