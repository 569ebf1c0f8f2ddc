#include "core/report/HtmlReport.h"

#include "core/report/MatchSection.h"

#include "core/io/AtomicFile.h"
#include "core/io/LoadedAudio.h"
#include "core/text/FormatText.h"
#include "core/text/HtmlEscape.h"

#include "dsp/SpectrumAnalyzer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace lathe::core {

namespace {

std::string escape(const std::string& text) {
    return htmlEscape(text);
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

// Long-term average spectrum: the mean power of every 4096-point Hann frame (50 % overlap) over the whole
// file, gathered into third-octave bands from 25 Hz to 20 kHz (dB, band power summed over bins).
constexpr int kSpectrumSize = 4096;
std::vector<double> thirdOctaveCentres() {
    std::vector<double> c;
    for (int k = -16; k <= 13; ++k) // 1 kHz * 2^(k/3): 25 Hz .. 20 kHz
        c.push_back(1000.0 * std::exp2(k / 3.0));
    return c;
}

std::vector<double> longTermSpectrumDb(const std::vector<float>& mono, double sampleRate) {
    dsp::SpectrumAnalyzer analyzer;
    analyzer.setAveraging(0.0);
    analyzer.prepare(sampleRate, kSpectrumSize / 2, 1, kSpectrumSize);
    std::vector<double> power(static_cast<std::size_t>(analyzer.numBins()), 0.0);
    uint64_t frames = 0;
    // Blocks of one hop: at most one frame completes per call, so every frame is summed.
    for (std::size_t start = 0; start + kSpectrumSize / 2 <= mono.size(); start += kSpectrumSize / 2) {
        float* channel[1] = {const_cast<float*>(mono.data() + start)}; // read only
        analyzer.process(dsp::AudioBlock(channel, 1, kSpectrumSize / 2));
        if (analyzer.framesComputed() == frames) continue;
        frames = analyzer.framesComputed();
        for (int b = 0; b < analyzer.numBins(); ++b)
            power[static_cast<std::size_t>(b)] += std::pow(10.0, analyzer.magnitudeDb(b) / 10.0);
    }
    std::vector<double> bands;
    for (double centre : thirdOctaveCentres()) {
        const double lo = centre * std::exp2(-1.0 / 6.0), hi = centre * std::exp2(1.0 / 6.0);
        double sum = 0.0;
        for (int b = 1; b < analyzer.numBins(); ++b) {
            const double f = analyzer.binFrequency(b);
            if (f >= lo && f < hi) sum += power[static_cast<std::size_t>(b)];
        }
        bands.push_back(frames && sum > 0.0 ? 10.0 * std::log10(sum / static_cast<double>(frames)) : -200.0);
    }
    return bands;
}

std::string spectrumSvg(const std::vector<std::pair<std::string, std::vector<double>>>& stems) {
    static const char* kColours[] = {"#2a4d7a", "#b0412e", "#2b7a3d", "#d9822b",
                                     "#7a3d8c", "#3d8c8c", "#8c7a3d", "#555555"};
    const std::vector<double> centres = thirdOctaveCentres();
    double top = -200.0;
    for (const auto& s : stems)
        for (double v : s.second)
            top = std::max(top, v);
    top = std::ceil(top / 6.0) * 6.0;
    const double height = 220, left = 40, width = kWidth - left - 160, range = 60.0; // top .. top - 60 dB
    const auto xOf = [&](double f) {
        return left + width * std::log(f / centres.front()) / std::log(centres.back() / centres.front());
    };
    const auto yOf = [&](double db) { return 10 + (height - 30) * std::clamp((top - db) / range, 0.0, 1.0); };
    std::ostringstream svg;
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << height << "'>";
    for (double f : {50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0}) {
        svg << "<line x1='" << num(xOf(f)) << "' x2='" << num(xOf(f)) << "' y1='10' y2='" << height - 20
            << "' stroke='#ddd'/><text x='" << num(xOf(f) - 10) << "' y='" << height - 6
            << "' font-size='11'>"
            << (f >= 1000 ? std::to_string(static_cast<int>(f / 1000.0)) + "k"
                          : std::to_string(static_cast<int>(f)))
            << " Hz</text>";
    }
    for (int k = 0; k <= 60; k += 12)
        svg << "<text x='0' y='" << num(yOf(top - k) + 4) << "' font-size='11'>" << -k << " dB</text>";
    for (std::size_t k = 0; k < stems.size(); ++k) {
        const char* colour = kColours[k % std::size(kColours)];
        svg << "<polyline fill='none' stroke='" << colour << "' stroke-width='2' points='";
        for (std::size_t b = 0; b < centres.size() && b < stems[k].second.size(); ++b)
            svg << num(xOf(centres[b])) << "," << num(yOf(stems[k].second[b])) << " ";
        svg << "'/><text x='" << num(left + width + 10) << "' y='" << 20 + 16 * k << "' font-size='12' fill='"
            << colour << "'>" << escape(stems[k].first) << "</text>";
    }
    svg << "</svg>";
    return svg.str();
}

std::string translationTable(const TranslationReport& t) {
    std::ostringstream html;
    const auto opt = [](const std::optional<double>& v, const char* unit) {
        return v ? num(*v) + unit : std::string("-");
    };
    html << "<table><tr><td>playback system</td><td>lead vocal against the band</td><td>change</td>"
            "<td>loudness</td><td>change</td><td></td></tr>";
    for (const auto& s : t.systems) {
        const std::string vocalChange = s.vocalToRestDb && s.flatVocalToRestDb
                                            ? num(*s.vocalToRestDb - *s.flatVocalToRestDb) + " dB"
                                            : std::string("-");
        const std::string lufsChange = s.integratedLufs && s.flatIntegratedLufs
                                           ? num(*s.integratedLufs - *s.flatIntegratedLufs) + " LU"
                                           : std::string("-");
        html << "<tr><td>" << dsp::playbackSystemName(s.system) << "</td><td>" << opt(s.vocalToRestDb, " dB")
             << "</td><td>" << vocalChange << "</td><td>" << opt(s.integratedLufs, " LUFS") << "</td><td>"
             << lufsChange << "</td><td class='" << (s.vocalDisappears ? "fail" : "pass") << "'>"
             << (s.vocalDisappears ? "vocal gets lost" : "vocal holds") << "</td></tr>";
    }
    html << "</table><ul>";
    for (const auto& s : t.systems)
        for (const auto& n : s.notes)
            html << "<li>" << escape(n) << "</li>";
    html << "</ul>";
    if (t.codec)
        html << "<p>Through MP3 at " << t.codec->bitrateKbps << " kb/s the mix's true peak reads "
             << num(t.codec->truePeakDbtp) << " dBTP (" << num(t.codec->inputTruePeakDbtp)
             << " dBTP before); what the codec changes is " << num(t.codec->differenceDb)
             << " dB below the music"
             << (t.codec->exceedsCeiling ? ", and the decoded peak is over -1 dBTP." : ".") << "</p>";
    else if (!t.codecSkipped.empty())
        html << "<p>No MP3 preview: " << escape(t.codecSkipped) << ".</p>";
    return html.str();
}

} // namespace

std::string htmlReport(const FolderScan& scan, const ValidationReport& validation,
                       const ElementAnalysis& elements, const Advice& advice,
                       const TranslationReport* translation, const MatchReport* match) {
    std::ostringstream html;
    html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" << escape(scan.songName)
         << " - Lathe report</title><style>body{font-family:sans-serif;max-width:960px;margin:2em "
            "auto;color:#223}"
            "td{padding:4px 8px;border-bottom:1px solid #ddd}.pass{color:#2b7a3d}.warn{color:#b8860b}"
            ".fail{color:#b0412e;font-weight:bold}h2{margin-top:1.6em}</style></head><body>";
    html << "<h1>" << escape(scan.songName) << "</h1>";
    const char* verdict = advice.recommendation == Recommendation::StereoMastering ? "Stereo mastering"
                          : advice.recommendation == Recommendation::StemMastering ? "Stem mastering"
                          : advice.recommendation == Recommendation::FixDelivery ? "Re-export the stems first"
                                                                                 : "Mix revision first";
    html << "<h2>Recommendation: " << verdict << "</h2><p>Confidence "
         << static_cast<int>(100.0 * advice.confidence + 0.5) << " %</p><ul>";
    for (const auto& r : advice.reasons)
        html << "<li>" << escape(r.text) << "</li>";
    html << "</ul>";
    if (advice.recommendation == Recommendation::FixDelivery) {
        html << "<h3>What to re-export, and how</h3><table>";
        for (const auto& f : advice.findings)
            if (f.calls == Recommendation::FixDelivery)
                html << "<tr><td>"
                     << escape(f.file.empty() ? std::string("the delivery")
                                              : f.file.substr(f.file.find_last_of('/') + 1))
                     << "</td><td>" << escape(f.text) << "</td><td>" << escape(f.fix) << "</td></tr>";
        html << "</table>";
    }
    if (!advice.nudges.empty()) {
        html << "<h3>Suggested changes</h3><ul>";
        for (const auto& n : advice.nudges)
            html << "<li>" << escape(n.text)
                 << (n.beyondNudge             ? std::string()
                     : n.setAssignment.empty() ? std::string(" <em>(advice only)</em>")
                                               : " <code>--set " + escape(n.setAssignment) + "</code>")
                 << "</li>";
        html << "</ul>";
    }
    if (!advice.verified.empty()) {
        html << "<h3>The fixes, measured on the stem master</h3><table><tr><th>Fix</th><th>Measured</th>"
                "<th>Before</th><th>After</th><th></th></tr>";
        for (std::size_t i = 0; i < advice.verified.size(); ++i) {
            const VerifiedFix& v = advice.verified[i];
            const auto figure = [&](double x) {
                return std::isfinite(x) ? formatText("%+.1f %s", x, v.unit.c_str()) : std::string("-");
            };
            html << "<tr><td>" << escape(i < advice.fixes.size() ? advice.fixes[i].text : v.tool)
                 << "</td><td>" << escape(v.text.substr(0, v.text.find(':'))) << "</td><td>"
                 << figure(v.before) << "</td><td>" << figure(v.after) << "</td><td>"
                 << (v.improved ? "improved" : "not improved") << "</td></tr>";
        }
        html << "</table>";
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
    if (!scan.stems.empty()) {
        std::vector<std::pair<std::string, std::vector<double>>> spectra;
        for (const auto& stem : scan.stems) {
            const LoadedAudio audio = loadAudio(stem.path);
            spectra.emplace_back(stem.path.substr(stem.path.find_last_of('/') + 1),
                                 longTermSpectrumDb(audio.mono(), audio.info.sampleRate));
        }
        html << "<h2>Spectrum of each stem</h2><p>Average over the whole song, third-octave bands, relative "
                "to "
                "the loudest band.</p>"
             << spectrumSvg(spectra);
    }
    if (translation && !translation->systems.empty())
        html << "<h2>How it plays elsewhere</h2>" << translationTable(*translation);
    if (match) html << "<h2>Against the reference</h2>" << matchSectionHtml(*match);
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
                     const ElementAnalysis& elements, const Advice& advice,
                     const TranslationReport* translation, const MatchReport* match) {
    writeFileAtomically(path, htmlReport(scan, validation, elements, advice, translation, match));
}

} // namespace lathe::core
