#pragma once

#include <array>
#include <cstdint>

namespace lathe::core::render {

// A cheap forecast, from the pre-limiter signal, of how much loudness the limiter will cost at a drive: the
// loudness search uses it to decide whether the first pass should run the probe beside it (a second limiter,
// the cost of the first) or leave it to a second trip only when the first pass misses the target. The
// forecast only decides when the probe runs, never what it measures: the masters are the same bits either
// way.
//
// The signal is cut into 50 ms blocks (about the limiter's release) and each block's power is filed under its
// sample peak (0.25 dB bins, a fixed table: the memory does not grow with the song). At drive g every block
// whose peak, plus a margin for inter-sample peaks, lands above the ceiling is taken as attenuated by the
// whole overshoot for the whole block, which overstates the cost of isolated peaks: a forecast that errs
// towards probing early, which costs CPU time, not towards a missed pass, which costs wall time.
class LimitingCostEstimate {
public:
    explicit LimitingCostEstimate(int sampleRate);

    // Feeds consecutive frames of the pre-limiter signal. Not RT safe (not meant for the audio thread).
    void add(const float* left, const float* right, int frames);
    // The forecast loudness cost (LU, >= 0) of limiting at `ceilingDbtp` after `gainDb` of drive.
    double costLu(double gainDb, double ceilingDbtp) const;

    // The margin added to each block's sample peak for the true peak between samples.
    static constexpr double kInterSampleMarginDb = 0.5;

private:
    void closeBlock();

    static constexpr int kBins = 720; // 0.25 dB bins from -150 dBFS to +30 dBFS
    static constexpr double kBinsPerDb = 4.0;
    static constexpr double kLowestDb = -150.0;

    int blockFrames_;
    int inBlock_ = 0;
    float blockPeak_ = 0.0f;
    double blockPower_ = 0.0;
    std::array<double, kBins> powerByPeak_{};
};

} // namespace lathe::core::render
