#include "core/analysis/DeliveryChecks.h"

#include "dsp/FftwPlanner.h"
#include "dsp/SubAudibleMeter.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>

namespace lathe::core {

namespace {

double db20(double x) {
    return x > 1e-10 ? 20.0 * std::log10(x) : -200.0;
}

} // namespace

double detectBandLimitHz(const std::vector<float>& mono, double sampleRate) {
    constexpr int kSize = 8192;
    if (mono.size() < static_cast<std::size_t>(kSize)) return 0.0;
    float* in = fftwf_alloc_real(kSize);
    fftwf_complex* out = fftwf_alloc_complex(kSize / 2 + 1);
    fftwf_plan plan;
    {
        // FFTW's planner is process-wide and not thread-safe; folders are analysed on worker threads.
        std::lock_guard lock(dsp::fftwPlannerMutex());
        plan = fftwf_plan_dft_r2c_1d(kSize, in, out, FFTW_ESTIMATE);
    }
    std::vector<double> power(kSize / 2 + 1, 0.0);
    const std::size_t frames = mono.size() - kSize;
    const std::size_t count = std::min<std::size_t>(256, frames / (kSize / 2) + 1);
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t start = count > 1 ? frames * k / (count - 1) : 0;
        for (int i = 0; i < kSize; ++i) {
            const double w = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / kSize);
            in[i] = static_cast<float>(w * mono[start + static_cast<std::size_t>(i)]);
        }
        fftwf_execute(plan);
        for (int b = 0; b <= kSize / 2; ++b)
            power[static_cast<std::size_t>(b)] +=
                static_cast<double>(out[b][0]) * out[b][0] + static_cast<double>(out[b][1]) * out[b][1];
    }
    {
        std::lock_guard lock(dsp::fftwPlannerMutex());
        fftwf_destroy_plan(plan);
    }
    fftwf_free(in);
    fftwf_free(out);

    const double binHz = sampleRate / kSize;
    const auto bandDb = [&](double lo, double hi) {
        const auto a = static_cast<std::size_t>(std::max(1.0, lo / binHz));
        const auto z = std::min(power.size(), static_cast<std::size_t>(hi / binHz));
        double sum = 0.0;
        for (std::size_t b = a; b < z; ++b)
            sum += power[b];
        return z > a ? 10.0 * std::log10(sum / static_cast<double>(z - a) + 1e-30) : -300.0;
    };
    double loudestBand = -300.0;
    for (double f = 100.0; f < 0.45 * sampleRate; f += 500.0)
        loudestBand = std::max(loudestBand, bandDb(f, f + 500.0));
    const double top = std::min(20500.0, 0.45 * sampleRate);
    double bestHz = 0.0, bestDrop = 25.0;
    for (double f = 11000.0; f <= top; f += 125.0) {
        const double below = bandDb(f - 1000.0, f);
        // Content must be there below the cut (a soft pad simply has no highs) and stay gone above it.
        if (below < loudestBand - 75.0) continue;
        const double above = bandDb(f + 500.0, std::min(f + 3000.0, 0.49 * sampleRate));
        if (below - above > bestDrop) bestDrop = below - above, bestHz = f;
    }
    return bestHz;
}

AudioFacts measureFacts(const LoadedAudio& audio) {
    AudioFacts f;
    f.path = audio.info.path;
    double peak = 0.0, energy = 0.0;
    std::size_t samples = 0;
    for (const auto& c : audio.channels) {
        double sum = 0.0;
        for (float x : c) {
            peak = std::max(peak, static_cast<double>(std::abs(x)));
            energy += static_cast<double>(x) * x;
            sum += x;
        }
        samples += c.size();
        if (!c.empty())
            f.dcOffsetDb = std::max(f.dcOffsetDb, db20(std::abs(sum) / static_cast<double>(c.size())));
    }
    f.peakDbfs = db20(peak);
    f.rmsDb = samples && energy > 0 ? 10.0 * std::log10(energy / static_cast<double>(samples)) : -200.0;
    f.crestDb = f.peakDbfs - f.rmsDb;
    // A clipped recording keeps its flat tops after any later gain change: runs of equal samples at the
    // file's own peak, not only at full scale.
    if (peak > 0.0)
        for (const auto& c : audio.channels) {
            std::size_t run = 0;
            for (std::size_t i = 0; i <= c.size(); ++i) {
                const bool atPeak = i < c.size() && std::abs(c[i]) >= peak * (1.0 - 1e-4) &&
                                    (run == 0 || (c[i] > 0) == (c[i - 1] > 0));
                if (atPeak) {
                    ++run;
                } else {
                    if (run >= 3) f.clippedSamples += static_cast<int64_t>(run);
                    run = i < c.size() && std::abs(c[i]) >= peak * (1.0 - 1e-4) ? 1 : 0;
                }
            }
        }
    if (peak > 0.0 && audio.frames() > 0) {
        const double near = peak * std::pow(10.0, -0.1 / 20.0);
        const auto gap = static_cast<int64_t>(audio.info.sampleRate / 1000);
        int64_t events = 0, last = -gap - 1;
        for (int64_t i = 0; i < audio.frames(); ++i) {
            bool at = false;
            for (const auto& c : audio.channels)
                at = at || std::abs(c[static_cast<std::size_t>(i)]) >= near;
            if (!at) continue;
            if (i - last > gap) ++events;
            last = i;
        }
        const double minutes = static_cast<double>(audio.frames()) / audio.info.sampleRate / 60.0;
        f.nearPeakPerMinute = static_cast<double>(events) / minutes;
    }
    if (audio.channels.size() >= 2) {
        double ll = 0, rr = 0, lr = 0;
        for (std::size_t i = 0; i < audio.channels[0].size(); ++i) {
            const double l = audio.channels[0][i], r = audio.channels[1][i];
            ll += l * l;
            rr += r * r;
            lr += l * r;
        }
        f.correlation = ll > 1e-20 && rr > 1e-20 ? lr / std::sqrt(ll * rr) : 1.0;
        // Mono fold-down (L+R)/2 against the average channel power.
        const double mono = (ll + rr + 2.0 * lr) / 4.0, stereo = (ll + rr) / 2.0;
        f.monoFoldLossDb =
            stereo > 1e-20 ? std::max(0.0, -10.0 * std::log10(std::max(mono, 1e-30) / stereo)) : 0.0;
    }
    f.bandLimitHz = detectBandLimitHz(audio.mono(), audio.info.sampleRate);
    if (!audio.channels.empty() && audio.channels.size() <= dsp::SubAudibleMeter::kMaxChannels) {
        dsp::SubAudibleMeter subAudible;
        subAudible.prepare(audio.info.sampleRate, static_cast<int>(audio.channels.size()));
        std::vector<const float*> channels;
        for (const auto& c : audio.channels)
            channels.push_back(c.data());
        subAudible.process(channels.data(), static_cast<int>(audio.frames()));
        f.subAudibleLevelDb = subAudible.levelDb();
        f.audibleShareDb = subAudible.audibleShareDb();
    }
    return f;
}

} // namespace lathe::core
