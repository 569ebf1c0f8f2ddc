#pragma once

#include "core/batch/BatchRunner.h"

#include <CLI/CLI.hpp>

namespace lathe::cli {

// --preset NAME and the repeatable --deliverable SPEC (render and batch). A SPEC that does not parse is a
// usage error (exit 2) naming it, before any session is opened.
void addDeliverableOptions(CLI::App& command, core::RenderOverrides& overrides);

} // namespace lathe::cli
