#include "dsp/PlaybackSimulation.h"
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 256;

struct Stereo {
    std::vector<float> left, right;
    explicit Stereo(int frames) : left(static_cast<size_t>(frames)), right(static_cast<size_t>(frames)) {}
    int frames() const { return static_cast<int>(left.size()); }
    AudioBlock block(int start, int count) {
        ptrs[0] = left.data() + start;
        ptrs[1] = right.data() + start;
        return AudioBlock(ptrs, 2, count);
    }
    float* ptrs[2] = {};
};

Stereo sine(double frequency, double amplitude, int frames, double sampleRate = kFs) {
    Stereo s(frames);
    for (int i = 0; i < frames; ++i) {
        const auto v =
            static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * frequency * i / sampleRate));
        s.left[static_cast<size_t>(i)] = v;
        s.right[static_cast<size_t>(i)] = v;
    }
    return s;
}

void runBlocks(PlaybackSimulation& sim, Stereo& s, int block = kBlock) {
    for (int start = 0; start < s.frames(); start += block)
        sim.process(s.block(start, std::min(block, s.frames() - start)));
}

// Amplitude of the sinusoid at `frequency` in x[from, end), by least squares on sin and cos (exact for a pure
// tone whatever the window, unlike an FFT bin or an RMS over a non-integer number of periods).
double toneAmplitude(const std::vector<float>& x, int from, double frequency, double sampleRate = kFs) {
    double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
    for (size_t i = static_cast<size_t>(from); i < x.size(); ++i) {
        const double w = 2.0 * std::numbers::pi * frequency * static_cast<double>(i) / sampleRate;
        const double s = std::sin(w), c = std::cos(w);
        ss += s * s, cc += c * c, sc += s * c, ys += x[i] * s, yc += x[i] * c;
    }
    const double det = ss * cc - sc * sc;
    const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
    return std::hypot(a, b);
}

double measuredGainDb(PlaybackSystem system, double frequency, double sampleRate = kFs) {
    PlaybackSimulation sim;
    sim.setSystem(system); // before prepare: the model is in place from the first sample, no crossfade
    sim.prepare(sampleRate, kBlock);
    const double amplitude = 0.5;
    Stereo s = sine(frequency, amplitude, static_cast<int>(sampleRate), sampleRate);
    runBlocks(sim, s);
    // The second half: the slowest model (the earbuds' 40 Hz high-pass) has decayed far below 0.001 dB by
    // then.
    const int from = s.frames() / 2;
    const double left = toneAmplitude(s.left, from, frequency, sampleRate);
    const double right = toneAmplitude(s.right, from, frequency, sampleRate);
    EXPECT_NEAR(left, right, 1e-6 * amplitude) << playbackSystemName(system) << " at " << frequency;
    return 20.0 * std::log10(left / amplitude);
}

double maxStep(const std::vector<float>& x, size_t from = 1) {
    double m = 0;
    for (size_t i = std::max<size_t>(from, 1); i < x.size(); ++i)
        m = std::max(m, std::abs(static_cast<double>(x[i]) - x[i - 1]));
    return m;
}

const PlaybackSystem kAll[] = {PlaybackSystem::Flat, PlaybackSystem::PhoneSpeaker,
                               PlaybackSystem::LaptopSpeakers, PlaybackSystem::Earbuds, PlaybackSystem::Car};

} // namespace

TEST(PlaybackSimulation, MeasuredSineResponseMatchesTheCascadeAnalytically) {
    const double frequencies[] = {30, 60, 100, 250, 1000, 2500, 4000, 8000, 12000, 16000};
    for (double fs : {44100.0, 48000.0})
        for (PlaybackSystem system : kAll)
            for (double f : frequencies) {
                const double measured = measuredGainDb(system, f, fs);
                const double analytic = playbackSystemMagnitudeDb(system, fs, f);
                EXPECT_NEAR(measured, analytic, 0.05)
                    << playbackSystemName(system) << " " << f << " Hz @ " << fs;
            }
}

TEST(PlaybackSimulation, EachModelDoesWhatItPromises) {
    // Phone: no bass, the presence region intact, top gone.
    EXPECT_LE(measuredGainDb(PlaybackSystem::PhoneSpeaker, 60), -24.0);
    EXPECT_LE(measuredGainDb(PlaybackSystem::PhoneSpeaker, 120), -18.0);
    EXPECT_NEAR(measuredGainDb(PlaybackSystem::PhoneSpeaker, 2500), 0.0, 3.5);
    EXPECT_LE(measuredGainDb(PlaybackSystem::PhoneSpeaker, 16000), -10.0);
    // Laptop: bass gone below ~180 Hz, mids kept, top a little down.
    EXPECT_LE(measuredGainDb(PlaybackSystem::LaptopSpeakers, 60), -20.0);
    EXPECT_NEAR(measuredGainDb(PlaybackSystem::LaptopSpeakers, 1000), 0.0, 3.0);
    EXPECT_LE(measuredGainDb(PlaybackSystem::LaptopSpeakers, 16000), -2.0);
    // Earbuds: only the lowest octave rolled off, a canal peak at 3-5 kHz.
    EXPECT_LE(measuredGainDb(PlaybackSystem::Earbuds, 20), -6.0);
    EXPECT_NEAR(measuredGainDb(PlaybackSystem::Earbuds, 100), 0.0, 0.5);
    EXPECT_GE(measuredGainDb(PlaybackSystem::Earbuds, 4000), 3.0);
    // Car: cabin gain at the bottom, mids flat, top dulled.
    EXPECT_GE(measuredGainDb(PlaybackSystem::Car, 50), 3.0);
    EXPECT_NEAR(measuredGainDb(PlaybackSystem::Car, 1000), 0.0, 0.5);
    EXPECT_LE(measuredGainDb(PlaybackSystem::Car, 12000), -2.0);
}

TEST(PlaybackSimulation, PhoneSumsToMono) {
    PlaybackSimulation sim;
    sim.setSystem(PlaybackSystem::PhoneSpeaker);
    sim.prepare(kFs, kBlock);
    Stereo s = sine(1000.0, 0.5, static_cast<int>(kFs));
    std::fill(s.right.begin(), s.right.end(), 0.0f); // hard-left tone
    runBlocks(sim, s);
    EXPECT_EQ(s.left, s.right);
    // (L + R) / 2: a hard-left tone comes out 6 dB down, then through the model.
    const double expected =
        0.25 * std::pow(10.0, playbackSystemMagnitudeDb(PlaybackSystem::PhoneSpeaker, kFs, 1000.0) / 20.0);
    EXPECT_NEAR(toneAmplitude(s.left, s.frames() / 2, 1000.0), expected, 1e-4 * expected);
}

TEST(PlaybackSimulation, FlatIsBitIdenticalAlsoAfterSwitchingBack) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    Stereo s(48000);
    for (int i = 0; i < s.frames(); ++i)
        s.left[static_cast<size_t>(i)] = dist(rng), s.right[static_cast<size_t>(i)] = dist(rng);
    const Stereo in = s;

    PlaybackSimulation sim;
    sim.prepare(kFs, kBlock);
    EXPECT_EQ(sim.system(), PlaybackSystem::Flat);
    runBlocks(sim, s);
    EXPECT_EQ(0, std::memcmp(s.left.data(), in.left.data(), s.left.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(s.right.data(), in.right.data(), s.right.size() * sizeof(float)));

    // Through the phone and back: once the 20 ms fade back is over, flat is bit-identical again.
    Stereo scratch = in;
    sim.setSystem(PlaybackSystem::PhoneSpeaker);
    runBlocks(sim, scratch);
    EXPECT_NE(scratch.left, in.left);
    sim.setSystem(PlaybackSystem::Flat);
    Stereo fadeBack = in;
    sim.process(fadeBack.block(0, 960)); // exactly the fade
    s = in;
    runBlocks(sim, s);
    EXPECT_EQ(s.left, in.left);
    EXPECT_EQ(s.right, in.right);
}

TEST(PlaybackSimulation, SwitchingWhileProcessingDoesNotAllocateOrClick) {
    // A 100 Hz tone: every model's settled output changes by at most `bound` per sample. A switch must not
    // add a bigger step. A hard switch to a freshly started model does (checked below, so this test can
    // fail).
    const int frames = 48000;
    const int every = 2000; // not a multiple of the period: switches land at different phases
    const PlaybackSystem cycle[] = {PlaybackSystem::PhoneSpeaker, PlaybackSystem::Flat,
                                    PlaybackSystem::Car,          PlaybackSystem::LaptopSpeakers,
                                    PlaybackSystem::Earbuds,      PlaybackSystem::PhoneSpeaker,
                                    PlaybackSystem::Car,          PlaybackSystem::Flat};
    const Stereo in = sine(100.0, 0.5, frames);

    double bound = 0;
    for (PlaybackSystem system : kAll) {
        PlaybackSimulation settled;
        settled.setSystem(system);
        settled.prepare(kFs, kBlock);
        Stereo s = in;
        runBlocks(settled, s);
        bound = std::max(bound, maxStep(s.left, 4800)); // after the start-up transient
    }

    PlaybackSimulation sim;
    sim.prepare(kFs, kBlock);
    Stereo s = in;
    int next = 0;
    lathe::test::armMallocCounter();
    for (int start = 0; start < frames; start += kBlock) {
        if (start / every != (start - kBlock) / every && start > 0)
            sim.setSystem(cycle[static_cast<size_t>(next++) % std::size(cycle)]);
        sim.process(s.block(start, std::min(kBlock, frames - start)));
    }
    const long allocations = lathe::test::disarmMallocCounter();
#ifdef LATHE_COUNT_MALLOC
    EXPECT_EQ(allocations, 0);
#else
    (void)allocations;
#endif
    EXPECT_GT(next, 10);
    EXPECT_LE(maxStep(s.left), 1.05 * bound);
    EXPECT_LE(maxStep(s.right), 1.05 * bound);

    // The same flat -> phone switch done by cutting over to a fresh phone model at a block boundary.
    PlaybackSimulation flat, phone;
    flat.prepare(kFs, kBlock);
    phone.setSystem(PlaybackSystem::PhoneSpeaker);
    phone.prepare(kFs, kBlock);
    Stereo hard = in;
    const int cut = 2048;
    flat.process(hard.block(0, cut));
    phone.process(hard.block(cut, frames - cut));
    EXPECT_GT(maxStep(hard.left), 3.0 * bound);
}

TEST(PlaybackSimulation, MonoBlocksAndBlocksLongerThanPrepared) {
    PlaybackSimulation sim;
    sim.setSystem(PlaybackSystem::Car);
    sim.prepare(kFs, 64);
    Stereo s = sine(50.0, 0.25, 48000);
    float* ptr[1] = {s.left.data()};
    sim.process(AudioBlock(ptr, 1, s.frames())); // one call, far more than 64 frames
    const double gain = 20.0 * std::log10(toneAmplitude(s.left, 24000, 50.0) / 0.25);
    EXPECT_NEAR(gain, playbackSystemMagnitudeDb(PlaybackSystem::Car, kFs, 50.0), 0.05);
}

TEST(PlaybackSimulation, NamesRoundTrip) {
    for (PlaybackSystem system : kAll) {
        PlaybackSystem parsed = PlaybackSystem::Flat;
        ASSERT_TRUE(playbackSystemFromName(playbackSystemName(system), parsed)) << playbackSystemName(system);
        EXPECT_EQ(parsed, system);
    }
    EXPECT_STREQ(playbackSystemName(PlaybackSystem::PhoneSpeaker), "phone");
    EXPECT_STREQ(playbackSystemName(PlaybackSystem::LaptopSpeakers), "laptop");
    EXPECT_STREQ(playbackSystemName(PlaybackSystem::Earbuds), "earbuds");
    EXPECT_STREQ(playbackSystemName(PlaybackSystem::Car), "car");
    EXPECT_STREQ(playbackSystemName(PlaybackSystem::Flat), "flat");
    PlaybackSystem untouched = PlaybackSystem::Car;
    EXPECT_FALSE(playbackSystemFromName("Phone", untouched));
    EXPECT_FALSE(playbackSystemFromName("", untouched));
    EXPECT_EQ(untouched, PlaybackSystem::Car);
}
