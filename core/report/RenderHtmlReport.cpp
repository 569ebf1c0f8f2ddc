#include "core/report/RenderHtmlReport.h"

#include "core/io/AtomicFile.h"
#include "core/text/FormatText.h"
#include "core/text/HtmlEscape.h"

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace lathe::core {

std::string renderHtmlReport(const RenderReport& report) {
    std::ostringstream html;
    const std::string song = htmlEscape(report.song);
    html
        << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" << song
        << " - Lathe render report</title><style>body{font-family:sans-serif;max-width:960px;margin:2em auto;"
           "color:#223}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:right}"
           "td:first-child,th:first-child{text-align:left}.over{color:#b0412e;font-weight:bold}"
           "h2{margin-top:1.6em}</style></head><body>";
    html << "<h1>" << song << "</h1><p>"
         << formatText("Target %.1f LUFS, ceiling %.1f dBTP, true peak measured 8x oversampled.",
                       report.targetLufs, report.ceilingDbtp)
         << "</p>";
    for (const auto& d : report.deliverables) {
        html << "<h2>" << htmlEscape(d.kind) << "</h2><p>"
             << formatText(
                    "%.2f LUFS, LRA %.1f LU, true peak %.2f dBTP, PLR %.1f dB, max momentary %.1f LUFS, "
                    "max short-term %.1f LUFS; limiter max %.1f dB, %d pass%s.",
                    d.integratedLufs, d.loudnessRangeLu, d.truePeakDbtp, d.plrDb, d.maxMomentaryLufs,
                    d.maxShortTermLufs, d.maxGainReductionDb, d.passes, d.passes == 1 ? "" : "es")
             << "</p>";
        html << "<h3>Files</h3><table><tr><th>file</th><th>format</th><th>rate</th><th>bits / rate</th>"
                "<th>LUFS</th><th>true peak</th><th>decoded true peak</th></tr>";
        for (const auto& f : d.files) {
            const std::string spec = f.kbps > 0       ? formatText("%d kb/s", f.kbps)
                                     : f.quality >= 0 ? formatText("q%.1f", f.quality)
                                                      : formatText("%d-bit", f.bitDepth);
            std::string decoded = "&ndash;";
            if (f.decodedTruePeakDbtp)
                decoded = std::string(f.decodedExceedsCeiling ? "<span class='over'>" : "<span>") +
                          formatText("%.2f dBTP", *f.decodedTruePeakDbtp) + "</span>";
            html << "<tr><td>" << htmlEscape(fs::path(f.path).filename().string()) << "</td><td>"
                 << htmlEscape(f.format) << "</td><td>" << f.sampleRate << " Hz</td><td>" << spec
                 << "</td><td>" << formatText("%.2f", f.integratedLufs) << "</td><td>"
                 << formatText("%.2f dBTP", f.truePeakDbtp) << "</td><td>" << decoded << "</td></tr>";
        }
        html << "</table><h3>Streaming normalization</h3><table><tr><th>platform</th><th>reference</th>"
                "<th>gain applied</th><th>resulting true peak</th></tr>";
        for (const auto& p : d.streaming)
            html << "<tr><td>" << htmlEscape(p.platform) << "</td><td>"
                 << formatText("%.0f LUFS", p.referenceLufs) << "</td><td>"
                 << formatText("%+.1f dB", p.gainDb) << "</td><td>"
                 << formatText("%.1f dBTP", p.resultingTruePeakDbtp) << "</td></tr>";
        html << "</table>";
    }
    for (const auto* list : {&report.notes, &report.warnings}) {
        if (list->empty()) continue;
        html << "<h2>" << (list == &report.notes ? "Notes" : "Warnings") << "</h2><ul>";
        for (const auto& line : *list)
            html << "<li>" << htmlEscape(line) << "</li>";
        html << "</ul>";
    }
    html << "</body></html>\n";
    return html.str();
}

void writeRenderHtmlReport(const std::string& path, const RenderReport& report) {
    writeFileAtomically(path, renderHtmlReport(report));
}

} // namespace lathe::core
