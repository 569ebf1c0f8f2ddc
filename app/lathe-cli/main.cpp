#include "core/Version.h"

#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    CLI::App app{"lathe-cli: headless mastering with Lathe"};
    app.set_version_flag("--version", std::string("lathe-cli ") + lathe::core::version());
    app.require_subcommand(1);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
