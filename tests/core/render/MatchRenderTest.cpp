// Matching a source to a reference made from it by a known change (issue 18's proof): the third-octave
// levels, the loudness and the width of the result measured independently of the match code (one FFT of the
// whole file per band level, libebur128 for loudness, 8x true peak from libsoxr).
#include "core/render/MatchRender.h"
#include "core/Error.h"
#include "core/analysis/MatchCache.h"

#include "dsp/BiquadCoefficients.h"
#include "dsp/FrequencyCurve.h"
#include "dsp/support/TestNoise.h"
#include "support/TestAudio.h"

#include <ebur128.h>
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <complex>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace lathe::core {
namespace {

namespace fs = std::filesystem;
using test::PlanarAudio;

constexpr int kRate = 48000;
constexpr std::size_t kFrames = 20 * kRate;

// Stereo pink noise with a side 10.5 dB under the mid (L = m + s, R = m - s).
PlanarAudio makeSource() {
    const std::vector<float> mid = test::pinkNoise(kFrames, kRate, 0.05, 1);
    const std::vector<float> side = test::pinkNoise(kFrames, kRate, 0.015, 2);
    PlanarAudio a(2, std::vector<float>(kFrames));
    for (std::size_t i = 0; i < kFrames; ++i) {
        a[0][i] = mid[i] + side[i];
        a[1][i] = mid[i] - side[i];
    }
    return a;
}

void applyBiquad(std::vector<float>& x, const dsp::BiquadCoefficients& c) {
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (float& v : x) {
        const double y = c.b0 * v + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
        x2 = x1;
        x1 = v;
        y2 = y1;
        y1 = y;
        v = static_cast<float>(y);
    }
}

// The known EQ the reference is made with: shelves and a bell of several dB, plus gain.
PlanarAudio knownEq(PlanarAudio a, double gainDb) {
    for (auto& ch : a) {
        applyBiquad(ch, dsp::makeLowShelf(kRate, 120, 0.707, 4.0));
        applyBiquad(ch, dsp::makeBell(kRate, 1000, 1.0, -3.0));
        applyBiquad(ch, dsp::makeHighShelf(kRate, 6000, 0.707, 3.0));
        const float g = static_cast<float>(std::pow(10.0, gainDb / 20.0));
        for (float& v : ch)
            v *= g;
    }
    return a;
}

// |H(f)| in dB of the known EQ, from the biquads' transfer functions.
double knownEqDb(double hz) {
    const std::complex<double> z1 = std::polar(1.0, -2.0 * M_PI * hz / kRate);
    double db = 0;
    for (const auto& c : {dsp::makeLowShelf(kRate, 120, 0.707, 4.0), dsp::makeBell(kRate, 1000, 1.0, -3.0),
                          dsp::makeHighShelf(kRate, 6000, 0.707, 3.0)}) {
        const auto h = (c.b0 + c.b1 * z1 + c.b2 * z1 * z1) / (1.0 + c.a1 * z1 + c.a2 * z1 * z1);
        db += 20.0 * std::log10(std::abs(h));
    }
    return db;
}

PlanarAudio withSideGain(PlanarAudio a, double sideGainDb) {
    const double g = std::pow(10.0, sideGainDb / 20.0);
    for (std::size_t i = 0; i < a[0].size(); ++i) {
        const double m = 0.5 * (a[0][i] + a[1][i]);
        const double s = 0.5 * (a[0][i] - a[1][i]) * g;
        a[0][i] = static_cast<float>(m + s);
        a[1][i] = static_cast<float>(m - s);
    }
    return a;
}

double loudnessLufs(const PlanarAudio& a) {
    ebur128_state* st = ebur128_init(2, kRate, EBUR128_MODE_I);
    std::vector<float> interleaved(a[0].size() * 2);
    for (std::size_t i = 0; i < a[0].size(); ++i) {
        interleaved[2 * i] = a[0][i];
        interleaved[2 * i + 1] = a[1][i];
    }
    ebur128_add_frames_float(st, interleaved.data(), a[0].size());
    double lufs = 0;
    ebur128_loudness_global(st, &lufs);
    ebur128_destroy(&st);
    return lufs;
}

std::vector<double> thirdOctaves() {
    return dsp::thirdOctaveCentres(63, 12600); // 63 Hz .. 12.6 kHz: every centre between 60 Hz and 14 kHz
}

std::vector<double> bandLevels(const PlanarAudio& a) {
    return test::bandLevelsDb({&a[0], &a[1]}, kRate, thirdOctaves());
}

// Side/mid level per band: side and mid computed from L/R here.
std::vector<double> sideToMidDb(const PlanarAudio& a, const std::vector<double>& centres) {
    std::vector<float> mid(a[0].size()), side(a[0].size());
    for (std::size_t i = 0; i < mid.size(); ++i) {
        mid[i] = 0.5f * (a[0][i] + a[1][i]);
        side[i] = 0.5f * (a[0][i] - a[1][i]);
    }
    const auto m = test::bandLevelsDb({&mid}, kRate, centres);
    const auto s = test::bandLevelsDb({&side}, kRate, centres);
    std::vector<double> out(m.size());
    for (std::size_t i = 0; i < m.size(); ++i)
        out[i] = s[i] - m[i];
    return out;
}

std::vector<double> minus(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> d(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        d[i] = a[i] - b[i];
    return d;
}

// The difference with its mean taken out: the shape, whatever the level.
std::vector<double> shape(std::vector<double> d) {
    double mean = 0;
    for (double v : d)
        mean += v / static_cast<double>(d.size());
    for (double& v : d)
        v -= mean;
    return d;
}

class MatchRenderTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("lathe-match-test-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        // A cache of its own: hermetic, and a first run really analyses.
        setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
        source_ = (dir_ / "source.wav").string();
        test::writeTestAudio(source_, makeSource(), kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string writeReference(const PlanarAudio& a, const char* name = "reference.wav") {
        const std::string path = (dir_ / name).string();
        test::writeTestAudio(path, a, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
        return path;
    }
    PlanarAudio match(const std::string& reference, const MatchFileOptions& options,
                      MatchFileResult* result = nullptr, const char* name = "out.wav") {
        const std::string out = (dir_ / name).string();
        MatchFileOptions o = options;
        o.bitDepth = 32; // float: no dither in the measurements
        MatchFileResult r = matchFile(source_, reference, o, out);
        EXPECT_TRUE(r.written);
        if (result) *result = r;
        return test::readTestAudio(out);
    }

    fs::path dir_;
    std::string source_;
};

TEST_F(MatchRenderTest, RecoversAKnownEqAndGainWithinHalfADbAndTheLoudnessWithinPoint2Lu) {
    const PlanarAudio reference = knownEq(makeSource(), 4.0);
    const std::string refPath = writeReference(reference);
    MatchFileResult r;
    const PlanarAudio result = match(refPath, {}, &r);
    ASSERT_EQ(result[0].size(), kFrames) << "the render must drop the match stage's latency";

    const auto error = minus(bandLevels(result), bandLevels(reference));
    const auto centres = thirdOctaves();
    double worst = 0;
    for (std::size_t i = 0; i < error.size(); ++i) {
        EXPECT_LE(std::abs(error[i]), 0.5) << centres[i] << " Hz";
        worst = std::max(worst, std::abs(error[i]));
    }
    const double loudnessError = loudnessLufs(result) - loudnessLufs(reference);
    EXPECT_LE(std::abs(loudnessError), 0.2);
    std::printf("[ measured ] worst third-octave error %.3f dB, loudness error %.3f LU\n", worst,
                loudnessError);

    // The reported curve is the EQ's shape (the level is the loudness part's): compared with the biquads'
    // analytic response, both with their mean over 60 Hz - 14 kHz taken out.
    std::vector<double> reported, analytic;
    for (const auto& p : r.match.toneCurve)
        if (p.frequencyHz >= 60 && p.frequencyHz <= 14000) {
            reported.push_back(p.gainDb);
            analytic.push_back(knownEqDb(p.frequencyHz));
        }
    const auto curveError = minus(shape(reported), shape(analytic));
    for (double e : curveError)
        EXPECT_LE(std::abs(e), 0.5);
    EXPECT_NEAR(r.match.referenceLufs - r.match.sourceLufs,
                loudnessLufs(reference) - loudnessLufs(makeSource()), 0.1);
    EXPECT_TRUE(r.result.withinCeiling);
    EXPECT_LE(r.result.truePeakDbtp, -1.0);
}

TEST_F(MatchRenderTest, HalfTheAmountLeavesHalfTheToneError) {
    const PlanarAudio source = makeSource();
    const PlanarAudio reference = knownEq(source, 4.0);
    const std::string refPath = writeReference(reference);
    MatchFileOptions half;
    half.match.tone_amount_pct = 50;
    const PlanarAudio result = match(refPath, half);
    const auto before = shape(minus(bandLevels(reference), bandLevels(source)));
    const auto after = shape(minus(bandLevels(reference), bandLevels(result)));
    const auto centres = thirdOctaves();
    double sumBefore = 0, sumAfter = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_NEAR(after[i], 0.5 * before[i], 0.3) << centres[i] << " Hz";
        sumBefore += before[i] * before[i];
        sumAfter += after[i] * after[i];
    }
    const double ratio = std::sqrt(sumAfter / sumBefore);
    EXPECT_NEAR(ratio, 0.5, 0.08);
    std::printf("[ measured ] RMS tone error at 50 %%: %.3f of the unmatched\n", ratio);
}

TEST_F(MatchRenderTest, WithoutToneTheSpectrumIsUnchangedAndOnlyTheLoudnessMoves) {
    const PlanarAudio source = makeSource();
    const PlanarAudio reference = knownEq(source, 4.0);
    const std::string refPath = writeReference(reference);
    MatchFileOptions loudnessOnly;
    loudnessOnly.match.tone = false;
    loudnessOnly.match.width = false;
    const PlanarAudio result = match(refPath, loudnessOnly);
    const auto change = shape(minus(bandLevels(result), bandLevels(source)));
    const auto centres = thirdOctaves();
    for (std::size_t i = 0; i < change.size(); ++i)
        EXPECT_LE(std::abs(change[i]), 0.1) << centres[i] << " Hz";
    EXPECT_NEAR(loudnessLufs(result), loudnessLufs(reference), 0.2);
}

TEST_F(MatchRenderTest, ToneOnlyKeepsTheSourceLoudness) {
    const PlanarAudio source = makeSource();
    const PlanarAudio reference = knownEq(source, 6.0);
    const std::string refPath = writeReference(reference);
    MatchFileOptions toneOnly;
    toneOnly.match.loudness = false;
    toneOnly.match.width = false;
    const PlanarAudio result = match(refPath, toneOnly);
    // The curve is loudness-neutral and the loudness part is off: within the 0.2 LU a match promises.
    EXPECT_NEAR(loudnessLufs(result), loudnessLufs(source), 0.2);
    const auto error = shape(minus(bandLevels(result), bandLevels(reference)));
    for (double e : error)
        EXPECT_LE(std::abs(e), 0.5);
}

TEST_F(MatchRenderTest, WidthPerBandFollowsAReferenceWithTheSideRaised3Db) {
    const PlanarAudio source = makeSource();
    const PlanarAudio reference = withSideGain(source, 3.0);
    const std::string refPath = writeReference(reference);
    MatchFileResult r;
    const PlanarAudio result = match(refPath, {}, &r);
    const std::vector<double> centres{100, 250, 500, 1000, 2000, 4000, 8000};
    const auto target = sideToMidDb(reference, centres);
    const auto got = sideToMidDb(result, centres);
    const auto was = sideToMidDb(source, centres);
    for (std::size_t i = 0; i < centres.size(); ++i) {
        EXPECT_NEAR(target[i] - was[i], 3.0, 0.1) << "the reference itself, " << centres[i] << " Hz";
        EXPECT_NEAR(got[i], target[i], 0.5) << centres[i] << " Hz";
    }
    bool anyBand = false;
    for (const auto& b : r.match.widthBands)
        if (b.lowHz >= 80 && b.highHz <= 16000) {
            EXPECT_NEAR(b.sideGainDb, 3.0, 0.3) << b.lowHz << "-" << b.highHz << " Hz";
            anyBand = true;
        }
    EXPECT_TRUE(anyBand);
}

TEST_F(MatchRenderTest, ALoudReferenceIsMatchedNeverAboveTheCeiling) {
    // A reference 10 dB louder than the source, peaks and all over -1 dBTP: the limiter reaches its loudness
    // without passing the ceiling.
    const PlanarAudio reference = knownEq(makeSource(), 10.0);
    const std::string refPath = writeReference(reference);
    MatchFileResult r;
    const PlanarAudio result = match(refPath, {}, &r);
    EXPECT_GT(r.match.referenceTruePeakDbtp, -1.0) << "the reference itself is over the ceiling";
    EXPECT_GT(r.result.maxGainReductionDb, 0.5) << "the limiter did work";
    EXPECT_TRUE(r.result.withinCeiling);
    EXPECT_LE(r.result.truePeakDbtp, -1.0);
    EXPECT_NEAR(loudnessLufs(result), loudnessLufs(reference), 0.2);
}

TEST_F(MatchRenderTest, AReferenceTooLoudToReachStopsAtTheLimitingCapUnderTheCeiling) {
    // 14 dB louder Gaussian noise: at -1 dBTP the limiter would need more than loudness.max_limiting_db (12
    // dB by default) to get there. The search stops at the cap (issue 21's rule, as render does): the master
    // is written, under the ceiling, short of the reference's loudness, and says the cap bound it.
    const PlanarAudio reference = knownEq(makeSource(), 14.0);
    const std::string refPath = writeReference(reference);
    const MatchFileResult r = matchFile(source_, refPath, {}, (dir_ / "out.wav").string());
    EXPECT_TRUE(r.written);
    EXPECT_TRUE(fs::exists(dir_ / "out.wav"));
    EXPECT_TRUE(r.result.limitingCapped);
    EXPECT_LE(r.result.truePeakDbtp, -1.0);
    EXPECT_LT(r.result.integratedLufs, loudnessLufs(reference) - 0.5) << "the cap should have bound it";
    EXPECT_GE(r.result.limitingCostDb, 11.0);
    for (const auto& e : fs::directory_iterator(dir_))
        EXPECT_EQ(e.path().filename().string().find(".lathe-match"), std::string::npos) << e.path();
}

TEST_F(MatchRenderTest, AnalysesAreCachedByContentAndADamagedCacheIsIgnored) {
    const std::string refPath = writeReference(knownEq(makeSource(), 4.0));
    MatchFileOptions o;
    const auto first = matchFile(source_, refPath, o, "");
    EXPECT_FALSE(first.written);
    const fs::path cache = dir_ / "cache" / "lathe" / "match";
    ASSERT_TRUE(fs::is_directory(cache));
    int entries = 0;
    for (const auto& e : fs::directory_iterator(cache))
        entries += e.path().extension() == ".json" ? 1 : 0;
    EXPECT_EQ(entries, 2); // the source and the reference

    // A copy under another name is the same content: no new entry.
    fs::copy_file(refPath, dir_ / "copy.wav");
    const auto again = matchFile(source_, (dir_ / "copy.wav").string(), o, "");
    entries = 0;
    for (const auto& e : fs::directory_iterator(cache))
        entries += e.path().extension() == ".json" ? 1 : 0;
    EXPECT_EQ(entries, 2);
    EXPECT_EQ(again.match.referenceLufs, first.match.referenceLufs);

    // Damaged entries are analysed again, with the same result.
    for (const auto& e : fs::directory_iterator(cache))
        test::writeBytes(e.path().string(), "{not json");
    const auto third = matchFile(source_, refPath, o, "");
    EXPECT_NEAR(third.match.referenceLufs, first.match.referenceLufs, 1e-9);
    ASSERT_EQ(third.match.toneCurve.size(), first.match.toneCurve.size());
    for (std::size_t i = 0; i < first.match.toneCurve.size(); ++i)
        EXPECT_NEAR(third.match.toneCurve[i].gainDb, first.match.toneCurve[i].gainDb, 1e-9);
}

TEST_F(MatchRenderTest, ARangeOfTheReferenceIsWhatIsMatched) {
    // A reference whose first 10 s are the EQ'd source and whose last 10 s are the source as it is: matched
    // to 10-20 s, nothing changes in tone.
    PlanarAudio reference = knownEq(makeSource(), 0.0);
    const PlanarAudio plain = makeSource();
    for (int c = 0; c < 2; ++c)
        std::copy(plain[c].begin() + kFrames / 2, plain[c].end(), reference[c].begin() + kFrames / 2);
    const std::string refPath = writeReference(reference);
    MatchFileOptions second;
    second.match.range_start_s = 10;
    second.match.range_end_s = 20;
    const auto r = matchFile(source_, refPath, second, "");
    for (const auto& p : r.match.toneCurve)
        if (p.frequencyHz >= 60 && p.frequencyHz <= 14000) {
            EXPECT_LE(std::abs(p.gainDb), 0.5) << p.frequencyHz;
        }
    MatchFileOptions first;
    first.match.range_end_s = 10;
    const auto f = matchFile(source_, refPath, first, "");
    double spread = 0;
    for (const auto& p : f.match.toneCurve)
        if (p.frequencyHz >= 60 && p.frequencyHz <= 14000) spread = std::max(spread, std::abs(p.gainDb));
    EXPECT_GT(spread, 2.0) << "the first half is the EQ'd one";
}

TEST_F(MatchRenderTest, RefusesToWriteOverItsInputs) {
    const std::string refPath = writeReference(knownEq(makeSource(), 4.0));
    const std::string before = test::sha256File(refPath);
    EXPECT_THROW(matchFile(source_, refPath, {}, refPath), Error);
    EXPECT_THROW(matchFile(source_, refPath, {}, source_), Error);
    EXPECT_EQ(test::sha256File(refPath), before);
    for (const auto& e : fs::directory_iterator(dir_))
        EXPECT_EQ(e.path().filename().string().find(".lathe-match"), std::string::npos) << e.path();
}

} // namespace
} // namespace lathe::core
