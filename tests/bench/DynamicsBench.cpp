#include "dsp/Compressor.h"
#include "dsp/MultibandCompressor.h"
#include "dsp/ParametricEq.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;

// Two seconds of stereo noise at about -12 dBFS RMS: loud enough that every detector sits above threshold and
// the gain path (log, curve, exp) runs on every sample, which is the expensive case.
struct StereoNoise {
    StereoNoise() : left(96000), right(96000) {
        std::mt19937 rng(1);
        std::normal_distribution<float> dist(0.0f, 0.25f);
        for (auto& v : left)
            v = dist(rng);
        for (auto& v : right)
            v = dist(rng);
    }
    std::vector<float> left, right;
};

// Runs `unit` over consecutive 512-frame blocks of a working copy of the noise; the copy is refreshed off the
// clock when it runs out so the compressed signal does not drift towards silence.
template <typename Unit>
void runBlocks(benchmark::State& state, Unit& unit) {
    const StereoNoise source;
    StereoNoise work = source;
    std::size_t offset = 0;
    for (auto _ : state) {
        if (offset + kBlock > work.left.size()) {
            state.PauseTiming();
            work = source;
            offset = 0;
            state.ResumeTiming();
        }
        float* channels[2] = {work.left.data() + offset, work.right.data() + offset};
        unit.process(AudioBlock(channels, 2, kBlock));
        benchmark::DoNotOptimize(channels[0][0]);
        offset += kBlock;
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBlock);
}

void BM_CompressorPeakLinkedSidechainHpf(benchmark::State& state) {
    CompressorParameters p;
    p.thresholdDb = -24.0;
    p.ratio = 3.0;
    p.detection = DetectionMode::Peak;
    p.stereoLink = 1.0;
    p.sidechainHighPassHz = 100.0;
    Compressor comp;
    comp.setParameters(p);
    comp.prepare(kFs, kBlock, 2);
    runBlocks(state, comp);
}
BENCHMARK(BM_CompressorPeakLinkedSidechainHpf);

// The render's stem and master compressor (vs-peers.sh's equal-work session: ffmpeg's acompressor settings):
// linked peak detection, no sidechain filter.
CompressorParameters renderCompressor() {
    CompressorParameters p;
    p.thresholdDb = -18.0;
    p.ratio = 2.0;
    p.kneeDb = 9.0;
    p.attackMs = 20.0;
    p.releaseMs = 250.0;
    p.detection = DetectionMode::Peak;
    p.stereoLink = 1.0;
    return p;
}

void BM_CompressorPeakLinked(benchmark::State& state) {
    Compressor comp;
    comp.setParameters(renderCompressor());
    comp.prepare(kFs, kBlock, 2);
    runBlocks(state, comp);
}
BENCHMARK(BM_CompressorPeakLinked);

// The render's stem chain core (vs-peers.sh: one 100 Hz bell, then the compressor above), as two units one
// after the other and as Compressor::processAfter, which runs the EQ's recursion beside the gain smoothing.
struct EqThenCompressor {
    explicit EqThenCompressor(bool fused) : fused(fused) {
        eq.prepare(kFs, kBlock, 2);
        eq.setNumBands(1);
        eq.setBand(0, {true, FilterType::Bell, 100.0, 1.0, 2.0});
        comp.setParameters(renderCompressor());
        comp.prepare(kFs, kBlock, 2);
    }
    void process(const AudioBlock& block) {
        if (fused) {
            comp.processAfter(eq, block);
        } else {
            eq.process(block);
            comp.process(block);
        }
    }
    bool fused;
    ParametricEq eq;
    Compressor comp;
};

void BM_EqThenCompressor(benchmark::State& state) {
    EqThenCompressor chain(false);
    runBlocks(state, chain);
}
BENCHMARK(BM_EqThenCompressor);

void BM_CompressorAfterEq(benchmark::State& state) {
    EqThenCompressor chain(true);
    runBlocks(state, chain);
}
BENCHMARK(BM_CompressorAfterEq);

void BM_MultibandCompressor4Bands(benchmark::State& state) {
    MultibandCompressor mb;
    mb.prepare(kFs, kBlock, 2);
    const double crossovers[] = {120.0, 1000.0, 6000.0};
    mb.setCrossoverFrequencies(crossovers, 3);
    CompressorParameters p;
    p.thresholdDb = -30.0;
    p.ratio = 3.0;
    p.sidechainHighPassHz = 0.0;
    for (int b = 0; b < mb.numBands(); ++b)
        mb.setBandParameters(b, p);
    runBlocks(state, mb);
}
BENCHMARK(BM_MultibandCompressor4Bands);

} // namespace
