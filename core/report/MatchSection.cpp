#include "core/report/MatchSection.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace lathe::core {

namespace {

constexpr double kWidth = 640, kHeight = 200, kLeft = 40, kRangeDb = 12;

std::string num(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", x);
    return text;
}

double xOf(double hz) {
    return kLeft + (kWidth - kLeft - 10) * std::log(hz / 20.0) / std::log(1000.0);
}

double yOf(double db) {
    return kHeight / 2 - std::clamp(db, -kRangeDb, kRangeDb) / kRangeDb * (kHeight / 2 - 10);
}

} // namespace

std::string matchSectionHtml(const MatchReport& m) {
    std::ostringstream html;
    html << "<p>What a match to the reference (master.match) would change: the tone curve (orange, "
            "loudness-neutral) and the side's gain per band (blue).</p>";
    html << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << kHeight << "'>";
    for (double hz : {100.0, 1000.0, 10000.0})
        html << "<line x1='" << num(xOf(hz)) << "' x2='" << num(xOf(hz)) << "' y1='0' y2='" << kHeight
             << "' stroke='#ccd'/><text x='" << num(xOf(hz) + 2) << "' y='" << kHeight - 4
             << "' font-size='11'>" << (hz >= 1000 ? num(hz / 1000).substr(0, 2) + " kHz" : "100 Hz")
             << "</text>";
    for (double db : {-6.0, 0.0, 6.0})
        html << "<line x1='" << kLeft << "' x2='" << kWidth << "' y1='" << num(yOf(db)) << "' y2='"
             << num(yOf(db)) << "' stroke='#ccd'/><text x='0' y='" << num(yOf(db) + 4) << "' font-size='11'>"
             << num(db) << " dB</text>";
    for (const auto& b : m.widthBands)
        html << "<line x1='" << num(xOf(std::max(20.0, b.lowHz))) << "' x2='"
             << num(xOf(std::min(20000.0, b.highHz))) << "' y1='" << num(yOf(b.sideGainDb)) << "' y2='"
             << num(yOf(b.sideGainDb)) << "' stroke='#4a7bd0' stroke-width='2'/>";
    html << "<polyline fill='none' stroke='#e08a1e' stroke-width='2' points='";
    for (const auto& p : m.toneCurve)
        html << num(xOf(p.frequencyHz)) << "," << num(yOf(p.gainDb)) << " ";
    html << "'/></svg>";
    html << "<table><tr><td></td><td>integrated</td><td>true peak</td><td>PLR</td></tr><tr><td>mix</td><td>"
         << num(m.sourceLufs) << " LUFS</td><td>" << num(m.sourceTruePeakDbtp) << " dBTP</td><td>"
         << num(m.sourcePlrDb) << " dB</td></tr><tr><td>reference</td><td>" << num(m.referenceLufs)
         << " LUFS</td><td>" << num(m.referenceTruePeakDbtp) << " dBTP</td><td>" << num(m.referencePlrDb)
         << " dB</td></tr></table>";
    return html.str();
}

} // namespace lathe::core
