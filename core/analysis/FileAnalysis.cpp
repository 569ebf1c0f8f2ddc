#include "core/analysis/FileAnalysis.h"

#include "core/io/AudioFileReader.h"

#include "dsp/Decibels.h"
#include "dsp/IntegratedLoudness.h"
#include "dsp/LargestMagnitude.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
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

namespace {

// Integrated loudness, LRA and the largest momentary / short-term loudness. Mono and stereo (nearly every
// file an engineer analyses) go through IntegratedLoudness, which keeps every block energy exactly and is
// several times cheaper than libebur128; 3 to 5 channels keep libebur128's channel map and surround weights.
class ProgrammeLoudness {
public:
    ProgrammeLoudness(int sampleRate, int channels) : channels_(channels) {
        if (channels_ <= 2) {
            stereo_.prepare(sampleRate);
            if (channels_ == 1) silence_.assign(kBlock, 0.0f);
        } else {
            multichannel_.prepare(sampleRate, kBlock, std::min(channels_, 5),
                                  dsp::LoudnessMeter::Momentary | dsp::LoudnessMeter::ShortTerm |
                                      dsp::LoudnessMeter::Integrated | dsp::LoudnessMeter::Range);
        }
    }

    void process(float* const* channels, int frames) {
        if (channels_ > 2)
            multichannel_.process(dsp::AudioBlock(channels, std::min(channels_, 5), frames));
        else // BS.1770 counts a mono channel once: the second lane is silence
            stereo_.process(channels[0], channels_ == 2 ? channels[1] : silence_.data(), frames);
    }

    void readInto(FileAnalysis& a) const {
        if (channels_ > 2) {
            a.integratedLufs = multichannel_.integratedLufs();
            a.loudnessRangeLu = multichannel_.loudnessRangeLu();
            a.maxMomentaryLufs = multichannel_.maxMomentaryLufs();
            a.maxShortTermLufs = multichannel_.maxShortTermLufs();
        } else {
            a.integratedLufs = stereo_.integratedLufs();
            a.loudnessRangeLu = stereo_.loudnessRangeLu();
            a.maxMomentaryLufs = stereo_.maxMomentaryLufs();
            a.maxShortTermLufs = stereo_.maxShortTermLufs();
        }
    }

private:
    int channels_;
    dsp::IntegratedLoudness stereo_;
    dsp::LoudnessMeter multichannel_;
    std::vector<float> silence_;
};

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

    // One read of the file feeds every measurement.
    const int channels = info.channels;
    ProgrammeLoudness loudness(info.sampleRate, channels);
    dsp::TruePeakMeter truePeak; // 8x, and BS.1770's 4x from its even phases
    truePeak.prepare(info.sampleRate, kBlock, std::min(channels, dsp::AudioBlock::kMaxChannels), 8);

    std::vector<std::vector<float>> buffers(static_cast<size_t>(channels), std::vector<float>(kBlock));
    std::vector<float*> pointers;
    for (auto& b : buffers)
        pointers.push_back(b.data());
    std::vector<int> run(static_cast<size_t>(channels), 0);
    float samplePeak = 0.0f;
    for (;;) {
        const int64_t n = reader.read(pointers.data(), kBlock);
        if (n == 0) break;
        const int frames = static_cast<int>(n);
        loudness.process(pointers.data(), frames);
        truePeak.process(
            dsp::AudioBlock(pointers.data(), std::min(channels, dsp::AudioBlock::kMaxChannels), frames));
        for (int c = 0; c < channels; ++c) {
            int& r = run[static_cast<size_t>(c)];
            const float* x = pointers[static_cast<size_t>(c)];
            const float largest = dsp::largestMagnitude(x, frames);
            samplePeak = std::max(samplePeak, largest);
            if (largest < kClipLevel) { // nothing near full scale: no run continues or starts
                r = 0;
                continue;
            }
            for (int i = 0; i < frames; ++i) {
                const float magnitude = std::abs(x[i]);
                if (magnitude >= kClipLevel) {
                    ++r;
                    // The run's first sample is counted when the run proves to be a run (its second sample).
                    a.clippedSamples += r == 2 ? 2 : (r > 2 ? 1 : 0);
                } else {
                    r = 0;
                }
            }
        }
    }
    // The interpolator's delay worth of silence: inter-sample peaks around the last samples count too.
    truePeak.flush();
    loudness.readInto(a);
    a.truePeakBs1770Dbtp = truePeak.halfFactorTruePeakDbtp();
    a.samplePeakDbfs = dsp::gainToDb(samplePeak);
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
