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
// What a master was matched to and by how much (report.json's deliverables[].match; `match --json`).
struct MatchReport {
    std::string referencePath;
    bool tone = true, loudness = true, width = true, dynamicsHint = false;
    double toneAmountPct = 100, maxCorrectionDb = 12, rangeStartSeconds = 0, rangeEndSeconds = 0;
    struct Point {
        double frequencyHz = 0, gainDb = 0;
    };
    std::vector<Point> toneCurve; // at the third-octave centres, 20 Hz - 20 kHz
    struct WidthBand {
        double lowHz = 0, highHz = 0, sideGainDb = 0, sourceSideToMidDb = 0, referenceSideToMidDb = 0;
    };
    std::vector<WidthBand> widthBands;
    double sourceLufs = 0, referenceLufs = 0;
    double sourcePlrDb = 0, referencePlrDb = 0;
    double sourceTruePeakDbtp = 0, referenceTruePeakDbtp = 0;
    double loudnessTargetLufs = 0; // what the loudness search aimed at
};
nlohmann::json toJson(const MatchReport& match);

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
    std::vector<FileReport> files;          // every file of the set, the WAV and MP3 above included
    std::vector<StreamingReport> streaming; // per platform, from integratedLufs / truePeakDbtp
    std::optional<MatchReport> match;       // when the session matched to a reference
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
