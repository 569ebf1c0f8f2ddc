#include "core/analysis/FileAnalysis.h"

#include "core/io/AudioFileReader.h"

#include "dsp/Decibels.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <cmath>
#include <vector>

namespace lathe::core {
namespace {

constexpr int kBlock = 8192;
// -0.01 dBFS: a sample this close to full scale in a run is a clipped (flat-topped) peak, not a loud one.
constexpr float kClipLevel = 0.998849f;

double round3(double v) {
    return std::round(v * 1000.0) / 1000.0;
}

} // namespace

FileAnalysis analyzeFile(const std::string& path) {
    AudioFileReader reader(path);
    const AudioFileInfo& info = reader.info();
    FileAnalysis a;
    a.path = path;
    a.sampleRate = info.sampleRate;
    a.channels = info.channels;
    a.frames = info.frames;
    a.durationSeconds = info.durationSeconds();

    const int channels = info.channels;
    dsp::LoudnessMeter loudness;
    loudness.prepare(info.sampleRate, kBlock, std::min(channels, 5), dsp::LoudnessMeter::All);
    dsp::TruePeakMeter truePeak;
    truePeak.prepare(info.sampleRate, kBlock, std::min(channels, dsp::AudioBlock::kMaxChannels), 8);

    std::vector<std::vector<float>> buffers(static_cast<size_t>(channels), std::vector<float>(kBlock));
    std::vector<float*> pointers;
    for (auto& b : buffers)
        pointers.push_back(b.data());
    std::vector<int> run(static_cast<size_t>(channels), 0);
    for (;;) {
        const int64_t n = reader.read(pointers.data(), kBlock);
        if (n == 0) break;
        const int frames = static_cast<int>(n);
        loudness.process(dsp::AudioBlock(pointers.data(), std::min(channels, 5), frames));
        truePeak.process(
            dsp::AudioBlock(pointers.data(), std::min(channels, dsp::AudioBlock::kMaxChannels), frames));
        for (int c = 0; c < channels; ++c) {
            int& r = run[static_cast<size_t>(c)];
            for (int i = 0; i < frames; ++i) {
                if (std::abs(pointers[static_cast<size_t>(c)][i]) >= kClipLevel) {
                    ++r;
                    // The run's first sample is counted when the run proves to be a run (its second sample).
                    a.clippedSamples += r == 2 ? 2 : (r > 2 ? 1 : 0);
                } else {
                    r = 0;
                }
            }
        }
    }
    a.integratedLufs = loudness.integratedLufs();
    a.loudnessRangeLu = loudness.loudnessRangeLu();
    a.truePeakBs1770Dbtp = loudness.truePeakDbtp();
    a.samplePeakDbfs = loudness.samplePeakDbfs();
    a.maxMomentaryLufs = loudness.maxMomentaryLufs();
    a.maxShortTermLufs = loudness.maxShortTermLufs();
    a.truePeakDbtp = truePeak.truePeakDbtp();
    a.plrDb = a.truePeakDbtp - a.integratedLufs;
    return a;
}

nlohmann::json toJson(const FileAnalysis& a) {
    return {{"path", a.path},
            {"sample_rate", a.sampleRate},
            {"channels", a.channels},
            {"frames", a.frames},
            {"duration_s", round3(a.durationSeconds)},
            {"integrated_lufs", round3(a.integratedLufs)},
            {"loudness_range_lu", round3(a.loudnessRangeLu)},
            {"true_peak_dbtp", round3(a.truePeakDbtp)},
            {"true_peak_bs1770_dbtp", round3(a.truePeakBs1770Dbtp)},
            {"sample_peak_dbfs", round3(a.samplePeakDbfs)},
            {"max_momentary_lufs", round3(a.maxMomentaryLufs)},
            {"max_short_term_lufs", round3(a.maxShortTermLufs)},
            {"plr_db", round3(a.plrDb)},
            {"clipped_samples", a.clippedSamples}};
}

} // namespace lathe::core
