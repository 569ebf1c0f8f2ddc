#include "core/chain/MasterChain.h"
#include "core/chain/StemChain.h"
#include "core/demo/DemoFolder.h"
#include "core/engine/AudioEngine.h"
#include "core/model/SessionSource.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <vector>

// The engine's callback body on the 6-stem demo session with every chain stage switched on, per 64- and
// 512-frame buffer, for each source (the engine computes only the source heard, plus the one it crossfades
// from during a switch), and the two chain kinds alone so a slow callback can be traced to its units.
namespace {

lathe::core::Session fullChainSession(const std::string& dir) {
    using namespace lathe::core;
    if (!std::filesystem::exists(dir)) {
        DemoOptions o;
        o.seconds = 10;
        writeDemoFolder(dir, o);
    }
    Session s = openSessionOrFolder(dir);
    for (auto& stem : s.stems) {
        stem.compressor.enabled = true;
        stem.eq.resize(4);
        stem.width = 1.1;
    }
    s.master.eq.resize(6);
    s.master.compressor.enabled = true;
    s.master.multiband.enabled = true;
    s.master.saturation.enabled = true;
    s.master.saturation.drive_db = 3;
    return s;
}

const lathe::core::Session& benchSession() {
    static const lathe::core::Session s =
        fullChainSession((std::filesystem::temp_directory_path() / "lathe-engine-bench-demo").string());
    return s;
}

void runCallback(benchmark::State& state, lathe::core::MonitorSource source) {
    const int frames = static_cast<int>(state.range(0));
    lathe::core::AudioEngine engine;
    engine.load(benchSession());
    engine.setSource(source);
    engine.setLoop(0, engine.length(), true);
    engine.play();
    std::vector<float> l(static_cast<size_t>(frames)), r(static_cast<size_t>(frames));
    for (int i = 0; i < 64; ++i) // past the start-up crossfade
        engine.processForTest(l.data(), r.data(), frames);
    for (auto _ : state) {
        engine.processForTest(l.data(), r.data(), frames);
        benchmark::DoNotOptimize(l.data());
    }
    state.SetItemsProcessed(state.iterations() * frames);
    state.counters["period_us"] = 1e6 * frames / 48000.0;
}

void BM_EngineCallbackStem(benchmark::State& state) {
    runCallback(state, lathe::core::MonitorSource::StemMaster);
}
void BM_EngineCallbackStereo(benchmark::State& state) {
    runCallback(state, lathe::core::MonitorSource::StereoMaster);
}
void BM_EngineCallbackMix(benchmark::State& state) {
    runCallback(state, lathe::core::MonitorSource::Mix);
}
void BM_EngineCallbackDelta(benchmark::State& state) {
    runCallback(state, lathe::core::MonitorSource::Delta);
}
BENCHMARK(BM_EngineCallbackStem)->Arg(64)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EngineCallbackStereo)->Arg(64)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EngineCallbackMix)->Arg(64)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EngineCallbackDelta)->Arg(64)->Unit(benchmark::kMicrosecond);

std::vector<float> noise(int frames) {
    std::vector<float> v(static_cast<size_t>(frames));
    uint32_t x = 12345;
    for (auto& s : v) {
        x = x * 1664525u + 1013904223u;
        s = 0.3f * (static_cast<float>(x >> 8) / 16777216.0f - 0.5f);
    }
    return v;
}

void BM_StemChain(benchmark::State& state) {
    const int frames = static_cast<int>(state.range(0));
    const auto& s = benchSession();
    lathe::core::StemChain chain;
    chain.prepare(48000, 2048);
    chain.configure(s.stems[0], true);
    auto l = noise(frames), r = noise(frames);
    for (auto _ : state) {
        float* ch[2] = {l.data(), r.data()};
        chain.process(lathe::dsp::AudioBlock(ch, 2, frames));
        benchmark::DoNotOptimize(l.data());
    }
    state.SetItemsProcessed(state.iterations() * frames);
}
BENCHMARK(BM_StemChain)->Arg(64)->Unit(benchmark::kMicrosecond);

void BM_MasterChain(benchmark::State& state) {
    const int frames = static_cast<int>(state.range(0));
    const auto& s = benchSession();
    lathe::core::MasterChain chain;
    chain.prepare(48000, 2048, s.master);
    chain.configure(s.master);
    auto l = noise(frames), r = noise(frames);
    for (auto _ : state) {
        float* ch[2] = {l.data(), r.data()};
        lathe::dsp::AudioBlock b(ch, 2, frames);
        chain.processPreLimiter(b);
        chain.processLimiter(b);
        benchmark::DoNotOptimize(l.data());
    }
    state.SetItemsProcessed(state.iterations() * frames);
}
BENCHMARK(BM_MasterChain)->Arg(64)->Unit(benchmark::kMicrosecond);

} // namespace
