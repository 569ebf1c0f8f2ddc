#pragma once

#include <string>
#include <vector>

namespace lathe::core {

// A CUE sheet for one continuous album WAV: each track's start as INDEX 01 in mm:ss:ff (75 frames a
// second, the Red Book's sector rate), with TITLE, PERFORMER and ISRC where known.
struct CueTrack {
    std::string title;
    std::string performer;
    std::string isrc; // normalised, or empty
    double startSeconds = 0;
};
std::string cueSheet(const std::string& wavFileName, const std::string& albumTitle,
                     const std::string& albumPerformer, const std::vector<CueTrack>& tracks);
// "mm:ss:ff" for a time in seconds (rounded to the nearest CD frame).
std::string cueTime(double seconds);

} // namespace lathe::core
