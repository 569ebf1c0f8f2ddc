#pragma once

#include "core/io/LoadedAudio.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

// Why the stems do not sum back to the printed mix, in the order a mastering engineer would look.
enum class NullCause {
    None,                // they null
    StemOffset,          // a stem is early or late against the mix
    PolarityFlip,        // a stem is upside down against the mix
    StemLength,          // a stem is shorter or longer than the mix
    MissingStem,         // something in the mix is in no stem (a stem left out, an unbounced return)
    MasterBusProcessing, // the mix has gain, compression, limiting or clipping the stems lack
    LossyStem,           // a stem went through a lossy codec: its band limit and coding noise cannot null
    StemGain,            // one or more stems sit at another level than in the mix (per-stem gains explain it)
    ClippedStem,         // a stem is clipped and the mix is not (set by validation, which reads the clipping)
};
const char* nullCauseName(NullCause cause); // "none", "stem_offset", "polarity", "stem_length", ...,
                                            // "lossy_stem", "stem_gain", "clipped_stem" (lossy_stem and
                                            // clipped_stem are set by validation, which reads
// the files' band limits and flat tops)

struct StemNull {
    std::string path;
    // Best lag of the stem against what the mix holds of it (the mix minus the other stems), by
    // cross-correlation: +37 means the stem file is 37 samples late.
    int lagSamples = 0;
    double correlation = 0;             // normalised, at that lag; near -1 for a polarity-flipped stem
    bool polarityInverted = false;      // correlation <= -0.5
    bool silent = false;                // nothing to correlate (the lag is then 0 by definition)
    int64_t lengthDifferenceFrames = 0; // stem frames - mix frames
    // The stem's least-squares gain in the mix (mix ~ sum g_i stem_i after alignment and polarity, both
    // channels together), dB: -4 means the mix holds the stem 4 dB quieter than the file. 0 for a silent
    // stem.
    double gainDb = 0;
    double gainLeftDb = 0, gainRightDb = 0; // the same fitted per channel (a pan change shows here)
};

struct NullTestResult {
    // Residual (mix - sum of the stems at unity gain) RMS relative to the mix RMS, both channels: -40 dB or
    // lower is a null. Stems shorter than the mix count as silence past their end.
    double residualDb = 0;
    // The same after moving each stem by its lag and flipping inverted ones: low means alignment or polarity
    // was the whole problem.
    double correctedResidualDb = 0;
    double fittedGainDb = 0;     // the single gain on the corrected sum that best matches the mix
    double fittedResidualDb = 0; // the residual at that gain
    double mixCrestDb = 0;       // peak - RMS of the mix
    double stemSumCrestDb = 0;   // peak - RMS of the corrected sum: a printed limiter makes the mix lower
    // The residual with each stem at its own least-squares gain: what no gains explain (a missing part, a
    // processed mix, a stem that is not the one mixed) is left here.
    double stemGainResidualDb = 0;
    // Limiting or clipping printed on the mix, read from the mix against the stems' fitted sum: per 20 ms
    // block, mix peak - sum peak in dB; the make-up is its median where the sum is 12-30 dB under its peak
    // (too quiet to be limited), and this is how far the deepest block within 6 dB of the peak falls under
    // it. 0 when the stems null.
    double printedGainReductionDb = 0;
    std::vector<StemNull> stems;
    NullCause cause = NullCause::None;
    std::string explanation; // a sentence a musician understands
};

constexpr double kNullPassDb = -40.0;
constexpr double kNullWarnDb = -20.0;
constexpr int kMaxNullLagSamples = 4800;
// A stem whose fitted gain is further than this from unity sits at another level in the mix.
constexpr double kStemGainToleranceDb = 0.5;

// Stems and mix must share one sample rate (throws Error otherwise: the validation reports that first).
NullTestResult runNullTest(const LoadedAudio& mix, const std::vector<LoadedAudio>& stems,
                           int maxLagSamples = kMaxNullLagSamples);

// Best lag of `signal` against `reference` (positive: signal is late) within +-maxLag, with the normalised
// correlation there. Uses FFTW over the loudest stretch of `signal` (at most about 11 s at 48 kHz).
struct LagEstimate {
    int lagSamples = 0;
    double correlation = 0;
};
LagEstimate estimateLag(const std::vector<float>& signal, const std::vector<float>& reference, int maxLag);

nlohmann::json toJson(const NullTestResult& result);

} // namespace lathe::core
