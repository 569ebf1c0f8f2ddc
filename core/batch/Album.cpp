#include "core/batch/Album.h"

#include "core/Error.h"
#include "core/batch/CueSheet.h"
#include "core/io/AtomicFile.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"
#include "core/io/FileTags.h"
#include "core/io/OutputGuard.h"
#include "core/model/JsonFields.h"
#include "core/model/SessionSource.h"
#include "core/render/LoudnessSearch.h"

#include "dsp/AudioBlock.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace lathe::core {

using nlohmann::json;

namespace {

constexpr int kAlbumBlock = 8192;
constexpr double kAlbumToleranceLu = 0.05; // each track; the differences then hold to +-0.1 LU

// The number a song folder or session starts with, or -1.
long leadingNumber(const std::string& name) {
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits])))
        ++digits;
    return digits == 0 || digits > 6 ? -1 : std::stol(name.substr(0, digits));
}

// "02 Night" stays; "Night" becomes "02 Night".
std::string trackFolderName(int number, const std::string& song) {
    if (leadingNumber(song) == number) return song;
    char prefix[8];
    std::snprintf(prefix, sizeof prefix, "%02d ", number);
    return prefix + song;
}

// "02 Night" / "02-Night" / "02_Night" -> "Night": the number is the track's, not the title's.
std::string titleWithoutNumber(const std::string& song) {
    if (leadingNumber(song) < 0) return song;
    std::size_t at = 0;
    while (at < song.size() && std::isdigit(static_cast<unsigned char>(song[at])))
        ++at;
    while (at < song.size() && (song[at] == ' ' || song[at] == '-' || song[at] == '_' || song[at] == '.'))
        ++at;
    return at < song.size() ? song.substr(at) : song;
}

} // namespace

AlbumManifest readAlbumManifest(const std::string& input) {
    AlbumManifest m;
    std::error_code ec;
    std::string manifestPath;
    if (fs::is_directory(input, ec)) {
        const fs::path candidate = fs::path(input) / "album.lathe";
        if (fs::is_regular_file(candidate, ec)) manifestPath = candidate.string();
    } else {
        manifestPath = input;
    }
    if (manifestPath.empty()) {
        m.path = fs::absolute(input).lexically_normal().string();
        m.title = fs::path(m.path).filename().string();
        std::vector<std::pair<long, std::string>> numbered;
        for (const auto& entry : fs::directory_iterator(input, ec)) {
            const std::string name = entry.path().filename().string();
            const bool song = entry.is_directory(ec) || entry.path().extension() == ".lathe";
            if (!song || name.rfind('.', 0) == 0) continue;
            const long number = leadingNumber(name);
            if (number >= 0)
                numbered.emplace_back(number, fs::absolute(entry.path()).lexically_normal().string());
        }
        std::sort(numbered.begin(), numbered.end());
        for (std::size_t i = 1; i < numbered.size(); ++i)
            if (numbered[i].first == numbered[i - 1].first)
                throw Error(input, "two songs are numbered " + std::to_string(numbered[i].first) + ": " +
                                       fs::path(numbered[i - 1].second).filename().string() + " and " +
                                       fs::path(numbered[i].second).filename().string());
        for (auto& [number, path] : numbered)
            m.songs.push_back(path);
        if (m.songs.empty())
            throw Error(input, "no songs: number the song folders (01 Intro, 02 Night, ...) or list them in "
                               "album.lathe");
        return m;
    }
    m.path = fs::absolute(manifestPath).lexically_normal().string();
    std::ifstream in(manifestPath, std::ios::binary);
    if (!in) throw Error(manifestPath, "cannot read the album manifest");
    json j;
    try {
        j = json::parse(in);
    } catch (const std::exception&) {
        throw Error(manifestPath, "not valid JSON");
    }
    JsonFields f(j, "", m.path);
    std::string format;
    f.get("format", format);
    if (format != "lathe-album") f.fail("format", "expected \"lathe-album\"");
    f.get("title", m.title);
    f.get("artist", m.artist);
    f.get("year", m.year);
    f.get("genre", m.genre);
    f.get("gap_s", m.gapSeconds);
    f.get("crossfade_s", m.crossfadeSeconds);
    f.range("gap_s", m.gapSeconds, 0, 60, "s");
    f.range("crossfade_s", m.crossfadeSeconds, 0, 30, "s");
    if (m.gapSeconds > 0 && m.crossfadeSeconds > 0)
        f.fail("crossfade_s", "a crossfade joins the songs without a gap; set gap_s to 0");
    if (const json* songs = f.array("songs"))
        for (std::size_t i = 0; i < songs->size(); ++i) {
            if (!(*songs)[i].is_string()) f.fail("songs." + std::to_string(i), "expected a path");
            const fs::path song = fs::path(m.path).parent_path() / (*songs)[i].get<std::string>();
            if (!fs::exists(song, ec))
                f.fail("songs." + std::to_string(i), song.string() + " does not exist");
            m.songs.push_back(fs::absolute(song).lexically_normal().string());
        }
    f.rejectUnknownKeys();
    if (m.songs.empty()) throw Error(m.path, "songs: the album lists no songs");
    if (m.title.empty()) m.title = fs::path(m.path).parent_path().filename().string();
    return m;
}

std::vector<Session> openAlbumSongs(const AlbumManifest& album, const RenderOverrides& overrides) {
    std::vector<Session> sessions;
    for (std::size_t i = 0; i < album.songs.size(); ++i) {
        Session s = openSessionOrFolder(album.songs[i]);
        applyRenderOverrides(s, overrides);
        s.output.tags = true;
        s.output.track = static_cast<int>(i + 1);
        s.output.track_total = static_cast<int>(album.songs.size());
        if (s.output.title.empty()) s.output.title = titleWithoutNumber(s.song);
        if (s.output.album.empty()) s.output.album = album.title;
        if (s.output.artist.empty()) s.output.artist = album.artist;
        if (s.output.year == 0) s.output.year = album.year;
        if (s.output.genre.empty()) s.output.genre = album.genre;
        s.loudness.tolerance_lu = std::min(s.loudness.tolerance_lu, kAlbumToleranceLu);
        sessions.push_back(std::move(s));
    }
    return sessions;
}

std::vector<double> measureSongLoudness(const std::vector<Session>& songs, const RenderControl& control) {
    std::vector<double> lufs;
    for (std::size_t i = 0; i < songs.size(); ++i) {
        // One limiter pass at no gain: the song as mixed through its chains (the limiter only catches what
        // already exceeds the ceiling).
        Session measure = songs[i];
        measure.loudness.normalize = false;
        const bool stem = !planRender(measure).stereo;
        RenderControl c = control;
        const double from = static_cast<double>(i) / songs.size(),
                     to = static_cast<double>(i + 1) / songs.size();
        if (control.progress)
            c.progress = [&control, from, to](double f) { control.progress(from + (to - from) * f); };
        lufs.push_back(findLoudnessGain(measure, stem, c).integratedLufs);
    }
    return lufs;
}

std::vector<double> albumTrackTargets(const std::vector<double>& songLufs, double targetLufs) {
    if (songLufs.empty()) return {};
    const double loudest = *std::max_element(songLufs.begin(), songLufs.end());
    std::vector<double> targets;
    for (double lufs : songLufs)
        targets.push_back(targetLufs - (loudest - lufs));
    return targets;
}

AlbumReport renderAlbum(const AlbumManifest& album, const std::string& outDir,
                        const RenderOverrides& overrides, const RenderControl& control) {
    AlbumReport report;
    report.title = album.title;
    const std::size_t count = album.songs.size();

    // Every song opened and every output checked before anything is written.
    std::vector<Session> sessions = openAlbumSongs(album, overrides);
    std::vector<std::string> trackDirs;
    WritePlan albumPlan;
    albumPlan.outDir = outDir;
    for (std::size_t i = 0; i < count; ++i) {
        const Session& s = sessions[i];
        trackDirs.push_back((fs::path(outDir) / trackFolderName(static_cast<int>(i + 1), s.song)).string());
        WritePlan songPlan = renderWritePlan(s, trackDirs.back());
        addInputSources(songPlan.sources, album.songs[i]);
        checkWritePlan(songPlan);
        addInputSources(albumPlan.sources, album.songs[i]);
    }
    if (fileNameProblem(album.title) != "")
        throw Error(album.path, "the album title \"" + album.title + "\" cannot name the album files");
    report.albumWav = (fs::path(outDir) / (album.title + ".wav")).string();
    report.cuePath = (fs::path(outDir) / (album.title + ".cue")).string();
    report.reportPath = (fs::path(outDir) / "album.json").string();
    albumPlan.outputs = {report.albumWav, report.cuePath, report.reportPath};
    checkWritePlan(albumPlan);

    // Each song as mixed through its chains, without loudness gain: what "relative loudness" keeps.
    const auto stage = [&](double from, double to) {
        RenderControl c = control;
        if (control.progress)
            c.progress = [&control, from, to](double f) { control.progress(from + (to - from) * f); };
        return c;
    };
    const std::vector<double> sourceLufs = measureSongLoudness(sessions, stage(0.0, 0.2));
    const std::vector<double> targets = albumTrackTargets(sourceLufs, sessions.front().loudness.target_lufs);
    report.targetLufs = sessions.front().loudness.target_lufs;
    report.ceilingDbtp = sessions.front().master.limiter.ceiling_dbtp;

    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec) throw Error(outDir, "cannot create the output folder: " + ec.message());
    for (std::size_t i = 0; i < count; ++i) {
        Session& s = sessions[i];
        AlbumTrack t;
        t.number = static_cast<int>(i + 1);
        t.song = s.song;
        t.outDir = trackDirs[i];
        t.sourceLufs = sourceLufs[i];
        t.trackTargetLufs = targets[i];
        s.loudness.target_lufs = std::max(t.trackTargetLufs, -40.0);
        t.report = renderSession(s, t.outDir, stage(0.2 + 0.7 * i / count, 0.2 + 0.7 * (i + 1) / count));
        for (const auto& w : t.report.warnings)
            report.warnings.push_back(trackFolderName(t.number, s.song) + ": " + w);
        report.tracks.push_back(std::move(t));
    }

    // The continuous album: each track's first WAV, one after the other.
    int rate = 0, bits = 24;
    for (const auto& t : report.tracks) {
        const std::string& wav = t.report.deliverables.front().wavPath;
        if (wav.empty())
            throw Error(t.outDir, "the album WAV needs a WAV or FLAC in each song's deliverables");
        const AudioFileInfo info = probeAudioFile(wav);
        if (rate != 0 && info.sampleRate != rate)
            throw Error(wav, "is at " + std::to_string(info.sampleRate) +
                                 " Hz and the album's first track at " + std::to_string(rate) +
                                 " Hz: render every song at one rate (--rate)");
        rate = info.sampleRate;
        bits = info.isFloat ? 32 : info.bitDepth;
    }
    WriterOptions options;
    options.format = bits == 16   ? OutputFormat::Wav16
                     : bits == 32 ? OutputFormat::WavFloat
                                  : OutputFormat::Wav24;
    options.sampleRate = rate;
    AudioFileWriter writer(report.albumWav, options);
    dsp::LoudnessMeter meter;
    meter.prepare(rate, kAlbumBlock, 2, dsp::LoudnessMeter::Integrated | dsp::LoudnessMeter::Range);
    dsp::TruePeakMeter truePeak;
    truePeak.prepare(rate, kAlbumBlock, 2, 8);
    int64_t position = 0;
    const auto emit = [&](float* l, float* r, int n) {
        float* channels[2] = {l, r};
        dsp::AudioBlock block(channels, 2, n);
        meter.process(block);
        truePeak.process(block);
        const float* planar[2] = {l, r};
        writer.write(planar, n);
        position += n;
    };
    const int64_t gapFrames = std::llround(album.gapSeconds * rate);
    const int64_t fadeFrames = std::llround(album.crossfadeSeconds * rate);
    std::vector<float> l(kAlbumBlock), r(kAlbumBlock);
    std::vector<float> tailL, tailR; // the previous track's last fadeFrames, held back for the crossfade
    for (std::size_t i = 0; i < report.tracks.size(); ++i) {
        AlbumTrack& t = report.tracks[i];
        if (i > 0)
            for (int64_t left = gapFrames; left > 0;) {
                const int n = static_cast<int>(std::min<int64_t>(left, kAlbumBlock));
                std::fill_n(l.begin(), n, 0.0f);
                std::fill_n(r.begin(), n, 0.0f);
                emit(l.data(), r.data(), n);
                left -= n;
            }
        // A crossfade's held tail is emitted mixed into this track's first frames: the track starts here.
        t.startSeconds = static_cast<double>(position) / rate;
        AudioFileReader reader(t.report.deliverables.front().wavPath);
        const int64_t frames = reader.info().frames;
        const int64_t holdFrom =
            i + 1 < report.tracks.size() ? std::max<int64_t>(0, frames - fadeFrames) : frames;
        std::vector<float> nextTailL, nextTailR;
        int64_t read = 0;
        for (;;) {
            float* channels[2] = {l.data(), r.data()};
            const int n = static_cast<int>(reader.read(channels, kAlbumBlock));
            if (n == 0) break;
            if (reader.info().channels == 1) std::copy_n(l.begin(), n, r.begin());
            // Crossfade: equal-gain linear ramps over the held tail of the previous track.
            for (int k = 0; k < n && read + k < static_cast<int64_t>(tailL.size()); ++k) {
                const double in = (static_cast<double>(read + k) + 0.5) / static_cast<double>(tailL.size());
                const size_t at = static_cast<size_t>(read + k);
                l[static_cast<size_t>(k)] =
                    static_cast<float>(l[static_cast<size_t>(k)] * in + tailL[at] * (1 - in));
                r[static_cast<size_t>(k)] =
                    static_cast<float>(r[static_cast<size_t>(k)] * in + tailR[at] * (1 - in));
            }
            int emitCount = n;
            if (read + n > holdFrom) {
                const int keepFrom = static_cast<int>(std::max<int64_t>(0, holdFrom - read));
                nextTailL.insert(nextTailL.end(), l.begin() + keepFrom, l.begin() + n);
                nextTailR.insert(nextTailR.end(), r.begin() + keepFrom, r.begin() + n);
                emitCount = keepFrom;
            }
            if (emitCount > 0) emit(l.data(), r.data(), emitCount);
            read += n;
        }
        tailL = std::move(nextTailL);
        tailR = std::move(nextTailR);
    }
    writer.commit();
    report.integratedLufs = meter.integratedLufs();
    report.loudnessRangeLu = meter.loudnessRangeLu();
    report.truePeakDbtp = truePeak.truePeakDbtp();
    if (report.truePeakDbtp > report.ceilingDbtp)
        report.warnings.push_back(
            "the album WAV's true peak exceeds the ceiling (a crossfade adds two songs)");

    std::vector<CueTrack> cue;
    for (std::size_t i = 0; i < report.tracks.size(); ++i) {
        const Session& s = sessions[i];
        cue.push_back({s.output.title.empty() ? s.song : s.output.title, s.output.artist,
                       normalizedIsrc(s.output.isrc), report.tracks[i].startSeconds});
    }
    writeFileAtomically(report.cuePath, cueSheet(fs::path(report.albumWav).filename().string(), album.title,
                                                 album.artist, cue));
    writeFileAtomically(report.reportPath, toJson(report).dump(2) + "\n");
    return report;
}

json toJson(const AlbumReport& report) {
    auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
    json tracks = json::array();
    for (const auto& t : report.tracks) {
        const DeliverableReport& d = t.report.deliverables.front();
        tracks.push_back({{"number", t.number},
                          {"song", t.song},
                          {"folder", t.outDir},
                          {"wav", d.wavPath},
                          {"source_lufs", round3(t.sourceLufs)},
                          {"track_target_lufs", round3(t.trackTargetLufs)},
                          {"integrated_lufs", round3(d.integratedLufs)},
                          {"loudness_range_lu", round3(d.loudnessRangeLu)},
                          {"true_peak_dbtp", round3(d.truePeakDbtp)},
                          {"start_s", round3(t.startSeconds)},
                          {"cue_index", cueTime(t.startSeconds)}});
    }
    return {{"title", report.title},
            {"target_lufs", report.targetLufs},
            {"ceiling_dbtp", report.ceilingDbtp},
            {"tracks", std::move(tracks)},
            {"album",
             {{"wav", report.albumWav},
              {"cue", report.cuePath},
              {"integrated_lufs", round3(report.integratedLufs)},
              {"loudness_range_lu", round3(report.loudnessRangeLu)},
              {"true_peak_dbtp", round3(report.truePeakDbtp)}}},
            {"warnings", report.warnings}};
}

} // namespace lathe::core
