#include "Commands.h"
#include "NumberOptions.h"
#include "ProgressBar.h"

#include "core/Error.h"
#include "core/render/MatchRender.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace lathe::cli {
namespace {

struct MatchOptions {
    std::string source, reference, out;
    bool tone = true, loudness = true, width = true;
    double amount = 100, maxCorrection = 12, ceiling = -1;
    std::string range;
    bool json = false, quiet = false;
};

// "START-END" in seconds ("30-60", "30.5-", "-60"): false when it is not that.
bool parseRange(const std::string& text, double& start, double& end) {
    const auto dash = text.find('-');
    if (dash == std::string::npos) return false;
    try {
        std::size_t used = 0;
        const std::string a = text.substr(0, dash), b = text.substr(dash + 1);
        start = a.empty() ? 0.0 : std::stod(a, &used);
        if (!a.empty() && used != a.size()) return false;
        end = b.empty() ? 0.0 : std::stod(b, &used);
        if (!b.empty() && used != b.size()) return false;
    } catch (const std::exception&) {
        return false;
    }
    return start >= 0 && end >= 0 && (end == 0 || end > start);
}

void printText(const core::MatchFileResult& r) {
    const core::MatchReport& m = r.match;
    std::printf("Tone curve (dB, third octaves):\n");
    int column = 0;
    for (const auto& p : m.toneCurve) {
        std::printf("  %7.0f Hz %+6.2f", p.frequencyHz, p.gainDb);
        if (++column % 4 == 0) std::printf("\n");
    }
    if (column % 4 != 0) std::printf("\n");
    std::printf("Width (side gain per band):\n");
    for (const auto& b : m.widthBands)
        std::printf("  %6.0f-%-6.0f Hz  %+5.2f dB  (side/mid source %6.2f dB, reference %6.2f dB)\n", b.lowHz,
                    b.highHz, b.sideGainDb, b.sourceSideToMidDb, b.referenceSideToMidDb);
    std::printf("Loudness: source %.2f LUFS, reference %.2f LUFS, target %.2f LUFS\n", m.sourceLufs,
                m.referenceLufs, m.loudnessTargetLufs);
    std::printf("PLR: source %.2f dB, reference %.2f dB\n", m.sourcePlrDb, m.referencePlrDb);
    if (r.written)
        std::printf("Matched master: %s\n  %.2f LUFS  TP %.2f dBTP  PLR %.2f dB\n", r.result.wavPath.c_str(),
                    r.result.integratedLufs, r.result.truePeakDbtp, r.result.plrDb);
}

int runMatch(const MatchOptions& o) {
    core::MatchFileOptions options;
    options.match.tone = o.tone;
    options.match.loudness = o.loudness;
    options.match.width = o.width;
    options.match.tone_amount_pct = o.amount;
    options.match.max_correction_db = o.maxCorrection;
    options.ceilingDbtp = o.ceiling;
    if (!o.range.empty() && !parseRange(o.range, options.match.range_start_s, options.match.range_end_s)) {
        printError("--range: expected START-END in seconds (e.g. 45-75; END after START, empty = the end), "
                   "found \"" +
                   o.range + "\"");
        return kExitUsage;
    }
    try {
        ProgressBar bar("Matching", o.quiet || o.json || o.out.empty());
        core::RenderControl control;
        control.progress = [&bar](double f) { bar.update(f); };
        const core::MatchFileResult r = core::matchFile(o.source, o.reference, options, o.out, control);
        bar.finish();
        if (o.json) {
            nlohmann::json j{{"source", o.source}, {"match", core::toJson(r.match)}};
            if (r.written)
                j["result"] = {{"path", r.result.wavPath},
                               {"integrated_lufs", r.result.integratedLufs},
                               {"true_peak_dbtp", r.result.truePeakDbtp},
                               {"plr_db", r.result.plrDb},
                               {"loudness_range_lu", r.result.loudnessRangeLu},
                               {"within_ceiling", r.result.withinCeiling}};
            else
                j["result"] = nullptr;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            printText(r);
        }
        return kExitOk;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addMatchCommand(CLI::App& app) {
    auto o = std::make_shared<MatchOptions>();
    CLI::App* cmd = app.add_subcommand(
        "match", "Match a master to a reference: tone curve, loudness and width (parts on/off, by amount); "
                 "reports the differences and writes the matched master with --out");
    cmd->add_option("SOURCE", o->source, "The mix (or master) to match")->required();
    cmd->add_option("REFERENCE", o->reference, "The reference it should sound like")->required();
    cmd->add_option("--out", o->out, "Write the matched master here (WAV; never over SOURCE or REFERENCE)");
    cmd->add_flag("--tone,!--no-tone", o->tone, "Match the tone curve (default on)");
    cmd->add_flag("--loudness,!--no-loudness", o->loudness,
                  "Match the reference's integrated loudness (default on; off keeps the source's)");
    cmd->add_flag("--width,!--no-width", o->width, "Match the width per band (default on)");
    cmd->add_option("--amount", o->amount, "Tone amount in percent, 0-100 (default 100)")
        ->transform(numberIn(0, 100, "%"));
    cmd->add_option("--max-correction", o->maxCorrection, "The tone curve's limit in dB, 0-24 (default 12)")
        ->transform(numberIn(0, 24, "dB"));
    cmd->add_option("--ceiling-dbtp", o->ceiling, "True-peak ceiling in dBTP (default -1.0)")
        ->transform(numberIn(-20, 0, "dBTP"));
    cmd->add_option("--range", o->range, "Match to this part of the reference: START-END in seconds");
    cmd->add_flag("--json", o->json, "Machine-readable output: the curve (hz, db), loudness, width and PLR");
    cmd->add_flag("--quiet", o->quiet, "No progress bar");
    cmd->callback([o] { exitCode() = runMatch(*o); });
}

const CommandRegistration kRegistration{35, &addMatchCommand};

} // namespace
} // namespace lathe::cli
