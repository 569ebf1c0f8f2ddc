#include "core/render/PlaybackPreviewWriter.h"

#include "core/Error.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"

#include "dsp/Decibels.h"
#include "dsp/Dither.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace lathe::core {

namespace {

constexpr int kBlock = 8192;
// Highest sample the preview may reach: 24-bit full scale less a little for the dither.
constexpr double kPreviewPeak = 0.999;

struct Runner {
    dsp::PlaybackSimulation simulation;
    std::vector<float> left, right;
    double peak = 0.0;
};

// Reads the master block by block into every runner's buffers and runs its simulation; `each` sees the
// result.
template <typename Each>
void pass(const std::string& masterWav, std::vector<Runner>& runners, Each each) {
    AudioFileReader reader(masterWav);
    const int channels = reader.info().channels;
    std::vector<float> a(kBlock), b(kBlock);
    float* in[2] = {a.data(), b.data()};
    for (auto& r : runners)
        r.simulation.reset();
    for (;;) {
        const int64_t n = reader.read(in, kBlock);
        if (n == 0) break;
        if (channels == 1) std::copy(a.begin(), a.begin() + n, b.begin());
        for (auto& r : runners) {
            std::copy(a.begin(), a.begin() + n, r.left.begin());
            std::copy(b.begin(), b.begin() + n, r.right.begin());
            float* out[2] = {r.left.data(), r.right.data()};
            r.simulation.process(dsp::AudioBlock(out, 2, static_cast<int>(n)));
            each(r, static_cast<int>(n));
        }
    }
}

} // namespace

std::string playbackPreviewPath(const std::string& masterWav, dsp::PlaybackSystem system) {
    std::string base = masterWav;
    const std::size_t slash = base.find_last_of('/');
    const std::size_t dot = base.find_last_of('.');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) base.resize(dot);
    return base + "_" + dsp::playbackSystemName(system) + ".wav";
}

std::vector<PlaybackPreview> writePlaybackPreviews(const std::string& masterWav,
                                                   const std::vector<dsp::PlaybackSystem>& systems) {
    const AudioFileInfo info = probeAudioFile(masterWav);
    if (info.channels < 1 || info.channels > 2)
        throw Error(masterWav, "playback previews need a mono or stereo master, not " +
                                   std::to_string(info.channels) + " channels");
    std::vector<dsp::PlaybackSystem> wanted;
    for (auto s : systems)
        if (s != dsp::PlaybackSystem::Flat && std::find(wanted.begin(), wanted.end(), s) == wanted.end())
            wanted.push_back(s);
    if (wanted.empty()) return {};

    std::vector<Runner> runners(wanted.size());
    for (std::size_t k = 0; k < wanted.size(); ++k) {
        runners[k].simulation.setSystem(wanted[k]); // before prepare: no crossfade from flat at the start
        runners[k].simulation.prepare(info.sampleRate, kBlock);
        runners[k].left.resize(kBlock);
        runners[k].right.resize(kBlock);
    }
    pass(masterWav, runners, [](Runner& r, int n) {
        for (int i = 0; i < n; ++i)
            r.peak = std::max({r.peak, static_cast<double>(std::abs(r.left[static_cast<std::size_t>(i)])),
                               static_cast<double>(std::abs(r.right[static_cast<std::size_t>(i)]))});
    });

    std::vector<PlaybackPreview> previews(wanted.size());
    std::vector<std::unique_ptr<AudioFileWriter>> writers;
    std::vector<double> gains;
    std::vector<dsp::Dither> dithers(wanted.size());
    for (std::size_t k = 0; k < wanted.size(); ++k) {
        previews[k].system = wanted[k];
        previews[k].path = playbackPreviewPath(masterWav, wanted[k]);
        const double gain = runners[k].peak > kPreviewPeak ? kPreviewPeak / runners[k].peak : 1.0;
        gains.push_back(gain);
        previews[k].gainDb = dsp::gainToDb(gain);
        WriterOptions options;
        options.format = OutputFormat::Wav24;
        options.sampleRate = info.sampleRate;
        options.channels = 2;
        writers.push_back(std::make_unique<AudioFileWriter>(previews[k].path, options));
        dithers[k].setBitDepth(24);
        dithers[k].prepare(info.sampleRate, kBlock, 2);
    }
    pass(masterWav, runners, [&](Runner& r, int n) {
        const std::size_t k = static_cast<std::size_t>(&r - runners.data());
        const auto g = static_cast<float>(gains[k]);
        if (g != 1.0f)
            for (int i = 0; i < n; ++i)
                r.left[static_cast<std::size_t>(i)] *= g, r.right[static_cast<std::size_t>(i)] *= g;
        float* out[2] = {r.left.data(), r.right.data()};
        dithers[k].process(dsp::AudioBlock(out, 2, n));
        writers[k]->write(out, n);
    });
    for (auto& w : writers)
        w->commit();
    return previews;
}

} // namespace lathe::core
