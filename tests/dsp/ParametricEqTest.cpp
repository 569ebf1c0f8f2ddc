#include "dsp/ParametricEq.h"
#include "dsp/Decibels.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <new>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

// Counts heap allocations while armed, to check that process() and setBand() are real-time safe.
namespace {
std::atomic<bool> gCountAllocations{false};
std::atomic<int> gAllocations{0};
} // namespace

void* operator new(std::size_t size) {
    if (gCountAllocations.load(std::memory_order_relaxed))
        gAllocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
// free() is reached through a volatile pointer: GCC otherwise sees free() inlined where the pointer came from
// the replaced operator new and warns -Wmismatched-new-delete, although the replacement pair is consistent.
namespace {
void (*volatile gRelease)(void*) = std::free;
} // namespace
void operator delete(void* p) noexcept {
    gRelease(p);
}
void operator delete(void* p, std::size_t) noexcept {
    gRelease(p);
}

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 512;

std::vector<double> logFrequencies(int count) {
    std::vector<double> f;
    for (int i = 0; i < count; ++i)
        f.push_back(20.0 * std::pow(1000.0, static_cast<double>(i) / (count - 1)));
    return f;
}

// Steady-state gain of the running EQ on a stereo sine: least-squares fit of y = a sin + b cos after the
// transient has died away (the full 2x2 normal equations, so a non-integer number of cycles does not bias the
// amplitude). Both channels are fitted and must agree, which also checks that the channels have independent
// state.
double measuredGainDb(ParametricEq& eq, double frequency) {
    eq.reset();
    const int settle =
        static_cast<int>(kFs); // slowest pole in these settings: 30 Hz high-pass, settled in < 0.3 s
    const int cycles = std::max(20, static_cast<int>(frequency / 10.0));
    const int measure = static_cast<int>(std::lround(cycles * kFs / frequency));
    const int total = settle + measure;
    const double w = 2.0 * std::numbers::pi * frequency / kFs;
    std::vector<float> left(static_cast<size_t>(total)), right(static_cast<size_t>(total));
    for (int i = 0; i < total; ++i)
        left[static_cast<size_t>(i)] = right[static_cast<size_t>(i)] =
            static_cast<float>(0.5 * std::sin(w * i));
    for (int start = 0; start < total; start += kBlock) {
        float* p[2] = {left.data() + start, right.data() + start};
        eq.process(AudioBlock(p, 2, std::min(kBlock, total - start)));
    }
    double amplitude[2] = {};
    for (int c = 0; c < 2; ++c) {
        const auto& y = c == 0 ? left : right;
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (int i = settle; i < total; ++i) {
            const double s = std::sin(w * i), co = std::cos(w * i), v = y[static_cast<size_t>(i)];
            ss += s * s, cc += co * co, sc += s * co, ys += v * s, yc += v * co;
        }
        const double det = ss * cc - sc * sc;
        const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        amplitude[c] = std::hypot(a, b) / 0.5;
    }
    EXPECT_NEAR(amplitude[0], amplitude[1], 1e-6 * amplitude[0]);
    return gainToDb(amplitude[0]);
}

// The test's own model of the EQ: the product of the cookbook sections for the enabled bands.
std::complex<double> expectedResponse(const std::vector<EqBand>& bands, double frequency) {
    std::complex<double> h = 1.0;
    for (const auto& b : bands)
        if (b.enabled) h *= response(makeFilter(b.type, kFs, b.frequencyHz, b.q, b.gainDb), kFs, frequency);
    return h;
}

void configure(ParametricEq& eq, const std::vector<EqBand>& bands) {
    eq.prepare(kFs, kBlock, 2);
    eq.setNumBands(static_cast<int>(bands.size()));
    for (size_t i = 0; i < bands.size(); ++i)
        eq.setBand(static_cast<int>(i), bands[i]);
}

std::vector<std::vector<EqBand>> settings() {
    return {
        // Typical mastering moves: low shelf, two bells, high shelf, rumble filter.
        {{true, FilterType::HighPass, 30.0, 0.707, 0.0},
         {true, FilterType::LowShelf, 90.0, 0.707, 2.5},
         {true, FilterType::Bell, 350.0, 1.2, -2.0},
         {true, FilterType::Bell, 3200.0, 0.8, 1.5},
         {true, FilterType::HighShelf, 11000.0, 0.707, 3.0}},
        // Narrow cuts and a low-pass; one disabled band in the middle must not contribute.
        {{true, FilterType::Bell, 60.0, 4.0, -9.0},
         {true, FilterType::Notch, 1000.0, 8.0, 0.0},
         {false, FilterType::Bell, 2000.0, 1.0, 12.0},
         {true, FilterType::Bell, 6000.0, 6.0, 8.0},
         {true, FilterType::LowPass, 18000.0, 0.9, 0.0}},
        // Large overlapping boosts and a band-pass (0 dB peak) shaping everything.
        {{true, FilterType::LowShelf, 200.0, 1.0, -6.0},
         {true, FilterType::Bell, 800.0, 0.5, 10.0},
         {true, FilterType::BandPass, 1500.0, 0.3, 0.0},
         {true, FilterType::HighShelf, 4000.0, 0.5, -8.0}},
        // All eight bands.
        {{true, FilterType::HighPass, 25.0, 0.5, 0.0},
         {true, FilterType::Bell, 100.0, 2.0, 3.0},
         {true, FilterType::Bell, 250.0, 2.0, -3.0},
         {true, FilterType::Bell, 600.0, 2.0, 3.0},
         {true, FilterType::Bell, 1500.0, 2.0, -3.0},
         {true, FilterType::Bell, 4000.0, 2.0, 3.0},
         {true, FilterType::Bell, 9000.0, 2.0, -3.0},
         {true, FilterType::HighShelf, 15000.0, 0.707, -1.0}},
    };
}

} // namespace

// For several mixed settings, at 25 log-spaced frequencies 20 Hz - 20 kHz, the running EQ's measured sine
// gain equals the magnitude of the product of the band transfer functions within 0.01 dB.
TEST(ParametricEq, MeasuredResponseMatchesProductOfBands) {
    int setting = 0;
    for (const auto& bands : settings()) {
        ParametricEq eq;
        configure(eq, bands);
        double worst = 0.0;
        for (double f : logFrequencies(25)) {
            const double expected = gainToDb(std::abs(expectedResponse(bands, f)));
            if (expected < -80.0)
                continue; // below what a float sine fit resolves; the notch is checked analytically below
            const double measured = measuredGainDb(eq, f);
            worst = std::max(worst, std::abs(measured - expected));
            EXPECT_NEAR(measured, expected, 0.01) << "setting " << setting << " at " << f << " Hz";
        }
        std::printf("setting %d: worst |measured - analytic| = %.2e dB\n", setting, worst);
        ++setting;
    }
}

TEST(ParametricEq, MagnitudeDbIsSumOfBandMagnitudes) {
    for (const auto& bands : settings()) {
        ParametricEq eq;
        configure(eq, bands);
        for (double f : logFrequencies(40)) {
            double sum = 0.0;
            for (const auto& b : bands)
                if (b.enabled)
                    sum += magnitudeDb(makeFilter(b.type, kFs, b.frequencyHz, b.q, b.gainDb), kFs, f);
            EXPECT_NEAR(eq.magnitudeDb(f), sum, 1e-9) << f << " Hz";
        }
    }
    ParametricEq eq;
    configure(eq, settings()[1]);
    EXPECT_LT(eq.magnitudeDb(1000.0), -100.0); // the notch is in the curve
}

TEST(ParametricEq, FlatEqIsBitTransparent) {
    ParametricEq eq;
    configure(eq, {{true, FilterType::Bell, 1000.0, 1.0, 0.0},
                   {true, FilterType::LowShelf, 100.0, 0.7, 0.0},
                   {true, FilterType::HighShelf, 8000.0, 0.7, 0.0},
                   {false, FilterType::HighPass, 200.0, 0.7, 0.0},
                   {false, FilterType::Bell, 500.0, 1.0, 12.0},
                   // Active, but beyond the band count set below.
                   {true, FilterType::Bell, 500.0, 1.0, 12.0}});
    eq.setNumBands(5);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> l(4096), r(4096);
    for (size_t i = 0; i < l.size(); ++i)
        l[i] = dist(rng), r[i] = dist(rng) * 1e-30f; // tiny values too: a 0 dB RBJ bell would change them
    const auto l0 = l, r0 = r;
    float* p[2] = {l.data(), r.data()};
    eq.process(AudioBlock(p, 2, 4096));
    EXPECT_EQ(l, l0);
    EXPECT_EQ(r, r0);
    for (double f : logFrequencies(10))
        EXPECT_EQ(eq.magnitudeDb(f), 0.0);

    // The sixth band becomes part of the chain once the count includes it.
    eq.setNumBands(6);
    EXPECT_TRUE(eq.isBandActive(5));
    eq.process(AudioBlock(p, 2, 4096));
    EXPECT_NE(l, l0);
}

// Sweeping every band while audio runs (one change per 64-frame block, the engine's between-blocks contract)
// keeps the output finite and bounded, including occasional three-decade jumps; and neither process() nor
// setBand() allocates.
TEST(ParametricEq, LiveChangesStayStableAndDoNotAllocate) {
    ParametricEq eq;
    configure(eq, settings()[0]);
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    std::vector<float> l(64), r(64);
    float* p[2] = {l.data(), r.data()};
    double peak = 0.0;
    gAllocations = 0;
    gCountAllocations = true;
    for (int block = 0; block < 6000; ++block) {
        const double t = block / 6000.0;
        for (int band = 0; band < 5; ++band) {
            EqBand b = eq.band(band);
            // Ping-pong sweep over 20 Hz - 20 kHz, so consecutive settings are close ...
            const double phase = std::fmod(t * (band + 1), 2.0);
            b.frequencyHz = 20.0 * std::pow(1000.0, phase < 1.0 ? phase : 2.0 - phase);
            // ... except every 500 blocks, when the band jumps to the other end of the range.
            if (block % 500 == 499) b.frequencyHz = b.frequencyHz < 600.0 ? 20000.0 : 20.0;
            if (b.type == FilterType::Bell || b.type == FilterType::LowShelf ||
                b.type == FilterType::HighShelf)
                b.gainDb = 12.0 * std::sin(2.0 * std::numbers::pi * t * (band + 2));
            b.enabled = (block / 400 + band) % 4 != 0; // bands drop out and come back
            eq.setBand(band, b);
        }
        for (size_t i = 0; i < l.size(); ++i)
            l[i] = dist(rng), r[i] = dist(rng);
        eq.process(AudioBlock(p, 2, 64));
        for (size_t i = 0; i < l.size(); ++i) {
            ASSERT_TRUE(std::isfinite(l[i]) && std::isfinite(r[i]));
            peak = std::max({peak, std::abs(static_cast<double>(l[i])), std::abs(static_cast<double>(r[i]))});
        }
    }
    gCountAllocations = false;
    EXPECT_EQ(gAllocations.load(), 0);
    // Input peak 0.5 and single bands of up to +12 dB give peaks around 2-3 (measured 2.7). Stale TDF-II
    // state across a three-decade jump rings at up to ~+48 dB (peaks > 100) unless the band's state is
    // cleared; 8 leaves room for overlapping boosts.
    EXPECT_LT(peak, 8.0);
    std::printf("peak during live sweep: %.3f\n", peak);
}

TEST(ParametricEq, ProcessingIsIndependentOfBlockSize) {
    const auto bands = settings()[0];
    ParametricEq a, b;
    configure(a, bands);
    configure(b, bands);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> x(3000);
    for (auto& v : x)
        v = dist(rng);
    auto whole = x, pieces = x;
    float* pw[1] = {whole.data()};
    a.process(AudioBlock(pw, 1, 3000));
    std::uniform_int_distribution<int> len(1, kBlock);
    for (int start = 0; start < 3000;) {
        const int n = std::min(len(rng), 3000 - start);
        float* pp[1] = {pieces.data() + start};
        b.process(AudioBlock(pp, 1, n));
        start += n;
    }
    EXPECT_EQ(whole, pieces);
}

namespace {

std::vector<std::vector<float>> stereoNoise(int frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    std::vector<std::vector<float>> x(2, std::vector<float>(static_cast<size_t>(frames)));
    for (auto& ch : x)
        for (auto& v : ch)
            v = dist(rng);
    return x;
}

void runBlocks(ParametricEq& eq, std::vector<std::vector<float>>& x, int block) {
    const int frames = static_cast<int>(x[0].size());
    for (int start = 0; start < frames; start += block) {
        float* p[2] = {x[0].data() + start, x[1].data() + start};
        eq.process(AudioBlock(p, 2, std::min(block, frames - start)));
    }
}

// Mid or side of a stereo pair, in double (exact for float inputs).
std::vector<double> part(const std::vector<std::vector<float>>& x, BandChannels which) {
    std::vector<double> out(x[0].size());
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = which == BandChannels::Side ? 0.5 * (static_cast<double>(x[0][i]) - x[1][i])
                                             : 0.5 * (static_cast<double>(x[0][i]) + x[1][i]);
    return out;
}

} // namespace

// A mid band filters the mid as the cookbook section would and leaves the side as it was, and the reverse
// for a side band. "As it was": to the rounding of the float output (L and R each round once, so the side
// recovered from them can differ by an ulp of the channel level, 3e-8 at 0.5); a side that is all there is
// (L = -R, mid 0) comes out bit for bit.
TEST(ParametricEq, MidBandLeavesTheSideAndSideBandLeavesTheMid) {
    for (const BandChannels which : {BandChannels::Mid, BandChannels::Side}) {
        const BandChannels other = which == BandChannels::Mid ? BandChannels::Side : BandChannels::Mid;
        ParametricEq eq;
        EqBand band{true, FilterType::Bell, 1000.0, 0.7, 9.0};
        band.channels = which;
        configure(eq, {band});
        const auto source = stereoNoise(20000, 3);
        auto x = source;
        runBlocks(eq, x, 333);

        // The processed part against an independent section run over the part in double.
        Biquad reference;
        reference.setCoefficients(makeBell(kFs, 1000.0, 0.7, 9.0));
        const auto in = part(source, which), out = part(x, which);
        const auto otherIn = part(source, other), otherOut = part(x, other);
        double worstProcessed = 0.0, worstOther = 0.0, change = 0.0;
        for (size_t i = 0; i < in.size(); ++i) {
            const double expected = reference.processSample(0, in[i]);
            worstProcessed = std::max(worstProcessed, std::abs(out[i] - expected));
            worstOther = std::max(worstOther, std::abs(otherOut[i] - otherIn[i]));
            change = std::max(change, std::abs(out[i] - in[i]));
        }
        EXPECT_LT(worstProcessed, 1.2e-7) << bandChannelsName(which);
        EXPECT_LT(worstOther, 1.2e-7) << bandChannelsName(which);
        EXPECT_GT(change, 0.1) << bandChannelsName(which); // the band did act

        // Only the other part present: the band's part is silence, the output is the input, bit for bit.
        auto alone = source;
        for (size_t i = 0; i < alone[0].size(); ++i)
            alone[1][i] = which == BandChannels::Mid ? -alone[0][i] : alone[0][i];
        const auto aloneIn = alone;
        eq.reset();
        runBlocks(eq, alone, 512);
        EXPECT_EQ(alone, aloneIn) << bandChannelsName(which);
    }
}

// A cascade of stereo, mid and side bands runs the bands in their order, each on its part, against a
// per-frame reference built from independent sections; the analytic magnitude per part adds the bands that
// act on it.
TEST(ParametricEq, MixedStereoMidSideCascade) {
    std::vector<EqBand> bands{{true, FilterType::HighPass, 30.0, 0.707, 0.0},
                              {true, FilterType::Bell, 250.0, 1.0, -4.0},
                              {true, FilterType::HighShelf, 8000.0, 0.707, 3.0},
                              {true, FilterType::Bell, 3000.0, 2.0, 5.0}};
    bands[1].channels = BandChannels::Side;
    bands[2].channels = BandChannels::Side;
    bands[3].channels = BandChannels::Mid;
    ParametricEq eq;
    configure(eq, bands);
    const auto source = stereoNoise(30000, 4);
    auto x = source;
    gAllocations = 0;
    gCountAllocations = true;
    runBlocks(eq, x, 100);
    eq.setBand(3, bands[3]);
    gCountAllocations = false;
    EXPECT_EQ(gAllocations.load(), 0); // the M/S path and setBand are real-time safe too

    std::vector<Biquad> sections(bands.size());
    for (size_t b = 0; b < bands.size(); ++b)
        sections[b].setCoefficients(
            makeFilter(bands[b].type, kFs, bands[b].frequencyHz, bands[b].q, bands[b].gainDb));
    double worst = 0.0;
    for (size_t i = 0; i < source[0].size(); ++i) {
        double l = source[0][i], r = source[1][i];
        for (size_t b = 0; b < bands.size(); ++b) {
            if (bands[b].channels == BandChannels::Stereo) {
                l = sections[b].processSample(0, l);
                r = sections[b].processSample(1, r);
                continue;
            }
            double mid = (l + r) / 2.0, side = (l - r) / 2.0;
            (bands[b].channels == BandChannels::Mid ? mid : side) =
                sections[b].processSample(0, bands[b].channels == BandChannels::Mid ? mid : side);
            l = mid + side;
            r = mid - side;
        }
        worst = std::max({worst, std::abs(x[0][i] - l), std::abs(x[1][i] - r)});
    }
    EXPECT_LT(worst, 2e-7);

    for (const double f : {30.0, 250.0, 3000.0, 8000.0}) {
        const double hp = magnitudeDb(makeHighPass(kFs, 30.0, 0.707), kFs, f);
        const double mid = hp + magnitudeDb(makeBell(kFs, 3000.0, 2.0, 5.0), kFs, f);
        const double side = hp + magnitudeDb(makeBell(kFs, 250.0, 1.0, -4.0), kFs, f) +
                            magnitudeDb(makeHighShelf(kFs, 8000.0, 0.707, 3.0), kFs, f);
        EXPECT_NEAR(eq.magnitudeDb(f, BandChannels::Mid), mid, 1e-9);
        EXPECT_NEAR(eq.magnitudeDb(f, BandChannels::Side), side, 1e-9);
        EXPECT_NEAR(eq.magnitudeDb(f, BandChannels::Stereo), eq.magnitudeDb(f), 0.0);
    }
}

// While no M/S band is active (disabled, 0 dB, or beyond numBands) the EQ runs exactly as before bands had a
// channel choice: same output bits as the same stereo bands alone. And M/S output does not depend on blocks.
TEST(ParametricEq, InactiveMidSideBandsKeepTheStereoPathAndBlocksDoNotMatter) {
    auto bands = settings()[0];
    ParametricEq plain;
    configure(plain, bands);
    EqBand idle{true, FilterType::Bell, 500.0, 1.0, 0.0};
    idle.channels = BandChannels::Mid;
    EqBand off{false, FilterType::Bell, 500.0, 1.0, 6.0};
    off.channels = BandChannels::Side;
    bands.push_back(idle);
    bands.push_back(off);
    ParametricEq withIdle;
    configure(withIdle, bands);
    const auto source = stereoNoise(10000, 6);
    auto a = source, b = source;
    runBlocks(plain, a, 512);
    runBlocks(withIdle, b, 512);
    EXPECT_EQ(a, b);

    bands.back().enabled = true;
    ParametricEq whole, pieces;
    configure(whole, bands);
    configure(pieces, bands);
    auto c = source, d = source;
    runBlocks(whole, c, 10000);
    runBlocks(pieces, d, 7);
    EXPECT_EQ(c, d);
    EXPECT_NE(c, a);
}
