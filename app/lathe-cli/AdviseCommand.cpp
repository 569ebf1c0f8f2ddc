#include "Commands.h"

#include "core/Error.h"
#include "core/analysis/Advisor.h"
#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/ElementAnalysis.h"
#include "core/analysis/PlaybackTranslation.h"
#include "core/analysis/ReferenceAdvice.h"
#include "core/io/ClientFolder.h"
#include "core/io/OutputGuard.h"
#include "core/model/Session.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "core/model/SessionOverride.h"
#include "core/render/MatchReporting.h"
#include "core/render/RenderRefusal.h"
#include "core/report/HtmlReport.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>

namespace lathe::cli {
namespace {

struct AdviseOptions {
    std::string folder;
    bool json = false;
    std::string html;
    std::string applyTo;
};

// Sets the advice's fixes in the session (created for the folder if the file does not exist yet) and saves it
// atomically: what the advisor set before is replaced, nothing the user set is touched (applyFixes).
void applyAdvice(const core::Advice& advice, const core::FolderScan& scan, const std::string& path) {
    core::Session session =
        std::filesystem::exists(path) ? core::loadSession(path) : core::makeDefaultSession(scan);
    for (const auto& skipped : core::applyFixes(session, advice.fixes))
        std::fprintf(stderr, "lathe-cli: advise --apply-to: skipped: %s\n", skipped.c_str());
    core::saveSession(session, path);
}

int runAdvise(const AdviseOptions& o) {
    try {
        // The rule every writer follows, checked before the analysis: the report and the session go neither
        // into the client folder nor over each other.
        core::WritePlan plan;
        for (const auto* output : {&o.html, &o.applyTo})
            if (!output->empty()) plan.outputs.push_back(*output);
        plan.sources.folders.push_back(o.folder);
        core::checkWritePlan(plan);
        const core::FolderScan scan = core::scanClientFolder(o.folder);
        // A file Lathe cannot read is a delivery to fix: the verdict is fix_delivery, naming it, and the
        // mix is not judged from the files that are left (what is missing would read as a balance problem).
        const std::optional<std::string> unusable = core::unusableFilesRefusal(scan);
        // Validation reads the folder on its own: it runs beside the element and translation analyses
        // (which need the sections the former finds), and its errors surface from get().
        auto pendingValidation =
            std::async(std::launch::async, [&scan] { return core::validateFolder(scan); });
        const core::ElementAnalysis elements =
            unusable ? core::ElementAnalysis{} : core::analyzeFolderElements(scan);
        const core::TranslationReport translation =
            unusable ? core::TranslationReport{} : core::analyzeFolderTranslation(scan, elements.sections);
        const core::ValidationReport validation = pendingValidation.get();
        core::Advice advice = core::advise(validation, elements, &translation);
        const core::MasterMatch reference = core::folderReferenceMatch(scan);
        core::addReferenceFindings(advice, reference);
        // Each fix measured on the stem master it makes, rendered in memory: nothing is written for it.
        if (!unusable) advice.verified = core::verifyFixes(scan, elements, advice.fixes);
        const core::MatchReport referenceReport =
            core::describeMatch(core::MatchSettings{}, reference, reference.reference.integratedLufs);
        if (!o.html.empty())
            core::writeHtmlReport(o.html, scan, validation, elements, advice, &translation,
                                  reference.active ? &referenceReport : nullptr);
        if (!o.applyTo.empty()) applyAdvice(advice, scan, o.applyTo);
        if (o.json) {
            nlohmann::json out = core::toJson(advice);
            out["validation"] = core::toJson(validation);
            out["elements"] = core::toJson(elements);
            out["translation"] = core::translationJson(translation, elements.sections);
            out["codec"] = core::codecJson(translation);
            std::printf("%s\n", out.dump(2).c_str());
        } else {
            std::printf("Recommendation: %s (confidence %.2f)\n",
                        core::recommendationName(advice.recommendation), advice.confidence);
            for (const auto& r : advice.reasons)
                std::printf("  - %s\n", r.text.c_str());
            for (const auto& n : advice.nudges)
                if (n.beyondNudge)
                    std::printf("  not a nudge: %s\n", n.text.c_str());
                else if (n.setAssignment.empty())
                    std::printf("  nudge: %s   (advice only: no session tool does this)\n", n.text.c_str());
                else
                    std::printf("  nudge: %s   --set '%s'\n", n.text.c_str(), n.setAssignment.c_str());
            for (const auto& fix : advice.fixes)
                std::printf("  fix: %s\n", fix.text.c_str());
            for (const auto& v : advice.verified)
                std::printf("  verified: %s (%s)\n", v.text.c_str(),
                            v.improved ? "improved" : "not improved");
            std::printf("Playback systems:\n");
            for (const auto& t : translation.systems)
                for (const auto& note : t.notes)
                    std::printf("  %s: %s\n", dsp::playbackSystemName(t.system), note.c_str());
            if (translation.codec)
                std::printf("MP3 %d kb/s: decoded true peak %.2f dBTP (%.2f before), difference %.1f dB%s\n",
                            translation.codec->bitrateKbps, translation.codec->truePeakDbtp,
                            translation.codec->inputTruePeakDbtp, translation.codec->differenceDb,
                            translation.codec->exceedsCeiling ? ", over the -1 dBTP ceiling" : "");
        }
        // The verdict is given, and the folder is still bad input: named on stderr, exit 1, as render does.
        if (unusable) {
            printError(*unusable);
            return kExitFailed;
        }
        return kExitOk;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addAdviseCommand(CLI::App& app) {
    auto options = std::make_shared<AdviseOptions>();
    CLI::App* cmd = app.add_subcommand(
        "advise", "Recommend re-exporting the stems (fix_delivery), a mix revision, stem mastering or stereo "
                  "mastering, "
                  "with the measured findings, their confidence and suggested stem nudges");
    cmd->add_option("DIR", options->folder, "Client folder")->required();
    cmd->add_flag("--json", options->json, "Machine-readable output");
    cmd->add_option("--html", options->html, "Write a self-contained HTML report for the artist");
    cmd->add_option(
        "--apply-to", options->applyTo,
        "Set the advisor's fixes (section rides, dynamic EQ bands, sidechain ducks, peak control) in this "
        "session, created for the folder if missing; replaces only what the advisor set before");
    cmd->callback([options] { exitCode() = runAdvise(*options); });
}

const CommandRegistration kRegistration{45, &addAdviseCommand};

} // namespace
} // namespace lathe::cli
