#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

// One file of a master's deliverable set, as written to report.json ("files"). PCM files carry the
// measurements of their rendering (rate, word length); lossy files those of the audio they were encoded from
// plus the decoded file's ("decoded_*", the codec check).
struct FileReport {
    std::string path;
    std::string format; // wav, flac, mp3, opus, vorbis, aac
    int sampleRate = 0;
    int bitDepth = 0;    // PCM; for lossy the word length of the audio encoded
    int kbps = 0;        // mp3, opus, aac
    double quality = -1; // vorbis
    double integratedLufs = 0;
    double loudnessRangeLu = 0;
    double truePeakDbtp = 0;
    double samplePeakDbfs = 0;
    double maxMomentaryLufs = 0;
    double maxShortTermLufs = 0;
    double loudnessGainDb = 0;
    int passes = 0;
    bool meetsTarget = false;
    bool withinCeiling = false;
    std::optional<double> decodedTruePeakDbtp; // lossy: the decoded file, 8x
    std::optional<double> decodedIntegratedLufs;
    bool decodedExceedsCeiling = false;
};

// What a streaming platform does to a master (StreamingNormalization) as report.json lists it.
struct StreamingReport {
    std::string platform;
    double referenceLufs = 0;
    double gainDb = 0;
    double resultingTruePeakDbtp = 0;
};

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
    int passes = 0;
    bool meetsTarget = false;              // within +-0.2 LU of the target
    bool withinCeiling = false;            // 8x true peak <= ceiling
    std::optional<double> mp3TruePeakDbtp; // of the decoded MP3, 8x
    std::optional<double> mp3IntegratedLufs;
    bool mp3ExceedsCeiling = false;
    std::vector<FileReport> files;          // every file of the set, the WAV and MP3 above included
    std::vector<StreamingReport> streaming; // per platform, from integratedLufs / truePeakDbtp
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
    // Facts that are not problems with the render (--strict ignores them): streaming turn-downs.
    std::vector<std::string> notes;
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
