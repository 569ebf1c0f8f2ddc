#pragma once

#include "core/batch/BatchRunner.h"
#include "core/model/Session.h"
#include "core/render/RenderReport.h"
#include "core/render/Renderer.h"

#include <string>
#include <vector>

namespace lathe::core {

// A release of several songs rendered together (`lathe-cli album`). The album manifest, album.lathe:
// {"format": "lathe-album", "title", "artist", "year", "genre", "gap_s" (default 2), "crossfade_s" (default
// 0), "songs": [folder or session, ...]} with paths relative to the manifest. A folder without album.lathe
// lists its song folders and sessions whose names start with a number ("01 Intro", "02-Night.lathe"), in
// that order.
struct AlbumManifest {
    std::string path; // the manifest, or the album folder when it has none
    std::string title;
    std::string artist;
    int year = 0;
    std::string genre;
    double gapSeconds = 2.0;
    double crossfadeSeconds = 0.0;
    std::vector<std::string> songs; // absolute
};
// Throws Error naming the folder or manifest (no songs, a song missing, a bad key).
AlbumManifest readAlbumManifest(const std::string& folderOrManifest);

struct AlbumTrack {
    int number = 0;
    std::string song;
    std::string outDir;
    double sourceLufs = 0; // the song through its chains, before any loudness gain
    double trackTargetLufs = 0;
    RenderReport report;
    double startSeconds = 0; // in the album WAV
};

struct AlbumReport {
    std::string title;
    double targetLufs = 0;
    double ceilingDbtp = 0;
    std::vector<AlbumTrack> tracks;
    std::string albumWav;
    std::string cuePath;
    double integratedLufs = 0; // the album WAV as one programme
    double loudnessRangeLu = 0;
    double truePeakDbtp = 0;
    std::vector<std::string> warnings;
    std::string reportPath; // album.json
};

// Album loudness: each song is measured through its chains without loudness gain; the loudest is mastered
// to the target and every other one to the target less its distance from the loudest, so the songs keep
// their relative loudness (each within the session's tolerance of its own target) and none exceeds the
// ceiling (each goes through the true-peak limiter as a single song would). Each song is rendered with
// `overrides` into OUT/NN <song>/ (tags: album, artist, year, track n of N), then the tracks' first WAV is
// joined into OUT/<album>.wav with the gaps (or crossfades), OUT/<album>.cue and OUT/album.json. Every file
// goes through the write plan and a temporary name. Throws Error / RenderCancelled.
// The songs of `album` opened with `overrides` applied and the album's metadata filled in (the session's own
// values win): what renderAlbum renders. Throws Error naming a song that cannot be opened.
std::vector<Session> openAlbumSongs(const AlbumManifest& album, const RenderOverrides& overrides);
// Each song through its chains without loudness gain (integrated LUFS): what album loudness keeps relative.
std::vector<double> measureSongLoudness(const std::vector<Session>& songs, const RenderControl& control = {});
// Each track's target: `target` for the loudest, less its distance from the loudest for the others.
std::vector<double> albumTrackTargets(const std::vector<double>& songLufs, double targetLufs);

AlbumReport renderAlbum(const AlbumManifest& album, const std::string& outDir,
                        const RenderOverrides& overrides, const RenderControl& control = {});

nlohmann::json toJson(const AlbumReport& report);

} // namespace lathe::core
