#include "dsp/Oversampler.h"
#include "dsp/Saturation.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;

struct StereoBlock {
    std::vector<float> l, r;
    float* ptrs[2];
    StereoBlock() : l(kBlock), r(kBlock) {
        for (int i = 0; i < kBlock; ++i) {
            l[static_cast<std::size_t>(i)] = 0.5f * std::sin(0.05f * static_cast<float>(i));
            r[static_cast<std::size_t>(i)] = 0.5f * std::cos(0.031f * static_cast<float>(i));
        }
        ptrs[0] = l.data();
        ptrs[1] = r.data();
    }
    AudioBlock block() { return AudioBlock(ptrs, 2, kBlock); }
};

// Up then down with nothing in between: the cost of the filters alone. Items are base-rate stereo frames.
void BM_OversamplerRoundTrip(benchmark::State& state) {
    Oversampler os;
    os.prepare(kFs, kBlock, 2, static_cast<int>(state.range(0)));
    StereoBlock audio;
    for (auto _ : state) {
        const AudioBlock b = audio.block();
        const AudioBlock up = os.upsample(b);
        benchmark::DoNotOptimize(up.channel(0));
        os.downsample(b);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_OversamplerRoundTrip)->Arg(2)->Arg(4)->Arg(8);

void BM_Saturation(benchmark::State& state) {
    Saturation sat;
    sat.setMode(state.range(1) == 0 ? SaturationMode::SoftClip : SaturationMode::Tape);
    sat.setDriveDb(12.0);
    sat.prepare(kFs, kBlock, 2, static_cast<int>(state.range(0)));
    StereoBlock audio;
    for (auto _ : state) {
        sat.process(audio.block());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kBlock);
}
BENCHMARK(BM_Saturation)->ArgNames({"factor", "tape"})->Args({4, 0})->Args({4, 1})->Args({8, 0});

} // namespace
