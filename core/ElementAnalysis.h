#pragma once

#include "ClientFolder.h"
#include "LoadedAudio.h"
#include "SectionFinder.h"
#include "StemRole.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

struct ElementStem {
    const LoadedAudio* audio = nullptr;
    StemRole role = StemRole::Other;
};

struct SectionVocalBalance {
    SongSection section;
    bool vocalPresent = false; // the lead vocal sings in at least a quarter of the section
    double vocalToRestDb = 0;  // lead vocal RMS - RMS of all other stems, over the 0.1 s hops it sings in
};

struct StemElementFigures {
    std::string path;
    StemRole role = StemRole::Other;
    double levelDb = 0;      // RMS, dBFS
    double widthDb = -200;   // side - mid energy, dB: -200 mono, 0 as wide as it is centred
    double brightnessDb = 0; // 5-12 kHz band RMS relative to the stem's full-band RMS
    double lowBandDb = 0;    // 30-120 Hz band RMS, dBFS
    double peakShare = 0;    // share of the sum's loudest peaks this stem dominates (0..1)
};

struct ElementAnalysis {
    std::vector<SongSection> sections;
    bool hasLeadVocal = false;
    std::vector<SectionVocalBalance> vocalBalance;
    double vocalToRestSpreadDb = 0; // max - min over sections where the vocal sings
    // Kick (drums) against bass/808 in 30-120 Hz, in 50 ms frames where either is within 30 dB of its
    // loudest: the share where both are, and the share where they are also within 6 dB of each other
    // (each masking the other).
    bool hasKickAndBass = false;
    double lowEndOverlap = 0;
    double lowEndMasking = 0;
    // Brightness of drums (cymbals, hats) against the lead vocal in 5-12 kHz, dB (positive: drums brighter).
    std::optional<double> cymbalsOverVocalDb;
    // FX returns against the dry lead vocal, dB.
    std::optional<double> fxOverVocalDb;
    std::string limiterDriver; // path of the stem dominating the loudest peaks of the sum
    std::vector<StemElementFigures> stems;
};

// Sections come from the mix (or the stems' sum when mix is null). All inputs must share one sample rate;
// shorter stems count as silence past their end.
ElementAnalysis analyzeElements(const LoadedAudio* mix, const std::vector<ElementStem>& stems);

// Loads the scanned folder's mix and stems and analyses them. Stems at another rate than the mix (or the
// first stem) are left out: validation reports them.
ElementAnalysis analyzeFolderElements(const FolderScan& scan);

// Level (RMS, dB) of x after a band-pass of two second-order sections (high-pass at lowHz, low-pass at
// highHz), per hop of hopSeconds; floored at -100.
std::vector<double> bandLevelCurveDb(const std::vector<float>& x, double sampleRate, double lowHz,
                                     double highHz, double hopSeconds);

nlohmann::json toJson(const ElementAnalysis& analysis);

} // namespace lathe::core
