#include "core/chain/StemChain.h"
#include "core/chain/StereoBlock.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace lathe::core;

// A whole stem chain with each stem tool on, as the engine and the render run it (StemChain: session settings
// in, the units behind them): cost per stem-second of 48 kHz stereo, "stem_second" (seconds of CPU per second
// of stem; 1m = 0.1 % of a core). BM_StemChainPlain (gain, 2 EQ bands, compressor, width: a stem before the
// tools) is the yardstick; each other case adds one tool to it. bench_StemTools has the units alone.

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;

struct Noise {
    explicit Noise(unsigned seed) : left(96000), right(96000) {
        std::mt19937 rng(seed);
        std::normal_distribution<float> dist(0.0f, 0.25f);
        for (auto& v : left)
            v = dist(rng);
        for (auto& v : right)
            v = dist(rng);
    }
    std::vector<float> left, right;
};

StemSettings plainStem() {
    StemSettings s;
    s.id = "bass";
    s.gain_db = -2;
    s.eq = {{true, "low_shelf", 80, 0.7, 2}, {true, "bell", 2500, 1.0, -3}};
    s.compressor.enabled = true;
    s.compressor.threshold_db = -20;
    s.compressor.ratio = 3;
    s.width = 0.9;
    return s;
}

DynamicEqBandSettings band(double hz, const char* key = "self") {
    DynamicEqBandSettings b;
    b.frequency_hz = hz;
    b.q = 2;
    b.threshold_db = -24;
    b.ratio = 3;
    b.key = key;
    return b;
}

void run(benchmark::State& state, const StemSettings& settings, bool keyed) {
    StemChain chain;
    chain.prepare(kFs, kBlock, settings);
    chain.configure(settings, true);
    chain.reset();
    const Noise source(7), key(11);
    Noise work = source;
    Noise keyWork = key;
    std::size_t offset = 0;
    int64_t frame = 0;
    for (auto _ : state) {
        if (offset + kBlock > work.left.size()) {
            state.PauseTiming();
            work = source;
            keyWork = key;
            offset = 0;
            state.ResumeTiming();
        }
        const auto keyBlock =
            stereoBlock(keyWork.left.data() + offset, keyWork.right.data() + offset, kBlock);
        chain.process(stereoBlock(work.left.data() + offset, work.right.data() + offset, kBlock), frame,
                      keyed ? &keyBlock : nullptr);
        benchmark::DoNotOptimize(work.left[offset]);
        offset += kBlock;
        frame += kBlock;
    }
    state.counters["stem_second"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * kBlock / kFs,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_StemChainPlain(benchmark::State& state) {
    run(state, plainStem(), false);
}
BENCHMARK(BM_StemChainPlain);

// A section ride on gain and a width ride ramping all the way (the envelope's expensive case).
void BM_StemChainAutomation(benchmark::State& state) {
    StemSettings s = plainStem();
    for (int i = 0; i < 200; ++i) {
        s.automation.gain_db.push_back({i * 0.05, (i % 2) * 3.0});
        s.automation.width.push_back({i * 0.05, 0.5 + 0.5 * (i % 2)});
    }
    run(state, s, false);
}
BENCHMARK(BM_StemChainAutomation);

void BM_StemChainDynamicEq4Bands(benchmark::State& state) {
    StemSettings s = plainStem();
    s.dynamic_eq = {band(60), band(250), band(2500), band(7000)};
    run(state, s, false);
}
BENCHMARK(BM_StemChainDynamicEq4Bands);

// The kick/808 duck: a band and the compressor keyed by another stem's source.
void BM_StemChainSidechain(benchmark::State& state) {
    StemSettings s = plainStem();
    s.dynamic_eq = {band(80, "kick")};
    s.compressor.key = "kick";
    run(state, s, true);
}
BENCHMARK(BM_StemChainSidechain);

void BM_StemChainPeakControl4x(benchmark::State& state) {
    StemSettings s = plainStem();
    s.peak_control = {true, -12.0, 4};
    run(state, s, false);
}
BENCHMARK(BM_StemChainPeakControl4x);

} // namespace
