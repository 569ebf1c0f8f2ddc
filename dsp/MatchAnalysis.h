#pragma once

#include "Decibels.h"

#include <vector>

namespace lathe::dsp {

// Stereo width of one band of the loud passages: the energy of the side against the mid.
struct MatchWidthBand {
    double lowHz = 0.0;
    double highHz = 0.0;
    double midDbfs = kSilenceDb;  // mean square of the mid in the band (a band-limited level in dBFS)
    double sideDbfs = kSilenceDb; // the same for the side
    // sideDbfs - midDbfs: 0 dB for side as strong as mid (one channel only, or uncorrelated L/R), very
    // negative for mono.
    double sideToMidDb = kSilenceDb;
};

// What matching needs to know about one stereo file: the result of MatchAnalyzer, a plain value (numbers and
// vectors of numbers only) so the integration can cache it per file content hash and serialise it as is.
// Mid = (L + R) / 2, side = (L - R) / 2.
struct MatchAnalysis {
    // Bumped whenever a field's meaning or the grid changes, so a cache written by an older build is
    // recomputed rather than compared against a new one.
    static constexpr int kCurrentFormat = 1;
    int format = kCurrentFormat;

    double sampleRate = 0.0;
    int fftSize = 0;
    double durationSeconds = 0.0;
    // The passages that passed the gate (the 3 s windows within gateLu of the loudest), in seconds.
    double loudSeconds = 0.0;
    double gateLu = 0.0;
    double loudestWindowLufs = kSilenceDb; // the loudest 3 s window (short-term loudness on a 3 s grid)

    double integratedLufs = kSilenceDb; // BS.1770-4, whole file
    double truePeakDbtp = kSilenceDb;   // 8x oversampled
    double samplePeakDbfs = kSilenceDb;
    // RMS of the loud passages over both channels (full-scale sine: -3.01 dBFS; no AES17 +3 dB), and the
    // crest factor sample peak - loudRmsDbfs (full-scale sine: 3.01 dB).
    double loudRmsDbfs = kSilenceDb;
    double crestFactorDb = 0.0;
    // Peak to loudness ratio: truePeakDbtp - integratedLufs (as `analyze` reports it).
    double plrDb = 0.0;

    // The average power spectral density of the loud passages' mid and side in dBFS/Hz, single-sided (a
    // white mid of mean square v at rate fs reads 10 log10(2 v / fs); pink noise falls 3.01 dB per octave),
    // smoothed in fractional octaves (1/6 octave up to 10 kHz, widening to 1/3 octave at 20 kHz) and sampled
    // on frequencyHz. kSilenceDb at or above Nyquist, and where there was no loud audio.
    std::vector<double> frequencyHz;
    std::vector<double> midDb;
    std::vector<double> sideDb;

    std::vector<MatchWidthBand> widthBands;

    // Whether any audio passed the gate (a silent or empty file has none, and matching it does nothing).
    // RT safe.
    bool hasLoudAudio() const { return loudSeconds > 0.0; }
};

} // namespace lathe::dsp
