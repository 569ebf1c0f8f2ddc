#include "core/analysis/NullTest.h"

#include "core/Error.h"
#include "core/analysis/GainFit.h"
#include "dsp/FftwPlanner.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>
#include <mutex>

namespace lathe::core {

const char* nullCauseName(NullCause cause) {
    switch (cause) {
    case NullCause::None:
        return "none";
    case NullCause::StemOffset:
        return "stem_offset";
    case NullCause::PolarityFlip:
        return "polarity";
    case NullCause::StemLength:
        return "stem_length";
    case NullCause::MissingStem:
        return "missing_stem";
    case NullCause::MasterBusProcessing:
        return "master_bus_processing";
    case NullCause::LossyStem:
        return "lossy_stem";
    case NullCause::StemGain:
        return "stem_gain";
    case NullCause::ClippedStem:
        return "clipped_stem";
    }
    return "none";
}

namespace {

struct FftwFree {
    void operator()(void* p) const { fftwf_free(p); }
};

double toDb(double ratio) {
    return ratio > 1e-20 ? 10.0 * std::log10(ratio) : -200.0;
}

// Sample at frame i of a stem moved earlier by lag and flipped if asked; zero outside the file.
float shifted(const std::vector<float>& x, int64_t i, int lag, bool flip) {
    const int64_t j = i + lag;
    if (j < 0 || j >= static_cast<int64_t>(x.size())) return 0.0f;
    const float v = x[static_cast<std::size_t>(j)];
    return flip ? -v : v;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(std::llround(p * static_cast<double>(v.size() - 1)))];
}

// NullTestResult::printedGainReductionDb.
double printedReductionDb(const std::vector<float> (&mixChannels)[2], const std::vector<LoadedAudio>& stems,
                          const NullTestResult& r, const GainFit::Result& fit) {
    const std::size_t n = mixChannels[0].size();
    const auto block =
        static_cast<std::size_t>(std::max(1, stems.empty() ? 960 : stems.front().info.sampleRate / 50));
    const std::size_t blocks = n / block;
    std::vector<double> mixPeak(blocks, 0.0), sumPeak(blocks, 0.0);
    std::vector<double> fitted(n);
    for (int c = 0; c < 2; ++c) {
        std::fill(fitted.begin(), fitted.end(), 0.0);
        for (std::size_t k = 0; k < stems.size(); ++k) {
            if (fit.gains[k] == 0.0 || stems[k].channels.empty()) continue;
            const auto& x = stems[k].channels[std::min<std::size_t>(static_cast<std::size_t>(c),
                                                                    stems[k].channels.size() - 1)];
            for (std::size_t i = 0; i < n; ++i)
                fitted[i] += fit.gains[k] * shifted(x, static_cast<int64_t>(i), r.stems[k].lagSamples,
                                                    r.stems[k].polarityInverted);
        }
        for (std::size_t b = 0; b < blocks; ++b)
            for (std::size_t i = b * block; i < (b + 1) * block; ++i) {
                mixPeak[b] = std::max(mixPeak[b], static_cast<double>(std::abs(mixChannels[c][i])));
                sumPeak[b] = std::max(sumPeak[b], std::abs(fitted[i]));
            }
    }
    // A limiter or clipper lowers the loud blocks against the quiet ones; a missing part or a stem at
    // another level moves blocks by what plays in them, whatever their level. So the make-up is read where
    // the sum is 12-30 dB under its peak, and the reduction where it is within 6 dB of it.
    const double loudest = blocks ? *std::max_element(sumPeak.begin(), sumPeak.end()) : 0.0;
    std::vector<double> quiet, loud, all;
    for (std::size_t b = 0; b < blocks; ++b) {
        if (mixPeak[b] <= 1e-9 || sumPeak[b] <= loudest * 0.0316) continue; // within 30 dB
        const double ratio = 20.0 * std::log10(mixPeak[b] / sumPeak[b]);
        all.push_back(ratio);
        if (sumPeak[b] >= loudest * 0.5)
            loud.push_back(ratio);
        else if (sumPeak[b] <= loudest * 0.25)
            quiet.push_back(ratio);
    }
    if (loud.size() < 5 || all.size() < 20) return 0.0;
    const double makeUp = quiet.size() >= 10 ? percentile(quiet, 0.5) : percentile(all, 0.95);
    return std::max(0.0, makeUp - percentile(loud, 0.0));
}

} // namespace

LagEstimate estimateLag(const std::vector<float>& signal, const std::vector<float>& reference, int maxLag) {
    const auto frames = static_cast<int64_t>(std::min(signal.size(), reference.size()));
    if (frames == 0) return {};
    // The loudest stretch of the signal carries the most evidence; 2^19 frames keeps the FFT small.
    const int64_t window = std::min<int64_t>(frames, int64_t{1} << 19);
    int64_t start = 0;
    if (window < frames) {
        const int64_t hop = std::max<int64_t>(1, window / 8);
        double best = -1.0;
        for (int64_t s = 0; s + window <= frames; s += hop) {
            double e = 0.0;
            for (int64_t i = s; i < s + window; i += 16)
                e += static_cast<double>(signal[static_cast<std::size_t>(i)]) *
                     signal[static_cast<std::size_t>(i)];
            if (e > best) best = e, start = s;
        }
    }
    int64_t n = 1;
    while (n < 2 * (window + maxLag))
        n <<= 1;
    std::unique_ptr<float, FftwFree> x(fftwf_alloc_real(static_cast<std::size_t>(n)));
    std::unique_ptr<float, FftwFree> y(fftwf_alloc_real(static_cast<std::size_t>(n)));
    const auto bins = static_cast<std::size_t>(n / 2 + 1);
    std::unique_ptr<fftwf_complex, FftwFree> xf(fftwf_alloc_complex(bins)), yf(fftwf_alloc_complex(bins));
    std::fill(x.get(), x.get() + n, 0.0f);
    std::fill(y.get(), y.get() + n, 0.0f);
    double ex = 0.0;
    for (int64_t i = 0; i < window; ++i) {
        x.get()[i] = signal[static_cast<std::size_t>(start + i)];
        ex += static_cast<double>(x.get()[i]) * x.get()[i];
    }
    // The reference is taken maxLag wider on each side, so every lag sees a full window of it.
    const int64_t refStart = start - maxLag;
    for (int64_t i = 0; i < window + 2 * maxLag; ++i) {
        const int64_t j = refStart + i;
        if (j >= 0 && j < frames) y.get()[i] = reference[static_cast<std::size_t>(j)];
    }
    if (ex <= 1e-20) return {};
    fftwf_plan px, py, pc;
    {
        // FFTW's planner is process-wide and not thread-safe; advise/validate run folders on worker threads.
        std::lock_guard lock(dsp::fftwPlannerMutex());
        px = fftwf_plan_dft_r2c_1d(static_cast<int>(n), x.get(), xf.get(), FFTW_ESTIMATE);
        py = fftwf_plan_dft_r2c_1d(static_cast<int>(n), y.get(), yf.get(), FFTW_ESTIMATE);
        pc = fftwf_plan_dft_c2r_1d(static_cast<int>(n), yf.get(), y.get(), FFTW_ESTIMATE);
    }
    fftwf_execute(px);
    fftwf_execute(py);
    for (std::size_t k = 0; k < bins; ++k) {
        const std::complex<float> a(xf.get()[k][0], xf.get()[k][1]), b(yf.get()[k][0], yf.get()[k][1]);
        const std::complex<float> c = std::conj(a) * b;
        yf.get()[k][0] = c.real();
        yf.get()[k][1] = c.imag();
    }
    fftwf_execute(pc);
    {
        std::lock_guard lock(dsp::fftwPlannerMutex());
        fftwf_destroy_plan(px);
        fftwf_destroy_plan(py);
        fftwf_destroy_plan(pc);
    }
    // corr[m] = sum_i x[i] * ref[refStart + i + m]; the signal at start+i lines up with the reference at
    // start+i+k where k = m - maxLag. A signal that is late by L matches the reference L frames earlier.
    int bestM = maxLag;
    double bestAbs = -1.0;
    for (int m = 0; m <= 2 * maxLag; ++m) {
        const double v = std::abs(static_cast<double>(y.get()[m]));
        if (v > bestAbs) bestAbs = v, bestM = m;
    }
    double ey = 0.0;
    for (int64_t i = 0; i < window; ++i) {
        const int64_t j = start + i + (bestM - maxLag);
        if (j >= 0 && j < frames)
            ey += static_cast<double>(reference[static_cast<std::size_t>(j)]) *
                  reference[static_cast<std::size_t>(j)];
    }
    LagEstimate e;
    e.lagSamples = -(bestM - maxLag);
    const double c = y.get()[bestM] / static_cast<double>(n);
    e.correlation = ey > 1e-20 ? c / std::sqrt(ex * ey) : 0.0;
    return e;
}

NullTestResult runNullTest(const LoadedAudio& mix, const std::vector<LoadedAudio>& stems, int maxLagSamples) {
    for (const auto& s : stems)
        if (s.info.sampleRate != mix.info.sampleRate)
            throw Error(s.info.path, "cannot null against the mix: the stem is at " +
                                         std::to_string(s.info.sampleRate) + " Hz and the mix at " +
                                         std::to_string(mix.info.sampleRate) + " Hz");
    NullTestResult r;
    const int64_t frames = mix.frames();
    const auto n = static_cast<std::size_t>(frames);
    const std::vector<float> mixChannels[2] = {mix.channel(0), mix.channel(1)};

    // The mix minus all stems but one is what the mix holds of that one: correlating against it instead of
    // the mix keeps other, similar stems (a kick and an 808 on the same notes) from pulling the lag.
    const std::vector<float> mixMono = mix.mono();
    std::vector<std::vector<float>> monos;
    for (const auto& s : stems) {
        monos.push_back(s.mono());
        monos.back().resize(n, 0.0f);
    }
    for (std::size_t k = 0; k < stems.size(); ++k) {
        StemNull sn;
        sn.path = stems[k].info.path;
        sn.lengthDifferenceFrames = stems[k].frames() - frames;
        sn.silent = rmsDb(monos[k]) < -120.0;
        r.stems.push_back(sn);
    }
    // One stem's error leaks into every other stem's target, so the lags are refined in rounds, each
    // against the others as last corrected, until nothing changes.
    const auto correctedMono = [&](std::size_t k) {
        std::vector<float> y(n);
        for (std::size_t i = 0; i < n; ++i)
            y[i] = shifted(monos[k], static_cast<int64_t>(i), r.stems[k].lagSamples,
                           r.stems[k].polarityInverted);
        return y;
    };
    std::vector<std::vector<float>> correctedMonos;
    for (std::size_t k = 0; k < stems.size(); ++k)
        correctedMonos.push_back(monos[k]);
    for (int round = 0; round < 4; ++round) {
        bool changed = false;
        std::vector<float> correctedSum(n, 0.0f);
        for (const auto& y : correctedMonos)
            for (std::size_t i = 0; i < n; ++i)
                correctedSum[i] += y[i];
        for (std::size_t k = 0; k < stems.size(); ++k) {
            StemNull& sn = r.stems[k];
            if (sn.silent) continue;
            std::vector<float> target(n);
            for (std::size_t i = 0; i < n; ++i)
                target[i] = mixMono[i] - (correctedSum[i] - correctedMonos[k][i]);
            const LagEstimate e = estimateLag(monos[k], target, maxLagSamples);
            const bool inverted = e.correlation <= -0.5;
            changed = changed || e.lagSamples != sn.lagSamples || inverted != sn.polarityInverted;
            sn.lagSamples = e.lagSamples;
            sn.correlation = e.correlation;
            sn.polarityInverted = inverted;
        }
        if (!changed) break;
        for (std::size_t k = 0; k < stems.size(); ++k)
            correctedMonos[k] = correctedMono(k);
    }

    // A lag or a flip is only a finding if undoing it brings the stems closer to the mix: against a mix with
    // a limiter printed on it, correlation peaks wander by a few samples without meaning anything.
    {
        std::vector<float> others(n);
        for (std::size_t k = 0; k < stems.size(); ++k) {
            StemNull& sn = r.stems[k];
            if (sn.lagSamples == 0 && !sn.polarityInverted) continue;
            std::fill(others.begin(), others.end(), 0.0f);
            for (std::size_t j = 0; j < stems.size(); ++j)
                if (j != k)
                    for (std::size_t i = 0; i < n; ++i)
                        others[i] += correctedMonos[j][i];
            double asIs = 0.0, fixed = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double base = mixMono[i] - others[i];
                asIs += (base - monos[k][i]) * (base - monos[k][i]);
                fixed += (base - correctedMonos[k][i]) * (base - correctedMonos[k][i]);
            }
            if (!(fixed < asIs * 0.5)) { // 3 dB
                sn.lagSamples = 0;
                sn.polarityInverted = false;
                correctedMonos[k] = monos[k];
            }
        }
    }

    double mixEnergy = 0, rawResidual = 0, corrected = 0, sumEnergy = 0, cross = 0, mixPeak = 0, sumPeak = 0;
    std::vector<float> sumChannels[2];
    // Each stem's own gain in the mix, after alignment and polarity: both channels together, and each alone.
    GainFit joint(stems.size()), perChannel[2] = {GainFit(stems.size()), GainFit(stems.size())};
    {
        static const std::vector<float> kNone;
        std::vector<double> x(stems.size());
        for (int c = 0; c < 2; ++c) {
            std::vector<const std::vector<float>*> sources;
            for (const auto& s : stems)
                sources.push_back(s.channels.empty()
                                      ? &kNone
                                      : &s.channels[std::min<std::size_t>(static_cast<std::size_t>(c),
                                                                          s.channels.size() - 1)]);
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t k = 0; k < stems.size(); ++k)
                    x[k] = shifted(*sources[k], static_cast<int64_t>(i), r.stems[k].lagSamples,
                                   r.stems[k].polarityInverted);
                joint.add(x.data(), mixChannels[c][i]);
                perChannel[c].add(x.data(), mixChannels[c][i]);
            }
        }
    }
    const GainFit::Result fit = joint.solve();
    const GainFit::Result fitLeft = perChannel[0].solve(), fitRight = perChannel[1].solve();
    const auto gainDb = [](double g) { return g > 1e-10 ? 20.0 * std::log10(g) : -200.0; };
    for (std::size_t k = 0; k < stems.size(); ++k) {
        if (r.stems[k].silent) continue;
        r.stems[k].gainDb = gainDb(fit.gains[k]);
        r.stems[k].gainLeftDb = gainDb(fitLeft.gains[k]);
        r.stems[k].gainRightDb = gainDb(fitRight.gains[k]);
    }
    for (int c = 0; c < 2; ++c) {
        sumChannels[c].assign(n, 0.0f);
        std::vector<float> raw(n, 0.0f);
        for (std::size_t k = 0; k < stems.size(); ++k) {
            const std::vector<float> x = stems[k].channel(c);
            const std::size_t m = std::min(n, x.size());
            for (std::size_t i = 0; i < m; ++i)
                raw[i] += x[i];
            for (std::size_t i = 0; i < n; ++i)
                sumChannels[c][i] +=
                    shifted(x, static_cast<int64_t>(i), r.stems[k].lagSamples, r.stems[k].polarityInverted);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const double m = mixChannels[c][i], s = sumChannels[c][i];
            mixEnergy += m * m;
            rawResidual += (m - raw[i]) * (m - raw[i]);
            corrected += (m - s) * (m - s);
            sumEnergy += s * s;
            cross += m * s;
            mixPeak = std::max(mixPeak, std::abs(m));
            sumPeak = std::max(sumPeak, std::abs(s));
        }
    }
    if (mixEnergy <= 1e-20) {
        r.residualDb = r.correctedResidualDb = r.fittedResidualDb = toDb(rawResidual);
        r.cause = rawResidual > 1e-20 ? NullCause::MissingStem : NullCause::None;
        r.explanation = "The mix is silent.";
        return r;
    }
    r.residualDb = toDb(rawResidual / mixEnergy);
    r.stemGainResidualDb = toDb(fit.residualEnergy / mixEnergy);
    r.correctedResidualDb = toDb(corrected / mixEnergy);
    const double gain = sumEnergy > 1e-20 ? cross / sumEnergy : 1.0;
    r.fittedGainDb = gain > 1e-10 ? 20.0 * std::log10(gain) : -200.0;
    r.fittedResidualDb =
        toDb(std::max(0.0, mixEnergy - 2 * gain * cross + gain * gain * sumEnergy) / mixEnergy);
    const double meanEnergy = 1.0 / (2.0 * static_cast<double>(std::max<std::size_t>(n, 1)));
    r.mixCrestDb = 20.0 * std::log10(std::max(mixPeak, 1e-10)) - toDb(mixEnergy * meanEnergy);
    r.stemSumCrestDb = 20.0 * std::log10(std::max(sumPeak, 1e-10)) - toDb(sumEnergy * meanEnergy);

    if (r.stemGainResidualDb > kNullPassDb)
        r.printedGainReductionDb = printedReductionDb(mixChannels, stems, r, fit);

    if (r.residualDb <= kNullPassDb) {
        r.cause = NullCause::None;
        r.explanation = "The stems add up to the mix.";
        return r;
    }
    const auto fileName = [](const std::string& path) { return path.substr(path.find_last_of('/') + 1); };
    for (const auto& s : r.stems)
        if (s.lagSamples != 0) {
            r.cause = NullCause::StemOffset;
            r.explanation = fileName(s.path) + " is " + std::to_string(std::abs(s.lagSamples)) + " samples " +
                            (s.lagSamples > 0 ? "late" : "early") +
                            " against the mix: it was bounced from a different start point or with "
                            "plug-in delay not compensated.";
            return r;
        }
    for (const auto& s : r.stems)
        if (s.polarityInverted) {
            r.cause = NullCause::PolarityFlip;
            r.explanation =
                fileName(s.path) +
                " is polarity-flipped against the mix: summed, it cancels what the mix holds of it.";
            return r;
        }
    for (const auto& s : r.stems)
        if (s.lengthDifferenceFrames != 0) {
            r.cause = NullCause::StemLength;
            r.explanation = fileName(s.path) + " is " + std::to_string(std::abs(s.lengthDifferenceFrames)) +
                            " frames " + (s.lengthDifferenceFrames < 0 ? "shorter" : "longer") +
                            " than the mix, so part of the song is missing from the stems.";
            return r;
        }
    // With alignment, polarity and lengths fine, per-stem gains that bring the stems to a null (or most of
    // the way) name the stems that sit at another level in the mix - unless they all moved together, which
    // is a gain on the mix bus.
    std::vector<std::size_t> offLevel;
    double lowestGain = 1e9, highestGain = -1e9;
    for (std::size_t k = 0; k < r.stems.size(); ++k) {
        if (r.stems[k].silent) continue;
        lowestGain = std::min(lowestGain, r.stems[k].gainDb);
        highestGain = std::max(highestGain, r.stems[k].gainDb);
        if (std::abs(r.stems[k].gainDb) > kStemGainToleranceDb) offLevel.push_back(k);
    }
    const bool gainsExplain =
        r.stemGainResidualDb <= kNullPassDb ||
        r.stemGainResidualDb < std::min(r.correctedResidualDb, r.fittedResidualDb) - 10.0;
    const bool together = highestGain - lowestGain <= kStemGainToleranceDb;
    if (gainsExplain && !offLevel.empty() && !together) {
        r.cause = NullCause::StemGain;
        std::string text;
        for (std::size_t k : offLevel) {
            char part[256];
            std::snprintf(part, sizeof part, "%s%s is %.1f dB %s in the printed mix",
                          text.empty() ? "" : "; ", fileName(r.stems[k].path).c_str(),
                          std::abs(r.stems[k].gainDb),
                          r.stems[k].gainDb < 0 ? "louder than" : "quieter than");
            text += part;
        }
        r.explanation = text + ": the stems were bounced at another level than they were mixed at.";
        return r;
    }
    // Otherwise either the mix bus did something the stems lack (a gain change shows in the fitted gain, a
    // compressor or limiter in a lower crest factor), or a part is missing.
    const bool busGain = std::abs(r.fittedGainDb) > 0.5 && r.fittedResidualDb < r.correctedResidualDb - 3.0;
    const bool squashed = r.stemSumCrestDb - r.mixCrestDb > 1.0;
    if (busGain || squashed) {
        r.cause = NullCause::MasterBusProcessing;
        char text[384];
        std::snprintf(
            text, sizeof text,
            "The mix has master-bus processing printed on it (about %.1f dB of limiting on its loudest "
            "peaks; crest factor %.1f dB against %.1f dB for the stems' sum, level %+.1f dB): the stems do "
            "not carry it.",
            r.printedGainReductionDb, r.mixCrestDb, r.stemSumCrestDb, r.fittedGainDb);
        r.explanation = text;
    } else {
        r.cause = NullCause::MissingStem;
        r.explanation = "Part of the mix is in none of the stems: a stem or an effect return is missing.";
    }
    return r;
}

nlohmann::json toJson(const NullTestResult& r) {
    nlohmann::json stems = nlohmann::json::array();
    for (const auto& s : r.stems)
        stems.push_back({{"path", s.path},
                         {"lag_samples", s.lagSamples},
                         {"correlation", s.correlation},
                         {"polarity_inverted", s.polarityInverted},
                         {"silent", s.silent},
                         {"length_difference_frames", s.lengthDifferenceFrames},
                         {"gain_db", s.gainDb},
                         {"gain_left_db", s.gainLeftDb},
                         {"gain_right_db", s.gainRightDb}});
    return {{"residual_db", r.residualDb},
            {"corrected_residual_db", r.correctedResidualDb},
            {"fitted_gain_db", r.fittedGainDb},
            {"fitted_residual_db", r.fittedResidualDb},
            {"mix_crest_db", r.mixCrestDb},
            {"stem_sum_crest_db", r.stemSumCrestDb},
            {"stem_gain_residual_db", r.stemGainResidualDb},
            {"printed_gain_reduction_db", r.printedGainReductionDb},
            {"cause", nullCauseName(r.cause)},
            {"explanation", r.explanation},
            {"stems", stems}};
}

} // namespace lathe::core
