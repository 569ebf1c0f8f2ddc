// What each audio file of a client folder is, from all its names together (see classifyFolderFiles in
// ClientFolder.h). A song title often holds a role word ("Keys Song", "Drum Machine Blues"); read alone, its
// mix looked like a stem and was summed into the stem master beside the stems it already contains.
#include "core/io/ClientFolder.h"

#include <algorithm>
#include <optional>

namespace lathe::core {

namespace {

using Words = std::vector<std::string>;

bool isNumber(std::string_view word) {
    return !word.empty() &&
           std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The song's title as words, without the numbers a folder name often carries ("2024-05-01 Song", "Song 3");
// empty when nothing of it could tell a title from a keyword ("Drums", "Mix", "01").
Words titleWords(std::string_view songName) {
    Words title = fileNameWords(songName);
    while (!title.empty() && isNumber(title.front()))
        title.erase(title.begin());
    while (!title.empty() && isNumber(title.back()))
        title.pop_back();
    if (std::all_of(title.begin(), title.end(), [](const std::string& w) { return isKeywordOrVersion(w); }))
        title.clear();
    return title;
}

// The name's words with the title's run taken out; nullopt when the title is not in the name.
std::optional<Words> withoutTitle(const Words& words, const Words& title) {
    if (title.empty() || words.size() < title.size()) return std::nullopt;
    const auto run = std::search(words.begin(), words.end(), title.begin(), title.end());
    if (run == words.end()) return std::nullopt;
    Words rest(words.begin(), run);
    rest.insert(rest.end(), run + static_cast<std::ptrdiff_t>(title.size()), words.end());
    return rest;
}

bool hasTitleWord(const Words& words) {
    return std::any_of(words.begin(), words.end(),
                       [](const std::string& w) { return !isKeywordOrVersion(w); });
}

// "#" for a numbered name ("01_Kick", "2 - Bass"), its first word when that is not a keyword ("KSM" in
// "KSM_Drums"), empty otherwise (no pattern to follow).
std::string patternMark(const Words& words) {
    if (words.empty()) return {};
    if (isNumber(words.front())) return "#";
    return isKeywordOrVersion(words.front()) ? std::string() : words.front();
}

} // namespace

std::vector<NameClassification> classifyFolderFiles(std::string_view songName,
                                                    const std::vector<FolderAudioFile>& files) {
    const Words title = titleWords(songName);
    std::vector<Words> words;
    std::vector<NameClassification> result;
    for (const FolderAudioFile& file : files) {
        words.push_back(fileNameWords(file.fileName));
        const std::optional<Words> rest = withoutTitle(words.back(), title);
        if (!rest) {
            result.push_back(classifyFileName(file.fileName));
        } else if (file.channels >= 2 && std::all_of(rest->begin(), rest->end(),
                                                     [](const std::string& w) { return isVersionWord(w); })) {
            result.push_back({FileKind::Mix, StemRole::Other, true}); // the song's name and a version
        } else {
            result.push_back(classifyFileWords(*rest));
        }
    }

    const bool mixFound = std::any_of(result.begin(), result.end(),
                                      [](const NameClassification& c) { return c.kind == FileKind::Mix; });
    if (!mixFound) {
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (result[i].kind != FileKind::Stem ||
                std::none_of(words[i].begin(), words[i].end(),
                             [](const std::string& w) { return isMixWord(w); }))
                continue;
            std::vector<std::string> marks;
            for (std::size_t j = 0; j < files.size(); ++j)
                if (j != i && result[j].kind == FileKind::Stem) marks.push_back(patternMark(words[j]));
            const bool pattern = marks.size() >= 2 && !marks.front().empty() &&
                                 std::all_of(marks.begin(), marks.end(),
                                             [&](const std::string& m) { return m == marks.front(); });
            if (pattern && patternMark(words[i]) != marks.front()) {
                result[i] = {FileKind::Mix, StemRole::Other, true};
                break; // one mix: a second pattern-breaker stays what its name says
            }
        }
    }

    if (files.size() == 1 && result[0].kind == FileKind::Stem && files[0].channels == 2 &&
        hasTitleWord(words[0]))
        result[0] = {FileKind::Mix, StemRole::Other, true};
    return result;
}

} // namespace lathe::core
