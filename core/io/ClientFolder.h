#pragma once

#include "core/io/AudioFileReader.h"
#include "core/model/StemRole.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lathe::core {

enum class FileKind { Stem, Mix, Reference };
const char* fileKindName(FileKind kind); // "stem", "mix", "reference"

struct NameClassification {
    FileKind kind = FileKind::Stem;
    StemRole role = StemRole::Other; // Other for a mix or a reference
    bool recognised = false;         // a keyword decided the kind or the role (false: unknown stem name)
};

// Classifies an audio file by its name alone (a path's directories are ignored; a known audio extension is
// dropped). The name is split into lower-case words on separators (_ - . space and punctuation), letter/digit
// boundaries and camelCase, and whole words or two-word phrases are matched, never substrings: "Bassoon" is
// not bass, "Overheads" is drums because "overheads" is a keyword. Precedence, first match wins:
//   1. reference: master, mastered, ref, reference, "rough master" (but "premaster" is a mix)
//   2. full mix: "full mix", "stereo mix", "main mix", "2 track", "2-Track", premaster, ...
//   3. mix, mixed, mixdown, bounce with no stem keyword; "Drum Mix", "Vocal Bounce", "Drums Final Mix" or
//      "Mix - Drums" is a submix, so a stem; but a title word between the role word and the mix word makes
//      the role word part of the song's title: "Keys Song Mix" and "Drum Machine Blues Mix" are the mix
//   4. stem roles: fx > backing_vocals > lead_vocal > drums > bass > music ("Lead Vocal FX" is fx,
//      "Lead Vocal Doubles" backing vocals, "Bass Drum" drums via its phrase, "Synth Bass" bass)
//   5. otherwise a stem with role other and recognised == false.
// The order is chosen by what a mistake costs: a mastered reference or a full mix taken for a stem would be
// summed into the stem master; the other way round only leaves a stem out, which the scan shows.
// "remix" is not a mix keyword (it is part of song titles: "Song Remix - Drums").
NameClassification classifyFileName(std::string_view fileName);

// The words classifyFileName matches against, exposed for tests and the UI's "why" tooltip.
std::vector<std::string> fileNameWords(std::string_view fileName);
// classifyFileName on a name already split into words (fileNameWords), e.g. with the song's title taken out.
NameClassification classifyFileWords(const std::vector<std::string>& words);
// A word that says what a file is or which version it is (a role, mix or reference keyword, a number,
// "final", "v", "stems"), not part of a song's title.
bool isKeywordOrVersion(std::string_view word);
// A number or a word that says which take a file is: v, version, final, new, old, rough, alt, print, edit,
// take.
bool isVersionWord(std::string_view word);
// mix, mixes, mixed, mixdown, bounce, bounced.
bool isMixWord(std::string_view word);

// One audio file of a client folder, as classifyFolderFiles needs it: its name (a path is fine) and channels.
struct FolderAudioFile {
    std::string fileName;
    int channels = 2;
};

// What each audio file of one client folder is, judged from all of them together (FolderClassification.cpp);
// the name alone (classifyFileName) cannot tell "Keys Song Mix" from a keys submix, nor "Drum Machine Blues"
// from a drum stem. The mix and the master are decided by their words and by the stems' naming pattern
// before any role word:
//   1. the song's title (the folder's name, its leading and trailing numbers dropped) is taken out of a name
//      that holds it, and the rest is classified: in "Drum Machine Blues", "Drum Machine Blues - Bass" is
//      bass and "Drum Machine Blues (Master)" a reference; a stereo file named after the song and nothing
//      else (or a version: "v2", "final") is the mix;
//   2. when the other stems (two or more) share a naming pattern - a number in front ("01_", "2 - ") or the
//      same first word ("KSM_Drums", "KSM_Bass") - a file with a mix word that breaks the pattern is the mix
//      ("Drum Mix.wav" beside "01_Kick.wav", "02_Snare.wav"); one that follows it stays a submix;
//   3. a stereo file alone in the folder, with a title word (not only keywords: "Drum Machine Blues.wav", not
//      "Drums.wav"), is the mix.
// Everything else is as classifyFileName says. The result has one entry per file, in order.
std::vector<NameClassification> classifyFolderFiles(std::string_view songName,
                                                    const std::vector<FolderAudioFile>& files);

// What a file's name says (FileNameClassification.cpp), apart from classifyFileName: whether its extension
// (without the dot, any case) is audio Lathe reads - wav, wave, aif, aiff, flac, mp3, ogg, oga - and whether
// it is one of Lathe's own outputs (report.json, *.lathe, *_stereo_master.*, *_stem_master.*, any case).
bool isAudioExtension(std::string_view extensionWithoutDot);
bool isLatheOutputName(std::string_view fileName);

struct ScannedFile {
    std::string path; // absolute
    FileKind kind = FileKind::Stem;
    StemRole role = StemRole::Other;
    bool roleRecognised = false;
    AudioFileInfo info;
};

struct FileProblem {
    std::string path;
    std::string problem;
};

// A folder entry the scan passed over on purpose: not a file the client sent twice, or not a file at all.
struct SkippedEntry {
    std::string path;
    std::string reason;
};

struct FolderScan {
    std::string folder;   // absolute, normalised, no trailing separator
    std::string songName; // the folder's name
    std::optional<ScannedFile> mix, reference;
    std::vector<ScannedFile> stems;   // sorted by path
    std::vector<std::string> ignored; // not audio by extension: listed, not used; sorted
    std::vector<FileProblem>
        problems; // audio files (or folders) that cannot be used, with the reason; sorted
    // Second names of a file or folder already scanned (links, hard links), links that lead out of the folder
    // through one of its parents, and entries that are not files (named pipes, sockets, devices) without an
    // audio extension; sorted. Nothing here is used, and nothing here stops a render.
    std::vector<SkippedEntry> skipped;
};

// Deepest subfolder level scanned: dir/a/b/c/file.wav is found, dir/a/b/c/d/file.wav is not.
constexpr int kMaxScanDepth = 3;

// Lists a client's folder. Audio is recognised by extension (.wav .wave .aif .aiff .flac .mp3 .ogg .oga, any
// case) and probed (probeAudioFile + validateSource); files that fail go to problems. Other files go to
// ignored. Hidden entries (".x"), "__MACOSX" and Lathe's own outputs (*_stereo_master.*, *_stem_master.*,
// report.json, *.lathe) are skipped without mention.
// Every file and folder is taken once, by its identity (device and inode), whatever leads to it: the real
// folders are walked first and links after them, so a file keeps its own name; a second name (a hard link, a
// link to a file or folder already scanned, "ln -s . Alt") goes to skipped with the first name, and a link to
// a folder that holds the client folder ("..", "/") is not followed (it would scan other songs). A named
// pipe, socket or device is never opened (reading a pipe waits for a writer forever): with an audio extension
// it is a problem (a part of the song Lathe cannot read), otherwise it is skipped; a link to nothing is
// treated the same way. Readable audio files are classified together (classifyFolderFiles, the folder's name
// as the song title). When several files look like the mix (or the reference),
// the best is taken (lossless before lossy, shallower folder, higher bit depth and rate, then the name
// sorting last in natural order, so "Mix v10" beats "Mix v9") and the rest are listed as problems. Throws
// Error if dir is missing, unreadable or not a directory. An empty folder gives an empty scan.
FolderScan scanClientFolder(const std::string& dir);

// CLI contract: {"folder", "song", "mix", "reference", "stems": [...], "ignored": [...], "problems": [...],
// "skipped": [{"path", "reason"}]}.
// Each stem: {"path","role","recognised","sample_rate","channels","frames","bit_depth","format"}; mix and
// reference: null, or an object with the same keys minus "role"/"recognised". format is the encoding
// ("pcm_24", "float", "mp3", ...).
nlohmann::json toJson(const FolderScan& scan);

} // namespace lathe::core
