#include "core/analysis/LimiterDrive.h"

#include "core/chain/LimiterStage.h"
#include "core/model/Session.h"

#include "dsp/IntegratedLoudness.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

namespace {

constexpr double kHopSeconds = 0.05;
constexpr double kNeighbourhoodSeconds = 4.0;

double medianOf(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double energyDb(double e, double n) {
    return e > 1e-20 && n > 0 ? 10.0 * std::log10(e / n) : -200.0;
}

} // namespace

LimiterDrive analyzeLimiterDrive(const std::vector<DriveStem>& stems) {
    LimiterDrive drive;
    if (stems.empty()) return drive;
    const double fs = stems.front().audio->info.sampleRate;
    std::size_t n = 0;
    for (const auto& s : stems)
        n = std::max(n, static_cast<std::size_t>(s.audio->frames()));
    if (n == 0) return drive;
    std::vector<float> sum[2] = {std::vector<float>(n, 0.0f), std::vector<float>(n, 0.0f)};
    for (const auto& s : stems)
        for (int c = 0; c < 2; ++c) {
            const std::vector<float> x = s.audio->channel(c);
            for (std::size_t i = 0; i < x.size(); ++i)
                sum[c][i] += x[i];
        }
    dsp::IntegratedLoudness loudness;
    loudness.prepare(fs);
    loudness.process(sum[0].data(), sum[1].data(), static_cast<int>(n));
    const double lufs = loudness.integratedLufs();
    if (lufs <= -199.0) return drive;

    // The limiter as the render runs it, read every 64 frames; its output lags its input by its latency, so
    // a reading at output frame t belongs to input frame t - latency.
    const Session defaults;
    drive.inputGainDb = defaults.loudness.target_lufs - lufs;
    constexpr int kBlock = 64;
    LimiterStage stage;
    stage.prepare(fs, kBlock, defaults.master.limiter);
    stage.setInputGainDb(drive.inputGainDb);
    stage.reset();
    const auto hop = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(kHopSeconds * fs)));
    const std::size_t hops = (n + hop - 1) / hop;
    std::vector<double> reduction(hops, 0.0);
    const auto latency = static_cast<std::size_t>(stage.latencyFrames());
    std::vector<float> l(kBlock), r(kBlock);
    for (std::size_t pos = 0; pos < n + latency; pos += kBlock) {
        const std::size_t len = kBlock;
        for (std::size_t i = 0; i < len; ++i) {
            const std::size_t j = pos + i;
            l[i] = j < n ? sum[0][j] : 0.0f;
            r[i] = j < n ? sum[1][j] : 0.0f;
        }
        float* channels[2] = {l.data(), r.data()};
        stage.process(dsp::AudioBlock(channels, 2, static_cast<int>(len)));
        const std::size_t out = pos + len;
        if (out < latency + 1) continue;
        const std::size_t at = (out - 1 - latency) / hop;
        if (at < hops)
            reduction[at] =
                std::max(reduction[at], stage.enabled() ? stage.limiter().gainReductionDb() : 0.0);
    }
    drive.measured = true;
    drive.maxGainReductionDb = *std::max_element(reduction.begin(), reduction.end());

    // Per-hop energy of each stem (mono) and of the sum, for the attribution.
    std::vector<std::vector<double>> stemHop(stems.size(), std::vector<double>(hops, 0.0));
    std::vector<double> sumHop(hops, 0.0);
    for (std::size_t k = 0; k < stems.size(); ++k) {
        const std::vector<float> m = stems[k].audio->mono();
        for (std::size_t i = 0; i < m.size(); ++i)
            stemHop[k][i / hop] += static_cast<double>(m[i]) * m[i];
    }
    for (std::size_t i = 0; i < n; ++i) {
        const double m = 0.5 * (sum[0][i] + sum[1][i]);
        sumHop[i / hop] += m * m;
    }
    const auto span = static_cast<std::size_t>(std::llround(kNeighbourhoodSeconds / kHopSeconds));
    const auto neighbourhood = [&](std::size_t a, std::size_t z) {
        std::vector<std::size_t> out;
        for (std::size_t h = a > span ? a - span : 0; h < std::min(hops, z + span); ++h)
            if (h < a || h >= z) out.push_back(h);
        return out;
    };

    // Moments: runs of hops kLimiterDriveDb over the median reduction around them, closed after 0.2 s below.
    std::size_t h = 0;
    while (h < hops) {
        const auto around = neighbourhood(h, h + 1);
        std::vector<double> aroundReduction;
        for (std::size_t j : around)
            aroundReduction.push_back(reduction[j]);
        const double typical = medianOf(aroundReduction);
        if (reduction[h] < typical + kLimiterDriveDb) {
            ++h;
            continue;
        }
        std::size_t end = h + 1, quiet = 0;
        while (end < hops && quiet < 4) {
            quiet = reduction[end] < typical + kLimiterDriveDb ? quiet + 1 : 0;
            ++end;
        }
        end -= quiet;
        LimiterDriveEvent e;
        e.startSeconds = static_cast<double>(h) * kHopSeconds;
        e.endSeconds = static_cast<double>(end) * kHopSeconds;
        e.typicalGainReductionDb = typical;
        for (std::size_t j = h; j < end; ++j)
            e.gainReductionDb = std::max(e.gainReductionDb, reduction[j]);
        double sumEnergy = 0.0;
        for (std::size_t j = h; j < end; ++j)
            sumEnergy += sumHop[j];
        const auto others = neighbourhood(h, end);
        int best = -1;
        for (std::size_t k = 0; k < stems.size(); ++k) {
            double energy = 0.0;
            for (std::size_t j = h; j < end; ++j)
                energy += stemHop[k][j];
            const double level = energyDb(energy, static_cast<double>(end - h));
            // Its usual level: the hops around where it sounds (within 30 dB of the moment).
            std::vector<double> levels;
            for (std::size_t j : others) {
                const double l = energyDb(stemHop[k][j], 1.0);
                if (l > level - 30.0) levels.push_back(l);
            }
            if (levels.size() < 4) continue;
            // Against its own loud moments (the 90th percentile), so a kick that always peaks is not an
            // outlier; a phrase ridden up is.
            std::sort(levels.begin(), levels.end());
            const double excess =
                level - levels[static_cast<std::size_t>(0.9 * static_cast<double>(levels.size() - 1))];
            const double share = sumEnergy > 1e-20 ? energy / sumEnergy : 0.0;
            if (excess >= kLimiterDriverExcessDb && share >= 0.25 && excess > e.stemExcessDb) {
                e.stemExcessDb = excess;
                e.shareOfSum = std::min(1.0, share);
                best = static_cast<int>(k);
            }
        }
        if (best >= 0) {
            const LoadedAudio& driver = *stems[static_cast<std::size_t>(best)].audio;
            e.path = driver.info.path;
            e.role = stems[static_cast<std::size_t>(best)].role;
            float peak = 0.0f;
            for (const auto& c : driver.channels)
                for (std::size_t i = h * hop; i < std::min(c.size(), end * hop); ++i)
                    peak = std::max(peak, std::abs(c[i]));
            e.stemPeakDbfs = peak > 0.0f ? 20.0 * std::log10(static_cast<double>(peak)) : -200.0;
            drive.events.push_back(e);
        }
        h = std::max(end, h + 1);
    }
    return drive;
}

nlohmann::json toJson(const LimiterDrive& drive) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : drive.events)
        events.push_back({{"path", e.path},
                          {"role", stemRoleName(e.role)},
                          {"start_seconds", e.startSeconds},
                          {"end_seconds", e.endSeconds},
                          {"gain_reduction_db", e.gainReductionDb},
                          {"typical_gain_reduction_db", e.typicalGainReductionDb},
                          {"stem_excess_db", e.stemExcessDb},
                          {"share_of_sum", e.shareOfSum},
                          {"stem_peak_dbfs", e.stemPeakDbfs}});
    return {{"measured", drive.measured},
            {"input_gain_db", drive.inputGainDb},
            {"max_gain_reduction_db", drive.maxGainReductionDb},
            {"events", events}};
}

} // namespace lathe::core
