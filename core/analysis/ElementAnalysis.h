#pragma once

#include "core/analysis/BassNotes.h"
#include "core/analysis/LimiterDrive.h"
#include "core/analysis/SectionFinder.h"
#include "core/analysis/StemWidth.h"
#include "core/io/ClientFolder.h"
#include "core/io/LoadedAudio.h"
#include "core/model/StemRole.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

// At a kick hit, bass within this of the kick's 30-120 Hz level masks it.
constexpr double kKickMaskingDb = 1.5;
// The lead vocal's gaps within this of its phrases: reverb is printed on it.
constexpr double kBakedReverbGapFloorDb = -38.0;

struct ElementStem {
    const LoadedAudio* audio = nullptr;
    StemRole role = StemRole::Other;
};

struct SectionVocalBalance {
    SongSection section;
    bool vocalPresent = false; // the lead vocal sings in at least a quarter of the section
    // Lead vocal against all other stems, both K-weighted, over the 0.1 s hops it sings in: the median of
    // the hops' level differences, so one loud note of another stem (an 808 hit) does not move it.
    double vocalToRestDb = 0;
};

struct StemElementFigures {
    std::string path;
    StemRole role = StemRole::Other;
    double levelDb = 0;                      // RMS, dBFS
    double widthDb = -200;                   // side - mid energy, dB: -200 mono, 0 as wide as it is centred
    double brightnessDb = 0;                 // 5-12 kHz band RMS relative to the stem's full-band RMS
    double lowBandDb = 0;                    // 30-120 Hz band RMS, dBFS
    double peakShare = 0;                    // share of the sum's loudest peaks this stem dominates (0..1)
    std::vector<SectionWidth> sectionWidths; // one per ElementAnalysis::sections
};

struct ElementAnalysis {
    std::vector<SongSection> sections;
    bool hasLeadVocal = false;
    std::vector<SectionVocalBalance> vocalBalance;
    double vocalToRestSpreadDb = 0; // max - min over sections where the vocal sings
    // Kick (drums) against bass/808 in 30-120 Hz, at the kick's hits (onsets in the drums' 30-120 Hz level,
    // 20 ms hops, within 15 dB of the loudest): lowEndOverlap is the share of hits the bass sounds under
    // (within 20 dB of its loudest), lowEndMasking the share where it is as loud as the kick there (at most
    // kKickMaskingDb below it), so the kick's punch is lost in it; bassOverKickDb the median bass - kick
    // level at the hits it sounds under.
    bool hasKickAndBass = false;
    int kickHits = 0;
    double lowEndOverlap = 0;
    double lowEndMasking = 0;
    std::optional<double> bassOverKickDb;
    // Bass/808 notes (findBassNotes: onsets where the line rises over the previous note's decay, so a
    // legato line's notes separate), judged against the other notes of their section (judgeBassLine), the
    // sections found from the stems other than the bass (with and without the lead vocal; the note must
    // stand out in both), so no edit of the bass moves them. bassNotes counts
    // them (0 without a bass stem); bassNoteJumps lists those more than kBassNoteJumpDb over the others,
    // loudest jump first.
    int bassNotes = 0;
    std::vector<BassNoteJump> bassNoteJumps;
    // Every judged note, by time, each with how far it sits over the others (what a fix's verification
    // reads back for the note it tamed, however little it now stands out).
    std::vector<BassNoteJump> bassNoteLine;
    // Brightness of drums (cymbals, hats) against the lead vocal in 5-12 kHz, dB (positive: drums brighter).
    std::optional<double> cymbalsOverVocalDb;
    // FX returns against the dry lead vocal, dB.
    std::optional<double> fxOverVocalDb;
    std::string limiterDriver; // path of the stem dominating the loudest peaks of the sum
    // The lead vocal between its phrases against its phrases: from its first sung hop to its last, the
    // lowest of (a 50 ms window's level - the loudest 10 ms within half a second of it), dB. A dry vocal
    // falls silent between phrases
    // (-60 dB or lower); reverb printed on it keeps the gaps filled.
    std::optional<double> vocalGapFloorDb;
    LimiterDrive limiterDrive; // the master limiter over the stems' sum, and what drives it
    std::vector<StemElementFigures> stems;
};

// Sections come from the stems other than the lead vocal (findSections from parts: the band's arrangement,
// which no ride of the vocal can move), the bass among them with its jumps levelled (withJumpsLevelled: no
// loud note can move them either), levels and labels from the mix (or the stems' sum when mix is null).
// All inputs must share one sample rate; shorter stems count as silence past their end.
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
