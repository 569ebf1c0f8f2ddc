#include "dsp/PeakControl.h"
#include "dsp/Biquad.h"
#include "dsp/BiquadCoefficients.h"
#include "dsp/Decibels.h"
#include "dsp/TruePeakMeter.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
using Stereo = std::vector<std::vector<float>>;

void run(PeakControl& pc, Stereo& x, const std::vector<int>& sizes) {
    const int total = static_cast<int>(x[0].size());
    std::size_t next = 0;
    for (int start = 0; start < total;) {
        const int n = std::min(sizes[next++ % sizes.size()], total - start);
        float* p[2] = {x[0].data() + start, x[1].data() + start};
        pc.process(AudioBlock(p, 2, n));
        start += n;
    }
}

// Appends silence for the latency and runs the whole signal, returning the output aligned with the input.
Stereo processAligned(PeakControl& pc, const Stereo& in, const std::vector<int>& sizes = {512}) {
    const int latency = pc.latencyFrames();
    Stereo x = in;
    for (auto& ch : x)
        ch.resize(ch.size() + static_cast<std::size_t>(latency), 0.0f);
    run(pc, x, sizes);
    for (auto& ch : x)
        ch.erase(ch.begin(), ch.begin() + latency);
    return x;
}

double truePeakDbtp(const Stereo& x) {
    TruePeakMeter meter;
    meter.prepare(kFs, 4096, 2, 8);
    const int total = static_cast<int>(x[0].size());
    for (int start = 0; start < total; start += 4096) {
        float* p[2] = {const_cast<float*>(x[0].data()) + start, const_cast<float*>(x[1].data()) + start};
        meter.process(AudioBlock(p, 2, std::min(4096, total - start)));
    }
    meter.flush();
    return meter.truePeakDbtp();
}

Stereo stereoSine(double amplitude, double frequency, int frames) {
    std::vector<float> s(static_cast<std::size_t>(frames));
    for (int i = 0; i < frames; ++i)
        s[static_cast<std::size_t>(i)] =
            static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * frequency * i / kFs));
    return {s, s};
}

// Drum-like hits: a noise burst with a 1 ms attack and 40 ms decay through a 200 Hz - 8 kHz band, every
// 250 ms, each hit `overDb` above the ceiling at its sample peak; and a quiet bed between them.
Stereo snareHits(double peakDb, int frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> white(0.0, 1.0);
    Biquad low, high;
    low.setCoefficients(makeHighPass(kFs, 200.0, 0.707));
    high.setCoefficients(makeLowPass(kFs, 8000.0, 0.707));
    Stereo x(2, std::vector<float>(static_cast<std::size_t>(frames)));
    const int every = static_cast<int>(0.25 * kFs);
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < frames; ++i) {
            const double t = (i % every) / kFs;
            const double envelope = std::min(1.0, t / 0.001) * std::exp(-t / 0.04) + 0.02;
            const double s = high.processSample(c, low.processSample(c, white(rng))) * envelope;
            x[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)] = static_cast<float>(s);
        }
    double peak = 0.0;
    for (const auto& ch : x)
        for (float v : ch)
            peak = std::max(peak, std::abs(static_cast<double>(v)));
    const double scale = dbToGain(peakDb) / peak;
    for (auto& ch : x)
        for (auto& v : ch)
            v = static_cast<float>(v * scale);
    return x;
}

std::string figure(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", v);
    return b;
}

} // namespace

TEST(PeakControl, CurveIsTheIdentityBelowTheKneeAndNeverReachesTheClip) {
    const double clip = dbToGain(-1.0), knee = dbToGain(-4.0);
    double previous = -10.0;
    for (double x = -4.0; x <= 4.0; x += 1e-4) {
        const double y = peakControlCurve(x, clip, knee);
        if (std::abs(x) <= knee) {
            ASSERT_EQ(y, x);
        } else {
            // The analytic curve, and below the clip, odd, monotonic.
            const double expected = knee + (clip - knee) * std::tanh((std::abs(x) - knee) / (clip - knee));
            ASSERT_NEAR(std::abs(y), expected, 1e-15) << x;
            ASSERT_LT(std::abs(y), clip) << x;
            ASSERT_EQ(peakControlCurve(-x, clip, knee), -y);
        }
        ASSERT_GT(y, previous);
        previous = y;
    }
    // No corner where the curve leaves the identity: slope 1 on both sides of the knee.
    const double h = 1e-7;
    EXPECT_NEAR((peakControlCurve(knee + h, clip, knee) - peakControlCurve(knee, clip, knee)) / h, 1.0, 1e-6);
    // A knee of 0 dB is a hard clip.
    EXPECT_EQ(peakControlCurve(2.0, clip, clip), clip);
    EXPECT_EQ(peakControlCurve(-0.5, clip, clip), -0.5);
}

// A 100 Hz sine (its harmonics well inside the band, so the band-limited output keeps the curve's shape)
// comes out with the peak the curve gives its peak: flat below the knee, bending towards the clip level.
TEST(PeakControl, StaticCurveOfTheUnit) {
    for (const int factor : {4, 8}) {
        PeakControl pc;
        pc.setParameters({-6.0, 6.0, 20.0});
        pc.prepare(kFs, 512, 2, factor);
        // The clipper aims under the ceiling by the limiter's detection margin (0.025 dB at 8x, 0.1 at 4x).
        EXPECT_LT(gainToDb(pc.clipLevel()), -6.0);
        EXPECT_GT(gainToDb(pc.clipLevel()), -6.3);
        EXPECT_DOUBLE_EQ(pc.kneeStartLevel(), dbToGain(-12.0));
        for (const double level : {-20.0, -13.0, -11.0, -9.0, -7.0, -5.0, -2.0, 0.0}) {
            pc.reset();
            const Stereo in = stereoSine(dbToGain(level), 100.0, static_cast<int>(0.5 * kFs));
            const Stereo out = processAligned(pc, in);
            double peak = 0.0;
            for (int i = static_cast<int>(0.2 * kFs); i < static_cast<int>(0.5 * kFs); ++i)
                peak = std::max(peak, std::abs(static_cast<double>(out[0][static_cast<std::size_t>(i)])));
            const double expected =
                gainToDb(peakControlCurve(dbToGain(level), pc.clipLevel(), pc.kneeStartLevel()));
            EXPECT_NEAR(gainToDb(peak), expected, 0.02) << factor << "x, " << level << " dBFS";
        }
    }
}

// The promise: the output's true peak (TruePeakMeter, 8x) never exceeds the ceiling, at 4x and 8x
// oversampling, on drum hits 12 dB over it, full-band noise 6 dB over, a tone near Nyquist and a square.
TEST(PeakControl, CeilingHoldsAsTruePeak) {
    const int frames = static_cast<int>(2.0 * kFs);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    Stereo noise(2, std::vector<float>(static_cast<std::size_t>(frames)));
    for (auto& ch : noise)
        for (auto& v : ch)
            v = uniform(rng) * static_cast<float>(dbToGain(-3.0));
    Stereo square = stereoSine(1.0, 441.0, frames);
    for (auto& ch : square)
        for (auto& v : ch)
            v = v >= 0.0f ? 0.7f : -0.7f;
    const std::vector<std::pair<std::string, Stereo>> signals{
        {"snare hits", snareHits(3.0, frames, 4)},
        {"noise", noise},
        {"tone near Nyquist", stereoSine(0.9, 19500.0, frames)},
        {"square", square}};
    for (const int factor : {4, 8})
        for (const double knee : {0.0, 3.0})
            for (const auto& [name, in] : signals) {
                PeakControl pc;
                pc.setParameters({-9.0, knee, 20.0});
                pc.prepare(kFs, 512, 2, factor);
                const Stereo out = processAligned(pc, in, {512, 129});
                const double truePeak = truePeakDbtp(out);
                EXPECT_LE(truePeak, -9.0) << name << ", " << factor << "x, knee " << knee;
                // It does reach up to the ceiling (the limiter's margins leave full-band noise 1 dB under
                // it).
                EXPECT_GT(truePeak, -10.5) << name << ", " << factor << "x, knee " << knee;
                EXPECT_GT(pc.maxReductionDb(), 2.0) << name;
                RecordProperty(name + " " + std::to_string(factor) + "x knee " + figure(knee),
                               figure(truePeak));
            }
}

// Below the knee (with room for inter-sample peaks) the output is the input delayed, bit for bit: neither
// the oversampler's filters nor the limiter touch it.
TEST(PeakControl, BelowTheKneeTheOutputIsTheInputDelayed) {
    const Stereo in = snareHits(-16.0, static_cast<int>(1.0 * kFs), 5); // the knee starts at -12 dBFS
    for (const int factor : {1, 2, 4, 8}) {
        PeakControl pc;
        pc.setParameters({-6.0, 6.0, 20.0});
        pc.prepare(kFs, 256, 2, factor);
        EXPECT_EQ(processAligned(pc, in, {256, 100, 31}), in) << factor << "x";
        EXPECT_EQ(pc.maxReductionDb(), 0.0);
        RecordProperty("latency_frames_" + std::to_string(factor) + "x", std::to_string(pc.latencyFrames()));
    }
}

TEST(PeakControl, OutputDoesNotDependOnBlockSizes) {
    const Stereo in = snareHits(0.0, static_cast<int>(1.0 * kFs), 6);
    PeakControl a, b;
    for (PeakControl* pc : {&a, &b}) {
        pc->setParameters({-8.0, 2.0, 15.0});
        pc->prepare(kFs, 300, 2, 4);
    }
    Stereo x = in, y = in;
    run(a, x, {300});
    run(b, y, {1, 64, 299, 1000, 7}); // 1000 > maxBlockFrames: chunks inside
    EXPECT_EQ(x, y);
    EXPECT_NE(x, in);
}

// The snare that drives the master limiter, tamed on its stem: hits peaking at -1 dBFS under a -7 dBFS
// ceiling come out at most at the ceiling (true peak), while the bed between the hits is untouched.
TEST(PeakControl, TamesSnareTransientsAndLeavesTheBed) {
    const Stereo in = snareHits(-1.0, static_cast<int>(2.0 * kFs), 7);
    PeakControl pc;
    pc.setParameters({-7.0, 3.0, 20.0});
    pc.prepare(kFs, 512, 2, 4);
    const Stereo out = processAligned(pc, in);
    const double before = truePeakDbtp(in), after = truePeakDbtp(out);
    RecordProperty("true_peak_before_dbtp", figure(before));
    RecordProperty("true_peak_after_dbtp", figure(after));
    RecordProperty("max_reduction_db", figure(pc.maxReductionDb()));
    EXPECT_LE(after, -7.0);
    EXPECT_GT(before, -1.5);
    // The bed (from 100 ms to 5 ms before each hit, 34 dB under the hits) passes unchanged but for the
    // tail of the catch limiter's 20 ms release (under 0.001 dB by then). The last frames before a hit
    // are already on the limiter's lookahead ramp and the oversampler's linear-phase pre-ringing.
    const int every = static_cast<int>(0.25 * kFs);
    for (int hit = 1; hit < 8; ++hit)
        for (int i = hit * every - static_cast<int>(0.1 * kFs);
             i < hit * every - static_cast<int>(0.005 * kFs); ++i) {
            const auto n = static_cast<std::size_t>(i);
            ASSERT_NEAR(out[0][n], in[0][n], std::abs(in[0][n]) * 1.2e-4 + 1e-9) << i;
        }
    EXPECT_GT(pc.maxReductionDb(), 4.0);
}

TEST(PeakControl, ProcessSetParametersAndMetersDoNotAllocate) {
    PeakControl pc;
    pc.prepare(kFs, 256, 2, 4);
    Stereo x = snareHits(3.0, 4096, 8);
    lathe::test::armMallocCounter();
    pc.setParameters({-6.0, 2.0, 10.0});
    float* p[2] = {x[0].data(), x[1].data()};
    pc.process(AudioBlock(p, 2, 4096));
    const double meters = pc.reductionDb() + pc.maxReductionDb();
    pc.resetMeters();
    pc.reset();
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
    EXPECT_GT(meters, 0.0);
}
