#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace lathe::core {

// Loudness and peak facts about one audio file, as `lathe-cli analyze` reports them.
struct FileAnalysis {
    std::string path;
    int sampleRate = 0;
    int channels = 0;
    int64_t frames = 0;
    double durationSeconds = 0;
    double integratedLufs = 0;     // BS.1770-4 gated
    double loudnessRangeLu = 0;    // EBU Tech 3342, short-term windows on a 100 ms grid (as ffmpeg's ebur128)
    double truePeakDbtp = 0;       // 8x oversampled (BS.1770's 4x can under-read by up to 0.69 dB)
    double truePeakBs1770Dbtp = 0; // BS.1770's 4x reading (the 8x meter's even phases), as other meters read
    double samplePeakDbfs = 0;
    double maxMomentaryLufs = 0;
    double maxShortTermLufs = 0;
    double plrDb = 0;           // true peak - integrated loudness
    int64_t clippedSamples = 0; // samples in runs of >= 2 at or above -0.01 dBFS (flat-topped peaks)
};

// Reads the whole file in blocks (bounded memory). Throws core::Error naming the file.
FileAnalysis analyzeFile(const std::string& path);

nlohmann::json toJson(const FileAnalysis& analysis);

} // namespace lathe::core
