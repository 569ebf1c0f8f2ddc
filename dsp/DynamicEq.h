#pragma once

#include "AudioBlock.h"
#include "BiquadCoefficients.h"
#include "MeterValue.h"
#include "MidSide.h"
#include "PeakHold.h"
#include "StateVariableFilter.h"

#include <array>
#include <complex>
#include <vector>

namespace lathe::dsp {

enum class DynamicEqMode {
    CutAbove,  // the band cuts as its level rises above the threshold (de-esser, the 808 note that jumps out)
    BoostBelow // the band boosts as its level falls below the threshold (a presence band that fades)
};

struct DynamicEqBand {
    bool enabled = false;
    FilterType type = FilterType::Bell; // Bell, LowShelf or HighShelf; any other type acts as Bell
    double frequencyHz = 1000.0;        // a bell's centre, a shelf's corner
    double q = 1.0;                     // a bell's bandwidth (shelves are first order and have none)
    double thresholdDb = -24.0; // dBFS peak of the band's detector signal where the band starts acting
    double ratio = 2.0;         // >= 1: past the threshold the gain moves (1 - 1/ratio) dB per dB
    double attackMs = 5.0;      // time constant of the gain falling (the band answering a rising level)
    double releaseMs = 120.0;   // time constant of the gain rising
    double rangeDb = 6.0;       // most cut (CutAbove) or boost (BoostBelow), dB >= 0
    DynamicEqMode mode = DynamicEqMode::CutAbove;
    BandChannels channels = BandChannels::Stereo;
    bool listen = false; // output the band's detector signal instead of the audio (solo what it hears)
    bool keyed = false;  // the detector hears the key input (another stem) instead of the processed signal
};

// The static curve: the gain (dB) a band settles at for a steady detector level. Cut above: -min(range,
// (1 - 1/ratio) (level - threshold)) above the threshold, 0 below; boost below: +min(range, (1 - 1/ratio)
// (threshold - level)) below it, 0 above. Hard knee.
double dynamicEqGainDb(const DynamicEqBand& band, double levelDb);

// The band's response at a fixed gain: 1 + (G - 1) F(f), G = 10^(gainDb / 20), F the band's filter
// (band-pass or first-order low- / high-pass). For a bell this is the cookbook bell makeBell(fs, f, q / A,
// gainDb), A = 10^(gainDb / 40).
std::complex<double> dynamicEqBandResponse(const DynamicEqBand& band, double sampleRate, double gainDb,
                                           double frequency);

// Dynamic EQ: N bands (N fixed by prepare), each a bell or shelf whose gain follows the level of what the
// band hears. Each band is built in parallel form: its filter F (a TPT band-pass at the bell's frequency and
// Q, or a first-order TPT low- or high-pass at a shelf's corner) takes the band's part of the signal out,
// and the output is x + (G - 1) F(x) with G the band's gain. Per band and sample:
// clang-format off
//   detector  - F(x) itself, or for a keyed band the key (another stem) through a copy of F: its peak level,
//               linked across the stereo pair (the loudest channel) and held over one period of the band's
//               frequency (at most kMaxHoldSeconds), in dB; an M/S band hears its part. The hold makes a
//               steady note read as its peak on every frame: no ripple at twice its frequency for the gain
//               to follow, so a bass note is not distorted by the band riding each of its cycles (measured on
//               a -4 dBFS 73 Hz note in a 70 Hz band, 10:1 above -10 dBFS, 10 ms attack, 100 ms release:
//               without the hold the gain swung 0.14 dB every half cycle and sat 1.0 dB short of the
//               curve, at -4.4 instead of -5.4 dB; with it, constant at -5.38 dB);
//   gain      - the static curve (dynamicEqGainDb), then one-pole smoothing in dB with the attack coefficient
//               while the gain falls and the release coefficient while it rises (as Compressor: the times
//               are exact time constants of the gain, whatever the ratio);
//   output    - x + (G - 1) F(x), G = 10^(gain / 20).
// clang-format on
// Bands run in series in band order, in double; a band hears (and shapes) the previous bands' output, as a
// chain of single-band processors would. Each band runs over a chunk at a time in passes (filters and
// detector, levels to the curve, smoothing, gains, mix), so the logarithms and exponentials of many frames
// run side by side, and a band whose level stays on the flat side of its curve while it is at rest skips
// all but its filters. Every frame goes through the same arithmetic wherever the chunk boundaries fall.
//
// Why the parallel form (the filter never changes, the gain only scales its output) rather than a bell or
// shelf whose coefficients follow the gain: its output is exactly the static response at the gain of that
// sample, with no filter memory of earlier gains, so a fast gain ride does exactly what the curve says.
// Measured on a -6 dBFS tone at the band's centre under a 24 dB cut switching every 20 ms (0.1 ms attack,
// 5 ms release), the output against G(n) x(n): parallel form below -230 dB (rounding); the cookbook bell
// moving its poles every sample, as a TPT SVF, up to +4.0 dB re the tone at 60 Hz Q 0.7 (a peak 3.6 dB above
// the input: a cut that makes the signal louder), and as a TDF-II biquad recomputed every sample -3.7 dB (the
// gain lagging); with 1 ms attack at 60 Hz Q 4 still -1.7 / -5.9 dB. Per-sample update rather than per
// sub-block: a TDF-II bell recomputed every 16 frames under a +-6 dB gain ride at 375 Hz puts images of the
// 1 kHz tone above 6 kHz at -47 dB (-71 dB with coefficients interpolated per frame); per sample, nothing
// above the -250 dB rounding floor. (DynamicEqTest.ParallelBandFollowsItsGainExactly reproduces the
// switching figures.) The bell's shape is then the cookbook bell with Q / A (narrower as it cuts, wider as it
// boosts, like a proportional-Q analog EQ); shelves are first order because a parallel second-order shelf
// bulges past its corner (measured: +0.97 dB at 6 dB of cut, Q 0.707), a first-order one never leaves [min(1,
// G), max(1, G)]. The cost is one filter per channel and band (two when keyed), and an exp per band and
// sample while the gain moves; no division.
//
// At 0 dB of gain a band adds (1 - 1) F(x) = 0: a band that is not acting is bit-transparent, and so is
// the unit; an M/S band that is not acting leaves the frame alone rather than rebuilding it from mid and
// side.
//
// Blocks of 1 or 2 channels: on a mono block Stereo and Mid bands act on the channel and Side bands do
// nothing (a mono signal has no side).
class DynamicEq {
public:
    // Longest peak hold (the period of 20 Hz): bands below hold for this long.
    static constexpr double kMaxHoldSeconds = 0.05;

    // Allocates: numBands bands (all disabled), scratch for maxBlockFrames (process() takes any length, in
    // chunks). numChannels <= 2. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int numBands);
    // Clears filter states, gains and meters. RT safe.
    void reset();

    // RT safe; takes effect from the next processed sample. index < numBands().
    void setBand(int index, const DynamicEqBand& band);
    // The settings and the band count fixed by prepare(). RT safe.
    const DynamicEqBand& band(int index) const { return bands_[static_cast<std::size_t>(index)].settings; }
    int numBands() const { return static_cast<int>(bands_.size()); }

    // RT safe. Keyed bands hear `block` itself here.
    void process(const AudioBlock& block);
    // RT safe. Keyed bands hear `key` (same frames or more; 1 or 2 channels, a mono key is its own
    // mid and has no side); the others hear their own input. key may alias block (it is read before the
    // frame is written).
    void process(const AudioBlock& block, const AudioBlock& key);

    // Meters, readable from any thread (relaxed atomics, updated once per block): the band's gain at the
    // end of the last block (dB, negative = cut), and its deepest cut and highest boost (dB >= 0) since
    // resetMeters(). RT safe.
    double bandGainDb(int index) const { return bands_[static_cast<std::size_t>(index)].meterGainDb.load(); }
    double bandMaxCutDb(int index) const { return bands_[static_cast<std::size_t>(index)].maxCutDb.load(); }
    double bandMaxBoostDb(int index) const {
        return bands_[static_cast<std::size_t>(index)].maxBoostDb.load();
    }
    // Restarts the deepest cut and highest boost; bandGainDb() reads the gain as it is now. RT safe.
    void resetMeters();

private:
    // The band's filter F: a band-pass SVF, or a first-order TPT low- or high-pass.
    struct BandFilter {
        FilterType shape = FilterType::Bell;
        SvfCoefficients bandPass;
        double onePoleGain = 0.0; // g / (1 + g)
        double process(SvfState& s, double x) const {
            if (shape == FilterType::Bell) return svfProcess(bandPass, s, x);
            const double v = (x - s.ic1) * onePoleGain;
            const double low = v + s.ic1;
            s.ic1 = low + v;
            return shape == FilterType::LowShelf ? low : x - low;
        }
    };

    struct Band {
        DynamicEqBand settings;
        // Derived in setBand.
        BandFilter filter;
        double slope = 0.0; // 1 - 1 / ratio
        double range = 0.0; // rangeDb, >= 0
        double thresholdLinear = 0.0;
        double attackCoeff = 0.0, releaseCoeff = 0.0;
        // State.
        std::array<SvfState, 2> filterState{}; // F on the audio (left / right, or the M/S part in [0])
        std::array<SvfState, 2> keyState{};    // F on the key, for a keyed band
        PeakHold hold;                         // the detector level's maximum over the band's period
        double gainDb = 0.0;                   // smoothed
        double lowest = 0.0, highest = 0.0;    // of gainDb over the current block, for the meters
        MeterValue meterGainDb, maxCutDb, maxBoostDb;
    };

    void processChunk(const AudioBlock& block, const AudioBlock& key);
    // One band over the chunk held in work_, in place.
    void processBand(Band& band, const AudioBlock& key, int frames, bool stereo, bool listening);
    // The detector level per frame (held) -> the band's G - 1 per frame, into work_.gainMinusOne. Returns
    // false (and leaves the band's gain at 0 dB) when the band stays at rest over the chunk: it adds nothing.
    bool gains(Band& band, int frames);

    // Scratch for a chunk, [frame]: the signal in double between bands, a band's input part, its filter's
    // output, its detector level, gain and G - 1; and the sum of the listening bands' detector signals.
    struct Work {
        std::array<std::vector<double>, 2> signal, band, listen;
        std::vector<double> part, level, gainDb, gainMinusOne;
    };

    std::vector<Band> bands_;
    int maxBlockFrames_ = 0;
    int maxHoldFrames_ = 1;
    double sampleRate_ = 48000.0;
    Work work_;
};

} // namespace lathe::dsp
