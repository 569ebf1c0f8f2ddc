#pragma once

#include "AudioBlock.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace lathe::dsp {

// Real FFT magnitude spectrum (FFTW, single precision) for the analyser display.
//
// - Input: the average of all channels (a mono fold-down, so a signal on one side only reads 6 dB lower: what
// the
//   display shows is what survives a mono sum).
// - Frames of size() samples (power of two, 4096 by default), periodic Hann window, hop size()/2 (50 %
// overlap).
//   A frame is computed inside process() whenever a hop completes; framesComputed() counts them.
// - Calibration: single-sided amplitude spectrum corrected for the Hann coherent gain (0.5), so a full-scale
// sine
//   centred on a bin reads 0.0 dBFS there. Off-bin sines read up to 1.42 dB low (Hann scalloping loss); noise
//   reads per bin, i.e. its density times the bin width times the Hann ENBW (1.5 bins).
// - Averaging: exponential over frames on power, avg = a * avg + (1 - a) * new, setAveraging(a) with a in [0,
// 1).
//   The first frame after reset() is taken as is.
//
// FFTW planning is not thread-safe, so plans are made and destroyed under a process-wide mutex, and only in
// prepare() / the destructor; process() only executes the plan.
class SpectrumAnalyzer {
public:
    SpectrumAnalyzer();
    ~SpectrumAnalyzer();
    SpectrumAnalyzer(SpectrumAnalyzer&&) noexcept;
    SpectrumAnalyzer& operator=(SpectrumAnalyzer&&) noexcept;

    // Power of two from 32 to 65536; takes effect at the next prepare().
    void setSize(int fftSize);
    int size() const { return size_; }
    void setAveraging(double amount);
    double averaging() const { return averaging_; }

    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    void reset();
    // Reads the audio, never modifies it.
    void process(const AudioBlock& block);

    // Bins of the prepared size (of size() before the first prepare).
    int numBins() const { return activeSize() / 2 + 1; }
    double binFrequency(int bin) const { return bin * sampleRate_ / activeSize(); }
    const float* magnitudesDb() const { return magnitudesDb_.data(); }
    uint64_t framesComputed() const { return framesComputed_; }

private:
    struct Fft; // FFTW plan and buffers

    void computeFrame();
    int activeSize() const { return preparedSize_ > 0 ? preparedSize_ : size_; }

    std::unique_ptr<Fft> fft_;
    double sampleRate_ = 48000.0;
    int size_ = 4096;
    int preparedSize_ = 0;
    double averaging_ = 0.0;
    std::vector<float> history_; // circular, the last size_ input samples
    std::vector<float> window_;
    std::vector<double> averagePower_;
    std::vector<float> magnitudesDb_;
    int writeIndex_ = 0;
    int samplesUntilFrame_ = 0;
    uint64_t framesComputed_ = 0;
};

} // namespace lathe::dsp
