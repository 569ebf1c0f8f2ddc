#pragma once

#include "MeterValue.h"

#include <array>

namespace lathe::dsp {

// How much of a signal's energy lies below the audible band: DC and rumble under about 12 Hz, where a file
// can hold a lot of level that no one hears (a DC-only bounce, a sub-sonic oscillator left running).
//
// The signal is averaged over blocks of about 1.3 ms (a boxcar whose first null falls at 750 Hz) and the
// block means run through a 4th-order Butterworth low-pass at 20 Hz at that reduced rate: the energy left is
// the sub-audible part (a 10 Hz tone is counted whole, 20 Hz half, 30 Hz 4 %, 40 Hz 0.4 %). It costs an
// addition and a multiply-add per sample (well under 1 % of a render's time), so a render measures every
// source on the way; it never changes what it measures.
class SubAudibleMeter {
public:
    static constexpr int kMaxChannels = 2;

    // Designs the filter (allocates nothing). Not RT safe.
    void prepare(double sampleRate, int channels);
    // Forgets the audio. RT safe.
    void reset();
    // RT safe. channels[c][i] for c < the prepared channel count.
    void process(const float* const* channels, int frames);

    // Meters, readable from any thread (relaxed atomics, updated at the end of every process()). RT safe.
    // Mean square of everything processed (all channels), dBFS (a full-scale DC reads 0); -200 for silence.
    double levelDb() const { return levelDb_.load(); }
    // Share of the energy above the sub-audible band, dB (0: none of it is sub-audible; -20: 99 % of it is).
    // 0 for silence.
    double audibleShareDb() const { return audibleShareDb_.load(); }

private:
    void publish();

    struct Section {
        double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
    };
    std::array<Section, 2> lowPass_{};
    std::array<std::array<std::array<double, 2>, 2>, kMaxChannels> state_{}; // [channel][section][s1/s2]
    std::array<double, kMaxChannels> blockSum_{};
    int channels_ = 1;
    int blockFrames_ = 64;
    int framesInBlock_ = 0;
    bool started_ = false; // a block has been filtered since reset()
    // Sums of squares over all channels: of the whole blocks, and of the block under way (the share compares
    // whole blocks only, so a file's last few samples cannot read as audible).
    double energy_ = 0, blockEnergy_ = 0;
    double subAudibleEnergy_ = 0; // sum of squares of the low-passed block means, times the block length
    long long samples_ = 0;
    MeterValue levelDb_{-200.0};
    MeterValue audibleShareDb_{0.0};
};

} // namespace lathe::dsp
