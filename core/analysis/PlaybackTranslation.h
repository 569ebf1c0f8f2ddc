#pragma once

#include "core/analysis/ElementAnalysis.h"
#include "core/analysis/SectionFinder.h"
#include "core/io/ClientFolder.h"
#include "core/io/LoadedAudio.h"

#include "dsp/PlaybackSimulation.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

// How the song translates to one playback system (dsp::PlaybackSimulation's model of it): the lead vocal
// against the rest of the stems after the system's filter, and the mix's loudness through it.
struct SystemTranslation {
    dsp::PlaybackSystem system = dsp::PlaybackSystem::PhoneSpeaker;
    // Vocal RMS - rest RMS over the hops the vocal sings in on a flat system (the same hops everywhere, so
    // the figures compare like with like); empty without a lead vocal stem.
    std::optional<double> vocalToRestDb, flatVocalToRestDb;
    std::vector<std::optional<double>> sectionVocalToRestDb; // per section; empty where the vocal is absent
    std::optional<double> integratedLufs,
        flatIntegratedLufs; // the mix (or the stems' sum) through the system
    bool vocalDisappears =
        false; // vocal-to-rest drops more than kVocalLossDb against flat, overall or in a section
    std::vector<std::string> notes; // sentences with their figures
};

// The mix through a lossy codec at a delivery bitrate.
struct CodecFigures {
    int bitrateKbps = 320;
    double truePeakDbtp = 0, inputTruePeakDbtp = 0, differenceDb = 0;
    int delayFrames = 0;
    bool exceedsCeiling = false; // decoded true peak above -1 dBTP, the usual streaming ceiling
};

struct TranslationReport {
    std::vector<SystemTranslation> systems; // every system but Flat, in PlaybackSystem order
    std::optional<CodecFigures> codec;
    std::string codecSkipped; // why there is no codec figure (no mix, a sample rate MP3 cannot carry)
};

// A vocal that falls more than this against the band on a playback system is lost there.
constexpr double kVocalLossDb = 3.0;
constexpr double kCodecCeilingDbtp = -1.0;

// mix may be null (the stems' sum stands in for loudness; no codec figure then). Stems and mix share one
// sample rate; shorter stems count as silence past their end. sections are the song's
// (ElementAnalysis::sections).
TranslationReport analyzeTranslation(const LoadedAudio* mix, const std::vector<ElementStem>& stems,
                                     const std::vector<SongSection>& sections, int codecBitrateKbps = 320);

// Loads the folder's mix and stems (one stem at a time; stems at another rate than the mix are left out, as
// in analyzeFolderElements) and analyses them. Throws Error naming a file that cannot be read.
TranslationReport analyzeFolderTranslation(const FolderScan& scan, const std::vector<SongSection>& sections,
                                           int codecBitrateKbps = 320);

// [{"system", "vocal_to_rest_db", "flat_vocal_to_rest_db", "sections": [{"label", "start_seconds",
// "end_seconds", "vocal_to_rest_db"}], "integrated_lufs", "flat_integrated_lufs", "vocal_disappears",
// "notes"}]
nlohmann::json translationJson(const TranslationReport& report, const std::vector<SongSection>& sections);
// {"format": "mp3", "bitrate_kbps", "true_peak_dbtp", "input_true_peak_dbtp", "difference_db",
// "delay_frames", "exceeds_ceiling", "ceiling_dbtp"} or null.
nlohmann::json codecJson(const TranslationReport& report);

} // namespace lathe::core
