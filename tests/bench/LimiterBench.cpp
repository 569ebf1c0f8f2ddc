#include "dsp/PolyphaseInterpolator.h"
#include "dsp/TruePeakLimiter.h"
#include "dsp/TruePeakMeter.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;

// Loud, full-band stereo material so the limiter is working (gain reduction every block), not idling.
struct StereoBlock {
    std::vector<float> l, r, sourceL, sourceR;
    float* ptrs[2];
    StereoBlock() : l(kBlock), r(kBlock), sourceL(kBlock), sourceR(kBlock) {
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        for (int i = 0; i < kBlock; ++i) {
            sourceL[static_cast<std::size_t>(i)] =
                1.5f * std::sin(0.05f * static_cast<float>(i)) + 0.5f * u(rng);
            sourceR[static_cast<std::size_t>(i)] =
                1.5f * std::sin(0.07f * static_cast<float>(i)) + 0.5f * u(rng);
        }
        ptrs[0] = l.data();
        ptrs[1] = r.data();
    }
    AudioBlock refill() {
        l = sourceL;
        r = sourceR;
        return AudioBlock(ptrs, 2, kBlock);
    }
};

void limiterBench(benchmark::State& state, int oversampling) {
    TruePeakLimiter limiter;
    limiter.setCeilingDbtp(-1.0);
    TruePeakLimiter::Config config;
    config.detectionOversampling = oversampling;
    limiter.prepare(kFs, kBlock, 2, config);
    StereoBlock block;
    for (auto _ : state) {
        limiter.process(block.refill());
        benchmark::DoNotOptimize(block.l.data());
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}

void BM_TruePeakLimiter4x(benchmark::State& state) {
    limiterBench(state, 4);
}
void BM_TruePeakLimiter8x(benchmark::State& state) {
    limiterBench(state, 8);
}

void BM_TruePeakMeter8x(benchmark::State& state) {
    TruePeakMeter meter;
    meter.prepare(kFs, kBlock, 2, 8);
    StereoBlock block;
    const AudioBlock b = block.refill();
    for (auto _ : state) {
        meter.process(b);
        benchmark::DoNotOptimize(meter.truePeakLinear());
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}

// Runs `limiter` on blocks of the bench signal at a quarter of its level, but for one block in
// `overloadEvery` at full level (the overs).
void runWithOverloadsEvery(benchmark::State& state, TruePeakLimiter& limiter, long long overloadEvery) {
    StereoBlock block;
    std::vector<float> quietL(kBlock), quietR(kBlock);
    for (int i = 0; i < kBlock; ++i) {
        quietL[static_cast<std::size_t>(i)] = 0.25f * block.sourceL[static_cast<std::size_t>(i)];
        quietR[static_cast<std::size_t>(i)] = 0.25f * block.sourceR[static_cast<std::size_t>(i)];
    }
    long long count = 0;
    for (auto _ : state) {
        AudioBlock b = block.refill();
        if (++count % overloadEvery != 0) {
            block.l = quietL;
            block.r = quietR;
        }
        limiter.process(b);
        benchmark::DoNotOptimize(block.l.data());
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}

// A master that is mostly below the ceiling with occasional over-shooting transients (one block in eight):
// the common case of a render's limiter passes, where most frames need no peak refinement.
void BM_TruePeakLimiter4xSparsePeaks(benchmark::State& state) {
    TruePeakLimiter limiter;
    limiter.setCeilingDbtp(-1.0);
    limiter.prepare(kFs, kBlock, 2);
    runWithOverloadsEvery(state, limiter, 8);
}

// A master under its ceiling most of the time (the render's usual case: one block in 256 overloads, every
// 2.7 s, the rest at a quarter of the level; the pipeline rests about a second after each), in the
// transparent style; argument 1 skips the frames at rest (setRestSkipping), 0 runs every frame through the
// gain pipeline. The same bits either way.
void BM_TruePeakLimiterMostlyAtRest(benchmark::State& state) {
    TruePeakLimiter limiter;
    TruePeakLimiter::Config config;
    config.lookaheadMs = 6.5;
    config.rampOnsetOnly = true;
    config.shortAttackMs = 2.0;
    limiter.setCeilingDbtp(-1.0);
    limiter.setAdaptiveRelease(10.0, 40.0, 150.0);
    limiter.prepare(kFs, kBlock, 2, config);
    limiter.setRestSkipping(state.range(0) != 0);
    runWithOverloadsEvery(state, limiter, 256);
}

// The session's default style, "transparent" (core/ChainSettingsMapping.cpp: linear onset ramp over a 6.5 ms
// lookahead, recovery from the end of the hold, two-stage release), and every optional stage on as well (4x
// soft clipper, low-frequency-aware detection, stereo link 0.5).
void styleBench(benchmark::State& state, bool everyStage) {
    TruePeakLimiter limiter;
    TruePeakLimiter::Config config;
    config.lookaheadMs = 6.5;
    config.rampOnsetOnly = true;
    if (everyStage) {
        config.softClipOversampling = 4;
        config.lowFrequencyCrossoverHz = 120.0;
        limiter.setStereoLink(0.5);
    }
    limiter.setCeilingDbtp(-1.0);
    limiter.setAdaptiveRelease(10.0, 40.0, 150.0);
    limiter.prepare(kFs, kBlock, 2, config);
    StereoBlock block;
    for (auto _ : state) {
        limiter.process(block.refill());
        benchmark::DoNotOptimize(block.l.data());
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
void BM_TruePeakLimiterTransparent(benchmark::State& state) {
    styleBench(state, false);
}
void BM_TruePeakLimiterEveryStage(benchmark::State& state) {
    styleBench(state, true);
}

// The detector's upsamplers alone: one channel, the limiter's brickwall design (4 x 96 taps) and its
// half-band one (4 x 64, its phase 0 copied), a block at a time, on the vectors the CPU dispatches to (16:
// AVX-512, 8: AVX) and on the SSE2 fallback (4), the argument capping the width (the same bits on each).
void interpolatorBench(benchmark::State& state, int taps, double passbandEnd, double stopbandBegin) {
    PolyphaseInterpolator interpolator;
    interpolator.prepare(4, taps, 1, passbandEnd, stopbandBegin);
    interpolator.limitVectorWidth(static_cast<int>(state.range(0)));
    StereoBlock block;
    std::vector<float> points(static_cast<std::size_t>(4 * kBlock));
    for (auto _ : state) {
        interpolator.processBlock(0, block.sourceL.data(), kBlock, points.data());
        benchmark::DoNotOptimize(points.data());
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
void BM_PolyphaseInterpolator4x96(benchmark::State& state) {
    interpolatorBench(state, 96, 0.4565, 0.5);
}
void BM_PolyphaseInterpolator4x64(benchmark::State& state) {
    interpolatorBench(state, 64, 0.45, 0.55);
}

} // namespace

BENCHMARK(BM_TruePeakLimiter4x);
BENCHMARK(BM_TruePeakLimiterTransparent);
BENCHMARK(BM_TruePeakLimiterEveryStage);
BENCHMARK(BM_TruePeakLimiter4xSparsePeaks);
BENCHMARK(BM_TruePeakLimiterMostlyAtRest)->ArgName("skip")->Arg(0)->Arg(1);
BENCHMARK(BM_PolyphaseInterpolator4x96)->ArgName("width")->Arg(16)->Arg(8)->Arg(4);
BENCHMARK(BM_PolyphaseInterpolator4x64)->ArgName("width")->Arg(16)->Arg(8)->Arg(4);
BENCHMARK(BM_TruePeakLimiter8x);
BENCHMARK(BM_TruePeakMeter8x);
