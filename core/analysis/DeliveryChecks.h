#pragma once

#include "core/analysis/Finding.h"
#include "core/analysis/NullTest.h"
#include "core/io/ClientFolder.h"
#include "core/io/LoadedAudio.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

enum class CheckStatus { Pass, Warn, Fail };
const char* checkStatusName(CheckStatus status); // "pass", "warn", "fail"

// One line of a delivery check, as an engineer and a musician both read it.
struct ValidationCheck {
    std::string name; // stable key: "sample_rate", "length", "alignment", "null", ...
    CheckStatus status = CheckStatus::Pass;
    std::string figure;             // the measurement, short: "44100 vs 48000 Hz", "-6.3 dB", "37 samples"
    std::optional<double> value;    // the same figure as a number where there is one
    std::string message;            // a sentence a musician understands
    std::vector<std::string> files; // the files concerned
};

// Facts about one file that the checks (and the advisor) use.
struct AudioFacts {
    std::string path;
    double peakDbfs = -200;
    double rmsDb = -200;
    double crestDb = 0;              // peak - RMS
    double dcOffsetDb = -200;        // |mean| of the worse channel, dBFS
    int64_t clippedSamples = 0;      // samples in flat-topped runs (>= 3 equal samples at the file's peak)
    double correlation = 1;          // left/right, 1 for mono
    double monoFoldLossDb = 0;       // level lost when L and R are summed to mono, dB (>= 0)
    double bandLimitHz = 0;          // a steep cut below 20 kHz, as MP3 encoders leave; 0 = none found
    double subAudibleLevelDb = -200; // dsp::SubAudibleMeter: mean square, dBFS...
    double audibleShareDb = 0;       // ...and how far what is above the sub-audible band lies below it, dB
    // Peaks that reach within 0.1 dB of the file's own peak (runs of such samples less than 1 ms apart
    // count once), per minute: a few on an open mix, hundreds where a limiter or clipper held a ceiling.
    double nearPeakPerMinute = 0;
};
AudioFacts measureFacts(const LoadedAudio& audio); // AudioFacts.cpp

// The frequency of a steep spectral cut (>= 25 dB within about 1 kHz, with real content below it) between
// 11 kHz and min(20.5 kHz, 0.45 fs), or 0. An MP3 at 128 kbps cuts near 16-17 kHz, at 320 kbps near 20 kHz.
double detectBandLimitHz(const std::vector<float>& mono, double sampleRate);

struct ValidationReport {
    std::string folder;
    std::vector<ValidationCheck> checks;
    std::optional<NullTestResult> nullTest; // when a mix is there and the rates match
    std::vector<AudioFacts> stemFacts;      // in scan order
    std::optional<AudioFacts> mixFacts;
    // What is wrong with the delivery, file by file, each with its figure, confidence and fix
    // (DeliveryFindings): the checks above say pass/warn/fail, these say what to re-export and how.
    std::vector<Finding> findings;
    bool failed() const;
    const ValidationCheck* find(const std::string& name) const;
};

// Printed limiting on the mix, read from the stems (NullTestResult::printedGainReductionDb), is a finding
// from this many dB.
constexpr double kPrintedLimitingDb = 1.5;
// 30 samples in flat-topped runs is more than chance on a synthetic or real peak, less than a clipped take.
constexpr int64_t kClippedSamplesFinding = 30;
// A mix whose peaks reach within 0.1 dB of its ceiling this often a minute had a limiter or clipper on it.
constexpr double kNearPeakPerMinuteLimited = 120.0;

// Runs every delivery check on a scanned folder. Loads each file once (stems and mix are held together for
// the null test). Throws Error only if a file that the scan accepted cannot be read.
ValidationReport validateFolder(const FolderScan& scan);

nlohmann::json toJson(const ValidationReport& report);

} // namespace lathe::core
