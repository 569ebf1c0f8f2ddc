#include "dsp/CorrelationMeter.h"
#include "dsp/Dither.h"
#include "dsp/IntegratedLoudness.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/SpectrumAnalyzer.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;
constexpr int kChannels = 2;

// One second of decorrelated stereo programme-like material, cycled block by block.
struct TestSignal {
    std::vector<float> l, r;
    TestSignal() : l(48000), r(48000) {
        for (std::size_t i = 0; i < l.size(); ++i) {
            const double t = static_cast<double>(i) / kFs;
            l[i] = static_cast<float>(0.3 * std::sin(2.0 * std::numbers::pi * 440.0 * t) +
                                      0.1 * std::sin(2.0 * std::numbers::pi * 5000.0 * t));
            r[i] = static_cast<float>(0.3 * std::sin(2.0 * std::numbers::pi * 550.0 * t + 0.5) +
                                      0.1 * std::sin(2.0 * std::numbers::pi * 7000.0 * t));
        }
    }
};

template <typename Unit>
void runBlocks(benchmark::State& state, Unit& unit) {
    TestSignal sig;
    // Metering units do not write; Dither does, so it gets a fresh copy each second of audio.
    std::vector<float> l = sig.l, r = sig.r;
    float* p[kChannels] = {l.data(), r.data()};
    const AudioBlock all(p, kChannels, static_cast<int>(l.size()));
    int pos = 0;
    int64_t frames = 0;
    for (auto _ : state) {
        if (pos + kBlock > all.numFrames()) {
            pos = 0;
            state.PauseTiming();
            l = sig.l;
            r = sig.r;
            state.ResumeTiming();
        }
        unit.process(all.subBlock(pos, kBlock));
        benchmark::ClobberMemory();
        pos += kBlock;
        frames += kBlock;
    }
    state.SetItemsProcessed(frames);
}

void BM_LoudnessMeterAll(benchmark::State& state) {
    LoudnessMeter m;
    m.prepare(kFs, kBlock, kChannels, LoudnessMeter::All);
    runBlocks(state, m);
    benchmark::DoNotOptimize(m.integratedLufs());
}

void BM_LoudnessMeterNoTruePeak(benchmark::State& state) {
    LoudnessMeter m;
    m.prepare(kFs, kBlock, kChannels, LoudnessMeter::All & ~LoudnessMeter::TruePeak);
    runBlocks(state, m);
    benchmark::DoNotOptimize(m.integratedLufs());
}

void BM_CorrelationMeter(benchmark::State& state) {
    CorrelationMeter m;
    m.prepare(kFs, kBlock, kChannels);
    runBlocks(state, m);
    benchmark::DoNotOptimize(m.correlation());
}

void BM_SpectrumAnalyzer4096(benchmark::State& state) {
    SpectrumAnalyzer a;
    a.setAveraging(0.7);
    a.prepare(kFs, kBlock, kChannels, 4096);
    runBlocks(state, a);
    benchmark::DoNotOptimize(a.framesComputed());
}

void BM_Dither24(benchmark::State& state) {
    Dither d;
    d.setBitDepth(24);
    d.prepare(kFs, kBlock, kChannels);
    runBlocks(state, d);
}

void BM_Dither16Shaped(benchmark::State& state) {
    Dither d;
    d.setBitDepth(16);
    d.setNoiseShaping(true);
    d.prepare(kFs, kBlock, kChannels);
    runBlocks(state, d);
}

// What the renderer measures instead of libebur128 for the pre-limiter gain and the report's maximum
// momentary / short-term loudness. (A year of 100 ms segments is 2.5 MB, so the growing list costs nothing.)
void BM_IntegratedLoudness(benchmark::State& state) {
    IntegratedLoudness m;
    m.prepare(kFs);
    runBlocks(state, m);
    benchmark::DoNotOptimize(m.integratedLufs());
}

void BM_LoudnessMeterIntegratedRangePeak(benchmark::State& state) {
    LoudnessMeter m;
    m.prepare(kFs, kBlock, kChannels,
              LoudnessMeter::Integrated | LoudnessMeter::Range | LoudnessMeter::SamplePeak);
    runBlocks(state, m);
    benchmark::DoNotOptimize(m.integratedLufs());
}

} // namespace

BENCHMARK(BM_IntegratedLoudness);
BENCHMARK(BM_LoudnessMeterIntegratedRangePeak);
BENCHMARK(BM_LoudnessMeterAll);
BENCHMARK(BM_LoudnessMeterNoTruePeak);
BENCHMARK(BM_CorrelationMeter);
BENCHMARK(BM_SpectrumAnalyzer4096);
BENCHMARK(BM_Dither24);
BENCHMARK(BM_Dither16Shaped);
