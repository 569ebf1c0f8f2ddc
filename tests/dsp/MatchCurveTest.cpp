#include "dsp/MatchCurve.h"
#include "dsp/Biquad.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/IntegratedLoudness.h"
#include "dsp/MatchAnalyzer.h"
#include "dsp/MatchFilter.h"

#include "support/TestNoise.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace lathe::dsp;
using lathe::test::bandLevelsDb;
using lathe::test::pinkNoise;

namespace {

constexpr double kFs = 48000.0;
constexpr std::size_t kFrames = 1 << 21; // 43.7 s

struct Stereo {
    std::vector<float> left, right;
};

// Programme-like test material: pink mid, a pink side 6 dB lower and independent of it.
Stereo sourceSignal() {
    const auto mid = pinkNoise(kFrames, kFs, 0.1, 100), side = pinkNoise(kFrames, kFs, 0.05, 101);
    Stereo s{std::vector<float>(kFrames), std::vector<float>(kFrames)};
    for (std::size_t i = 0; i < kFrames; ++i) {
        s.left[i] = mid[i] + side[i];
        s.right[i] = mid[i] - side[i];
    }
    return s;
}

// The known EQ the reference is made with: shelves and bells of several dB, then +3.5 dB of gain.
const BiquadCoefficients kEq[] = {
    makeLowShelf(kFs, 100.0, 0.7, 4.0),
    makeBell(kFs, 400.0, 1.0, -3.0),
    makeBell(kFs, 2500.0, 1.4, 5.0),
    makeHighShelf(kFs, 8000.0, 0.7, -4.0),
};
constexpr double kGainDb = 3.5;

double eqDb(double hz) {
    double db = kGainDb;
    for (const auto& s : kEq)
        db += magnitudeDb(s, kFs, hz);
    return db;
}

void applySections(Stereo& s, const std::vector<BiquadCoefficients>& sections, double gainDb = 0.0) {
    float* p[2] = {s.left.data(), s.right.data()};
    const AudioBlock block(p, 2, static_cast<int>(s.left.size()));
    for (const auto& c : sections) {
        Biquad b;
        b.prepare(kFs, block.numFrames(), 2);
        b.setCoefficients(c);
        b.process(block);
    }
    const auto g = static_cast<float>(std::pow(10.0, gainDb / 20.0));
    for (std::size_t i = 0; i < s.left.size(); ++i) {
        s.left[i] *= g;
        s.right[i] *= g;
    }
}

MatchAnalysis analyse(const Stereo& s) {
    MatchAnalyzer a;
    a.prepare(kFs, 4096);
    for (std::size_t pos = 0; pos < s.left.size(); pos += 4096) {
        const int n = static_cast<int>(std::min<std::size_t>(4096, s.left.size() - pos));
        a.process(s.left.data() + pos, s.right.data() + pos, n);
    }
    return a.finish();
}

// The source through the match filter (offline: a 4096-sample partition, the latency dropped, the tail
// flushed), then the curve's loudness gain.
Stereo matched(const Stereo& source, const MatchCurve& curve) {
    MatchFilter filter;
    filter.prepare(4096, 4096, designMatchFirs(curve, kFs, FirPhase::Linear));
    const auto latency = static_cast<std::size_t>(filter.latencyFrames());
    Stereo s = source;
    s.left.resize(source.left.size() + latency, 0.0f);
    s.right.resize(source.right.size() + latency, 0.0f);
    float* p[2] = {s.left.data(), s.right.data()};
    const AudioBlock all(p, 2, static_cast<int>(s.left.size()));
    for (int start = 0; start < all.numFrames(); start += 4096)
        filter.process(all.subBlock(start, std::min(4096, all.numFrames() - start)));
    s.left.erase(s.left.begin(), s.left.begin() + static_cast<std::ptrdiff_t>(latency));
    s.right.erase(s.right.begin(), s.right.begin() + static_cast<std::ptrdiff_t>(latency));
    const auto g = static_cast<float>(std::pow(10.0, curve.loudnessGainDb / 20.0));
    for (std::size_t i = 0; i < s.left.size(); ++i) {
        s.left[i] *= g;
        s.right[i] *= g;
    }
    return s;
}

std::vector<double> centres() {
    return thirdOctaveCentres(60.0, 14000.0);
}

std::vector<double> levels(const Stereo& s) {
    return bandLevelsDb({&s.left, &s.right}, kFs, centres());
}

double integrated(const Stereo& s) {
    IntegratedLoudness m;
    m.prepare(kFs);
    m.process(s.left.data(), s.right.data(), static_cast<int>(s.left.size()));
    return m.integratedLufs();
}

// Built once for the suite: the source, the reference (known EQ + gain) and their analyses.
struct Material {
    Stereo source, reference;
    MatchAnalysis sourceAnalysis, referenceAnalysis;
    std::vector<double> referenceLevels;
    Material() : source(sourceSignal()), reference(source) {
        applySections(reference, std::vector<BiquadCoefficients>(std::begin(kEq), std::end(kEq)), kGainDb);
        sourceAnalysis = analyse(source);
        referenceAnalysis = analyse(reference);
        referenceLevels = levels(reference);
    }
};

const Material& material() {
    static const Material m;
    return m;
}

} // namespace

// The tone curve plus the loudness gain is the EQ plus the gain the reference was made with, within 0.5 dB at
// every third-octave centre from 60 Hz to 14 kHz; the tone curve alone does not change the loudness.
TEST(MatchCurve, RecoversAKnownEq) {
    const Material& m = material();
    const MatchCurve curve = computeMatchCurve(m.sourceAnalysis, m.referenceAnalysis);
    double worst = 0.0;
    for (double f : centres()) {
        const double error = curve.tone.gainDbAt(f) + curve.loudnessGainDb - eqDb(f);
        EXPECT_NEAR(error, 0.0, 0.5) << f << " Hz";
        worst = std::max(worst, std::abs(error));
    }
    RecordProperty("worst_error_db", std::to_string(worst));
    EXPECT_NEAR(curve.filterLoudnessChangeDb, 0.0, 0.01);
    EXPECT_NEAR(curve.loudnessDifferenceDb,
                m.referenceAnalysis.integratedLufs - m.sourceAnalysis.integratedLufs, 1e-12);
    // Nothing was done to the width: no side gain anywhere.
    for (const auto& w : curve.width)
        EXPECT_NEAR(w.sideGainDb, 0.0, 0.1) << w.lowHz;
}

// After the linear-phase FIR and the loudness gain, the source's third-octave levels (measured by one FFT of
// the whole signal, nothing shared with the analyser) agree with the reference's within 0.5 dB from 60 Hz to
// 14 kHz, and its integrated loudness within 0.2 LU.
TEST(MatchCurve, FilteredSourceMatchesTheReference) {
    const Material& m = material();
    const MatchCurve curve = computeMatchCurve(m.sourceAnalysis, m.referenceAnalysis);
    const Stereo result = matched(m.source, curve);
    const auto resultLevels = levels(result);
    const auto c = centres();
    double worst = 0.0;
    for (std::size_t b = 0; b < c.size(); ++b) {
        EXPECT_NEAR(resultLevels[b], m.referenceLevels[b], 0.5) << c[b] << " Hz";
        worst = std::max(worst, std::abs(resultLevels[b] - m.referenceLevels[b]));
    }
    RecordProperty("worst_band_error_db", std::to_string(worst));
    const double loudnessError = integrated(result) - integrated(m.reference);
    EXPECT_NEAR(loudnessError, 0.0, 0.2);
    RecordProperty("loudness_error_lu", std::to_string(loudnessError));
}

// Amount 50 %: the error against the reference is half of the unmatched error (the source only brought to the
// reference's loudness), band by band within 0.25 dB, and in RMS over the bands between 45 and 55 %.
TEST(MatchCurve, HalfTheAmountHalvesTheError) {
    const Material& m = material();
    MatchCurveSettings none, half;
    none.toneAmount = 0.0;
    half.toneAmount = 0.5;
    const auto unmatched =
        levels(matched(m.source, computeMatchCurve(m.sourceAnalysis, m.referenceAnalysis, none)));
    const auto halfway =
        levels(matched(m.source, computeMatchCurve(m.sourceAnalysis, m.referenceAnalysis, half)));
    const auto c = centres();
    double fullSquares = 0.0, halfSquares = 0.0;
    for (std::size_t b = 0; b < c.size(); ++b) {
        const double fullError = unmatched[b] - m.referenceLevels[b];
        const double halfError = halfway[b] - m.referenceLevels[b];
        EXPECT_NEAR(halfError, fullError / 2.0, 0.25) << c[b] << " Hz";
        fullSquares += fullError * fullError;
        halfSquares += halfError * halfError;
    }
    const double ratio = std::sqrt(halfSquares / fullSquares);
    RecordProperty("half_to_full_error_ratio", std::to_string(ratio));
    EXPECT_GT(ratio, 0.45);
    EXPECT_LT(ratio, 0.55);
    EXPECT_GT(std::sqrt(fullSquares / static_cast<double>(c.size())), 2.0); // there was an error to halve
}

// Width: a reference whose side is 3 dB up reads +3 dB of side gain in every band (within 0.5 dB) and no
// tone change; after filtering, the result's side/mid per band is the reference's within 0.5 dB. A side
// raised only in the top octaves is matched there and left alone at the bottom.
TEST(MatchCurve, MatchesWidthPerBand) {
    const Material& m = material();
    const double g = std::pow(10.0, 3.0 / 20.0);
    Stereo wide = m.source;
    for (std::size_t i = 0; i < kFrames; ++i) {
        const double mid = 0.5 * (m.source.left[i] + m.source.right[i]);
        const double side = 0.5 * (m.source.left[i] - m.source.right[i]) * g;
        wide.left[i] = static_cast<float>(mid + side);
        wide.right[i] = static_cast<float>(mid - side);
    }
    const MatchAnalysis wideAnalysis = analyse(wide);
    const MatchCurve curve = computeMatchCurve(m.sourceAnalysis, wideAnalysis);
    ASSERT_EQ(curve.width.size(), 10u);
    double worstWidth = 0.0;
    for (const auto& w : curve.width) {
        EXPECT_NEAR(w.sideGainDb, 3.0, 0.5) << w.lowHz;
        worstWidth = std::max(worstWidth, std::abs(w.sideGainDb - 3.0));
    }
    RecordProperty("worst_width_curve_error_db", std::to_string(worstWidth));
    for (double f : centres())
        EXPECT_NEAR(curve.tone.gainDbAt(f), 0.0, 0.3) << f;
    const MatchAnalysis result = analyse(matched(m.source, curve));
    double worstResult = 0.0;
    for (std::size_t k = 0; k < result.widthBands.size(); ++k) {
        const double error = result.widthBands[k].sideToMidDb - wideAnalysis.widthBands[k].sideToMidDb;
        EXPECT_NEAR(error, 0.0, 0.5) << result.widthBands[k].lowHz;
        worstResult = std::max(worstResult, std::abs(error));
    }
    RecordProperty("worst_width_result_error_db", std::to_string(worstResult));

    // Side +4 dB above ~5 kHz only (a steep shelf on the side channel).
    Stereo bright = m.source;
    std::vector<float> side(kFrames), mid(kFrames);
    for (std::size_t i = 0; i < kFrames; ++i) {
        mid[i] = 0.5f * (m.source.left[i] + m.source.right[i]);
        side[i] = 0.5f * (m.source.left[i] - m.source.right[i]);
    }
    Biquad shelf;
    shelf.prepare(kFs, static_cast<int>(kFrames), 1);
    shelf.setCoefficients(makeHighShelf(kFs, 4000.0, 1.0, 4.0));
    float* p[1] = {side.data()};
    shelf.process(AudioBlock(p, 1, static_cast<int>(kFrames)));
    for (std::size_t i = 0; i < kFrames; ++i) {
        bright.left[i] = mid[i] + side[i];
        bright.right[i] = mid[i] - side[i];
    }
    const MatchCurve brightCurve = computeMatchCurve(m.sourceAnalysis, analyse(bright));
    for (const auto& w : brightCurve.width) {
        if (w.highHz <= 630.0) {
            EXPECT_NEAR(w.sideGainDb, 0.0, 0.5) << w.lowHz;
        }
        if (w.lowHz >= 10000.0) {
            EXPECT_NEAR(w.sideGainDb, 4.0, 0.5) << w.lowHz;
        }
    }
}

// No boost where the source has nothing: a source low-passed hard at 5 kHz gets exactly 0 dB above 10 kHz
// (where it is more than 75 dB below its loudest point), although the difference there is huge; with the
// guard off the curve would sit at the +12 dB limit. Likewise no cut where the reference has nothing (a
// codec's brick-wall low-pass at 16 kHz: 0 dB once the 1/3-octave smoothing no longer reaches below 16 kHz),
// and the rest of the curve stays flat.
TEST(MatchCurve, NoCorrectionWhereThereIsNoEnergy) {
    const Material& m = material();
    std::vector<BiquadCoefficients> lowPass(8, makeLowPass(kFs, 5000.0, 0.707));
    Stereo dull = m.source;
    applySections(dull, lowPass);
    const MatchAnalysis dullAnalysis = analyse(dull);
    const MatchCurve curve = computeMatchCurve(dullAnalysis, m.sourceAnalysis);
    for (std::size_t i = 0; i < curve.tone.frequencyHz.size(); ++i) {
        if (curve.tone.frequencyHz[i] >= 10000.0) {
            ASSERT_EQ(curve.tone.gainDb[i], 0.0) << curve.tone.frequencyHz[i];
        }
        ASSERT_LE(curve.tone.gainDb[i], 12.0 + 1e-9);
    }
    MatchCurveSettings unguarded;
    unguarded.noEnergyBelowDb = 1000.0;
    EXPECT_NEAR(computeMatchCurve(dullAnalysis, m.sourceAnalysis, unguarded).tone.gainDbAt(15000.0), 12.0,
                1e-9);

    Stereo lossy = m.source;
    lathe::test::brickWallLowPass(lossy.left, kFs, 16000.0);
    lathe::test::brickWallLowPass(lossy.right, kFs, 16000.0);
    const MatchCurve toLossy = computeMatchCurve(m.sourceAnalysis, analyse(lossy));
    for (std::size_t i = 0; i < toLossy.tone.frequencyHz.size(); ++i) {
        const double f = toLossy.tone.frequencyHz[i];
        if (f >= 16000.0 * std::exp2(1.0 / 6.0) * 1.01) {
            ASSERT_EQ(toLossy.tone.gainDb[i], 0.0) << f;
        }
        if (f >= 60.0 && f <= 12000.0) {
            ASSERT_NEAR(toLossy.tone.gainDb[i], 0.0, 0.2) << f;
        }
    }
}

// The limit: a +20 dB bell in the reference gives a curve that stops at +12 dB (or the setting).
TEST(MatchCurve, LimitedToMaxCorrection) {
    const Material& m = material();
    Stereo boosted = m.source;
    applySections(boosted, {makeBell(kFs, 1000.0, 2.0, 20.0)});
    const MatchAnalysis boostedAnalysis = analyse(boosted);
    for (double limit : {12.0, 6.0}) {
        MatchCurveSettings s;
        s.maxCorrectionDb = limit;
        const MatchCurve curve = computeMatchCurve(m.sourceAnalysis, boostedAnalysis, s);
        const double top = *std::max_element(curve.tone.gainDb.begin(), curve.tone.gainDb.end());
        const double bottom = *std::min_element(curve.tone.gainDb.begin(), curve.tone.gainDb.end());
        EXPECT_NEAR(top, limit, 1e-9);
        EXPECT_GE(bottom, -limit - 1e-9);
    }
}

// The report: the curve at the 31 third-octave centres from 20 Hz to 20 kHz, read through gainDbAt.
TEST(MatchCurve, ThirdOctaveReport) {
    const Material& m = material();
    const MatchCurve curve = computeMatchCurve(m.sourceAnalysis, m.referenceAnalysis);
    const auto report = curveAtThirdOctaves(curve.tone);
    ASSERT_EQ(report.size(), 31u);
    EXPECT_DOUBLE_EQ(report[17].frequencyHz, 1000.0);
    for (const auto& p : report)
        EXPECT_EQ(p.gainDb, curve.tone.gainDbAt(p.frequencyHz));
}

// Amount 0 and a silent reference leave the source alone.
TEST(MatchCurve, NothingToDo) {
    const Material& m = material();
    MatchCurveSettings zero;
    zero.toneAmount = 0.0;
    zero.widthAmount = 0.0;
    const MatchCurve none = computeMatchCurve(m.sourceAnalysis, m.referenceAnalysis, zero);
    for (double db : none.tone.gainDb)
        ASSERT_EQ(db, 0.0);
    for (double db : none.side.gainDb)
        ASSERT_EQ(db, 0.0);
    EXPECT_NEAR(none.loudnessGainDb, none.loudnessDifferenceDb, 1e-12);

    MatchAnalysis silent;
    silent.frequencyHz = m.sourceAnalysis.frequencyHz;
    silent.midDb.assign(silent.frequencyHz.size(), kSilenceDb);
    silent.sideDb = silent.midDb;
    silent.sampleRate = kFs;
    const MatchCurve toSilence = computeMatchCurve(m.sourceAnalysis, silent);
    for (double db : toSilence.tone.gainDb)
        ASSERT_EQ(db, 0.0);
    EXPECT_EQ(toSilence.loudnessDifferenceDb, 0.0);
}
