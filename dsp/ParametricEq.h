#pragma once

#include "AudioBlock.h"
#include "Biquad.h"
#include "BiquadCoefficients.h"
#include "MidSide.h"

#include <array>

namespace lathe::dsp {

struct EqBand {
    bool enabled = false;
    FilterType type = FilterType::Bell;
    double frequencyHz = 1000.0;
    double q = 0.707;
    double gainDb = 0.0;
    // Stereo filters left and right alike; Mid or Side filters only that part of a stereo block (a band on
    // a block that is not stereo filters every channel, as Stereo).
    BandChannels channels = BandChannels::Stereo;
};

// Up to kMaxBands RBJ sections in series, run per sample in double so the cascade adds no float rounding
// between bands. Bands that are disabled, beyond numBands(), or bell/shelf bands at 0 dB are skipped
// entirely: a 0 dB RBJ bell is not numerically identity in TDF-II, and a flat EQ must be bit-transparent.
//
// setBand keeps the section's state when it was already running, so a moderate change while audio runs does
// not click or blow up; the engine should apply changes between blocks (never from another thread during
// process()). A band that starts running again after being skipped starts from cleared state.
//
// Mid/side bands: while every active band is Stereo, processing is exactly what it was before bands had a
// channel choice (same code, same bits). Once one is Mid or Side, a stereo block runs the whole cascade per
// frame in double, converting to mid/side and back around each M/S band, so the bands still run in their
// order with no float rounding between them.
class ParametricEq {
public:
    static constexpr int kMaxBands = 8;

    // Designs every band for the rate. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Clears the sections' states. RT safe.
    void reset();
    // In place. RT safe.
    void process(const AudioBlock& block);

    // Recomputes that band's coefficients; between blocks. index in [0, kMaxBands). RT safe.
    void setBand(int index, const EqBand& band);
    // RT safe.
    const EqBand& band(int index) const { return bands_[static_cast<std::size_t>(index)]; }

    // Active band count (bands at index >= n are kept but skipped); clamped to [0, kMaxBands]. Not a
    // structural size: room for kMaxBands is always there. RT safe.
    void setNumBands(int n);
    // RT safe.
    int numBands() const { return numBands_; }

    // Whether the band takes part in processing (enabled, within numBands(), and not a 0 dB bell/shelf).
    // RT safe.
    bool isBandActive(int index) const;

    // Analytic magnitude of the whole EQ (sum of the active bands' dB), for the UI curve. RT safe.
    double magnitudeDb(double frequencyHz) const;
    // The magnitude the mid (part = Mid) or side (part = Side) signal sees: the Stereo bands and that part's
    // own bands. part = Stereo gives magnitudeDb(frequencyHz). RT safe.
    double magnitudeDb(double frequencyHz, BandChannels part) const;

private:
    template <int N>
    void processStereo(float* left, float* right, int frames, int sections);
    void processMidSide(float* left, float* right, int frames);
    void updateBand(int index);
    void rebuildActiveList();

    double sampleRate_ = 48000.0;
    int numBands_ = kMaxBands;
    std::array<EqBand, kMaxBands> bands_{};
    std::array<Biquad, kMaxBands> sections_{};
    std::array<bool, kMaxBands> wasActive_{};
    // Indices of the active bands in processing order, so process() does not test every band per sample.
    std::array<int, kMaxBands> active_{};
    int numActive_ = 0;
    bool anyMidSideActive_ = false;
};

} // namespace lathe::dsp
