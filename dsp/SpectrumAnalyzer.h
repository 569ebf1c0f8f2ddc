#pragma once

#include "AudioBlock.h"
#include "MeterValue.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace lathe::dsp {

// Real FFT magnitude spectrum (FFTW, single precision) for the analyser display.
//
// clang-format off
// - Input: the average of all channels (a mono fold-down, so a signal on one side only reads 6 dB lower: what
//   the display shows is what survives a mono sum).
// - Frames of size() samples (a power of two from 32 to 65536, fixed by prepare(), 4096 by default), periodic
//   Hann window, hop size()/2 (50 % overlap). A frame is computed inside process() whenever a hop completes;
//   framesComputed() counts them.
// - Calibration: single-sided amplitude spectrum corrected for the Hann coherent gain (0.5), so a full-scale
//   sine centred on a bin reads 0.0 dBFS there. Off-bin sines read up to 1.42 dB low (Hann scalloping loss);
//   noise reads per bin, i.e. its density times the bin width times the Hann ENBW (1.5 bins).
// - Averaging: exponential over frames on power, avg = a * avg + (1 - a) * new, setAveraging(a) with a in
//   [0, 1). The first frame after reset() is taken as is.
// clang-format on
//
// FFTW planning is not thread-safe, so plans are made and destroyed under a process-wide mutex, and only in
// prepare() / the destructor; process() only executes the plan.
class SpectrumAnalyzer {
public:
    static constexpr int kDefaultSize = 4096;

    // Destruction and move assignment free the FFTW plan (under fftwPlannerMutex): not RT safe.
    SpectrumAnalyzer();
    ~SpectrumAnalyzer();
    SpectrumAnalyzer(SpectrumAnalyzer&&) noexcept;
    SpectrumAnalyzer& operator=(SpectrumAnalyzer&&) noexcept;

    // Allocates and plans the FFT of fftSize samples (a power of two from 32 to 65536; a new plan only when
    // the size changes). Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int fftSize = kDefaultSize);
    // Clears the history, the average and the readings. RT safe.
    void reset();
    // Reads the audio, never modifies it. RT safe (executes the plan).
    void process(const AudioBlock& block);

    // Clamped to [0, 0.999]; applies from the next frame. RT safe.
    void setAveraging(double amount);
    double averaging() const { return averaging_; }

    // The prepared FFT size, its bins and their centre frequencies. RT safe; any thread.
    int size() const { return size_; }
    int numBins() const { return size_ / 2 + 1; }
    double binFrequency(int bin) const { return bin * sampleRate_ / size_; }

    // Readings, readable from any thread (relaxed atomics, published once per frame): the level of bin
    // `bin` < numBins() in dB, and the frames computed since reset(). A reader on another thread copying
    // the bins may mix two consecutive frames, which no display can tell apart. RT safe.
    float magnitudeDb(int bin) const {
        return static_cast<float>(magnitudesDb_[static_cast<std::size_t>(bin)].load());
    }
    // Copies the first `count` (<= numBins()) bins into out. RT safe; any thread.
    void copyMagnitudesDb(float* out, int count) const;
    uint64_t framesComputed() const { return static_cast<uint64_t>(framesComputedMeter_.load()); }

private:
    struct Fft; // FFTW plan and buffers

    void computeFrame();

    std::unique_ptr<Fft> fft_;
    double sampleRate_ = 48000.0;
    int size_ = kDefaultSize;
    double averaging_ = 0.0;
    std::vector<float> history_; // circular, the last size_ input samples
    std::vector<float> window_;
    std::vector<double> averagePower_;
    std::vector<MeterValue> magnitudesDb_; // each holds a float's value
    int writeIndex_ = 0;
    int samplesUntilFrame_ = 0;
    uint64_t framesComputed_ = 0;
    MeterValue framesComputedMeter_; // framesComputed_ for other threads (exact: a double counts to 2^53)
};

} // namespace lathe::dsp
