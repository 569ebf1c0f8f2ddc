#pragma once

#include "core/render/RenderReport.h"

#include <string>

namespace lathe::core {

// The render's loudness report as a self-contained HTML page (`render --html`): per master its loudness
// figures, every file of the deliverable set with its spec and codec check, what each streaming platform does
// to it, and the notes and warnings.
std::string renderHtmlReport(const RenderReport& report);
// Writes renderHtmlReport(report) atomically. Throws Error naming the file.
void writeRenderHtmlReport(const std::string& path, const RenderReport& report);

} // namespace lathe::core
