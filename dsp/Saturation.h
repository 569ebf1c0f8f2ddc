#pragma once

#include "AudioBlock.h"
#include "Biquad.h"
#include "Oversampler.h"
#include "SmoothedValue.h"

#include <array>
#include <vector>

namespace lathe::dsp {

enum class SaturationMode {
    SoftClip, // tanh: symmetric, odd harmonics only, ceiling 1 / drive
    Tape      // biased tanh: asymmetric, so a gentle 2nd harmonic joins the odd ones; compresses softly
};

// The two static curves, normalised to unit slope at the origin so small signals pass at unity gain whatever
// the drive. Free functions so the shapes can be tested without the oversampling around them.
double softClipCurve(double x, double driveGain);
double tapeCurve(double x, double driveGain);

// A waveshaping saturator run at 1x-8x oversampling (default 4x) so its harmonics above the audio band are
// removed instead of folding back as inharmonic aliases. Drive sets how hard the curve is hit and the output
// is scaled back by the same amount (small signals keep unity gain); mix blends with the dry signal, which is
// delayed by the oversampler's latency so the two line up sample for sample.
//
// Soft clip output never exceeds 1.0: the curve's ceiling is 1 / drive (drive is limited to >= 0 dB), but
// band-limiting a deeply clipped wave overshoots its ceiling (a square wave's fundamental alone is 4/pi of
// its peak), so a final clamp at +-1 enforces the bound; it only acts at low drive with input well above full
// scale. Tape mode produces DC on loud signals (the curve is asymmetric); a 5 Hz high-pass removes it from
// the wet path.
class Saturation {
public:
    static constexpr double kMinDriveDb = 0.0;
    static constexpr double kMaxDriveDb = 36.0;
    static constexpr int kDefaultOversampling = 4;

    // Allocates the oversampler and the dry path. oversampling: 1, 2, 4 or 8 (other values round up to the
    // next of these, at most 8); it fixes the latency, so it is chosen here and nowhere else. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels,
                 int oversampling = kDefaultOversampling);
    // Clears the filters and the dry delay; drive and mix jump to their targets. RT safe.
    void reset();
    // In place, at most maxBlockFrames frames and numChannels channels. RT safe.
    void process(const AudioBlock& block);

    // RT safe; from the next processed sample.
    void setMode(SaturationMode mode) { mode_ = mode; }
    // Clamped to [kMinDriveDb, kMaxDriveDb], ramped over 20 ms. RT safe.
    void setDriveDb(double driveDb);
    // 0 = dry (delayed), 1 = wet; clamped, ramped over 20 ms. RT safe.
    void setMix(double mix);

    // Settings and the prepared oversampling and latency. RT safe.
    SaturationMode mode() const { return mode_; }
    double driveDb() const { return driveDb_; }
    double mix() const { return mix_; }
    int oversampling() const { return oversampler_.factor(); }
    int latencyFrames() const { return oversampler_.latencyFrames(); }

private:
    double sampleRate_ = 48000.0;
    SaturationMode mode_ = SaturationMode::SoftClip;
    double driveDb_ = 0.0;
    double mix_ = 1.0;

    Oversampler oversampler_;
    SmoothedValue drive_;
    SmoothedValue mixGain_;
    std::array<Biquad, AudioBlock::kMaxChannels> dcBlock_;

    // Per-block, per base-rate frame values of the ramps, so every channel sees the same ramp.
    std::vector<double> driveRamp_;
    std::vector<double> mixRamp_;
    // Per base-rate frame, in float for the curves: drive gain and the output scale that undoes it.
    std::vector<float> driveGain_;
    std::vector<float> driveScale_;
    // Dry path: latency-frame ring per channel, and the delayed dry block.
    std::vector<std::vector<float>> dryDelay_;
    std::vector<std::vector<float>> dry_;
    int dryIndex_ = 0;
};

} // namespace lathe::dsp
