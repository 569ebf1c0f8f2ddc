#pragma once

#include "AudioBlock.h"
#include "IntegratedLoudness.h"
#include "MatchAnalysis.h"
#include "TruePeakMeter.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace lathe::dsp {

// Offline analysis of one stereo file for matching (issue 18), streamed block by block: memory does not grow
// with the file's length beyond IntegratedLoudness's one double per 100 ms (144 kB for 30 minutes), so a
// long file needs no more than a short one.
//
// clang-format off
// - Spectrum: mid and side, Hann-windowed FFTs of fftSizeFor(rate) samples (16384 at 44.1/48 kHz: 2.9 Hz
//   bins, enough to see the 1/6-octave detail at 40 Hz), hop a quarter of that. 75 % overlap because the
//   squared Hann windows then sum to a constant: every sample counts equally in the average power.
// - Gate: the file is cut into consecutive 3 s windows (EBU Tech 3341's short-term length), each with its
//   BS.1770 loudness; a frame belongs to the window holding its centre. Only windows within gateLu (15 LU by
//   default) of the loudest count, and never below -70 LUFS. 15 LU keeps a song's verses and choruses
//   (typically 3-8 LU apart) and drops intros, breakdowns, fades and silence, whose spectra are not what the
//   engineer means by "the sound of the reference". In one pass the loudest window is not known until the
//   end, so window spectra are summed into 0.5 LU loudness buckets and only the buckets that can still pass
//   are kept (a ring of gateLu / 0.5 + 3): the gate is resolved to +-0.25 LU.
// - Smoothing: 1/6 octave up to 10 kHz, widening in log frequency to 1/3 octave at 20 kHz (above 10 kHz a
//   master's spectrum is dominated by cymbals and air whose fine structure is noise for matching), a mean of
//   the power density over the band (the bins linearly interpolated, so a band narrower than a bin at low
//   frequencies reads a smooth curve, not steps), sampled on a 1/48-octave grid from 10 Hz to 24 kHz.
// - Meters: integrated loudness (IntegratedLoudness), 8x true peak (TruePeakMeter), sample peak, the loud
//   passages' RMS and crest factor, PLR; width per band from the unsmoothed spectra (kWidthBandEdgesHz).
// clang-format on
//
// A one-channel block is the same signal on both sides (mid = x, side = 0). Nothing here is for the audio
// thread: prepare() and finish() allocate, and so may process() (IntegratedLoudness's segment list).
class MatchAnalyzer {
public:
    struct Settings {
        double gateLu = 15.0;
        double gateWindowSeconds = 3.0; // rounded to the 100 ms loudness grid
    };

    // Width bands: below 80 Hz is the mono-bass region, then roughly octaves, the top split at 16 kHz.
    static constexpr double kWidthBandEdgesHz[] = {20.0,   80.0,   160.0,   315.0,   630.0,  1250.0,
                                                   2500.0, 5000.0, 10000.0, 16000.0, 20000.0};
    static constexpr double kGridLowHz = 10.0;
    static constexpr double kGridHighHz = 24000.0;
    static constexpr int kGridPointsPerOctave = 48;

    // 16384 at 44.1/48 kHz, doubled per doubling of the rate, so the bins keep their width in Hz. RT safe.
    static int fftSizeFor(double sampleRate);
    // The grid every MatchAnalysis is sampled on (the same for every rate, so analyses compare directly).
    // Not RT safe (allocates).
    static std::vector<double> frequencyGrid();

    // Destruction and move assignment free the FFTW plan (under fftwPlannerMutex): not RT safe.
    MatchAnalyzer();
    ~MatchAnalyzer();
    MatchAnalyzer(MatchAnalyzer&&) noexcept;
    MatchAnalyzer& operator=(MatchAnalyzer&&) noexcept;

    // Allocates the FFT (planned under fftwPlannerMutex) and every buffer. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, const Settings& settings);
    void prepare(double sampleRate, int maxBlockFrames) { prepare(sampleRate, maxBlockFrames, Settings{}); }
    // Forgets everything processed, keeps the plan. Not RT safe.
    void reset();
    // One or two channels, any block size; reads only. Not RT safe (see the class comment).
    void process(const AudioBlock& block);
    void process(const float* left, const float* right, int frames);
    // Closes the last window and returns the analysis; reset() before analysing another file. Not RT safe.
    MatchAnalysis finish();

private:
    struct Fft;
    struct Bucket;

    void computeFrame();
    void closeWindow();
    void addToBucket(double lufs);
    void smoothOntoGrid(const std::vector<double>& binPower, std::vector<double>& gridPower);

    Settings settings_;
    double sampleRate_ = 48000.0;
    int fftSize_ = 16384;
    int hop_ = 4096;
    int windowSegments_ = 30;
    int64_t windowFrames_ = 144000;

    std::unique_ptr<Fft> fft_;
    std::vector<float> window_;
    double windowEnergy_ = 1.0;                   // sum of the squared window
    std::vector<float> midHistory_, sideHistory_; // circular, the last fftSize_ samples
    int writeIndex_ = 0;
    int samplesUntilFrame_ = 0;
    int64_t framesProcessed_ = 0;
    int64_t spectralFrames_ = 0; // FFT frames computed

    // The 3 s window whose frames are being summed.
    int64_t openWindow_ = -1;
    int64_t openWindowFrames_ = 0;
    std::vector<double> windowMid_, windowSide_; // sums of |X|^2 per bin

    // Projection of one window onto the grid and the width bands (scratch, sized in prepare()).
    std::vector<double> grid_;
    std::vector<double> gridLowBin_, gridHighBin_; // smoothing band per grid point, in bins
    std::vector<double> prefix_;
    std::vector<double> gridMid_, gridSide_;

    std::vector<Bucket> buckets_;
    int64_t topBucket_ = 0;
    bool anyWindow_ = false;
    double loudestWindowLufs_ = kSilenceDb;

    IntegratedLoudness loudness_;
    TruePeakMeter truePeak_;
    float samplePeak_ = 0.0f;
};

} // namespace lathe::dsp
