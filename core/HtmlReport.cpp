#include "HtmlReport.h"

#include "AtomicFile.h"
#include "LoadedAudio.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace lathe::core {

namespace {

std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string num(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", x);
    return text;
}

constexpr double kWidth = 900, kHeight = 160;

std::string sectionBands(const std::vector<SongSection>& sections, double duration) {
    std::ostringstream svg;
    int k = 0;
    for (const auto& s : sections) {
        const double x0 = s.startSeconds / duration * kWidth, x1 = s.endSeconds / duration * kWidth;
        svg << "<rect x='" << num(x0) << "' y='0' width='" << num(x1 - x0) << "' height='" << kHeight
            << "' fill='" << (s.label == "hook" ? "#fde2c8" : (k++ % 2 ? "#eef2f7" : "#e3e9f1")) << "'/>"
            << "<text x='" << num(x0 + 4) << "' y='14' font-size='12' fill='#445'>" << escape(s.label)
            << "</text>";
    }
    return svg.str();
}

std::string waveformSvg(const std::vector<float>& mono, double sampleRate,
                        const std::vector<SongSection>& sections) {
    const double duration = std::max(1e-3, static_cast<double>(mono.size()) / sampleRate);
    std::ostringstream svg;
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << kHeight << "'>"
        << sectionBands(sections, duration);
    const int columns = static_cast<int>(kWidth);
    svg << "<path fill='none' stroke='#2a4d7a' stroke-width='1' d='";
    for (int x = 0; x < columns; ++x) {
        const std::size_t a = mono.size() * static_cast<std::size_t>(x) / static_cast<std::size_t>(columns);
        const std::size_t z =
            mono.size() * static_cast<std::size_t>(x + 1) / static_cast<std::size_t>(columns);
        float lo = 0.0f, hi = 0.0f;
        for (std::size_t i = a; i < z; ++i)
            lo = std::min(lo, mono[i]), hi = std::max(hi, mono[i]);
        const double mid = kHeight / 2.0;
        svg << "M" << x << " " << num(mid - hi * mid) << "V" << num(mid - lo * mid);
    }
    svg << "'/></svg>";
    return svg.str();
}

std::string levelSvg(const std::vector<float>& mono, double sampleRate,
                     const std::vector<SongSection>& sections) {
    const double duration = std::max(1e-3, static_cast<double>(mono.size()) / sampleRate);
    const std::vector<double> level = levelCurveDb(mono, sampleRate, 0.4);
    std::ostringstream svg;
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << kHeight << "'>"
        << sectionBands(sections, duration)
        << "<polyline fill='none' stroke='#b0412e' stroke-width='2' points='";
    // -60..0 dBFS over the plot's height.
    for (std::size_t h = 0; h < level.size(); ++h)
        svg << num((static_cast<double>(h) + 0.5) * 0.4 / duration * kWidth) << ","
            << num(kHeight * std::clamp(-level[h] / 60.0, 0.0, 1.0)) << " ";
    svg << "'/><text x='4' y='" << kHeight - 4
        << "' font-size='11' fill='#445'>RMS level, 0 to -60 dBFS</text></svg>";
    return svg.str();
}

std::string vocalSvg(const ElementAnalysis& e) {
    std::ostringstream svg;
    const double barWidth = 120, height = 180, zero = 90; // +-18 dB around level with the band
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='"
        << std::max<double>(200, barWidth * e.vocalBalance.size()) << "' height='" << height + 20
        << "'><line x1='0' x2='2000' y1='" << zero << "' y2='" << zero << "' stroke='#888'/>";
    for (std::size_t k = 0; k < e.vocalBalance.size(); ++k) {
        const auto& b = e.vocalBalance[k];
        const double x = barWidth * static_cast<double>(k) + 20;
        if (b.vocalPresent) {
            const double h = std::clamp(b.vocalToRestDb, -18.0, 18.0) * 5.0;
            svg << "<rect x='" << num(x) << "' y='" << num(h > 0 ? zero - h : zero) << "' width='70' height='"
                << num(std::abs(h)) << "' fill='" << (b.section.label == "hook" ? "#d9822b" : "#2a4d7a")
                << "'/>"
                << "<text x='" << num(x) << "' y='" << num(h > 0 ? zero - h - 4 : zero - h + 14)
                << "' font-size='12'>" << num(b.vocalToRestDb) << " dB</text>";
        }
        svg << "<text x='" << num(x) << "' y='" << height + 14 << "' font-size='12'>"
            << escape(b.section.label) << "</text>";
    }
    svg << "</svg>";
    return svg.str();
}

} // namespace

std::string htmlReport(const FolderScan& scan, const ValidationReport& validation,
                       const ElementAnalysis& elements, const Advice& advice) {
    std::ostringstream html;
    html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" << escape(scan.songName)
         << " - Lathe report</title><style>body{font-family:sans-serif;max-width:960px;margin:2em "
            "auto;color:#223}"
            "td{padding:4px 8px;border-bottom:1px solid #ddd}.pass{color:#2b7a3d}.warn{color:#b8860b}"
            ".fail{color:#b0412e;font-weight:bold}h2{margin-top:1.6em}</style></head><body>";
    html << "<h1>" << escape(scan.songName) << "</h1>";
    const char* verdict = advice.recommendation == Recommendation::StereoMastering ? "Stereo mastering"
                          : advice.recommendation == Recommendation::StemMastering ? "Stem mastering"
                                                                                   : "Mix revision first";
    html << "<h2>Recommendation: " << verdict << "</h2><ul>";
    for (const auto& r : advice.reasons)
        html << "<li>" << escape(r.text) << "</li>";
    html << "</ul>";
    if (!advice.nudges.empty()) {
        html << "<h3>Suggested changes</h3><ul>";
        for (const auto& n : advice.nudges)
            html << "<li>" << escape(n.text) << " <code>--set " << escape(n.setAssignment) << "</code></li>";
        html << "</ul>";
    }
    if (scan.mix) {
        const LoadedAudio mix = loadAudio(scan.mix->path);
        const std::vector<float> mono = mix.mono();
        html << "<h2>The song and its sections</h2>"
             << waveformSvg(mono, mix.info.sampleRate, elements.sections) << "<h2>Level over time</h2>"
             << levelSvg(mono, mix.info.sampleRate, elements.sections);
    }
    if (elements.hasLeadVocal)
        html << "<h2>Lead vocal against the band, per section</h2>" << vocalSvg(elements);
    html << "<h2>Delivery checks</h2><table>";
    for (const auto& c : validation.checks)
        html << "<tr><td class='" << checkStatusName(c.status) << "'>" << checkStatusName(c.status)
             << "</td><td>" << escape(c.name) << "</td><td>" << escape(c.figure) << "</td><td>"
             << escape(c.message) << "</td></tr>";
    html << "</table>";
    if (!elements.stems.empty()) {
        html << "<h2>Stems</h2><table><tr><td>stem</td><td>level</td><td>5-12 kHz</td><td>30-120 Hz</td>"
                "<td>width</td><td>share of loudest peaks</td></tr>";
        for (const auto& s : elements.stems)
            html << "<tr><td>" << escape(s.path.substr(s.path.find_last_of('/') + 1)) << "</td><td>"
                 << num(s.levelDb) << " dBFS</td><td>" << num(s.brightnessDb) << " dB</td><td>"
                 << num(s.lowBandDb) << " dBFS</td><td>" << num(s.widthDb) << " dB</td><td>"
                 << num(100.0 * s.peakShare) << " %</td></tr>";
        html << "</table>";
    }
    html << "<p style='color:#889;font-size:12px'>Made by Lathe.</p></body></html>\n";
    return html.str();
}

void writeHtmlReport(const std::string& path, const FolderScan& scan, const ValidationReport& validation,
                     const ElementAnalysis& elements, const Advice& advice) {
    writeFileAtomically(path, htmlReport(scan, validation, elements, advice));
}

} // namespace lathe::core
