#pragma once

#include "core/io/LoadedAudio.h"
#include "core/model/StemRole.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

// A moment where one stem alone pulls the master limiter down: the limiter works at least
// kLimiterDriveDb harder there than around it, and one stem is well above its own level around it.
constexpr double kLimiterDriveDb = 2.0;
// How far above its own neighbourhood (the 90th percentile of its sounding 50 ms hops within +-4 s) a stem
// must be in the moment to be the one that drives it.
constexpr double kLimiterDriverExcessDb = 6.0;

struct LimiterDriveEvent {
    std::string path;
    StemRole role = StemRole::Other;
    double startSeconds = 0, endSeconds = 0;
    double gainReductionDb = 0;        // the limiter's largest gain reduction in the moment
    double typicalGainReductionDb = 0; // its median over the +-4 s around it
    double stemExcessDb = 0;           // the driving stem against its own neighbourhood
    double shareOfSum = 0;             // the driving stem's share of the sum's energy in the moment (0..1)
    double stemPeakDbfs = -200;        // the driving stem's sample peak in the moment
};

struct LimiterDrive {
    bool measured = false;
    double inputGainDb = 0;                // the loudness gain to the default target in front of the limiter
    double maxGainReductionDb = 0;         // over the song
    std::vector<LimiterDriveEvent> events; // by time
};

struct DriveStem {
    const LoadedAudio* audio = nullptr;
    StemRole role = StemRole::Other;
};

// Runs the master chain's limiter (LimiterStage, the default session's settings and loudness target) over the
// stems' sum at unity gain, as a stem master with untouched stems would meet it, and attributes its gain
// reduction: each moment it works kLimiterDriveDb harder than around it is blamed on the stem that is most
// above its own level there (by kLimiterDriverExcessDb or more) and carries a real share of the sum. All
// stems share one sample rate; shorter ones are silent past their end.
LimiterDrive analyzeLimiterDrive(const std::vector<DriveStem>& stems);

nlohmann::json toJson(const LimiterDrive& drive);

} // namespace lathe::core
