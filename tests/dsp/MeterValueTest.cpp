// Every dsp unit that meters publishes its readings through MeterValue, so another thread may read them while
// process() runs (dsp/README.md). Each test processes a signal that moves the meters on one thread while this
// thread reads every reading in a loop, and checks that
//  - every value read is one the meter can show (finite, in its range; maxima never go down), and
//  - after the last block the readings equal those of the same unit run alone on one thread, bit for bit.
// Built with ThreadSanitizer (cmake --preset tsan) the same tests also prove there is no data race.
#include "dsp/MeterValue.h"
#include "dsp/Compressor.h"
#include "dsp/CorrelationMeter.h"
#include "dsp/Decibels.h"
#include "dsp/DynamicEq.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/MultibandCompressor.h"
#include "dsp/PeakControl.h"
#include "dsp/SpectrumAnalyzer.h"
#include "dsp/SubAudibleMeter.h"
#include "dsp/TruePeakMeter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <thread>
#include <vector>

using namespace lathe::dsp;

namespace {

constexpr double kFs = 48000.0;
constexpr int kBlock = 256;
constexpr int kBlocks = 400; // 2.1 s: long enough for every meter to move, and for the loudness grid

// Two channels of noise whose level steps every 0.1 s between -40 and +6 dBFS peak, the left channel
// partly independent of the right so correlation and width meters move too.
struct TestSignal {
    std::vector<float> left, right;
    TestSignal() {
        std::mt19937 rng(15);
        std::uniform_real_distribution<float> noise(-1.0f, 1.0f);
        const auto n = static_cast<std::size_t>(kBlock) * kBlocks;
        left.resize(n);
        right.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double level = dbToGain(-40.0 + 46.0 * static_cast<double>((i / 4800) % 5) / 4.0);
            const float common = noise(rng), own = noise(rng);
            const double tone = std::sin(2.0 * std::numbers::pi * 80.0 * static_cast<double>(i) / kFs);
            left[i] = static_cast<float>(level * (0.6 * common + 0.2 * own + 0.2 * tone));
            right[i] = static_cast<float>(level * (0.6 * common - 0.2 * own + 0.2 * tone));
        }
    }
    AudioBlock block(int index, std::vector<float>& l, std::vector<float>& r) const {
        const auto start = static_cast<std::ptrdiff_t>(index) * kBlock;
        std::copy_n(left.begin() + start, kBlock, l.begin());
        std::copy_n(right.begin() + start, kBlock, r.begin());
        float* p[2] = {l.data(), r.data()};
        return AudioBlock(p, 2, kBlock);
    }
};

const TestSignal& signal() {
    static const TestSignal s;
    return s;
}

// Processes the signal with `live` on a second thread while calling read() here until it is done, then with
// `alone` on this thread; returns how many times read() ran during the processing.
template <typename Unit>
int processLiveAndAlone(Unit& live, Unit& alone, void (*process)(Unit&, const AudioBlock&),
                        const std::function<void()>& read) {
    std::atomic<bool> started{false}, done{false};
    std::thread audio([&] {
        std::vector<float> l(kBlock), r(kBlock);
        while (!started.load(std::memory_order_acquire)) {
        }
        for (int b = 0; b < kBlocks; ++b)
            process(live, signal().block(b, l, r));
        done.store(true, std::memory_order_release);
    });
    int reads = 0;
    started.store(true, std::memory_order_release);
    while (!done.load(std::memory_order_acquire)) {
        read();
        ++reads;
    }
    audio.join();
    std::vector<float> l(kBlock), r(kBlock);
    for (int b = 0; b < kBlocks; ++b)
        process(alone, signal().block(b, l, r));
    return reads;
}

template <typename Unit>
void processBlock(Unit& unit, const AudioBlock& block) {
    unit.process(block);
}

bool inRange(double value, double lowest, double highest) {
    return std::isfinite(value) && value >= lowest && value <= highest;
}

// A maximum read from another thread: in range, and never lower than the previous reading.
struct MaximumReading {
    double last = -1e300;
    bool ok = true;
    void read(double value, double lowest, double highest) {
        ok = ok && inRange(value, lowest, highest) && value >= last;
        last = value;
    }
};

CompressorParameters heavyCompression() {
    CompressorParameters p;
    p.thresholdDb = -30.0;
    p.ratio = 6.0;
    p.attackMs = 1.0;
    p.releaseMs = 50.0;
    return p;
}

} // namespace

TEST(MeterValue, CompressorReductionIsReadableWhileProcessing) {
    Compressor live, alone;
    for (Compressor* c : {&live, &alone}) {
        c->prepare(kFs, kBlock, 2);
        c->setParameters(heavyCompression());
    }
    bool ok = true;
    MaximumReading max;
    const int reads = processLiveAndAlone(live, alone, &processBlock, [&] {
        ok = ok && inRange(live.gainReductionDb(), 0.0, 100.0);
        max.read(live.maxGainReductionDb(), 0.0, 100.0);
    });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    EXPECT_TRUE(max.ok);
    EXPECT_GT(alone.maxGainReductionDb(), 10.0); // the meters really moved
    EXPECT_EQ(live.gainReductionDb(), alone.gainReductionDb());
    EXPECT_EQ(live.maxGainReductionDb(), alone.maxGainReductionDb());
}

TEST(MeterValue, MultibandReductionIsReadableWhileProcessing) {
    MultibandCompressor live, alone;
    const double crossovers[2] = {200.0, 3000.0};
    for (MultibandCompressor* m : {&live, &alone}) {
        m->prepare(kFs, kBlock, 2);
        m->setCrossoverFrequencies(crossovers, 2);
        for (int b = 0; b < 3; ++b)
            m->setBandParameters(b, heavyCompression());
    }
    bool ok = true;
    std::array<MaximumReading, MultibandCompressor::kMaxBands> max;
    const int reads = processLiveAndAlone(live, alone, &processBlock, [&] {
        for (int b = 0; b < MultibandCompressor::kMaxBands; ++b) {
            ok = ok && inRange(live.bandGainReductionDb(b), 0.0, 100.0);
            max[static_cast<std::size_t>(b)].read(live.bandMaxGainReductionDb(b), 0.0, 100.0);
        }
    });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    for (const auto& m : max)
        EXPECT_TRUE(m.ok);
    EXPECT_GT(alone.bandMaxGainReductionDb(0), 10.0);
    EXPECT_EQ(alone.bandMaxGainReductionDb(3), 0.0); // beyond the three bands
    for (int b = 0; b < MultibandCompressor::kMaxBands; ++b) {
        EXPECT_EQ(live.bandGainReductionDb(b), alone.bandGainReductionDb(b)) << b;
        EXPECT_EQ(live.bandMaxGainReductionDb(b), alone.bandMaxGainReductionDb(b)) << b;
    }
}

TEST(MeterValue, DynamicEqBandMetersAreReadableWhileProcessing) {
    DynamicEq live, alone;
    DynamicEqBand cut;
    cut.enabled = true;
    cut.frequencyHz = 80.0;
    cut.thresholdDb = -30.0;
    cut.ratio = 4.0;
    cut.rangeDb = 9.0;
    DynamicEqBand boost = cut;
    boost.frequencyHz = 4000.0;
    boost.mode = DynamicEqMode::BoostBelow;
    for (DynamicEq* eq : {&live, &alone}) {
        eq->prepare(kFs, kBlock, 2, 2);
        eq->setBand(0, cut);
        eq->setBand(1, boost);
    }
    bool ok = true;
    MaximumReading maxCut, maxBoost;
    const int reads = processLiveAndAlone(live, alone, &processBlock, [&] {
        for (int b = 0; b < 2; ++b)
            ok = ok && inRange(live.bandGainDb(b), -9.0, 9.0);
        maxCut.read(live.bandMaxCutDb(0), 0.0, 9.0);
        maxBoost.read(live.bandMaxBoostDb(1), 0.0, 9.0);
    });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    EXPECT_TRUE(maxCut.ok);
    EXPECT_TRUE(maxBoost.ok);
    EXPECT_GT(alone.bandMaxCutDb(0), 3.0);
    EXPECT_GT(alone.bandMaxBoostDb(1), 3.0);
    for (int b = 0; b < 2; ++b) {
        EXPECT_EQ(live.bandGainDb(b), alone.bandGainDb(b)) << b;
        EXPECT_EQ(live.bandMaxCutDb(b), alone.bandMaxCutDb(b)) << b;
        EXPECT_EQ(live.bandMaxBoostDb(b), alone.bandMaxBoostDb(b)) << b;
    }
}

TEST(MeterValue, PeakControlReductionIsReadableWhileProcessing) {
    PeakControl live, alone;
    PeakControlParameters p;
    p.ceilingDb = -12.0;
    for (PeakControl* pc : {&live, &alone}) {
        pc->prepare(kFs, kBlock, 2, 4);
        pc->setParameters(p);
    }
    bool ok = true;
    MaximumReading max;
    const int reads = processLiveAndAlone(live, alone, &processBlock, [&] {
        ok = ok && inRange(live.reductionDb(), 0.0, 100.0);
        max.read(live.maxReductionDb(), 0.0, 100.0);
    });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    EXPECT_TRUE(max.ok);
    EXPECT_GT(alone.maxReductionDb(), 6.0);
    EXPECT_EQ(live.reductionDb(), alone.reductionDb());
    EXPECT_EQ(live.maxReductionDb(), alone.maxReductionDb());
}

TEST(MeterValue, LoudnessReadingsAreReadableWhileProcessing) {
    LoudnessMeter live, alone;
    for (LoudnessMeter* m : {&live, &alone})
        m->prepare(kFs, kBlock, 2);
    bool ok = true;
    MaximumReading maxMomentary, maxShortTerm, samplePeak, truePeak;
    const int reads = processLiveAndAlone(live, alone, &processBlock, [&] {
        ok = ok && inRange(live.momentaryLufs(), kSilenceDb, 20.0) &&
             inRange(live.shortTermLufs(), kSilenceDb, 20.0) &&
             inRange(live.integratedLufs(), kSilenceDb, 20.0) && inRange(live.loudnessRangeLu(), 0.0, 100.0);
        maxMomentary.read(live.maxMomentaryLufs(), kSilenceDb, 20.0);
        maxShortTerm.read(live.maxShortTermLufs(), kSilenceDb, 20.0);
        samplePeak.read(live.samplePeakDbfs(), kSilenceDb, 20.0);
        truePeak.read(live.truePeakDbtp(), kSilenceDb, 20.0);
    });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    for (const MaximumReading* m : {&maxMomentary, &maxShortTerm, &samplePeak, &truePeak})
        EXPECT_TRUE(m->ok);
    EXPECT_GT(alone.maxMomentaryLufs(), -20.0);
    EXPECT_GT(alone.truePeakDbtp(), 0.0);
    EXPECT_EQ(live.momentaryLufs(), alone.momentaryLufs());
    EXPECT_EQ(live.shortTermLufs(), alone.shortTermLufs());
    EXPECT_EQ(live.integratedLufs(), alone.integratedLufs());
    EXPECT_EQ(live.loudnessRangeLu(), alone.loudnessRangeLu());
    EXPECT_EQ(live.maxMomentaryLufs(), alone.maxMomentaryLufs());
    EXPECT_EQ(live.maxShortTermLufs(), alone.maxShortTermLufs());
    EXPECT_EQ(live.samplePeakDbfs(), alone.samplePeakDbfs());
    EXPECT_EQ(live.truePeakDbtp(), alone.truePeakDbtp());
}

TEST(MeterValue, CorrelationIsReadableWhileProcessing) {
    CorrelationMeter live, alone;
    for (CorrelationMeter* m : {&live, &alone})
        m->prepare(kFs, kBlock, 2);
    bool ok = true;
    const int reads = processLiveAndAlone(live, alone, &processBlock,
                                          [&] { ok = ok && inRange(live.correlation(), -1.0, 1.0); });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    EXPECT_GT(alone.correlation(), 0.5); // mostly common noise
    EXPECT_LT(alone.correlation(), 0.99);
    EXPECT_EQ(live.correlation(), alone.correlation());
}

TEST(MeterValue, TruePeakIsReadableWhileProcessing) {
    TruePeakMeter live, alone;
    for (TruePeakMeter* m : {&live, &alone})
        m->prepare(kFs, kBlock, 2);
    MaximumReading peak, left, right;
    const int reads = processLiveAndAlone(live, alone, &processBlock, [&] {
        peak.read(live.truePeakDbtp(), kSilenceDb, 20.0);
        left.read(live.channelTruePeakDbtp(0), kSilenceDb, 20.0);
        right.read(live.channelTruePeakDbtp(1), kSilenceDb, 20.0);
    });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(peak.ok);
    EXPECT_TRUE(left.ok);
    EXPECT_TRUE(right.ok);
    EXPECT_GT(alone.truePeakDbtp(), 0.0);
    EXPECT_EQ(live.truePeakLinear(), alone.truePeakLinear());
    EXPECT_EQ(live.channelTruePeakLinear(0), alone.channelTruePeakLinear(0));
    EXPECT_EQ(live.channelTruePeakLinear(1), alone.channelTruePeakLinear(1));
}

TEST(MeterValue, SubAudibleReadingsAreReadableWhileProcessing) {
    SubAudibleMeter live, alone;
    for (SubAudibleMeter* m : {&live, &alone})
        m->prepare(kFs, 2);
    bool ok = true;
    const int reads = processLiveAndAlone(
        live, alone,
        +[](SubAudibleMeter& m, const AudioBlock& block) { m.process(block.channels(), block.numFrames()); },
        [&] {
            ok = ok && inRange(live.levelDb(), -200.0, 20.0) && inRange(live.audibleShareDb(), -200.0, 0.0);
        });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    EXPECT_GT(alone.levelDb(), -30.0);
    EXPECT_EQ(live.levelDb(), alone.levelDb());
    EXPECT_EQ(live.audibleShareDb(), alone.audibleShareDb());
}

TEST(MeterValue, SpectrumBinsAreReadableWhileProcessing) {
    SpectrumAnalyzer live, alone;
    for (SpectrumAnalyzer* a : {&live, &alone}) {
        a->setAveraging(0.5);
        a->prepare(kFs, kBlock, 2, 1024);
    }
    std::vector<float> bins(static_cast<std::size_t>(live.numBins()));
    bool ok = true;
    uint64_t lastFrames = 0;
    const int reads = processLiveAndAlone(live, alone, &processBlock, [&] {
        const uint64_t frames = live.framesComputed();
        ok = ok && frames >= lastFrames;
        lastFrames = frames;
        live.copyMagnitudesDb(bins.data(), live.numBins());
        for (float db : bins)
            ok = ok && inRange(db, -300.0, 20.0);
    });
    EXPECT_GT(reads, 0);
    EXPECT_TRUE(ok);
    EXPECT_EQ(alone.framesComputed(), static_cast<uint64_t>(kBlock * kBlocks / 512));
    EXPECT_EQ(live.framesComputed(), alone.framesComputed());
    for (int k = 0; k < alone.numBins(); ++k)
        ASSERT_EQ(live.magnitudeDb(k), alone.magnitudeDb(k)) << k;
}
