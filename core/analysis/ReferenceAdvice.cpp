#include "core/analysis/ReferenceAdvice.h"

#include "dsp/MatchCurve.h"

#include <cmath>
#include <cstdio>

namespace lathe::core {

namespace {

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
    char text[256];
    std::snprintf(text, sizeof text, pattern, a, b, c);
    return text;
}

} // namespace

std::vector<AdviceReason> referenceReasons(const dsp::MatchAnalysis& mix,
                                           const dsp::MatchAnalysis& reference) {
    std::vector<AdviceReason> reasons;
    if (!mix.hasLoudAudio() || !reference.hasLoudAudio()) return reasons;
    dsp::MatchCurveSettings settings;
    settings.maxCorrectionDb = 40.0; // the real difference, not what a match would dare
    settings.maxWidthCorrectionDb = 40.0;
    const dsp::MatchCurve curve = dsp::computeMatchCurve(mix, reference, settings);

    double worstDb = 0, worstHz = 0;
    for (const auto& p : dsp::curveAtThirdOctaves(curve.tone, 60.0, 14000.0))
        if (std::abs(p.gainDb) > std::abs(worstDb)) {
            worstDb = p.gainDb;
            worstHz = p.frequencyHz;
        }
    if (std::abs(worstDb) >= kToneFindingDb)
        reasons.push_back({format("the mix's tone is far from the client's reference: %+.1f dB at %.0f Hz to "
                                  "sound like it (a whole-song EQ or a tone match, master.match)",
                                  worstDb, worstHz),
                           "reference_tone", worstDb});

    double widthDb = 0, lowHz = 0, highHz = 0;
    for (const auto& w : curve.width)
        if (std::abs(w.sideGainDb) > std::abs(widthDb)) {
            widthDb = w.sideGainDb;
            lowHz = w.lowHz;
            highHz = w.highHz;
        }
    if (std::abs(widthDb) >= kWidthFindingDb)
        reasons.push_back(
            {format(widthDb > 0 ? "the mix is narrower than the reference: its side is %.1f dB lower "
                                  "against the mid from %.0f to %.0f Hz"
                                : "the mix is wider than the reference: its side is %.1f dB higher "
                                  "against the mid from %.0f to %.0f Hz",
                    std::abs(widthDb), lowHz, highHz),
             "reference_width", widthDb});

    if (std::abs(curve.loudnessDifferenceDb) >= kLoudnessFindingLu) {
        char text[256];
        std::snprintf(
            text, sizeof text,
            "the reference is %.1f LU %s than the mix (%.1f LUFS): the client expects that loudness "
            "(master.match.loudness)",
            std::abs(curve.loudnessDifferenceDb), curve.loudnessDifferenceDb > 0 ? "louder" : "quieter",
            reference.integratedLufs);
        reasons.push_back({text, "reference_loudness", curve.loudnessDifferenceDb});
    }
    return reasons;
}

MasterMatch folderReferenceMatch(const FolderScan& scan) {
    MasterMatch match;
    if (!scan.mix || !scan.reference) return match;
    const int rate = scan.mix->info.sampleRate;
    match.active = true;
    match.referencePath = scan.reference->path;
    match.source = analyzeFileForMatch(scan.mix->path, rate);
    match.reference = analyzeFileForMatch(scan.reference->path, rate);
    match.curve = dsp::computeMatchCurve(match.source, match.reference, matchCurveSettings(MatchSettings{}));
    return match;
}

void addReferenceFindings(Advice& advice, const MasterMatch& match) {
    if (!match.active) return;
    for (auto& reason : referenceReasons(match.source, match.reference))
        advice.reasons.push_back(std::move(reason));
}

} // namespace lathe::core
