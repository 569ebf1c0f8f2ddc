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
};
const char* nullCauseName(NullCause cause); // "none", "stem_offset", "polarity", "stem_length", ...,
                                            // "lossy_stem" (set by validation, which detects lossy sources)

struct StemNull {
    std::string path;
    // Best lag of the stem against what the mix holds of it (the mix minus the other stems), by
    // cross-correlation: +37 means the stem file is 37 samples late.
    int lagSamples = 0;
    double correlation = 0;             // normalised, at that lag; near -1 for a polarity-flipped stem
    bool polarityInverted = false;      // correlation <= -0.5
    bool silent = false;                // nothing to correlate (the lag is then 0 by definition)
    int64_t lengthDifferenceFrames = 0; // stem frames - mix frames
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
    std::vector<StemNull> stems;
    NullCause cause = NullCause::None;
    std::string explanation; // a sentence a musician understands
};

constexpr double kNullPassDb = -40.0;
constexpr double kNullWarnDb = -20.0;
constexpr int kMaxNullLagSamples = 4800;

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
