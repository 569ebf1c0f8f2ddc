#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

// What one rendered master measured like, as written to report.json.
struct DeliverableReport {
    std::string kind; // "stereo_master" or "stem_master"
    std::string wavPath;
    std::string mp3Path; // empty when no MP3 was made
    int sampleRate = 0;
    int bitDepth = 24;
    double durationSeconds = 0;
    double integratedLufs = 0;
    double loudnessRangeLu = 0;
    double truePeakDbtp = 0; // 8x oversampled, of the file as written
    double samplePeakDbfs = 0;
    double plrDb = 0; // peak-to-loudness ratio: true peak - integrated loudness
    double maxMomentaryLufs = 0;
    double maxShortTermLufs = 0;
    double loudnessGainDb = 0;     // gain into the limiter chosen by loudness targeting
    double maxGainReductionDb = 0; // limiter
    double averageGainReductionDb = 0;
    double limitedPercent = 0; // share of frames the limiter touched
    // Loudness the limiter took away: pre-limiter loudness + loudnessGainDb - integratedLufs.
    double limitingCostDb = 0;
    // The target was not chased further because reaching it would cost more than loudness.max_limiting_db.
    bool limitingCapped = false;
    int passes = 0;
    bool meetsTarget = false;              // within +-0.2 LU of the target
    bool withinCeiling = false;            // 8x true peak <= ceiling
    std::optional<double> mp3TruePeakDbtp; // of the decoded MP3, 8x
    std::optional<double> mp3IntegratedLufs;
    bool mp3ExceedsCeiling = false;
};

struct RenderReport {
    std::string song;
    std::string folder;
    int sessionSampleRate = 0;
    int outputSampleRate = 0;
    double targetLufs = 0;
    double ceilingDbtp = 0;
    std::vector<DeliverableReport> deliverables;
    std::vector<std::string> warnings;
    std::string reportPath;
};

// report.json (README lists its keys): written by renderSession and read back by `batch --resume`, both
// through RenderReport.cpp, so the keys are written and read in one place.
nlohmann::json toJson(const RenderReport& report);
// Writes toJson(report) to report.reportPath atomically. Throws Error naming the file.
void writeRenderReport(const RenderReport& report);
// Reads <outDir>/report.json back. The deliverables' files are taken from outDir whatever folder the report
// names (a batch's output may have been moved since). Throws Error(<path>, "missing" / "not valid JSON" /
// "no usable deliverables list").
RenderReport readRenderReport(const std::string& outDir);

} // namespace lathe::core
