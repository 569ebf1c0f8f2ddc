// analyzeFile against libebur128 measuring the same samples: one read feeds every measurement, mono and
// stereo through IntegratedLoudness and the 8x true-peak meter's 4x subset, 3-5 channels through libebur128's
// map.
#include "core/analysis/FileAnalysis.h"
#include "support/TestAudio.h"

#include <ebur128.h>
#include <gtest/gtest.h>
#include <sndfile.h>

#include <array>
#include <cmath>
#include <numbers>
#include <random>

using namespace lathe;
using lathe::test::PlanarAudio;

namespace {

// Music-like programme: a 997 Hz tone under noise low-passed at about 6 kHz (real material carries little
// near Nyquist, where interpolators legitimately disagree), in level sections so both gates decide, peaking
// around -8 dBFS with inter-sample peaks above the sample peak. Values on the 24-bit grid, so the file holds
// exactly these samples.
PlanarAudio programme(int channels, double seconds, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    const auto frames = static_cast<std::size_t>(48000 * seconds);
    PlanarAudio audio(static_cast<std::size_t>(channels), std::vector<float>(frames));
    const double pole = std::exp(-2.0 * std::numbers::pi * 6000.0 / 48000.0);
    std::vector<double> lowPassed(static_cast<std::size_t>(channels), 0.0);
    for (std::size_t i = 0; i < frames; ++i) {
        const double t = static_cast<double>(i) / 48000.0;
        const double level = std::array{0.08, 0.012, 0.04, 0.0024}[static_cast<std::size_t>(t / 2.7) % 4];
        for (int c = 0; c < channels; ++c) {
            double& y = lowPassed[static_cast<std::size_t>(c)];
            y = pole * y + (1.0 - pole) * noise(rng);
            audio[static_cast<std::size_t>(c)][i] = lathe::test::quantize(
                level * (std::sin(2.0 * std::numbers::pi * 997.0 * t + c) + 1.5 * y), 24);
        }
    }
    return audio;
}

struct Reference {
    double integrated, truePeak4x, samplePeak;
};

Reference libebur128(const PlanarAudio& audio) {
    const auto channels = static_cast<unsigned>(audio.size());
    ebur128_state* st =
        ebur128_init(channels, 48000, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK);
    std::vector<float> interleaved(audio[0].size() * channels);
    for (std::size_t i = 0; i < audio[0].size(); ++i)
        for (unsigned c = 0; c < channels; ++c)
            interleaved[i * channels + c] = audio[c][i];
    ebur128_add_frames_float(st, interleaved.data(), audio[0].size());
    Reference r{};
    ebur128_loudness_global(st, &r.integrated);
    double tp = 0, sp = 0;
    for (unsigned c = 0; c < channels; ++c) {
        double v = 0;
        ebur128_true_peak(st, c, &v);
        tp = std::max(tp, v);
        ebur128_sample_peak(st, c, &v);
        sp = std::max(sp, v);
    }
    r.truePeak4x = 20.0 * std::log10(tp);
    r.samplePeak = 20.0 * std::log10(sp);
    ebur128_destroy(&st);
    return r;
}

} // namespace

TEST(FileAnalysis, AgreesWithLibebur128OnMonoStereoAndThreeChannels) {
    lathe::test::TempDir dir;
    for (const int channels : {1, 2, 3}) {
        const PlanarAudio audio = programme(channels, 21.0, 40u + static_cast<unsigned>(channels));
        const std::string path = dir.file("programme" + std::to_string(channels) + ".wav");
        lathe::test::writeTestAudio(path, audio, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
        const core::FileAnalysis a = core::analyzeFile(path);
        const Reference r = libebur128(audio);
        std::printf("%d ch: I %.4f / %.4f  TP4x %.4f / %.4f  TP8x %.4f  SP %.4f / %.4f  LRA %.3f\n", channels,
                    a.integratedLufs, r.integrated, a.truePeakBs1770Dbtp, r.truePeak4x, a.truePeakDbtp,
                    a.samplePeakDbfs, r.samplePeak, a.loudnessRangeLu);
        EXPECT_EQ(a.channels, channels);
        EXPECT_NEAR(a.integratedLufs, r.integrated, channels > 2 ? 0.05 : 0.01) << channels; // histogram
        EXPECT_NEAR(a.truePeakBs1770Dbtp, r.truePeak4x, 0.1) << channels;
        EXPECT_NEAR(a.samplePeakDbfs, r.samplePeak, 1e-6) << channels;
        EXPECT_GE(a.truePeakDbtp, a.truePeakBs1770Dbtp) << channels;
        EXPECT_GE(a.truePeakBs1770Dbtp, a.samplePeakDbfs) << channels;
        EXPECT_GT(a.loudnessRangeLu, 3.0) << channels;
        EXPECT_NEAR(a.plrDb, a.truePeakDbtp - a.integratedLufs, 1e-9);
    }
}
