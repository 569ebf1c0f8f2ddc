#include "core/render/RenderReport.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"

#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace lathe::core {

using nlohmann::json;

namespace {

double readNumber(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

RenderReport reportFromJson(const json& j, const std::string& jobOutDir) {
    RenderReport r;
    r.song = j.value("song", std::string());
    r.folder = j.value("folder", std::string());
    r.sessionSampleRate = static_cast<int>(readNumber(j, "session_sample_rate"));
    r.outputSampleRate = static_cast<int>(readNumber(j, "output_sample_rate"));
    r.targetLufs = readNumber(j, "target_lufs");
    r.ceilingDbtp = readNumber(j, "ceiling_dbtp");
    r.reportPath = (fs::path(jobOutDir) / "report.json").string();
    if (j.contains("warnings") && j["warnings"].is_array())
        for (const auto& w : j["warnings"])
            if (w.is_string()) r.warnings.push_back(w.get<std::string>());
    for (const auto& d : j.at("deliverables")) {
        DeliverableReport dr;
        dr.kind = d.at("kind").get<std::string>();
        dr.wavPath = (fs::path(jobOutDir) / fs::path(d.at("wav").get<std::string>()).filename()).string();
        if (d.contains("mp3") && d["mp3"].is_string())
            dr.mp3Path = (fs::path(jobOutDir) / fs::path(d["mp3"].get<std::string>()).filename()).string();
        dr.sampleRate = static_cast<int>(readNumber(d, "sample_rate"));
        dr.bitDepth = static_cast<int>(readNumber(d, "bit_depth"));
        dr.durationSeconds = readNumber(d, "duration_s");
        dr.integratedLufs = readNumber(d, "integrated_lufs");
        dr.loudnessRangeLu = readNumber(d, "loudness_range_lu");
        dr.truePeakDbtp = readNumber(d, "true_peak_dbtp");
        dr.samplePeakDbfs = readNumber(d, "sample_peak_dbfs");
        dr.plrDb = readNumber(d, "plr_db");
        dr.passes = static_cast<int>(readNumber(d, "passes"));
        dr.meetsTarget = d.value("meets_target", false);
        dr.withinCeiling = d.value("within_ceiling", false);
        r.deliverables.push_back(std::move(dr));
    }
    return r;
}

} // namespace

nlohmann::json toJson(const RenderReport& report) {
    using nlohmann::json;
    auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
    json deliverables = json::array();
    for (const auto& d : report.deliverables) {
        json j{
            {"kind", d.kind},
            {"wav", d.wavPath},
            {"mp3", d.mp3Path.empty() ? json(nullptr) : json(d.mp3Path)},
            {"sample_rate", d.sampleRate},
            {"bit_depth", d.bitDepth},
            {"duration_s", round3(d.durationSeconds)},
            {"integrated_lufs", round3(d.integratedLufs)},
            {"loudness_range_lu", round3(d.loudnessRangeLu)},
            {"true_peak_dbtp", round3(d.truePeakDbtp)},
            {"sample_peak_dbfs", round3(d.samplePeakDbfs)},
            {"plr_db", round3(d.plrDb)},
            {"max_momentary_lufs", round3(d.maxMomentaryLufs)},
            {"max_short_term_lufs", round3(d.maxShortTermLufs)},
            {"loudness_gain_db", round3(d.loudnessGainDb)},
            {"gain_reduction",
             {{"max_db", round3(d.maxGainReductionDb)},
              {"average_db", round3(d.averageGainReductionDb)},
              {"limited_percent", round3(d.limitedPercent)},
              {"loudness_cost_db", round3(d.limitingCostDb)}}},
            {"passes", d.passes},
            {"meets_target", d.meetsTarget},
            {"within_ceiling", d.withinCeiling},
            {"mp3_true_peak_dbtp", d.mp3TruePeakDbtp ? json(round3(*d.mp3TruePeakDbtp)) : json(nullptr)},
            {"mp3_integrated_lufs", d.mp3IntegratedLufs ? json(round3(*d.mp3IntegratedLufs)) : json(nullptr)},
            {"mp3_exceeds_ceiling", d.mp3ExceedsCeiling}};
        deliverables.push_back(std::move(j));
    }
    return json{{"song", report.song},
                {"folder", report.folder},
                {"session_sample_rate", report.sessionSampleRate},
                {"output_sample_rate", report.outputSampleRate},
                {"target_lufs", report.targetLufs},
                {"ceiling_dbtp", report.ceilingDbtp},
                {"true_peak_method", "8x oversampled (stricter than BS.1770's 4x)"},
                {"deliverables", deliverables},
                {"warnings", report.warnings}};
}

void writeRenderReport(const RenderReport& report) {
    writeFileAtomically(report.reportPath, toJson(report).dump(2) + "\n");
}

RenderReport readRenderReport(const std::string& outDir) {
    const std::string path = (fs::path(outDir) / "report.json").string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "missing");
    json j;
    try {
        j = json::parse(in);
    } catch (const std::exception&) {
        throw Error(path, "not valid JSON");
    }
    try {
        return reportFromJson(j, outDir);
    } catch (const std::exception&) {
        throw Error(path, "no usable deliverables list");
    }
}

} // namespace lathe::core
