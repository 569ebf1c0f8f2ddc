#include "core/AudioEngine.h"
#include "core/DemoFolder.h"
#include "core/SessionSource.h"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <vector>

// The engine's callback body (every source computed: stem chains, both master chains, delays, crossfade)
// on the 6-stem demo session with every chain stage switched on, per 64- and 512-frame buffer.
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

void BM_EngineCallback(benchmark::State& state) {
    const int frames = static_cast<int>(state.range(0));
    const std::string dir = (std::filesystem::temp_directory_path() / "lathe-engine-bench-demo").string();
    lathe::core::AudioEngine engine;
    engine.load(fullChainSession(dir));
    engine.setSource(lathe::core::MonitorSource::StemMaster);
    engine.setLoop(0, engine.length(), true);
    engine.play();
    std::vector<float> l(static_cast<size_t>(frames)), r(static_cast<size_t>(frames));
    for (auto _ : state) {
        engine.processForTest(l.data(), r.data(), frames);
        benchmark::DoNotOptimize(l.data());
    }
    state.SetItemsProcessed(state.iterations() * frames);
    // Share of a real-time buffer period at 48 kHz.
    state.counters["period_us"] = 1e6 * frames / 48000.0;
}
BENCHMARK(BM_EngineCallback)->Arg(64)->Arg(512)->Unit(benchmark::kMicrosecond);

} // namespace
