#include "Commands.h"
#include "NumberOptions.h"

#include "core/Error.h"
#include "core/io/ClientFolder.h"
#include "core/model/Session.h"
#include "core/model/SessionJson.h"
#include "core/model/SessionOverride.h"
#include "core/model/SessionSource.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace lathe::cli {
namespace {

struct SessionNewOptions {
    std::string folder;
    std::string output;
    std::vector<std::string> sets;
};

int runSessionNew(const SessionNewOptions& o) {
    try {
        core::Session session = core::openSessionOrFolder(o.folder);
        for (const auto& assignment : o.sets)
            core::applyOverride(session, assignment);
        core::WritePlan plan;
        plan.outputs.push_back(o.output);
        core::addSessionSources(plan.sources, session);
        core::checkWritePlan(plan);
        core::saveSession(session, o.output);
        std::printf("Session written to %s (%zu stems%s%s)\n", o.output.c_str(), session.stems.size(),
                    session.mix.empty() ? "" : ", mix", session.reference.empty() ? "" : ", reference");
        return kExitOk;
    } catch (const std::exception& e) {
        printError(e.what());
        return kExitFailed;
    }
}

void addSessionCommand(CLI::App& app) {
    CLI::App* session = app.add_subcommand("session", "Create and edit .lathe sessions");
    session->require_subcommand(1);
    auto o = std::make_shared<SessionNewOptions>();
    CLI::App* create =
        session->add_subcommand("new", "Write a session with default chains for a client folder");
    create->add_option("DIR", o->folder, "Client folder")->required();
    create->add_option("-o,--output", o->output, "Session file to write (FILE.lathe)")->required();
    create->add_option("--set", o->sets, "Override a value: PATH=VALUE (see core/model/SESSION.md)")
        ->check(sessionAssignment())
        ->allow_extra_args(false);
    create->callback([o] { exitCode() = runSessionNew(*o); });
}

const CommandRegistration kRegistration{40, &addSessionCommand};

} // namespace
} // namespace lathe::cli
