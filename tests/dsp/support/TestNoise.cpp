#include "TestNoise.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace lathe::test {

namespace {

std::size_t nextPowerOfTwo(std::size_t n) {
    std::size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

void scaleToRms(std::vector<float>& x, double rms) {
    double sum = 0.0;
    for (float v : x)
        sum += static_cast<double>(v) * v;
    const double gain = sum > 0.0 ? rms / std::sqrt(sum / static_cast<double>(x.size())) : 0.0;
    for (float& v : x)
        v = static_cast<float>(v * gain);
}

} // namespace

std::vector<float> whiteNoise(std::size_t frames, double rms, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> gauss(0.0, 1.0);
    std::vector<float> x(frames);
    for (float& v : x)
        v = static_cast<float>(gauss(rng));
    scaleToRms(x, rms);
    return x;
}

std::vector<float> pinkNoise(std::size_t frames, double sampleRate, double rms, unsigned seed) {
    const std::size_t n = nextPowerOfTwo(frames);
    std::vector<double> time(n);
    std::vector<fftw_complex> spectrum(n / 2 + 1);
    fftw_plan plan = fftw_plan_dft_c2r_1d(static_cast<int>(n), spectrum.data(), time.data(), FFTW_ESTIMATE);
    std::mt19937 rng(seed);
    std::normal_distribution<double> gauss(0.0, 1.0);
    for (std::size_t k = 0; k < spectrum.size(); ++k) {
        const double f = static_cast<double>(k) * sampleRate / static_cast<double>(n);
        const double amplitude = f >= 5.0 ? 1.0 / std::sqrt(f) : 0.0;
        spectrum[k][0] = amplitude * gauss(rng);
        spectrum[k][1] = k == 0 || k == n / 2 ? 0.0 : amplitude * gauss(rng);
    }
    fftw_execute(plan);
    fftw_destroy_plan(plan);
    std::vector<float> x(frames);
    for (std::size_t i = 0; i < frames; ++i)
        x[i] = static_cast<float>(time[i]);
    scaleToRms(x, rms);
    return x;
}

void brickWallLowPass(std::vector<float>& x, double sampleRate, double cutoffHz) {
    const std::size_t n = nextPowerOfTwo(x.size());
    std::vector<double> time(n, 0.0);
    std::vector<fftw_complex> spectrum(n / 2 + 1);
    fftw_plan forward =
        fftw_plan_dft_r2c_1d(static_cast<int>(n), time.data(), spectrum.data(), FFTW_ESTIMATE);
    fftw_plan inverse =
        fftw_plan_dft_c2r_1d(static_cast<int>(n), spectrum.data(), time.data(), FFTW_ESTIMATE);
    std::copy(x.begin(), x.end(), time.begin());
    fftw_execute(forward);
    for (std::size_t k = 0; k < spectrum.size(); ++k)
        if (static_cast<double>(k) * sampleRate / static_cast<double>(n) >= cutoffHz)
            spectrum[k][0] = spectrum[k][1] = 0.0;
    fftw_execute(inverse);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(time[i] / static_cast<double>(n));
    fftw_destroy_plan(forward);
    fftw_destroy_plan(inverse);
}

std::vector<double> bandLevelsDb(const std::vector<const std::vector<float>*>& channels, double sampleRate,
                                 const std::vector<double>& centres) {
    std::size_t frames = 0;
    for (const auto* c : channels)
        frames = std::max(frames, c->size());
    const std::size_t n = nextPowerOfTwo(frames);
    std::vector<double> time(n);
    std::vector<fftw_complex> spectrum(n / 2 + 1);
    fftw_plan plan = fftw_plan_dft_r2c_1d(static_cast<int>(n), time.data(), spectrum.data(), FFTW_ESTIMATE);
    std::vector<double> power(centres.size(), 0.0);
    const double binHz = sampleRate / static_cast<double>(n);
    for (const auto* c : channels) {
        std::fill(time.begin(), time.end(), 0.0);
        std::copy(c->begin(), c->end(), time.begin());
        fftw_execute(plan);
        for (std::size_t b = 0; b < centres.size(); ++b) {
            const auto lo = static_cast<std::size_t>(std::ceil(centres[b] * std::exp2(-1.0 / 6.0) / binHz));
            const auto hi =
                std::min(spectrum.size(),
                         static_cast<std::size_t>(std::ceil(centres[b] * std::exp2(1.0 / 6.0) / binHz)));
            for (std::size_t k = lo; k < hi; ++k)
                power[b] += spectrum[k][0] * spectrum[k][0] + spectrum[k][1] * spectrum[k][1];
        }
    }
    fftw_destroy_plan(plan);
    std::vector<double> db(centres.size());
    for (std::size_t b = 0; b < centres.size(); ++b)
        db[b] = 10.0 * std::log10(std::max(power[b], 1e-30));
    return db;
}

} // namespace lathe::test
