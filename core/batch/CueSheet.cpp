#include "core/batch/CueSheet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lathe::core {

namespace {

// CUE strings are quoted; a quote inside cannot be escaped, so it becomes an apostrophe.
std::string quoted(std::string text) {
    for (char& c : text)
        if (c == '"') c = '\'';
    return "\"" + text + "\"";
}

} // namespace

std::string cueTime(double seconds) {
    const long frames = std::lround(std::max(0.0, seconds) * 75.0);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%02ld:%02ld:%02ld", frames / (75 * 60), (frames / 75) % 60,
                  frames % 75);
    return buffer;
}

std::string cueSheet(const std::string& wavFileName, const std::string& albumTitle,
                     const std::string& albumPerformer, const std::vector<CueTrack>& tracks) {
    std::string cue;
    if (!albumPerformer.empty()) cue += "PERFORMER " + quoted(albumPerformer) + "\n";
    if (!albumTitle.empty()) cue += "TITLE " + quoted(albumTitle) + "\n";
    cue += "FILE " + quoted(wavFileName) + " WAVE\n";
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        char number[8];
        std::snprintf(number, sizeof number, "%02zu", i + 1);
        cue += std::string("  TRACK ") + number + " AUDIO\n";
        if (!tracks[i].title.empty()) cue += "    TITLE " + quoted(tracks[i].title) + "\n";
        if (!tracks[i].performer.empty()) cue += "    PERFORMER " + quoted(tracks[i].performer) + "\n";
        if (!tracks[i].isrc.empty()) cue += "    ISRC " + tracks[i].isrc + "\n";
        cue += "    INDEX 01 " + cueTime(tracks[i].startSeconds) + "\n";
    }
    return cue;
}

} // namespace lathe::core
