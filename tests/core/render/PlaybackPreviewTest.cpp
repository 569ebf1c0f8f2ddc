#include "core/render/PlaybackPreviewWriter.h"
#include "support/CliRunner.h"
#include "support/DefectiveFolders.h"
#include "support/TestAudio.h"

#include "dsp/PlaybackSimulation.h"

#include <sndfile.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>

using namespace lathe;

namespace {

// Power of the left channel at frequencies lowHz..highHz in 0.5 Hz steps (a direct DFT of the whole file,
// independent of Lathe's filters), in dB.
double bandPowerDb(const std::vector<float>& x, double sampleRate, double lowHz, double highHz) {
    double total = 0.0;
    for (double f = lowHz; f <= highHz; f += 0.5) {
        const double w = 2.0 * std::numbers::pi * f / sampleRate;
        double re = 0.0, im = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i)
            re += x[i] * std::cos(w * static_cast<double>(i)),
                im -= x[i] * std::sin(w * static_cast<double>(i));
        total += re * re + im * im;
    }
    return 10.0 * std::log10(total + 1e-30);
}

} // namespace

TEST(PlaybackPreview, RenderSimulateWritesPhoneAndCarPreviewsBesideTheMaster) {
    test::TempDir folder, out;
    test::writeDefectiveFolder(folder.path(), test::Defect::Clean);
    const auto r = test::runCli({"render", folder.path(), "--out", out.path(), "--mode", "stereo", "--no-mp3",
                                 "--simulate", "phone", "--simulate", "car", "--quiet"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string song = std::filesystem::path(folder.path()).filename().string();
    const std::string master = out.file(song + "_stereo_master.wav");
    const std::string phone = out.file(song + "_stereo_master_phone.wav");
    const std::string car = out.file(song + "_stereo_master_car.wav");
    ASSERT_TRUE(std::filesystem::exists(phone)) << r.err;
    ASSERT_TRUE(std::filesystem::exists(car));
    EXPECT_FALSE(std::filesystem::exists(out.file(song + "_stereo_master_laptop.wav")));
    // No temporaries left beside them.
    for (const auto& f : test::filesUnder(out.path()))
        EXPECT_EQ(std::filesystem::path(f).filename().string().find(".partial"), std::string::npos) << f;

    int rate = 0;
    const test::PlanarAudio m = test::readTestAudio(master, &rate);
    const test::PlanarAudio p = test::readTestAudio(phone);
    const test::PlanarAudio c = test::readTestAudio(car);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].size(), m[0].size());
    EXPECT_EQ(c[0].size(), m[0].size());
    SF_INFO info{};
    SNDFILE* f = sf_open(phone.c_str(), SFM_READ, &info);
    ASSERT_NE(f, nullptr);
    sf_close(f);
    EXPECT_EQ(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    EXPECT_EQ(info.samplerate, rate);

    // The 808 and kick around 60 Hz: gone on the phone (the model is -61 dB there), lifted in the car; the
    // presence region (2-3 kHz) stays within a few dB on both.
    const double masterLow = bandPowerDb(m[0], rate, 55.0, 65.0),
                 phoneLow = bandPowerDb(p[0], rate, 55.0, 65.0), carLow = bandPowerDb(c[0], rate, 55.0, 65.0);
    std::printf("60 Hz band: master %.1f dB, phone %.1f dB, car %.1f dB\n", masterLow, phoneLow, carLow);
    EXPECT_LE(phoneLow, masterLow - 20.0);
    EXPECT_GE(carLow, masterLow + 2.0);
    const double masterMid = bandPowerDb(m[0], rate, 2400.0, 2410.0),
                 phoneMid = bandPowerDb(p[0], rate, 2400.0, 2410.0);
    EXPECT_NEAR(phoneMid, masterMid, 6.0);
}

TEST(PlaybackPreview, PreviewIsTheSimulationOfTheMasterWithinDither) {
    test::TempDir dir;
    const std::string master = dir.file("song_stereo_master.wav");
    const test::PlanarAudio tone = test::makeSine(2, 48000, 48000.0, 100.0, 0.5);
    test::PlanarAudio onGrid = tone;
    for (auto& ch : onGrid)
        for (float& x : ch)
            x = test::quantize(x, 24);
    test::writeTestAudio(master, onGrid, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const auto previews = core::writePlaybackPreviews(master, {dsp::PlaybackSystem::LaptopSpeakers});
    ASSERT_EQ(previews.size(), 1u);
    EXPECT_EQ(previews[0].path, dir.file("song_stereo_master_laptop.wav"));
    EXPECT_EQ(previews[0].gainDb, 0.0);

    test::PlanarAudio expected = test::readTestAudio(master);
    dsp::PlaybackSimulation sim;
    sim.setSystem(dsp::PlaybackSystem::LaptopSpeakers);
    sim.prepare(48000, 48000);
    float* channels[2] = {expected[0].data(), expected[1].data()};
    sim.process(dsp::AudioBlock(channels, 2, static_cast<int>(expected[0].size())));
    const test::PlanarAudio written = test::readTestAudio(previews[0].path);
    double worst = 0.0;
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < expected[c].size(); ++i)
            worst = std::max(worst, std::abs(static_cast<double>(written[c][i]) - expected[c][i]));
    // TPDF dither plus rounding: at most 1.5 LSB of 24 bits.
    EXPECT_LE(worst, 1.5 / 8388608.0 + 1e-9);
}

TEST(PlaybackPreview, UnknownSystemIsAUsageError) {
    test::TempDir folder, out;
    const auto r = test::runCli({"render", folder.path(), "--out", out.path(), "--simulate", "radio"});
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_TRUE(test::filesUnder(out.path()).empty());
}
