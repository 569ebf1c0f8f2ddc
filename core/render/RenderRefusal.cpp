#include "core/render/RenderRefusal.h"

#include "core/Error.h"
#include "core/text/FormatText.h"

namespace lathe::core {

std::optional<std::string> unusableFilesRefusal(const FolderScan& scan) {
    if (scan.problems.empty()) return std::nullopt;
    std::string message = "cannot master this folder: ";
    for (size_t i = 0; i < scan.problems.size(); ++i)
        message += (i ? "; " : "") + scan.problems[i].path + ": " + scan.problems[i].problem;
    return message;
}

void refuseUnusableFiles(const FolderScan& scan) {
    if (auto refusal = unusableFilesRefusal(scan)) throw Error(scan.folder, *refusal);
}

std::optional<std::string> loudnessRefusal(const std::string& programme, const std::string& deliverable,
                                           double integratedLufs, double targetLufs) {
    if (integratedLufs < kSilentLufs) return programme + " is silent (no gated loudness): nothing to master";
    if (const double gain = targetLufs - integratedLufs; gain > kMaxLoudnessGainDb)
        return formatText(
            "%s measures %.1f LUFS: %s would need %+.1f dB of gain to reach %.1f LUFS, more than "
            "the %.0f dB Lathe applies (a near-silent bounce, or only DC or rumble?)",
            programme.c_str(), integratedLufs, deliverable.c_str(), gain, targetLufs, kMaxLoudnessGainDb);
    return std::nullopt;
}

std::string gainRefusal(const std::string& deliverable, double targetLufs, double reachedLufs,
                        double limitingCostDb) {
    return formatText(
        "%s reaches only %.1f LUFS, not %.1f LUFS, with %+.0f dB of gain into the limiter, the most "
        "Lathe applies, so nothing was written: the limiter takes %.1f dB of it away again. The "
        "target is too loud for this programme at this ceiling, or its peaks are DC or rumble that "
        "loudness does not count",
        deliverable.c_str(), reachedLufs, targetLufs, kMaxLoudnessGainDb, limitingCostDb);
}

std::string limitingCapWarning(const std::string& kind, double targetLufs, double maxLimitingDb,
                               double reachedLufs, double limitingCostDb) {
    return formatText("%s: the %.1f LUFS target is not reachable without more than %.1f dB of limiting; "
                      "stopped at %.2f LUFS, where the limiter already takes %.1f dB of loudness away "
                      "(raise loudness.max_limiting_db, at most %.0f, to go further, or lower the target)",
                      kind.c_str(), targetLufs, maxLimitingDb, reachedLufs, limitingCostDb, kMaxLimitingDb);
}

std::optional<std::string> subAudibleRefusal(double levelDb, double audibleShareDb) {
    if (levelDb <= kSubAudibleLevelDb || audibleShareDb >= kSubAudibleShareDb) return std::nullopt;
    const std::string above = audibleShareDb < -120.0
                                  ? std::string("nothing is above 20 Hz")
                                  : formatText("what is above 20 Hz is %.1f dB below that", -audibleShareDb);
    return formatText("is DC or sub-audible only: its level is %.1f dBFS, but %s. Mastered, it would be an "
                      "offset or a rumble raised towards full scale",
                      levelDb, above.c_str());
}

} // namespace lathe::core
