#include "Commands.h"
#include "StdoutToStderr.h"

#include "core/engine/AudioEngine.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace lathe::cli {
namespace {

int runDevices(bool json) {
    StdoutToStderr quiet;
    const auto devices = core::AudioEngine::outputDevices();
    quiet.restore();
    if (json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& d : devices)
            list.push_back({{"name", d.name},
                            {"host_api", d.hostApi},
                            {"max_output_channels", d.maxOutputChannels},
                            {"default_sample_rate", d.defaultSampleRate},
                            {"default", d.isDefault}});
        std::printf("%s\n", list.dump(2).c_str());
        return kExitOk;
    }
    if (devices.empty()) std::printf("No output devices.\n");
    for (const auto& d : devices)
        std::printf("%s %-40s %-12s %2d ch  %6.0f Hz\n", d.isDefault ? "*" : " ", d.name.c_str(),
                    d.hostApi.c_str(), d.maxOutputChannels, d.defaultSampleRate);
    return kExitOk;
}

void addDevicesCommand(CLI::App& app) {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("devices", "List audio output devices (* = default)");
    cmd->add_flag("--json", *json, "Print the list as JSON");
    cmd->callback([json] { exitCode() = runDevices(*json); });
}

const CommandRegistration kRegistration{60, &addDevicesCommand};

} // namespace
} // namespace lathe::cli
