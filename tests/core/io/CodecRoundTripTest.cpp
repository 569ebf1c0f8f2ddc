#include "core/Error.h"
#include "core/io/CodecPreview.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

// The codec round trip for every lossy deliverable format (the live codec preview's): each aligned with its
// input, each with its codec's signature (Opus' 20 kHz band limit), and codecs that cannot carry the input's
// rate fed through the render's resampler.
namespace lathe::core {
namespace {

struct Stereo {
    int rate = 48000;
    std::vector<float> left, right;
};

// Partials below 10 kHz on each side, with `air`: plus a 21 kHz tone (-17 dB of the signal's power) above
// Opus' 20 kHz full band and LAME's low-pass, below the Nyquist frequency of 44.1 and 48 kHz.
Stereo testSignal(int rate, double seconds, bool air = false) {
    Stereo s;
    s.rate = rate;
    const auto frames = static_cast<size_t>(seconds * rate);
    s.left.resize(frames);
    s.right.resize(frames);
    for (size_t i = 0; i < frames; ++i) {
        const double w = 2.0 * std::numbers::pi * static_cast<double>(i) / rate;
        const double hf = air ? 0.05 * std::sin(w * 21000.0) : 0.0;
        s.left[i] = static_cast<float>(0.3 * std::sin(w * 220.0) + 0.15 * std::sin(w * 1210.0) +
                                       0.08 * std::sin(w * 5320.0) + hf);
        s.right[i] = static_cast<float>(0.3 * std::sin(w * 330.0 + 0.3) + 0.15 * std::sin(w * 990.0) +
                                        0.08 * std::sin(w * 7410.0) + hf);
    }
    return s;
}

CodecPreview roundTrip(const Stereo& s, const std::string& spec) {
    return codecRoundTrip(s.left.data(), s.right.data(), static_cast<int64_t>(s.left.size()), s.rate,
                          parseDeliverableSpec(spec));
}

// Goertzel power of one frequency over the middle of a signal (away from the codec's start and end).
double toneDb(const std::vector<float>& x, int rate, double hz) {
    const size_t begin = x.size() / 4, end = 3 * x.size() / 4;
    const double k = 2.0 * std::cos(2.0 * std::numbers::pi * hz / rate);
    double s1 = 0, s2 = 0;
    for (size_t i = begin; i < end; ++i) {
        const double s0 = x[i] + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    const double power = s1 * s1 + s2 * s2 - k * s1 * s2;
    return 10.0 * std::log10(std::max(power, 1e-30) / static_cast<double>((end - begin) * (end - begin)));
}

// RMS of (a - b) relative to a over both channels, b shifted by `shift`.
double differenceDb(const Stereo& a, const CodecPreview& b, int shift = 0) {
    double d = 0, e = 0;
    const auto n = static_cast<long>(a.left.size());
    for (long i = 0; i < n; ++i) {
        const long j = i + shift;
        const double bl = j >= 0 && j < n ? b.left[static_cast<size_t>(j)] : 0.0;
        const double br = j >= 0 && j < n ? b.right[static_cast<size_t>(j)] : 0.0;
        d += (a.left[static_cast<size_t>(i)] - bl) * (a.left[static_cast<size_t>(i)] - bl) +
             (a.right[static_cast<size_t>(i)] - br) * (a.right[static_cast<size_t>(i)] - br);
        e += static_cast<double>(a.left[static_cast<size_t>(i)]) * a.left[static_cast<size_t>(i)] +
             static_cast<double>(a.right[static_cast<size_t>(i)]) * a.right[static_cast<size_t>(i)];
    }
    return 10.0 * std::log10(d / e);
}

TEST(CodecRoundTrip, EveryLossyFormatComesBackAlignedWithItsInput) {
    const Stereo in = testSignal(48000, 3.0);
    test::TempDir tmp;
    const char* old = std::getenv("TMPDIR");
    const std::string oldTmp = old ? old : "";
    ::setenv("TMPDIR", tmp.path().c_str(), 1);
    for (const std::string spec : {"mp3:320", "aac:256", "opus:160", "vorbis:8"}) {
        SCOPED_TRACE(spec);
        const CodecPreview p = roundTrip(in, spec);
        ASSERT_EQ(p.left.size(), in.left.size());
        EXPECT_EQ(deliverableSpecText(p.codec), spec);
        EXPECT_EQ(p.codecSampleRate, 48000);
        // Close (the coding noise of a high setting), and the alignment found is the best one.
        EXPECT_LT(p.differenceDb, -25.0);
        EXPECT_NEAR(p.differenceDb, differenceDb(in, p), 0.01);
        EXPECT_LT(p.differenceDb, differenceDb(in, p, 1) - 3.0);
        EXPECT_LT(p.differenceDb, differenceDb(in, p, -1) - 3.0);
        std::printf("%s: difference %.1f dB, delay %d\n", spec.c_str(), p.differenceDb, p.delayFrames);
    }
    if (old)
        ::setenv("TMPDIR", oldTmp.c_str(), 1);
    else
        ::unsetenv("TMPDIR");
    EXPECT_TRUE(tmp.entries().empty()) << "temporary files left behind";
}

// Each codec's band limit, heard on a 21 kHz tone: Opus codes at most 20 kHz (its full band) and LAME
// low-passes near 20 kHz even at 320 kb/s, where libavcodec's AAC at 256 kb/s and Vorbis at q8 keep it.
TEST(CodecRoundTrip, EachCodecKeepsOrCutsA21kHzToneAsItsEncoderDoes) {
    const Stereo in = testSignal(48000, 3.0, true);
    const double input = toneDb(in.left, 48000, 21000);
    const double partial = toneDb(in.left, 48000, 5320);
    for (const auto& [spec, cuts] : std::vector<std::pair<std::string, bool>>{
             {"opus:160", true}, {"mp3:320", true}, {"aac:256", false}, {"vorbis:8", false}}) {
        SCOPED_TRACE(spec);
        const CodecPreview p = roundTrip(in, spec);
        const double tone = toneDb(p.left, 48000, 21000);
        std::printf("%s: 21 kHz %.1f dB (input %.1f)\n", spec.c_str(), tone, input);
        if (cuts)
            EXPECT_LT(tone, input - 30.0);
        else
            EXPECT_NEAR(tone, input, 3.0);
        EXPECT_NEAR(toneDb(p.left, 48000, 5320), partial, 1.0); // the partials below stay
    }
}

TEST(CodecRoundTrip, ACodecThatCannotCarryTheRateIsFedTheRendersRateAndComesBack) {
    // Opus only at 48 kHz: a 44.1 kHz master goes through 48 kHz and back, still aligned at 44.1 kHz.
    const Stereo cd = testSignal(44100, 3.0);
    const CodecPreview opus = roundTrip(cd, "opus:160");
    EXPECT_EQ(opus.codecSampleRate, 48000);
    ASSERT_EQ(opus.left.size(), cd.left.size());
    EXPECT_LT(opus.differenceDb, -25.0);
    EXPECT_LT(opus.differenceDb, differenceDb(cd, opus, 1) - 3.0);
    EXPECT_LT(opus.differenceDb, differenceDb(cd, opus, -1) - 3.0);
    // MP3 carries no 96 kHz: the render makes it at 48 kHz, and so does the preview.
    const Stereo hiRes = testSignal(96000, 2.0);
    const CodecPreview mp3 = roundTrip(hiRes, "mp3:320");
    EXPECT_EQ(mp3.codecSampleRate, 48000);
    ASSERT_EQ(mp3.left.size(), hiRes.left.size());
    EXPECT_LT(mp3.differenceDb, -25.0);
    std::printf("opus from 44.1 kHz: %.1f dB (delay %d); mp3 from 96 kHz: %.1f dB (delay %d)\n",
                opus.differenceDb, opus.delayFrames, mp3.differenceDb, mp3.delayFrames);
}

TEST(CodecRoundTrip, ASpecThatIsNoCodecOrOutOfRangeIsRefused) {
    const Stereo in = testSignal(48000, 0.5);
    const auto frames = static_cast<int64_t>(in.left.size());
    DeliverableSpec wav;
    wav.format = "wav";
    EXPECT_THROW(codecRoundTrip(in.left.data(), in.right.data(), frames, 48000, wav), Error);
    DeliverableSpec opus;
    opus.format = "opus";
    opus.kbps = 600;
    try {
        codecRoundTrip(in.left.data(), in.right.data(), frames, 48000, opus);
        ADD_FAILURE() << "opus at 600 kb/s accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("600"), std::string::npos) << e.what();
    }
    EXPECT_THROW(codecRoundTrip(in.left.data(), in.right.data(), 0, 48000, parseDeliverableSpec("aac")),
                 Error);
}

} // namespace
} // namespace lathe::core
