// Matching (issue 18): analysis + curve + filter of a 4-minute stereo file at 48 kHz as a multiple of real
// time (counter x_realtime), and the live match filter's cost per callback as a share of the callback's
// period (counter load_pct, one core; Google Benchmark prints this inverted rate with an "s" after it). Both
// from CPU time, so other work on a shared machine does not count against them.
#include "dsp/MatchAnalyzer.h"
#include "dsp/MatchCurve.h"
#include "dsp/MatchFilter.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr double kSeconds = 240.0;
constexpr int kBlock = 4096; // how the render feeds audio

struct Stereo {
    std::vector<float> left, right;
};

// Four minutes of noise with a falling spectrum and a varying level (so the gate has something to do);
// the reference is the same with a tilt and more level.
Stereo makeSignal(uint32_t seed, double tilt, double gain) {
    const auto n = static_cast<std::size_t>(kSeconds * kFs);
    Stereo s{std::vector<float>(n), std::vector<float>(n)};
    uint32_t state = seed;
    const auto white = [&state] {
        state = state * 1664525u + 1013904223u;
        return static_cast<double>(static_cast<int32_t>(state)) / 2147483648.0;
    };
    double lowL = 0.0, lowR = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double level =
            gain * (0.6 + 0.4 * std::sin(2.0 * 3.14159265 * static_cast<double>(i) / (20.0 * kFs)));
        const double a = white(), b = white();
        lowL += 0.05 * (a - lowL);
        lowR += 0.05 * (b - lowR);
        s.left[i] = static_cast<float>(level * (lowL * 4.0 + tilt * a));
        s.right[i] = static_cast<float>(level * (lowR * 4.0 + tilt * b));
    }
    return s;
}

const Stereo& source() {
    static const Stereo s = makeSignal(1, 0.2, 0.2);
    return s;
}

const Stereo& reference() {
    static const Stereo s = makeSignal(2, 0.4, 0.3);
    return s;
}

MatchAnalysis analyse(const Stereo& s) {
    MatchAnalyzer a;
    a.prepare(kFs, kBlock);
    for (std::size_t pos = 0; pos < s.left.size(); pos += kBlock) {
        const int n = static_cast<int>(std::min<std::size_t>(kBlock, s.left.size() - pos));
        a.process(s.left.data() + pos, s.right.data() + pos, n);
    }
    return a.finish();
}

void filterInPlace(MatchFilter& f, Stereo& s) {
    float* p[2] = {s.left.data(), s.right.data()};
    const AudioBlock all(p, 2, static_cast<int>(s.left.size()));
    for (int start = 0; start < all.numFrames(); start += kBlock)
        f.process(all.subBlock(start, std::min(kBlock, all.numFrames() - start)));
}

void setRealTimeCounter(benchmark::State& state, double audioSeconds) {
    state.counters["x_realtime"] =
        benchmark::Counter(audioSeconds, benchmark::Counter::kIsIterationInvariantRate);
}

// One file's analysis (each side of a match needs one; the integration caches it per file).
void BM_MatchAnalysis4Min(benchmark::State& state) {
    const Stereo& s = source();
    for (auto _ : state)
        benchmark::DoNotOptimize(analyse(s).integratedLufs);
    setRealTimeCounter(state, kSeconds);
}

// Curve from two analyses and both linear-phase FIRs (16383 taps): what a change of amount costs.
void BM_MatchCurveAndFirs(benchmark::State& state) {
    const MatchAnalysis a = analyse(source()), b = analyse(reference());
    for (auto _ : state) {
        const MatchCurve curve = computeMatchCurve(a, b);
        const MatchFirs firs = designMatchFirs(curve, kFs, FirPhase::Linear);
        benchmark::DoNotOptimize(firs.mid.data());
    }
}

// The offline filter over 4 minutes, by partition size.
void BM_MatchFilterOffline4Min(benchmark::State& state) {
    const MatchAnalysis a = analyse(source()), b = analyse(reference());
    const MatchFirs firs = designMatchFirs(computeMatchCurve(a, b), kFs, FirPhase::Linear);
    MatchFilter f;
    f.prepare(kBlock, static_cast<int>(state.range(0)), firs);
    Stereo s = source();
    for (auto _ : state) {
        filterInPlace(f, s);
        benchmark::ClobberMemory();
    }
    setRealTimeCounter(state, kSeconds);
}

// The whole job: analyse source and reference, curve, FIRs, filter the source.
void BM_MatchEndToEnd4Min(benchmark::State& state) {
    for (auto _ : state) {
        state.PauseTiming();
        Stereo s = source();
        state.ResumeTiming();
        const MatchAnalysis a = analyse(s), b = analyse(reference());
        MatchFilter f;
        f.prepare(kBlock, 4096, designMatchFirs(computeMatchCurve(a, b), kFs, FirPhase::Linear));
        filterInPlace(f, s);
        benchmark::ClobberMemory();
    }
    setRealTimeCounter(state, kSeconds);
}

// The live filter in the callback: one block per iteration, partition = block. load_pct is the time per
// callback over its period (100 % = the whole core).
void BM_MatchFilterCallback(benchmark::State& state) {
    const int block = static_cast<int>(state.range(0));
    const MatchAnalysis a = analyse(source()), b = analyse(reference());
    MatchFilter f;
    f.prepare(block, block, designMatchFirs(computeMatchCurve(a, b), kFs, FirPhase::Linear));
    std::vector<float> l(source().left.begin(), source().left.begin() + 48000);
    std::vector<float> r(source().right.begin(), source().right.begin() + 48000);
    float* p[2] = {l.data(), r.data()};
    const AudioBlock all(p, 2, 48000);
    int pos = 0;
    for (auto _ : state) {
        if (pos + block > 48000) pos = 0;
        f.process(all.subBlock(pos, block));
        benchmark::ClobberMemory();
        pos += block;
    }
    state.counters["load_pct"] = benchmark::Counter(
        block / kFs / 100.0, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

} // namespace

BENCHMARK(BM_MatchAnalysis4Min)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_MatchCurveAndFirs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MatchFilterOffline4Min)
    ->Arg(1024)
    ->Arg(4096)
    ->Arg(8192)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);
BENCHMARK(BM_MatchEndToEnd4Min)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_MatchFilterCallback)
    ->Arg(64)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMicrosecond);
