#include "core/io/ClientFolder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

namespace lathe::core {

namespace {

constexpr std::array<std::string_view, 8> kAudioExtensions{"wav",  "wave", "aif", "aiff",
                                                           "flac", "mp3",  "ogg", "oga"};

std::string toLower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
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

// Words that say which take or version a file is, not what it holds: between a role word and "mix" they
// keep the two together ("Drums Final Mix" is still the drums' submix).
constexpr std::string_view kVersionWords[] = {"v",     "ver", "version", "final", "new",  "old",
                                              "rough", "alt", "print",   "edit",  "take", "stereo"};

bool isIn(std::string_view word, std::span<const std::string_view> keywords) {
    return std::find(keywords.begin(), keywords.end(), word) != keywords.end();
}

bool isNumber(std::string_view word) {
    return !word.empty() &&
           std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isRoleWord(std::string_view w) {
    return isIn(w, kFxWords) || isIn(w, kBackingVocalWords) || isIn(w, kLeadVocalWords) ||
           isIn(w, kDrumWords) || isIn(w, kBassWords) || isIn(w, kMusicWords);
}

struct Words {
    std::vector<std::string> tokens;
    std::vector<std::string> all; // each token, then each neighbouring pair joined

    bool hasAny(std::span<const std::string_view> keywords) const {
        for (const auto& w : all)
            for (auto k : keywords)
                if (w == k) return true;
        return false;
    }
    // Which tokens are part of a keyword of the list, alone or joined with a neighbour ("hi hat").
    std::vector<bool> marks(bool (*matches)(std::string_view)) const {
        std::vector<bool> marked(tokens.size(), false);
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (matches(tokens[i])) marked[i] = true;
            if (i + 1 < tokens.size() && matches(tokens[i] + tokens[i + 1])) marked[i] = marked[i + 1] = true;
        }
        return marked;
    }
};

Words wordsOf(std::vector<std::string> tokens) {
    Words words;
    words.tokens = std::move(tokens);
    words.all = words.tokens;
    const std::size_t n = words.all.size();
    for (std::size_t i = 0; i + 1 < n; ++i) {
        // A version's number is not the start of a phrase: "Drums v2 Mix" is no "2mix".
        if (i > 0 && isNumber(words.all[i]) && isIn(words.all[i - 1], kVersionWords)) continue;
        words.all.push_back(words.all[i] + words.all[i + 1]);
    }
    return words;
}

// A file with a mix word and a role word: the drums' submix ("Drum Mix", "Lead Vocal Mixdown", "Drums Final
// Mix", "Mix - Drums") or the song's mix with a role word in its title ("Keys Song Mix", "Drum Machine Blues
// Mix"). The role names the part when it stands right before the mix word (version words between) or after
// it; a title word between the role and the mix word means the role word is part of the title.
bool roleWordIsInTheTitle(const Words& w) {
    const std::vector<bool> role = w.marks(isRoleWord);
    const std::vector<bool> mix = w.marks([](std::string_view t) { return isIn(t, kPlainMixWords); });
    const auto firstMix = std::find(mix.begin(), mix.end(), true);
    if (firstMix == mix.end()) return false;
    const auto m = static_cast<std::size_t>(firstMix - mix.begin());
    for (std::size_t i = m; i < role.size(); ++i)
        if (role[i]) return false;
    std::size_t i = m;
    while (i > 0 && !role[i - 1]) {
        --i;
        const std::string& t = w.tokens[i];
        if (!isNumber(t) && !isIn(t, kVersionWords)) return true; // a title word stands between
    }
    return false;
}

NameClassification classify(const Words& w) {
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

    if (w.hasAny(kPlainMixWords) && (role == StemRole::Other || roleWordIsInTheTitle(w)))
        return {FileKind::Mix, StemRole::Other, true};
    return {FileKind::Stem, role, role != StemRole::Other};
}

} // namespace

bool isAudioExtension(std::string_view extensionWithoutDot) {
    const std::string ext = toLower(extensionWithoutDot);
    return std::find(kAudioExtensions.begin(), kAudioExtensions.end(), ext) != kAudioExtensions.end();
}

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
    return classify(wordsOf(tokenize(baseName(fileName))));
}

NameClassification classifyFileWords(const std::vector<std::string>& words) {
    return classify(wordsOf(words));
}

bool isVersionWord(std::string_view word) {
    return isNumber(word) || isIn(word, kVersionWords);
}

bool isKeywordOrVersion(std::string_view word) {
    return isVersionWord(word) || isRoleWord(word) || isIn(word, kPlainMixWords) ||
           isIn(word, kFullMixWords) || isIn(word, kPremasterWords) || isIn(word, kReferenceWords) ||
           word == "stem" || word == "stems";
}

bool isMixWord(std::string_view word) {
    return isIn(word, kPlainMixWords);
}

bool isLatheOutputName(std::string_view fileName) {
    const std::string lowerName = toLower(fileName);
    if (lowerName == "report.json") return true;
    const auto dot = lowerName.rfind('.');
    if (dot == std::string::npos) return false;
    const std::string_view stem = std::string_view(lowerName).substr(0, dot);
    const std::string_view ext = std::string_view(lowerName).substr(dot + 1);
    return ext == "lathe" || stem.ends_with("_stereo_master") || stem.ends_with("_stem_master");
}

} // namespace lathe::core
