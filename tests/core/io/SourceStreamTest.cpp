// SourceStream: what every stem becomes before it is summed: stereo at the session rate, padded with silence.
#include "support/TestAudio.h"

#include "core/Error.h"
#include "core/io/SourceStream.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <numbers>
#include <vector>

using namespace lathe;
using namespace lathe::test;

namespace {

// Amplitude and phase of a sine of known frequency in x, by least squares over whole cycles.
double fitAmplitude(const std::vector<float>& x, size_t from, size_t count, double frequency, double rate) {
    double s = 0, c = 0;
    for (size_t i = from; i < from + count; ++i) {
        const double w = 2.0 * std::numbers::pi * frequency * static_cast<double>(i) / rate;
        s += x[i] * std::sin(w);
        c += x[i] * std::cos(w);
    }
    return 2.0 * std::hypot(s, c) / static_cast<double>(count);
}

std::vector<float> readAll(core::SourceStream& stream, std::vector<float>* right, int64_t frames) {
    std::vector<float> l(static_cast<size_t>(frames)), r(static_cast<size_t>(frames));
    for (int64_t done = 0; done < frames;) {
        const int n = static_cast<int>(std::min<int64_t>(1000, frames - done)); // odd block size on purpose
        stream.read(l.data() + done, r.data() + done, n);
        done += n;
    }
    if (right) *right = r;
    return l;
}

} // namespace

TEST(SourceStream, MonoBecomesCentredStereoAtEqualLevel) {
    TempDir dir;
    const PlanarAudio mono = makeSine(1, 48000, 48000.0, 1000.0, 0.5);
    writeTestAudio(dir.file("vox.wav"), mono, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    core::SourceStream stream(dir.file("vox.wav"), 48000);
    EXPECT_FALSE(stream.resampled());
    EXPECT_EQ(stream.lengthFrames(), 48000);
    std::vector<float> right;
    const std::vector<float> left = readAll(stream, &right, 48000);
    // Dual mono, unchanged: both sides carry the mono signal exactly (what the mix engineer heard centred).
    EXPECT_EQ(left, mono[0]);
    EXPECT_EQ(right, mono[0]);
}

TEST(SourceStream, ResamplesToTheSessionRateKeepingLevelAndPitch) {
    TempDir dir;
    const PlanarAudio stereo = makeSine(2, 44100 * 2, 44100.0, 1000.0, 0.5);
    writeTestAudio(dir.file("bass.wav"), stereo, 44100, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    core::SourceStream stream(dir.file("bass.wav"), 48000);
    EXPECT_TRUE(stream.resampled());
    // Length scales with the rate ratio exactly (rounded): 2 s stays 2 s.
    EXPECT_EQ(stream.lengthFrames(), 96000);
    std::vector<float> right;
    const std::vector<float> left = readAll(stream, &right, 96000);
    // A 1 kHz sine at 0.5 stays a 1 kHz sine at 0.5 (soxr VHQ passband is flat to far below 0.01 dB here):
    // fitted at 48 kHz over 1 s in the middle, away from the filter's start-up.
    EXPECT_NEAR(20.0 * std::log10(fitAmplitude(left, 24000, 48000, 1000.0, 48000.0) / 0.5), 0.0, 0.01);
    EXPECT_NEAR(20.0 * std::log10(fitAmplitude(right, 24000, 48000, 1000.0, 48000.0) / 0.5), 0.0, 0.01);
}

TEST(SourceStream, PadsWithSilenceAfterTheEnd) {
    TempDir dir;
    writeTestAudio(dir.file("fx.wav"), makeSine(2, 1000, 48000.0, 440.0, 0.25), 48000,
                   SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    core::SourceStream stream(dir.file("fx.wav"), 48000);
    std::vector<float> right;
    const std::vector<float> left = readAll(stream, &right, 3000);
    EXPECT_NE(left[999], 0.0f);
    for (size_t i = 1000; i < 3000; ++i) {
        ASSERT_EQ(left[i], 0.0f) << i;
        ASSERT_EQ(right[i], 0.0f) << i;
    }
    EXPECT_EQ(stream.position(), 3000);
}

TEST(SourceStream, RefusesSourcesLatheWillNotMasterFrom) {
    TempDir dir;
    writeTestAudio(dir.file("surround.wav"), makeSine(6, 4800, 48000.0, 440.0, 0.25), 48000,
                   SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    try {
        core::SourceStream stream(dir.file("surround.wav"), 48000);
        FAIL() << "a 6-channel file was accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), dir.file("surround.wav"));
    }
}
