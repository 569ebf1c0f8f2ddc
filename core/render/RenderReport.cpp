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

nlohmann::json toJson(const MatchReport& m) {
    auto round2 = [](double v) { return std::round(v * 100.0) / 100.0; };
    json curve = json::array();
    for (const auto& p : m.toneCurve)
        curve.push_back({{"hz", round2(p.frequencyHz)}, {"db", round2(p.gainDb)}});
    json width = json::array();
    for (const auto& b : m.widthBands)
        width.push_back({{"low_hz", b.lowHz},
                         {"high_hz", b.highHz},
                         {"side_gain_db", round2(b.sideGainDb)},
                         {"source_side_to_mid_db", round2(b.sourceSideToMidDb)},
                         {"reference_side_to_mid_db", round2(b.referenceSideToMidDb)}});
    return {{"reference", m.referencePath},
            {"tone", m.tone},
            {"loudness", m.loudness},
            {"width", m.width},
            {"dynamics_hint", m.dynamicsHint},
            {"tone_amount_pct", m.toneAmountPct},
            {"max_correction_db", m.maxCorrectionDb},
            {"range_start_s", m.rangeStartSeconds},
            {"range_end_s", m.rangeEndSeconds},
            {"tone_curve", curve},
            {"width_bands", width},
            {"source_lufs", round2(m.sourceLufs)},
            {"reference_lufs", round2(m.referenceLufs)},
            {"loudness_target_lufs", round2(m.loudnessTargetLufs)},
            {"source_plr_db", round2(m.sourcePlrDb)},
            {"reference_plr_db", round2(m.referencePlrDb)},
            {"source_true_peak_dbtp", round2(m.sourceTruePeakDbtp)},
            {"reference_true_peak_dbtp", round2(m.referenceTruePeakDbtp)}};
}

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
        json files = json::array();
        json codecs = json::array();
        for (const auto& f : d.files) {
            json fj{{"path", f.path},
                    {"format", f.format},
                    {"sample_rate", f.sampleRate},
                    {"bit_depth", f.bitDepth},
                    {"integrated_lufs", round3(f.integratedLufs)},
                    {"loudness_range_lu", round3(f.loudnessRangeLu)},
                    {"true_peak_dbtp", round3(f.truePeakDbtp)},
                    {"sample_peak_dbfs", round3(f.samplePeakDbfs)},
                    {"max_momentary_lufs", round3(f.maxMomentaryLufs)},
                    {"max_short_term_lufs", round3(f.maxShortTermLufs)},
                    {"loudness_gain_db", round3(f.loudnessGainDb)},
                    {"passes", f.passes},
                    {"meets_target", f.meetsTarget},
                    {"within_ceiling", f.withinCeiling}};
            if (f.kbps > 0) fj["kbps"] = f.kbps;
            if (f.quality >= 0) fj["quality"] = f.quality;
            if (f.decodedTruePeakDbtp) {
                fj["decoded_true_peak_dbtp"] = round3(*f.decodedTruePeakDbtp);
                fj["decoded_integrated_lufs"] =
                    f.decodedIntegratedLufs ? json(round3(*f.decodedIntegratedLufs)) : json(nullptr);
                fj["decoded_exceeds_ceiling"] = f.decodedExceedsCeiling;
                json cj{{"format", f.format},
                        {"path", f.path},
                        {"sample_rate", f.sampleRate},
                        {"decoded_true_peak_dbtp", round3(*f.decodedTruePeakDbtp)},
                        {"decoded_integrated_lufs", fj["decoded_integrated_lufs"]},
                        {"exceeds_ceiling", f.decodedExceedsCeiling}};
                if (f.kbps > 0) cj["kbps"] = f.kbps;
                if (f.quality >= 0) cj["quality"] = f.quality;
                codecs.push_back(std::move(cj));
            }
            files.push_back(std::move(fj));
        }
        j["files"] = std::move(files);
        j["codecs"] = std::move(codecs);
        json streaming = json::array();
        for (const auto& p : d.streaming)
            streaming.push_back({{"platform", p.platform},
                                 {"reference_lufs", p.referenceLufs},
                                 {"gain_db", round3(p.gainDb)},
                                 {"resulting_true_peak_dbtp", round3(p.resultingTruePeakDbtp)}});
        j["streaming"] = std::move(streaming);
        if (d.match) j["match"] = toJson(*d.match);
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
                {"warnings", report.warnings},
                {"notes", report.notes}};
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
