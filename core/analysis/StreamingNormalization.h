#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

// A platform's loudness normalisation as published (2024): its reference level, whether it also raises
// quiet songs, and the true-peak ceiling it respects when it does (it adds no limiter of its own at default
// settings). Policies change; these are the defaults listeners get.
struct StreamingPlatform {
    std::string name;
    double targetLufs = -14;
    bool turnsUp = false;
    double turnUpCeilingDbtp = -1; // upward gain stops where the true peak would pass this
    // Spotify's "Loud" setting raises quiet songs fully and limits the peaks at turnUpCeilingDbtp.
    bool limits = false;
    // A setting the listener picks (Spotify's Loud and Quiet), not what a new listener hears.
    bool listenerChoice = false;
};
const std::vector<StreamingPlatform>&
streamingPlatforms(); // Spotify (normal, loud, quiet), Apple Music, YouTube, Tidal, Amazon, Deezer

struct PlaybackOnPlatform {
    std::string platform;
    double gainDb = 0; // what the platform applies
    double resultingLufs = 0;
    double resultingTruePeakDbtp = 0;
    bool turnedUp = false;   // gain > 0
    bool turnedDown = false; // gain < 0: loudness above the target bought nothing here
};

PlaybackOnPlatform normalizeFor(const StreamingPlatform& platform, double integratedLufs,
                                double truePeakDbtp);
std::vector<PlaybackOnPlatform> normalizeForAll(double integratedLufs, double truePeakDbtp);

nlohmann::json toJson(const std::vector<PlaybackOnPlatform>& playback);

// A sentence for each default platform setting that turns the master down by more than 2 dB: loudness
// bought with limiting that the listener never hears. `what` names the master ("stereo_master").
std::vector<std::string> turnedDownNotes(const std::string& what,
                                         const std::vector<PlaybackOnPlatform>& playback);

} // namespace lathe::core
