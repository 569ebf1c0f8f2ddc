#include "core/io/CodecPreview.h"
#include "core/Error.h"
#include "support/AudioProbe.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

using namespace lathe;

namespace {

constexpr int kRate = 48000;

// A few partials per channel (different on each side), normalised to a -3 dBFS sample peak.
struct Mix {
    std::vector<float> left, right;
};
Mix sineMix(double seconds) {
    const auto frames = static_cast<size_t>(seconds * kRate);
    Mix m{std::vector<float>(frames), std::vector<float>(frames)};
    double peak = 0;
    for (size_t i = 0; i < frames; ++i) {
        const double t = static_cast<double>(i) / kRate, w = 2.0 * std::numbers::pi * t;
        const double l = std::sin(w * 220.0) + 0.5 * std::sin(w * 1210.0) + 0.25 * std::sin(w * 3320.0);
        const double r = std::sin(w * 330.0 + 0.3) + 0.5 * std::sin(w * 990.0) + 0.25 * std::sin(w * 4410.0);
        m.left[i] = static_cast<float>(l), m.right[i] = static_cast<float>(r);
        peak = std::max({peak, std::abs(l), std::abs(r)});
    }
    const double scale = std::pow(10.0, -3.0 / 20.0) / peak;
    for (size_t i = 0; i < frames; ++i)
        m.left[i] = static_cast<float>(m.left[i] * scale),
        m.right[i] = static_cast<float>(m.right[i] * scale);
    return m;
}

core::CodecPreview roundTrip(const Mix& m, int kbps, double ceiling = -1.0) {
    return core::codecRoundTrip(m.left.data(), m.right.data(), static_cast<int64_t>(m.left.size()), kRate,
                                kbps, ceiling);
}

// Independent figure: RMS of the difference between two stereo signals relative to the first.
double differenceDb(const Mix& a, const std::vector<float>& l, const std::vector<float>& r, int shift = 0) {
    double d = 0, e = 0;
    for (size_t i = 0; i < a.left.size(); ++i) {
        const auto j = static_cast<long>(i) + shift;
        const double bl = j >= 0 && j < static_cast<long>(l.size()) ? l[static_cast<size_t>(j)] : 0.0;
        const double br = j >= 0 && j < static_cast<long>(r.size()) ? r[static_cast<size_t>(j)] : 0.0;
        d += (a.left[i] - bl) * (a.left[i] - bl) + (a.right[i] - br) * (a.right[i] - br);
        e += static_cast<double>(a.left[i]) * a.left[i] + static_cast<double>(a.right[i]) * a.right[i];
    }
    return 10.0 * std::log10(d / e);
}

// Points TMPDIR at a fresh folder for the scope, so a test can see what the preview leaves behind.
class ScopedTmpdir {
public:
    explicit ScopedTmpdir(const std::string& path) {
        const char* old = std::getenv("TMPDIR");
        had_ = old != nullptr;
        if (had_) old_ = old;
        ::setenv("TMPDIR", path.c_str(), 1);
    }
    ~ScopedTmpdir() {
        if (had_)
            ::setenv("TMPDIR", old_.c_str(), 1);
        else
            ::unsetenv("TMPDIR");
    }

private:
    bool had_ = false;
    std::string old_;
};

} // namespace

TEST(CodecPreview, At320kbpsTheAlignedDecodeIsCloseAndKeepsTheTruePeak) {
    const Mix mix = sineMix(4.0);
    test::TempDir tmp;
    core::CodecPreview p;
    {
        ScopedTmpdir scoped(tmp.path());
        p = roundTrip(mix, 320);
    }
    EXPECT_TRUE(tmp.entries().empty()) << "temporary files left behind";
    ASSERT_EQ(p.left.size(), mix.left.size());
    ASSERT_EQ(p.right.size(), mix.right.size());
    EXPECT_LE(p.differenceDb, -40.0);
    // The reported difference is the one an independent computation gets from the returned audio, and the
    // alignment is the best one: a sample either way is worse.
    EXPECT_NEAR(p.differenceDb, differenceDb(mix, p.left, p.right), 0.01);
    EXPECT_LT(p.differenceDb, differenceDb(mix, p.left, p.right, 1) - 3.0);
    EXPECT_LT(p.differenceDb, differenceDb(mix, p.left, p.right, -1) - 3.0);
    // True peaks, measured independently of the dsp meter.
    const double inputTp = test::truePeak8xDbtp(test::LoadedAudio{kRate, {mix.left, mix.right}});
    const double decodedTp = test::truePeak8xDbtp(test::LoadedAudio{kRate, {p.left, p.right}});
    EXPECT_NEAR(p.inputTruePeakDbtp, inputTp, 0.1);
    EXPECT_NEAR(p.truePeakDbtp, decodedTp, 0.1);
    EXPECT_NEAR(p.truePeakDbtp, inputTp, 0.5);
    std::printf("320 kb/s: difference %.2f dB, decoded TP %.3f dBTP (input %.3f), delay %d\n", p.differenceDb,
                p.truePeakDbtp, p.inputTruePeakDbtp, p.delayFrames);
}

TEST(CodecPreview, LowerBitrateLeavesALargerDifference) {
    const Mix mix = sineMix(3.0);
    const auto high = roundTrip(mix, 320);
    const auto low = roundTrip(mix, 64);
    EXPECT_GT(low.differenceDb, high.differenceDb + 3.0);
    std::printf("difference: 320 kb/s %.2f dB, 64 kb/s %.2f dB\n", high.differenceDb, low.differenceDb);
}

TEST(CodecPreview, CeilingFlagFollowsTheDecodedTruePeak) {
    const Mix mix = sineMix(2.0);
    const auto under = roundTrip(mix, 320, 0.0);
    EXPECT_FALSE(under.exceedsCeiling); // -3 dBFS material cannot reach 0 dBTP through the codec
    const auto over = roundTrip(mix, 320, under.truePeakDbtp - 0.5);
    EXPECT_TRUE(over.exceedsCeiling);
}

TEST(CodecPreview, BitrateRangeAndBadInputAreRefusedWithAnError) {
    const Mix mix = sineMix(1.0);
    for (int kbps : {32, 128, 320})
        EXPECT_NO_THROW(roundTrip(mix, kbps)) << kbps;
    for (int kbps : {0, 31, 321, 1000, -64}) {
        try {
            roundTrip(mix, kbps);
            ADD_FAILURE() << kbps << " kb/s accepted";
        } catch (const core::Error& e) {
            EXPECT_NE(std::string(e.what()).find(std::to_string(kbps)), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(core::codecRoundTrip(mix.left.data(), mix.right.data(), 0, kRate, 320), core::Error);
    EXPECT_THROW(core::codecRoundTrip(mix.left.data(), mix.right.data(),
                                      static_cast<int64_t>(mix.left.size()), 96000, 320),
                 core::Error);
}
