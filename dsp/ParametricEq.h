#pragma once

#include "AudioBlock.h"
#include "Biquad.h"
#include "BiquadCoefficients.h"
#include "MidSide.h"

#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

    // How many sections a stereo block runs through as one L/R cascade (StereoCascade): the active band
    // count when every active band is Stereo, else 0 (none active, or the mid/side path). RT safe.
    int stereoCascadeSections() const { return anyMidSideActive_ ? 0 : numActive_; }

#if defined(__SSE2__)
    // The stereo cascade of the active bands a frame at a time, L and R in the two lanes of an SSE2 register
    // and every state in a register (N sections, N == stereoCascadeSections()): for a loop that runs this
    // recursion beside another one so the two overlap (Compressor::processAfter). Same operations in the same
    // order as Biquad::processSample, so the same bits as process(). Takes the states on construction and
    // gives them back in finish(). RT safe.
    template <int N>
    class StereoCascade {
    public:
        explicit StereoCascade(ParametricEq& eq);
        // Filters frame i of left and right in place.
        void step(float* left, float* right, int i) {
            __m128d y = _mm_cvtps_pd(_mm_unpacklo_ps(_mm_load_ss(left + i), _mm_load_ss(right + i)));
            for (int a = 0; a < N; ++a) {
                const __m128d x = y;
                y = _mm_add_pd(_mm_mul_pd(b0_[a], x), s1_[a]);
                s1_[a] = _mm_add_pd(_mm_sub_pd(_mm_mul_pd(b1_[a], x), _mm_mul_pd(a1_[a], y)), s2_[a]);
                s2_[a] = _mm_sub_pd(_mm_mul_pd(b2_[a], x), _mm_mul_pd(a2_[a], y));
            }
            const __m128 out = _mm_cvtpd_ps(y);
            _mm_store_ss(left + i, out);
            _mm_store_ss(right + i, _mm_shuffle_ps(out, out, 1));
        }
        // Frames [from, to).
        void run(float* left, float* right, int from, int to) {
            for (int i = from; i < to; ++i)
                step(left, right, i);
        }
        // Stores the states back into the EQ's sections.
        void finish();

    private:
        ParametricEq& eq_;
        __m128d b0_[N], b1_[N], b2_[N], a1_[N], a2_[N];
        __m128d s1_[N], s2_[N];
    };
#endif

private:
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
