#include "ClientFolder.h"

#include "Error.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <span>
#include <system_error>
#include <tuple>

namespace lathe::core {

namespace fs = std::filesystem;

namespace {

constexpr std::array<std::string_view, 8> kAudioExtensions{"wav",  "wave", "aif", "aiff",
                                                           "flac", "mp3",  "ogg", "oga"};

std::string toLower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool isAudioExtension(std::string_view extensionWithoutDot) {
    const std::string ext = toLower(extensionWithoutDot);
    return std::find(kAudioExtensions.begin(), kAudioExtensions.end(), ext) != kAudioExtensions.end();
}

// The file name without directories and without a known audio extension. Other dots stay: "Lead.Vocal" is
// two words, not a file "Lead" of type "Vocal".
std::string_view baseName(std::string_view fileName) {
    const auto slash = fileName.find_last_of("/\\");
    if (slash != std::string_view::npos) fileName.remove_prefix(slash + 1);
    const auto dot = fileName.rfind('.');
    if (dot != std::string_view::npos && dot > 0 && isAudioExtension(fileName.substr(dot + 1)))
        fileName = fileName.substr(0, dot);
    return fileName;
}

enum class CharClass { Lower, Upper, Digit, Separator };

CharClass classOf(unsigned char c) {
    if (c >= 'a' && c <= 'z') return CharClass::Lower;
    if (c >= 'A' && c <= 'Z') return CharClass::Upper;
    if (c >= '0' && c <= '9') return CharClass::Digit;
    // Bytes of UTF-8 sequences count as letters so a non-ASCII word stays whole.
    if (c >= 0x80) return CharClass::Lower;
    return CharClass::Separator;
}

std::vector<std::string> tokenize(std::string_view name) {
    std::vector<std::string> tokens;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) tokens.push_back(std::move(current));
        current.clear();
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        const CharClass k = classOf(c);
        if (k == CharClass::Separator) {
            flush();
            continue;
        }
        if (!current.empty()) {
            const CharClass p = classOf(static_cast<unsigned char>(name[i - 1]));
            const bool nextIsLower =
                i + 1 < name.size() && classOf(static_cast<unsigned char>(name[i + 1])) == CharClass::Lower;
            if ((p == CharClass::Digit) != (k == CharClass::Digit))
                flush(); // "Snare05", "808Bass", "2Track"
            else if (p == CharClass::Lower && k == CharClass::Upper)
                flush(); // "LeadVocal"
            else if (p == CharClass::Upper && k == CharClass::Upper && nextIsLower)
                flush(); // "BGVAdlibs" -> "BGV", "Adlibs"
        }
        current.push_back(static_cast<char>(std::tolower(c)));
    }
    flush();
    return tokens;
}

// Keyword lists. Two-word phrases are written joined ("hihat", "fullmix", "2track"): the matcher tries every
// word and every pair of neighbouring words joined, so "Hi-Hat", "HiHat" and "hihat" all match.
constexpr std::string_view kReferenceWords[] = {"master", "masters",   "mastered",    "ref",
                                                "refs",   "reference", "roughmaster", "refmaster"};
constexpr std::string_view kPremasterWords[] = {"premaster", "premastered", "premasters"};
constexpr std::string_view kFullMixWords[] = {"fullmix", "stereomix", "mainmix", "2track",
                                              "2trk",    "twotrack",  "2mix",    "stereobounce"};
constexpr std::string_view kPlainMixWords[] = {"mix", "mixes", "mixed", "mixdown", "bounce", "bounced"};

constexpr std::string_view kFxWords[] = {
    "fx",         "sfx",         "efx",    "effect",  "effects", "reverb",  "reverbs", "verb",
    "verbs",      "delay",       "delays", "dly",     "echo",    "echoes",  "riser",   "risers",
    "uplifter",   "downlifter",  "sweep",  "sweeps",  "impact",  "impacts", "whoosh",  "whooshes",
    "transition", "transitions", "return", "returns", "rtn",     "aux",     "foley"};
constexpr std::string_view kBackingVocalWords[] = {"bv",
                                                   "bvs",
                                                   "bgv",
                                                   "bgvs",
                                                   "bgvox",
                                                   "bvox",
                                                   "bg",
                                                   "backing",
                                                   "backings",
                                                   "backingvocal",
                                                   "backingvocals",
                                                   "backgroundvocal",
                                                   "backgroundvocals",
                                                   "backgroundvox",
                                                   "harmony",
                                                   "harmonies",
                                                   "harm",
                                                   "harms",
                                                   "adlib",
                                                   "adlibs",
                                                   "double",
                                                   "doubles",
                                                   "dbl",
                                                   "dbls",
                                                   "choir",
                                                   "choirs",
                                                   "ooh",
                                                   "oohs",
                                                   "aah",
                                                   "aahs",
                                                   "chant",
                                                   "chants"};
constexpr std::string_view kLeadVocalWords[] = {
    "vocal", "vocals", "vox",    "voc",      "vocs",      "voice",     "voices",     "lv",       "lvox",
    "rap",   "raps",   "singer", "acapella", "acappella", "leadvocal", "leadvocals", "mainvocal"};
constexpr std::string_view kDrumWords[] = {
    "drum",  "drums",   "drm",     "drms",     "kick",       "kicks",  "kik",       "bd",        "bassdrum",
    "snare", "snares",  "snr",     "hat",      "hats",       "hihat",  "hihats",    "hh",        "tom",
    "toms",  "cymbal",  "cymbals", "overhead", "overheads",  "ride",   "crash",     "clap",      "claps",
    "rim",   "rimshot", "shaker",  "shakers",  "tambourine", "tamb",   "perc",      "percs",     "percussion",
    "kit",   "cowbell", "conga",   "congas",   "bongo",      "bongos", "breakbeat", "breakbeats"};
constexpr std::string_view kBassWords[] = {"bass", "basses",  "bassline", "basslines", "sub",
                                           "subs", "subbass", "808",      "808s"};
constexpr std::string_view kMusicWords[] = {
    "music",     "keys",       "keyboard", "keyboards", "pad",    "pads",         "synth",   "synths",
    "guitar",    "guitars",    "gtr",      "gtrs",      "piano",  "pianos",       "pno",     "epiano",
    "string",    "strings",    "organ",    "rhodes",    "wurli",  "brass",        "horn",    "horns",
    "sax",       "trumpet",    "trombone", "flute",     "violin", "violins",      "viola",   "cello",
    "orchestra", "orch",       "bell",     "bells",     "pluck",  "plucks",       "arp",     "arps",
    "chord",     "chords",     "lead",     "leads",     "melody", "instrumental", "inst",    "instr",
    "beat",      "bassoon",    "oboe",     "clarinet",  "harp",   "marimba",      "mallets", "supersaw",
    "atmos",     "atmosphere", "texture",  "textures"};

struct Words {
    std::vector<std::string> all; // each token, then each neighbouring pair joined

    bool hasAny(std::span<const std::string_view> keywords) const {
        for (const auto& w : all)
            for (auto k : keywords)
                if (w == k) return true;
        return false;
    }
};

Words wordsOf(std::string_view fileName) {
    Words words;
    words.all = tokenize(baseName(fileName));
    const std::size_t n = words.all.size();
    for (std::size_t i = 0; i + 1 < n; ++i)
        words.all.push_back(words.all[i] + words.all[i + 1]);
    return words;
}

// Natural order ("v9" < "v10") so the tie-break among candidates follows version numbers.
bool naturalLess(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
        const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
        if (da && db) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei])))
                ++ei;
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej])))
                ++ej;
            std::string_view na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
            while (na.size() > 1 && na.front() == '0')
                na.remove_prefix(1);
            while (nb.size() > 1 && nb.front() == '0')
                nb.remove_prefix(1);
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            i = ei;
            j = ej;
            continue;
        }
        const auto ca = std::tolower(static_cast<unsigned char>(a[i]));
        const auto cb = std::tolower(static_cast<unsigned char>(b[j]));
        if (ca != cb) return ca < cb;
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

int depthBelow(const fs::path& folder, const std::string& path) {
    const fs::path rel = fs::path(path).lexically_relative(folder);
    return static_cast<int>(std::distance(rel.begin(), rel.end())) - 1;
}

// Better candidate for the mix or the reference: lossless first (a lossy mix is a last resort), then the one
// nearest the top of the folder, then the higher resolution, then the name sorting last ("v2" over "v1").
bool betterCandidate(const ScannedFile& a, const ScannedFile& b, const fs::path& folder) {
    const auto key = [&](const ScannedFile& f) {
        return std::make_tuple(!f.info.lossy, -depthBelow(folder, f.path), f.info.bitDepth,
                               f.info.sampleRate);
    };
    if (key(a) != key(b)) return key(a) > key(b);
    return naturalLess(b.path, a.path);
}

bool isLatheOutput(const std::string& lowerName) {
    if (lowerName == "report.json") return true;
    const auto dot = lowerName.rfind('.');
    if (dot == std::string::npos) return false;
    const std::string_view stem = std::string_view(lowerName).substr(0, dot);
    const std::string_view ext = std::string_view(lowerName).substr(dot + 1);
    return ext == "lathe" || stem.ends_with("_stereo_master") || stem.ends_with("_stem_master");
}

struct Walk {
    fs::path folder;
    std::vector<std::string> audio;
    FolderScan* scan = nullptr;

    void visit(const fs::path& dir, int depth) {
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec) {
            scan->problems.push_back({dir.string(), "cannot read this folder (" + ec.message() + ")"});
            return;
        }
        for (const fs::directory_iterator end; it != end; it.increment(ec)) {
            if (ec) {
                scan->problems.push_back({dir.string(), "cannot list this folder (" + ec.message() + ")"});
                return;
            }
            const fs::path& p = it->path();
            const std::string name = p.filename().string();
            if (name.empty() || name.front() == '.' || name == "__MACOSX") continue;
            std::error_code typeEc;
            if (it->is_directory(typeEc)) {
                if (depth < kMaxScanDepth) visit(p, depth + 1);
                continue;
            }
            if (!it->is_regular_file(typeEc))
                continue; // sockets, fifos, dangling links: nothing a client meant to send
            if (isLatheOutput(toLower(name))) continue;
            const std::string ext = p.extension().string();
            if (ext.size() > 1 && isAudioExtension(std::string_view(ext).substr(1)))
                audio.push_back(p.string());
            else
                scan->ignored.push_back(p.string());
        }
    }
};

fs::path normalisedFolder(const std::string& dir) {
    fs::path p = fs::absolute(fs::path(dir)).lexically_normal();
    if (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
    return p;
}

nlohmann::json fileJson(const ScannedFile& f) {
    return {{"path", f.path},          {"sample_rate", f.info.sampleRate}, {"channels", f.info.channels},
            {"frames", f.info.frames}, {"bit_depth", f.info.bitDepth},     {"format", f.info.encoding}};
}

} // namespace

const char* fileKindName(FileKind kind) {
    switch (kind) {
    case FileKind::Mix:
        return "mix";
    case FileKind::Reference:
        return "reference";
    case FileKind::Stem:
        break;
    }
    return "stem";
}

std::vector<std::string> fileNameWords(std::string_view fileName) {
    return tokenize(baseName(fileName));
}

NameClassification classifyFileName(std::string_view fileName) {
    const Words w = wordsOf(fileName);
    const bool premaster = w.hasAny(kPremasterWords);
    if (!premaster && w.hasAny(kReferenceWords)) return {FileKind::Reference, StemRole::Other, true};
    if (premaster || w.hasAny(kFullMixWords)) return {FileKind::Mix, StemRole::Other, true};

    StemRole role = StemRole::Other;
    if (w.hasAny(kFxWords))
        role = StemRole::Fx;
    else if (w.hasAny(kBackingVocalWords))
        role = StemRole::BackingVocals;
    else if (w.hasAny(kLeadVocalWords))
        role = StemRole::LeadVocal;
    else if (w.hasAny(kDrumWords))
        role = StemRole::Drums;
    else if (w.hasAny(kBassWords))
        role = StemRole::Bass;
    else if (w.hasAny(kMusicWords))
        role = StemRole::Music;

    if (role == StemRole::Other && w.hasAny(kPlainMixWords)) return {FileKind::Mix, StemRole::Other, true};
    return {FileKind::Stem, role, role != StemRole::Other};
}

FolderScan scanClientFolder(const std::string& dir) {
    if (dir.empty()) throw Error("", "no client folder was given");
    std::error_code ec;
    const fs::file_status status = fs::status(dir, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw Error(dir, "cannot open this folder (" + ec.message() + ")");
    if (!fs::exists(status)) throw Error(dir, "this folder does not exist");
    if (!fs::is_directory(status))
        throw Error(dir, "this is a file, not a folder; give the folder that holds the client's files");

    FolderScan scan;
    const fs::path folder = normalisedFolder(dir);
    scan.folder = folder.string();
    scan.songName = folder.filename().string();

    {
        fs::directory_iterator probe(folder, ec);
        if (ec) throw Error(dir, "cannot read this folder (" + ec.message() + ")");
    }
    Walk walk;
    walk.folder = folder;
    walk.scan = &scan;
    walk.visit(folder, 0);
    std::sort(walk.audio.begin(), walk.audio.end());

    std::vector<ScannedFile> mixes, references;
    for (const std::string& path : walk.audio) {
        ScannedFile file;
        file.path = path;
        try {
            file.info = probeAudioFile(path);
            validateSource(file.info);
        } catch (const Error& e) {
            scan.problems.push_back({path, e.problem()});
            continue;
        } catch (const std::exception& e) {
            scan.problems.push_back({path, e.what()});
            continue;
        }
        const NameClassification c = classifyFileName(fs::path(path).filename().string());
        file.kind = c.kind;
        file.role = c.role;
        file.roleRecognised = c.recognised;
        if (c.kind == FileKind::Mix)
            mixes.push_back(std::move(file));
        else if (c.kind == FileKind::Reference)
            references.push_back(std::move(file));
        else
            scan.stems.push_back(std::move(file));
    }

    const auto pickBest = [&](std::vector<ScannedFile>& candidates, std::optional<ScannedFile>& chosen,
                              const char* what) {
        if (candidates.empty()) return;
        const auto best =
            std::min_element(candidates.begin(), candidates.end(),
                             [&](const auto& a, const auto& b) { return betterCandidate(a, b, folder); });
        const std::string bestRel = fs::path(best->path).lexically_relative(folder).string();
        for (auto it = candidates.begin(); it != candidates.end(); ++it)
            if (it != best)
                scan.problems.push_back({it->path, std::string("second ") + what + " candidate: Lathe uses " +
                                                       bestRel + " as the " + what});
        chosen = std::move(*best);
    };
    pickBest(mixes, scan.mix, "mix");
    pickBest(references, scan.reference, "reference");

    std::sort(scan.ignored.begin(), scan.ignored.end());
    std::stable_sort(scan.problems.begin(), scan.problems.end(),
                     [](const FileProblem& a, const FileProblem& b) { return a.path < b.path; });
    return scan;
}

nlohmann::json toJson(const FolderScan& scan) {
    nlohmann::json stems = nlohmann::json::array();
    for (const ScannedFile& s : scan.stems) {
        nlohmann::json j = fileJson(s);
        j["role"] = stemRoleName(s.role);
        j["recognised"] = s.roleRecognised;
        stems.push_back(std::move(j));
    }
    nlohmann::json problems = nlohmann::json::array();
    for (const FileProblem& p : scan.problems)
        problems.push_back({{"path", p.path}, {"problem", p.problem}});
    const nlohmann::json json = {
        {"folder", scan.folder},
        {"song", scan.songName},
        {"mix", scan.mix ? fileJson(*scan.mix) : nlohmann::json(nullptr)},
        {"reference", scan.reference ? fileJson(*scan.reference) : nlohmann::json(nullptr)},
        {"stems", std::move(stems)},
        {"ignored", scan.ignored},
        {"problems", std::move(problems)}};
    // File names on Linux are bytes, not necessarily UTF-8 (Latin-1 names from old zip archives), and
    // nlohmann::json refuses to dump invalid UTF-8 (found by tests/fuzz: `scan --json` aborted). Invalid
    // bytes become U+FFFD so the listing still prints.
    return nlohmann::json::parse(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace lathe::core
