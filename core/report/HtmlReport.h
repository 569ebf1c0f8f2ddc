#pragma once

#include "core/analysis/Advisor.h"
#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/ElementAnalysis.h"
#include "core/analysis/PlaybackTranslation.h"
#include "core/io/ClientFolder.h"
#include "core/render/RenderReport.h"

#include <string>

namespace lathe::core {

// A self-contained HTML page for an artist (no scripts, no external files): the recommendation and its
// reasons, the delivery checks, and inline SVG plots of the mix's waveform with its sections, its level over
// time, the lead vocal against the band per section, the long-term spectrum of each stem, and (given a
// translation report) a table of how the song plays on each playback system and through MP3, and (given a
// match report) the curve a match to the client's reference would apply.
std::string htmlReport(const FolderScan& scan, const ValidationReport& validation,
                       const ElementAnalysis& elements, const Advice& advice,
                       const TranslationReport* translation = nullptr, const MatchReport* match = nullptr);

// Writes htmlReport(...) atomically. Throws Error naming the file.
void writeHtmlReport(const std::string& path, const FolderScan& scan, const ValidationReport& validation,
                     const ElementAnalysis& elements, const Advice& advice,
                     const TranslationReport* translation = nullptr, const MatchReport* match = nullptr);

} // namespace lathe::core
