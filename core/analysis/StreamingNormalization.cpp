#include "core/analysis/StreamingNormalization.h"

#include <algorithm>
#include <cstdio>

namespace lathe::core {

const std::vector<StreamingPlatform>& streamingPlatforms() {
    // Spotify and Apple Music (Sound Check) raise quiet songs only as far as the peaks allow; YouTube, Tidal,
    // Amazon Music and Deezer only turn loud songs down.
    static const std::vector<StreamingPlatform> kPlatforms{
        {"Spotify", -14.0, true, -1.0},
        {"Spotify (loud)", -11.0, true, -1.0, true, true},
        {"Spotify (quiet)", -19.0, true, -1.0, false, true},
        {"Apple Music", -16.0, true, -1.0},
        {"YouTube", -14.0, false, -1.0},
        {"Tidal", -14.0, false, -1.0},
        {"Amazon Music", -14.0, false, -1.0},
        {"Deezer", -15.0, false, -1.0},
    };
    return kPlatforms;
}

PlaybackOnPlatform normalizeFor(const StreamingPlatform& platform, double integratedLufs,
                                double truePeakDbtp) {
    PlaybackOnPlatform p;
    p.platform = platform.name;
    double gain = platform.targetLufs - integratedLufs;
    if (gain > 0.0 && !platform.limits)
        gain =
            platform.turnsUp ? std::max(0.0, std::min(gain, platform.turnUpCeilingDbtp - truePeakDbtp)) : 0.0;
    p.gainDb = gain;
    p.resultingLufs = integratedLufs + gain;
    p.resultingTruePeakDbtp = truePeakDbtp + gain;
    if (platform.limits && gain > 0.0)
        p.resultingTruePeakDbtp = std::min(p.resultingTruePeakDbtp, platform.turnUpCeilingDbtp);
    p.turnedUp = gain > 0.0;
    p.turnedDown = gain < 0.0;
    return p;
}

std::vector<PlaybackOnPlatform> normalizeForAll(double integratedLufs, double truePeakDbtp) {
    std::vector<PlaybackOnPlatform> out;
    for (const auto& platform : streamingPlatforms())
        out.push_back(normalizeFor(platform, integratedLufs, truePeakDbtp));
    return out;
}

nlohmann::json toJson(const std::vector<PlaybackOnPlatform>& playback) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : playback)
        out.push_back({{"platform", p.platform},
                       {"gain_db", p.gainDb},
                       {"resulting_lufs", p.resultingLufs},
                       {"resulting_true_peak_dbtp", p.resultingTruePeakDbtp},
                       {"turned_up", p.turnedUp},
                       {"turned_down", p.turnedDown}});
    return out;
}

std::vector<std::string> turnedDownNotes(const std::string& what,
                                         const std::vector<PlaybackOnPlatform>& playback) {
    std::vector<std::string> notes;
    for (const auto& p : playback) {
        const auto& platforms = streamingPlatforms();
        const auto it = std::find_if(platforms.begin(), platforms.end(),
                                     [&](const StreamingPlatform& sp) { return sp.name == p.platform; });
        if (it == platforms.end() || it->listenerChoice || p.gainDb >= -2.0) continue;
        char buffer[200];
        std::snprintf(buffer, sizeof buffer,
                      "%s: %s turns it down by %.1f dB (to %.1f LUFS); the loudness above "
                      "that buys nothing there",
                      what.c_str(), p.platform.c_str(), -p.gainDb, p.resultingLufs);
        notes.push_back(buffer);
    }
    return notes;
}

} // namespace lathe::core
