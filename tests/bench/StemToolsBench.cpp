#include "dsp/AutomatedGain.h"
#include "dsp/AutomatedWidth.h"
#include "dsp/DynamicEq.h"
#include "dsp/ParametricEq.h"
#include "dsp/PeakControl.h"
#include "dsp/TruePeakLimiter.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace lathe::dsp;

// The element-level stem tools (issue 16), per stem: cost per stem-second of 48 kHz stereo, shown as
// "stem_second" (seconds of CPU per second of stem; 1m = 1 ms = 0.1 % of a core). Yardsticks measured in the
// same run: BM_ParametricEq4Bands, the static EQ every stem already has, and BM_TruePeakLimiter4x, the
// master's limiter (peak control contains one).

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;

// Two seconds of stereo noise at -12 dBFS RMS (peaks near -1 dBFS): dynamic bands and the peak control's
// clipper act on it, which is their expensive case.
struct StereoNoise {
    explicit StereoNoise(unsigned seed, float rms = 0.25f) : left(96000), right(96000) {
        std::mt19937 rng(seed);
        std::normal_distribution<float> dist(0.0f, rms);
        for (auto& v : left)
            v = dist(rng);
        for (auto& v : right)
            v = dist(rng);
    }
    std::vector<float> left, right;
};

// Consecutive 512-frame blocks of a working copy (refreshed off the clock when it runs out, so a unit's
// output never becomes its input for long). `process(block, startFrame)` runs the unit.
template <typename Process>
void runBlocks(benchmark::State& state, const StereoNoise& source, Process process) {
    StereoNoise work = source;
    std::size_t offset = 0;
    int64_t frame = 0;
    for (auto _ : state) {
        if (offset + kBlock > work.left.size()) {
            state.PauseTiming();
            work = source;
            offset = 0;
            state.ResumeTiming();
        }
        float* channels[2] = {work.left.data() + offset, work.right.data() + offset};
        process(AudioBlock(channels, 2, kBlock), frame, offset);
        benchmark::DoNotOptimize(channels[0][0]);
        offset += kBlock;
        frame += kBlock;
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBlock);
    state.counters["stem_second"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * kBlock / kFs,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ParametricEq4Bands(benchmark::State& state) {
    ParametricEq eq;
    eq.prepare(kFs, kBlock, 2);
    eq.setNumBands(4);
    eq.setBand(0, {true, FilterType::LowShelf, 100.0, 0.707, 2.0});
    eq.setBand(1, {true, FilterType::Bell, 400.0, 1.0, -2.0});
    eq.setBand(2, {true, FilterType::Bell, 3000.0, 1.0, 1.5});
    eq.setBand(3, {true, FilterType::HighShelf, 10000.0, 0.707, 2.0});
    runBlocks(state, StereoNoise(1), [&](const AudioBlock& b, int64_t, std::size_t) { eq.process(b); });
}
BENCHMARK(BM_ParametricEq4Bands);

// Automation, the expensive case: gain and width lanes that never rest (a point every 250 ms, all ramps),
// so every frame goes through the envelope and the dB -> gain conversion.
void BM_AutomationGainAndWidthRamping(benchmark::State& state) {
    std::vector<AutomationPoint> gainPoints, widthPoints;
    for (int i = 0; i < 400; ++i) {
        gainPoints.push_back({0.25 * i, i % 2 ? 1.5 : -3.0});
        widthPoints.push_back({0.25 * i, i % 2 ? 1.2 : 0.8});
    }
    AutomatedGain gain;
    AutomatedWidth width;
    gain.prepare(kFs, kBlock, 512);
    width.prepare(kFs, kBlock, 512);
    gain.setPoints(gainPoints);
    width.setPoints(widthPoints);
    runBlocks(state, StereoNoise(2), [&](const AudioBlock& b, int64_t frame, std::size_t) {
        gain.process(b, frame % static_cast<int64_t>(90 * kFs));
        width.process(b, frame % static_cast<int64_t>(90 * kFs));
    });
}
BENCHMARK(BM_AutomationGainAndWidthRamping);

// Automation as a song uses it: a section ride (+1.5 dB for 20 s with 200 ms ramps) and a width step over
// 3 minutes; most blocks are held and cost a lookup.
void BM_AutomationGainAndWidthSectionRide(benchmark::State& state) {
    const std::vector<AutomationPoint> ride{{28.0, 0.0}, {28.2, 1.5}, {48.0, 1.5}, {48.2, 0.0}};
    const std::vector<AutomationPoint> wide{{60.0, 1.0}, {60.0, 1.3}, {90.0, 1.3}, {90.0, 1.0}};
    AutomatedGain gain;
    AutomatedWidth width;
    gain.prepare(kFs, kBlock, 16);
    width.prepare(kFs, kBlock, 16);
    gain.setPoints(ride);
    width.setPoints(wide);
    runBlocks(state, StereoNoise(3), [&](const AudioBlock& b, int64_t frame, std::size_t) {
        gain.process(b, frame % static_cast<int64_t>(180 * kFs));
        width.process(b, frame % static_cast<int64_t>(180 * kFs));
    });
}
BENCHMARK(BM_AutomationGainAndWidthSectionRide);

void setActiveBands(DynamicEq& eq, bool keyedFirst) {
    const double frequencies[] = {80.0, 400.0, 3000.0, 7000.0};
    for (int i = 0; i < eq.numBands(); ++i) {
        DynamicEqBand b;
        b.enabled = true;
        b.type = i == 0 ? FilterType::LowShelf : FilterType::Bell;
        b.frequencyHz = frequencies[i];
        b.q = 1.0;
        b.thresholdDb = -30.0; // the noise's bands sit around it: the gains move all the time
        b.ratio = 3.0;
        b.rangeDb = 9.0;
        b.attackMs = 3.0;
        b.releaseMs = 80.0;
        b.mode = i == 2 ? DynamicEqMode::BoostBelow : DynamicEqMode::CutAbove;
        b.channels = i == 3 ? BandChannels::Mid : BandChannels::Stereo;
        b.keyed = keyedFirst && i == 0;
        eq.setBand(i, b);
    }
}

void BM_DynamicEq4Bands(benchmark::State& state) {
    DynamicEq eq;
    eq.prepare(kFs, kBlock, 2, 4);
    setActiveBands(eq, false);
    runBlocks(state, StereoNoise(4), [&](const AudioBlock& b, int64_t, std::size_t) { eq.process(b); });
}
BENCHMARK(BM_DynamicEq4Bands);

// The same bands at rest, as between the esses or the loud notes: the stem 20 dB quieter, so the cutting
// bands stay under their thresholds, and the boosting band's threshold moved under the stem. Only the
// filters and the peak holds run.
void BM_DynamicEq4BandsAtRest(benchmark::State& state) {
    DynamicEq eq;
    eq.prepare(kFs, kBlock, 2, 4);
    setActiveBands(eq, false);
    DynamicEqBand boost = eq.band(2);
    boost.thresholdDb = -70.0;
    eq.setBand(2, boost);
    runBlocks(state, StereoNoise(4, 0.025f),
              [&](const AudioBlock& b, int64_t, std::size_t) { eq.process(b); });
}
BENCHMARK(BM_DynamicEq4BandsAtRest);

// One band keyed by another stem (the kick ducking the bass's low end): the band and its key filter.
void BM_DynamicEqKeyedBand(benchmark::State& state) {
    DynamicEq eq;
    eq.prepare(kFs, kBlock, 2, 1);
    setActiveBands(eq, true);
    const StereoNoise key(5);
    runBlocks(state, StereoNoise(6), [&](const AudioBlock& b, int64_t, std::size_t offset) {
        float* k[2] = {const_cast<float*>(key.left.data()) + offset,
                       const_cast<float*>(key.right.data()) + offset};
        eq.process(b, AudioBlock(k, 2, kBlock));
    });
}
BENCHMARK(BM_DynamicEqKeyedBand);

// Peak control at 4x with the clipper and the catch limiter at work (ceiling 6 dB under the noise's peaks),
// and with the stem under the knee (the usual case between hits: the correction is zero).
void BM_PeakControl4xClipping(benchmark::State& state) {
    PeakControl pc;
    pc.setParameters({-7.0, 3.0, 20.0});
    pc.prepare(kFs, kBlock, 2, 4);
    runBlocks(state, StereoNoise(7), [&](const AudioBlock& b, int64_t, std::size_t) { pc.process(b); });
}
BENCHMARK(BM_PeakControl4xClipping);

void BM_TruePeakLimiter4x(benchmark::State& state) {
    TruePeakLimiter limiter;
    limiter.setCeilingDbtp(-7.0);
    limiter.prepare(kFs, kBlock, 2);
    runBlocks(state, StereoNoise(7), [&](const AudioBlock& b, int64_t, std::size_t) { limiter.process(b); });
}
BENCHMARK(BM_TruePeakLimiter4x);

void BM_PeakControl4xUnderTheKnee(benchmark::State& state) {
    PeakControl pc;
    pc.setParameters({-1.0, 3.0, 20.0});
    pc.prepare(kFs, kBlock, 2, 4);
    runBlocks(state, StereoNoise(8, 0.05f),
              [&](const AudioBlock& b, int64_t, std::size_t) { pc.process(b); });
}
BENCHMARK(BM_PeakControl4xUnderTheKnee);

} // namespace
