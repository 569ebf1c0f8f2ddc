// The limiter's optional behaviour (two-stage release, S-curve attack, soft clipper, low-frequency-aware
// detection, stereo link): each keeps the true-peak guarantee of TruePeakLimiterTest, and each does what it
// says, measured on the output against closed-form expectations.
#include "dsp/Decibels.h"
#include "dsp/TruePeakLimiter.h"
#include "dsp/TruePeakMeter.h"
#include "support/MallocCounter.h"
#include "support/ReferenceTruePeak.h"

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

struct Variant {
    std::string name;
    TruePeakLimiter::Config config;
    bool adaptive = false;
    double link = 1.0;
};

std::vector<Variant> variants() {
    std::vector<Variant> v;
    TruePeakLimiter::Config c;
    c.lookaheadMs = 2.0;
    v.push_back({"adaptive release", c, true});
    c.rampOnsetOnly = true;
    v.push_back({"adaptive release, ramp onset only", c, true});
    c.attackShape = AttackShape::SCurve;
    v.push_back({"adaptive + s-curve", c, true});
    c.softClipOversampling = 4;
    v.push_back({"adaptive + s-curve + clipper", c, true});
    c.lowFrequencyCrossoverHz = 120.0;
    v.push_back({"all stages", c, true});
    // 4x detection, as the render and the engine run it. (With 8x detection, lookaheads under about 4 ms let
    // full-band noise 6 dB over through by up to 0.05 dB, with or without these stages: the modulation
    // allowance was measured at the 4 ms default; TruePeakLimiterTest covers 8x there.)
    v.push_back({"all stages, link 0.5", c, true, 0.5});
    c.softClipOversampling = 0;
    c.lowFrequencyCrossoverHz = 0.0;
    v.push_back({"unlinked", c, false, 0.0});
    c.lookaheadMs = 5.0;
    v.push_back({"transparent, 5 ms lookahead", c, true});
    // What the session's "transparent" and "punchy" styles run (core/ChainSettingsMapping.cpp): 4x detection,
    // the ramp shaping only the onset. (8x detection with a fast release lets white noise 6 dB over through
    // by up to 0.05 dB: its 0.02 dB modulation allowance was measured with a 100 ms release.)
    c.detectionOversampling = 4;
    c.rampOnsetOnly = true;
    for (double lookahead : {2.0, 4.0, 6.5}) {
        c.lookaheadMs = lookahead;
        c.attackShape = AttackShape::SCurve;
        v.push_back({"punchy style, " + std::to_string(lookahead) + " ms", c, true});
        c.attackShape = AttackShape::Linear;
        v.push_back({"transparent style, " + std::to_string(lookahead) + " ms", c, true});
        c.softClipOversampling = 4;
        c.lowFrequencyCrossoverHz = 120.0;
        v.push_back(
            {"punchy style, every switch, link 0.7, " + std::to_string(lookahead) + " ms", c, true, 0.7});
        c.softClipOversampling = 0;
        c.lowFrequencyCrossoverHz = 0.0;
    }
    // The default styles since the depth-adaptive onset: 9 ms lookahead, 1.5 ms ramp for shallow overloads.
    c.lookaheadMs = 9.0;
    c.shortAttackMs = 1.5;
    v.push_back({"transparent style, adaptive onset, 9 ms", c, true});
    c.attackShape = AttackShape::SCurve;
    c.lowFrequencyCrossoverHz = 120.0;
    v.push_back({"punchy style, adaptive onset, bass-aware, link 0.7, 9 ms", c, true, 0.7});
    return v;
}

void configure(TruePeakLimiter& limiter, const Variant& v, double ceilingDbtp, double inputGainDb) {
    limiter.setCeilingDbtp(ceilingDbtp);
    limiter.setInputGainDb(inputGainDb);
    if (v.adaptive)
        limiter.setAdaptiveRelease(10.0, 150.0, 40.0);
    else
        limiter.setReleaseMs(100.0);
    limiter.setStereoLink(v.link);
    limiter.setSoftClipDb(1.0);
    limiter.setOnsetDepthsDb(3.0, 7.0); // as core's limiterOnset; no effect without Config::shortAttackMs
}

// Runs the whole signal through (latency drained) in random block sizes, with the malloc counter armed around
// every process call; returns the output aligned with the input.
Stereo run(TruePeakLimiter& limiter, const Stereo& input, long* allocations = nullptr,
           std::vector<double>* reductionDb = nullptr) {
    const int latency = limiter.latencyFrames();
    const int frames = static_cast<int>(input[0].size()) + latency;
    Stereo out = input;
    for (auto& ch : out)
        ch.resize(static_cast<std::size_t>(frames), 0.0f);
    std::mt19937 rng(9);
    std::uniform_int_distribution<int> size(1, 512);
    for (int start = 0; start < frames;) {
        const int n = reductionDb ? 1 : std::min(size(rng), frames - start);
        float* p[2] = {out[0].data() + start, out[1].data() + start};
        lathe::test::armMallocCounter();
        limiter.process(AudioBlock(p, 2, n));
        const long a = lathe::test::disarmMallocCounter();
        if (allocations) *allocations += a;
        if (reductionDb) reductionDb->push_back(limiter.gainReductionDb());
        start += n;
    }
    for (auto& ch : out)
        ch.erase(ch.begin(), ch.begin() + latency);
    return out;
}

double meterDbtp(Stereo signal) {
    TruePeakMeter meter;
    meter.prepare(kFs, 512, 2);
    float* p[2] = {signal[0].data(), signal[1].data()};
    meter.process(AudioBlock(p, 2, static_cast<int>(signal[0].size())));
    meter.flush();
    return meter.truePeakDbtp();
}

Stereo tone(double frequency, double peakDbfs, int frames, double rightScale = 0.8) {
    Stereo x(2, std::vector<float>(static_cast<std::size_t>(frames)));
    for (int i = 0; i < frames; ++i) {
        const double s = dbToGain(peakDbfs) * std::sin(2 * kPi * frequency / kFs * i + kPi / 4);
        x[0][static_cast<std::size_t>(i)] = static_cast<float>(s);
        x[1][static_cast<std::size_t>(i)] = static_cast<float>(rightScale * s);
    }
    return x;
}

// Sub and kick under hats and a hard-clipped snare: what a loud club master feeds a limiter.
Stereo clubMix() {
    const int frames = 96000;
    Stereo x(2, std::vector<float>(frames, 0.0f));
    std::mt19937 rng(4);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (int i = 0; i < frames; ++i) {
        const double t = i / kFs, beat = std::fmod(t, 0.5);
        const double sub = 0.7 * std::sin(2 * kPi * 45.0 * t);
        const double kick = 1.2 * std::exp(-beat * 25) *
                            std::sin(2 * kPi * (50 * beat + 80 * (1 - std::exp(-beat * 40)) / 40));
        const double snare =
            std::fmod(t + 0.25, 0.5) < 0.08
                ? std::clamp(1.6 * u(rng) * std::exp(-std::fmod(t + 0.25, 0.5) * 30), -1.0, 1.0)
                : 0.0;
        const double hat = 0.2 * std::exp(-std::fmod(t, 0.125) * 80) * u(rng);
        x[0][static_cast<std::size_t>(i)] = static_cast<float>(sub + kick + snare + hat);
        x[1][static_cast<std::size_t>(i)] = static_cast<float>(sub + kick + 0.7 * snare - hat);
    }
    return x;
}

Stereo noise(double gain) {
    Stereo x(2, std::vector<float>(48000));
    std::mt19937 rng(12);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (auto& ch : x)
        for (auto& v : ch)
            v = static_cast<float>(gain) * u(rng);
    return x;
}

} // namespace

// The guarantee, for every combination of the new stages: no output above the ceiling by libsoxr VHQ 8x or
// by our 8x meter, with no upward tolerance; and no allocation in process().
TEST(TruePeakLimiterStyles, EveryStageKeepsTheCeiling) {
    const std::vector<std::pair<std::string, Stereo>> signals = {
        {"sine 12 kHz +6 dBFS", tone(12000.0, 6.0, 48000)},
        {"club mix +6 dB", clubMix()},
        {"white noise +6 dB", noise(2.0)},
        {"sub 45 Hz +9 dBFS", tone(45.0, 9.0, 48000, -1.0)},
    };
    double worst = 1e9;
    for (const auto& v : variants())
        for (const auto& [name, x] : signals)
            for (double ceiling : {-1.0, -0.1}) {
                TruePeakLimiter limiter;
                limiter.prepare(kFs, 512, 2, v.config);
                configure(limiter, v, ceiling, name == "club mix +6 dB" ? 6.0 : 0.0);
                long allocations = 0;
                const Stereo y = run(limiter, x, &allocations);
                const double reference = referenceTruePeakDbtp(y, kFs), meter = meterDbtp(y);
                EXPECT_LE(reference, ceiling) << v.name << " / " << name;
                EXPECT_LE(meter, ceiling) << v.name << " / " << name;
                EXPECT_EQ(allocations, 0) << v.name;
                worst = std::min(worst, ceiling - std::max(reference, meter));
            }
    std::printf("new stages: worst margin to the ceiling %.4f dB\n", worst);
}

// Without the clipper (which runs the audio through its oversampler) every new behaviour leaves a signal
// under the ceiling bit for bit, only delayed.
TEST(TruePeakLimiterStyles, BelowCeilingStaysBitIdentical) {
    Stereo x = tone(997.0, -6.0, 48000);
    for (std::size_t i = 0; i < 480; ++i) // faded in: an abrupt start would overshoot in reconstruction
        for (auto& ch : x)
            ch[i] *= static_cast<float>(0.5 - 0.5 * std::cos(kPi * static_cast<double>(i) / 480.0));
    for (const auto& v : variants()) {
        if (v.config.softClipOversampling > 0) continue;
        TruePeakLimiter limiter;
        limiter.prepare(kFs, 512, 2, v.config);
        configure(limiter, v, -1.0, 0.0);
        const Stereo y = run(limiter, x);
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < x[c].size(); ++i)
                ASSERT_EQ(y[c][i], x[c][i]) << v.name << " channel " << c << " frame " << i;
        EXPECT_EQ(limiter.stats().framesLimited, 0);
    }
}

// Stereo link: the left channel 6 dB over, the right one well under. Each channel is reduced by its own
// requirement at least, and the right one by link times the left's reduction (the mix of requirements).
TEST(TruePeakLimiterStyles, StereoLinkSharesTheReductionByItsAmount) {
    const int frames = 48000;
    Stereo x = tone(1000.0, 5.0, frames, 0.0);
    const Stereo quiet = tone(1000.0, -20.0, frames);
    x[1] = quiet[1];
    for (double link : {0.0, 0.25, 0.5, 1.0}) {
        TruePeakLimiter limiter;
        TruePeakLimiter::Config c;
        c.lookaheadMs = 2.0;
        limiter.prepare(kFs, 512, 2, c);
        limiter.setCeilingDbtp(-1.0);
        limiter.setReleaseMs(100.0);
        limiter.setStereoLink(link);
        const Stereo y = run(limiter, x);
        auto reductionDb = [&](std::size_t ch) { // steady state, second half
            double in = 0, out = 0;
            for (std::size_t i = static_cast<std::size_t>(frames / 2); i < static_cast<std::size_t>(frames);
                 ++i) {
                in = std::max(in, std::abs(static_cast<double>(x[ch][i])));
                out = std::max(out, std::abs(static_cast<double>(y[ch][i])));
            }
            return gainToDb(in / out);
        };
        const double left = reductionDb(0), right = reductionDb(1);
        const double required = 5.0 + 1.0 + limiter.detectionMarginDb();
        std::printf("link %.2f: left %.3f dB, right %.3f dB\n", link, left, right);
        EXPECT_NEAR(left, required, 0.05) << link;
        EXPECT_NEAR(right, link * required, 0.05) << link;
    }
}

// Two-stage release in the limiter: the same 9 dB overload, 1 ms long or 1 s long. After the short one the
// reduction falls to 1/e within about the fast time; after the long one it takes about the slow time.
TEST(TruePeakLimiterStyles, ReleaseStageFollowsTheOverloadDuration) {
    const double fastMs = 10, slowMs = 200, sustainMs = 40;
    TruePeakLimiter::Config c;
    c.lookaheadMs = 2.0;
    for (int burstFrames : {48, 48000}) {
        Stereo x(2, std::vector<float>(static_cast<std::size_t>(burstFrames + 48000), 0.0f));
        for (int i = 0; i < burstFrames + 48000; ++i) {
            const double level = i < burstFrames ? 2.5 : 0.05; // +8 dBFS burst, then a quiet tone
            for (auto& ch : x)
                ch[static_cast<std::size_t>(i)] =
                    static_cast<float>(level * std::sin(2 * kPi * 3000.0 / kFs * i));
        }
        TruePeakLimiter limiter;
        limiter.prepare(kFs, 512, 2, c);
        limiter.setCeilingDbtp(-1.0);
        limiter.setAdaptiveRelease(fastMs, slowMs, sustainMs);
        std::vector<double> gr;
        run(limiter, x, nullptr, &gr);
        std::size_t peakAt = 0;
        for (std::size_t i = 0; i < gr.size(); ++i)
            if (gr[i] > gr[peakAt]) peakAt = i;
        // Release starts where the reduction first drops below its held value after the burst.
        std::size_t start = peakAt;
        const std::size_t burstEnd = static_cast<std::size_t>(burstFrames + limiter.latencyFrames());
        start = std::max(start, burstEnd);
        while (gr[start + 1] >= gr[start] - 1e-9)
            ++start;
        const double held = gr[start];
        std::size_t end = start;
        while (gr[end] > held / std::exp(1.0))
            ++end;
        const double ms = static_cast<double>(end - start) / 48.0;
        std::printf("overload %d frames: %.2f dB released to 1/e in %.2f ms\n", burstFrames, held, ms);
        if (burstFrames == 48) {
            EXPECT_LT(ms, 1.5 * fastMs);
        } else {
            EXPECT_NEAR(ms, slowMs, 0.15 * slowMs);
        }
    }
}

// Low-frequency-aware detection: a 50 ms sub overload (shorter than the sustain time) is released slowly,
// as a sustained one; the same overload at 3 kHz is released fast.
TEST(TruePeakLimiterStyles, SubDrivenOverloadIsReleasedSlowly) {
    for (double frequency : {40.0, 3000.0}) {
        TruePeakLimiter::Config c;
        c.lookaheadMs = 2.0;
        c.lowFrequencyCrossoverHz = 120.0;
        TruePeakLimiter limiter;
        limiter.prepare(kFs, 512, 2, c);
        limiter.setCeilingDbtp(-1.0);
        limiter.setAdaptiveRelease(10.0, 200.0, 400.0);
        const int burst = 2400;
        Stereo x(2, std::vector<float>(48000, 0.0f));
        for (int i = 0; i < burst; ++i)
            for (auto& ch : x)
                ch[static_cast<std::size_t>(i)] =
                    static_cast<float>(2.0 * std::sin(2 * kPi * frequency / kFs * i));
        std::vector<double> gr;
        run(limiter, x, nullptr, &gr);
        // Reduction left 100 ms after the burst has passed the output.
        const std::size_t at = static_cast<std::size_t>(burst + limiter.latencyFrames() + 4800);
        std::printf("%.0f Hz overload: %.3f dB left 100 ms after\n", frequency, gr[at]);
        if (frequency < 100.0) {
            EXPECT_GT(gr[at], 0.5 * 6.0 * std::exp(-100.0 / 200.0)); // the slow stage, charged at once
        } else {
            EXPECT_LT(gr[at], 1.0); // the slow stage charged only 1 - exp(-52/400) = 12 %, released since
        }
    }
}
