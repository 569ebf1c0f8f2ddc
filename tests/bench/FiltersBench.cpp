#include "dsp/BandSplitter.h"
#include "dsp/Biquad.h"
#include "dsp/ParametricEq.h"
#include "dsp/StereoWidth.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;

// 48 kHz stereo noise in a 512-frame block. In-place units get a fresh copy every iteration (refill(); its
// cost is measured by BM_RefillOnly): feeding their output back in would compound the boost until it
// overflows.
struct StereoBuffer {
    std::vector<float> left = make(1), right = make(2);
    const std::vector<float> sourceLeft = left, sourceRight = right;
    float* ptrs[2] = {left.data(), right.data()};
    AudioBlock block() { return AudioBlock(ptrs, 2, kBlock); }
    void refill() {
        std::copy(sourceLeft.begin(), sourceLeft.end(), left.begin());
        std::copy(sourceRight.begin(), sourceRight.end(), right.begin());
    }
    static std::vector<float> make(unsigned seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
        std::vector<float> v(kBlock);
        for (auto& x : v)
            x = dist(rng);
        return v;
    }
};

void BM_Biquad(benchmark::State& state) {
    Biquad f;
    f.prepare(kFs, kBlock, 2);
    f.setCoefficients(makeBell(kFs, 1000.0, 1.0, 3.0));
    StereoBuffer buf;
    for (auto _ : state) {
        buf.refill();
        f.process(buf.block());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_Biquad);

void BM_ParametricEq5Bands(benchmark::State& state) {
    ParametricEq eq;
    eq.prepare(kFs, kBlock, 2);
    eq.setNumBands(5);
    eq.setBand(0, {true, FilterType::HighPass, 30.0, 0.707, 0.0});
    eq.setBand(1, {true, FilterType::LowShelf, 100.0, 0.707, 2.0});
    eq.setBand(2, {true, FilterType::Bell, 400.0, 1.0, -2.0});
    eq.setBand(3, {true, FilterType::Bell, 3000.0, 1.0, 1.5});
    eq.setBand(4, {true, FilterType::HighShelf, 10000.0, 0.707, 2.0});
    StereoBuffer buf;
    for (auto _ : state) {
        buf.refill();
        eq.process(buf.block());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_ParametricEq5Bands);

// One bell, as each stem of vs-peers.sh's equal-work render has.
void BM_ParametricEq1Band(benchmark::State& state) {
    ParametricEq eq;
    eq.prepare(kFs, kBlock, 2);
    eq.setNumBands(1);
    eq.setBand(0, {true, FilterType::Bell, 100.0, 1.0, 2.0});
    StereoBuffer buf;
    for (auto _ : state) {
        buf.refill();
        eq.process(buf.block());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_ParametricEq1Band);

void BM_BandSplitter4Bands(benchmark::State& state) {
    BandSplitter splitter;
    splitter.prepare(kFs, kBlock, 2);
    const double crossovers[] = {120.0, 1000.0, 6000.0};
    splitter.setCrossoverFrequencies(crossovers, 3);
    StereoBuffer in, b0, b1, b2, b3;
    const AudioBlock bands[4] = {b0.block(), b1.block(), b2.block(), b3.block()};
    for (auto _ : state) {
        splitter.process(in.block(), bands);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_BandSplitter4Bands);

void BM_StereoWidth(benchmark::State& state) {
    StereoWidth width;
    width.prepare(kFs, kBlock, 2);
    width.setWidth(1.3);
    width.setBalance(0.1);
    width.reset();
    StereoBuffer buf;
    for (auto _ : state) {
        buf.refill();
        width.process(buf.block());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_StereoWidth);

// The copy alone, to subtract from the in-place figures above.
void BM_RefillOnly(benchmark::State& state) {
    StereoBuffer buf;
    for (auto _ : state) {
        buf.refill();
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_RefillOnly);

} // namespace
