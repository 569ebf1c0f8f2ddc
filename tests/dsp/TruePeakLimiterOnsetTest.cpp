// The limiter's depth-adaptive onset (Config::shortAttackMs): a shallow overload ramps in over the short
// attack, a deep one over the whole lookahead, and the blend never lets a peak over the ceiling.
#include "dsp/Decibels.h"
#include "dsp/TruePeakLimiter.h"
#include "dsp/TruePeakMeter.h"
#include "support/MallocCounter.h"
#include "support/ReferenceTruePeak.h"
#include "support/ReleaseTiming.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr double kPi = std::numbers::pi;
using Stereo = std::vector<std::vector<float>>;

TruePeakLimiter::Config onsetConfig(double lookaheadMs, double shortAttackMs) {
    TruePeakLimiter::Config c;
    c.lookaheadMs = lookaheadMs;
    c.rampOnsetOnly = true;
    c.shortAttackMs = shortAttackMs;
    return c;
}

// One frame per block, the reduction after each (dB); the output is discarded.
std::vector<double> reductionPerFrame(TruePeakLimiter& limiter, Stereo x) {
    std::vector<double> gr;
    const int frames = static_cast<int>(x[0].size());
    for (int i = 0; i < frames; ++i) {
        float* p[2] = {x[0].data() + i, x[1].data() + i};
        limiter.process(AudioBlock(p, 2, 1));
        gr.push_back(limiter.gainReductionDb());
    }
    return gr;
}

// A single 2 kHz cycle peaking at `peakDbfs` at frame 4800, silence around it: an isolated transient.
Stereo click(double peakDbfs) {
    Stereo x(2, std::vector<float>(19200, 0.0f));
    const int cycle = 24;
    for (int i = 0; i < cycle; ++i)
        for (auto& ch : x)
            ch[static_cast<std::size_t>(4800 - cycle / 2 + i)] =
                static_cast<float>(dbToGain(peakDbfs) * std::sin(2 * kPi * (i + 0.5) / cycle));
    return x;
}

} // namespace

// The reduction before a transient: from its first frame to the first frame at full depth. A ramp of length
// L (a moving average of L frames) reaches the held requirement L - 1 frames after it starts, whichever
// shape. Overloads up to the shallow depth use the short ramp alone (the weight stays exactly 0); from the
// deep depth on the weight settles at 1 within the first 1 ms time constants, so the reduction starts with
// the long ramp's first frame.
TEST(TruePeakLimiterOnset, ShallowOverloadRampsShortDeepOneRampsOverTheLookahead) {
    for (double overDb : {1.5, 14.0}) {
        TruePeakLimiter limiter;
        limiter.prepare(kFs, 1, 2, onsetConfig(9.0, 2.5));
        limiter.setCeilingDbtp(-1.0);
        limiter.setAdaptiveRelease(10.0, 40.0, 150.0);
        limiter.setOnsetDepthsDb(3.0, 9.0);
        ASSERT_EQ(limiter.shortAttackFrames(), 120);
        ASSERT_GT(limiter.attackFrames(), 300);
        const std::vector<double> gr = reductionPerFrame(limiter, click(-1.0 + overDb));
        std::size_t first = 0;
        while (gr[first] == 0.0)
            ++first;
        double deepest = 0.0;
        for (double v : gr)
            deepest = std::max(deepest, v);
        std::size_t full = first;
        while (gr[full] < deepest - 1e-9)
            ++full;
        // The cycle's requirement spreads over a few frames around its crest: the onset is the ramp plus
        // that spread.
        const auto onsetFrames = static_cast<int>(full - first);
        std::printf("%.1f dB over: %.2f dB of reduction, onset %d frames\n", overDb, deepest, onsetFrames);
        if (overDb < 3.0) {
            EXPECT_NEAR(onsetFrames, limiter.shortAttackFrames() - 1, 6);
            // The short ramp is linear in dB: half-way through it the reduction is half the depth.
            EXPECT_NEAR(gr[first + static_cast<std::size_t>(limiter.shortAttackFrames() / 2)], deepest / 2,
                        0.02 * deepest);
        } else {
            EXPECT_NEAR(onsetFrames, limiter.attackFrames() - 1, 6);
        }
    }
}

// Without the short attack the onset is the single ramp, exactly as before: the same output bit for bit
// whatever setOnsetDepthsDb says.
TEST(TruePeakLimiterOnset, WithoutShortAttackTheDepthsChangeNothing) {
    const Stereo x = click(8.0);
    std::vector<double> reference;
    for (double deepDb : {-1.0, 1.0, 12.0}) {
        TruePeakLimiter limiter;
        limiter.prepare(kFs, 1, 2, onsetConfig(6.5, 0.0));
        limiter.setCeilingDbtp(-1.0);
        limiter.setAdaptiveRelease(10.0, 40.0, 150.0);
        if (deepDb > 0) limiter.setOnsetDepthsDb(0.5, deepDb);
        const std::vector<double> gr = reductionPerFrame(limiter, x);
        EXPECT_EQ(limiter.shortAttackFrames(), limiter.attackFrames());
        if (reference.empty())
            reference = gr;
        else
            EXPECT_EQ(gr, reference);
    }
}

// Shallow overloads recover faster than deep ones (setShallowReleaseScale): the short pipeline releases with
// the fast release times the scale, the long one with the fast release, and the blend follows the long
// pipeline's released depth, so a deep reduction keeps the long pipeline's release until it has become
// shallow. A 1.5 dB click falls by 1/e in scale * fastMs; a 14 dB click falls from 13 to 11 dB (deeper than
// the deep depth: the long pipeline alone) in fastMs * ln(13 / 11), as a one-pole release does. The slow
// stage, charged 1 - exp(-hold / sustain) (under 6 %) by a click, stays below both.
TEST(TruePeakLimiterOnset, ShallowOverloadsReleaseFasterThanDeepOnes) {
    const double fastMs = 10.0, scale = 0.5;
    for (double overDb : {1.5, 14.0}) {
        TruePeakLimiter limiter;
        limiter.prepare(kFs, 1, 2, onsetConfig(9.0, 1.5));
        limiter.setCeilingDbtp(-1.0);
        limiter.setAdaptiveRelease(fastMs, 40.0, 150.0);
        limiter.setOnsetDepthsDb(3.0, 7.0);
        limiter.setShallowReleaseScale(scale);
        // Timed between two depths of the release, past the few frames the cycle's other half-wave holds.
        const lathe::test::ReleaseTiming t =
            lathe::test::timeRelease(reductionPerFrame(limiter, click(-1.0 + overDb)), overDb, kFs);
        const double expected = (overDb < 3.0 ? scale * fastMs : fastMs) * std::log(t.from / t.to);
        std::printf("%.1f dB over: %.2f dB, released from %.2f to %.2f dB in %.2f ms (one-pole: %.2f ms)\n",
                    overDb, t.deepest, t.from, t.to, t.ms, expected);
        EXPECT_NEAR(t.ms, expected, 0.1 * expected) << overDb;
    }
}

// A short attack as long as the whole attack (a short lookahead) would run a second pipeline identical to the
// first: it is not run, and the output is the single pipeline's bit for bit, whatever the depths and the
// shallow release say.
TEST(TruePeakLimiterOnset, ShortAttackAsLongAsTheAttackRunsOnePipeline) {
    const Stereo x = click(8.0);
    std::vector<double> reference;
    for (double shortMs : {0.0, 3.0, 20.0}) {
        TruePeakLimiter limiter;
        limiter.prepare(kFs, 1, 2, onsetConfig(2.5, shortMs));
        limiter.setCeilingDbtp(-1.0);
        limiter.setAdaptiveRelease(10.0, 40.0, 150.0);
        limiter.setOnsetDepthsDb(3.0, 7.0);
        limiter.setShallowReleaseScale(0.5);
        ASSERT_EQ(limiter.shortAttackFrames(), limiter.attackFrames()) << shortMs;
        const std::vector<double> gr = reductionPerFrame(limiter, x);
        if (reference.empty())
            reference = gr;
        else
            EXPECT_EQ(gr, reference) << shortMs;
    }
    // The one pipeline releases with the fast release itself (the scale is the short pipeline's).
    TruePeakLimiter plain;
    plain.prepare(kFs, 1, 2, onsetConfig(2.5, 0.0));
    plain.setCeilingDbtp(-1.0);
    plain.setAdaptiveRelease(10.0, 40.0, 150.0);
    EXPECT_EQ(reductionPerFrame(plain, x), reference);
}

// Worst cases for the blend: a new level every 3.1 ms, up to 20 dB over, so ramps of both lengths overlap
// while the weight moves, on a 45 Hz sub with noise, on full-band noise and on a tone at 0.49 fs; one
// pipeline alone (short attack 0) as the control; the short pipeline releasing as fast as the long one and
// twice as fast. No 8x point over the ceiling (libsoxr VHQ and our meter), with no upward tolerance, and no
// allocation.
TEST(TruePeakLimiterOnset, BlendedOnsetsKeepTheCeiling) {
    std::mt19937 rng(21);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    const int frames = 96000;
    std::vector<std::pair<const char*, Stereo>> signals;
    for (int kind = 0; kind < 3; ++kind) {
        Stereo x(2, std::vector<float>(frames, 0.0f));
        for (int i = 0; i < frames; ++i) {
            // A new level every 3.1 ms, drawn from -6 .. +20 dB over the ceiling.
            const double levelDb = -7.0 + 26.0 * (0.5 + 0.5 * std::sin(1.7 * std::floor(i / 149.0)));
            const double level = dbToGain(levelDb);
            double s = 0.0;
            if (kind == 0)
                s = std::sin(2 * kPi * 45.0 * i / kFs) + 0.3 * u(rng);
            else if (kind == 1)
                s = 2.0 * u(rng) / level; // full-band noise at a steady +6 dBFS, as TruePeakLimiterStyles
            else
                s = std::sin(2 * kPi * 0.49 * i + 0.3);
            x[0][static_cast<std::size_t>(i)] = static_cast<float>(level * s);
            x[1][static_cast<std::size_t>(i)] = static_cast<float>(0.7 * level * s);
        }
        signals.emplace_back(kind == 0 ? "sub + noise" : kind == 1 ? "noise" : "0.49 fs", std::move(x));
    }
    double worst = 1e9;
    for (const auto& [name, x] : signals)
        for (double shortMs : {0.0, 0.5, 2.5})
            for (AttackShape shape : {AttackShape::Linear, AttackShape::SCurve})
                for (double releaseScale : {1.0, 0.5}) {
                    auto config = onsetConfig(9.0, shortMs);
                    config.attackShape = shape;
                    TruePeakLimiter limiter;
                    limiter.prepare(kFs, 512, 2, config);
                    limiter.setCeilingDbtp(-1.0);
                    limiter.setAdaptiveRelease(10.0, 40.0, 150.0);
                    limiter.setOnsetDepthsDb(1.0, 6.0);
                    limiter.setShallowReleaseScale(releaseScale);
                    Stereo y = x;
                    for (auto& ch : y)
                        ch.resize(ch.size() + static_cast<std::size_t>(limiter.latencyFrames()), 0.0f);
                    long allocations = 0;
                    for (int start = 0; start < static_cast<int>(y[0].size()); start += 480) {
                        const int n = std::min(480, static_cast<int>(y[0].size()) - start);
                        float* p[2] = {y[0].data() + start, y[1].data() + start};
                        lathe::test::armMallocCounter();
                        limiter.process(AudioBlock(p, 2, n));
                        allocations += lathe::test::disarmMallocCounter();
                    }
                    TruePeakMeter meter;
                    meter.prepare(kFs, 512, 2);
                    float* p[2] = {y[0].data(), y[1].data()};
                    meter.process(AudioBlock(p, 2, static_cast<int>(y[0].size())));
                    meter.flush();
                    const double reference = referenceTruePeakDbtp(y, kFs);
                    EXPECT_LE(reference, -1.0) << name << " short " << shortMs << " scale " << releaseScale;
                    EXPECT_LE(meter.truePeakDbtp(), -1.0)
                        << name << " short " << shortMs << " scale " << releaseScale;
                    EXPECT_EQ(allocations, 0);
                    worst = std::min(worst, -1.0 - std::max(reference, meter.truePeakDbtp()));
                }
    std::printf("blended onsets: worst margin to the ceiling %.4f dB\n", worst);
}
