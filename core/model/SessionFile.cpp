#include "core/model/SessionJson.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"
#include "core/model/JsonFields.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace lathe::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path normalised(const fs::path& p) {
    fs::path n = p.lexically_normal();
    if (!n.has_filename() && n.has_relative_path()) n = n.parent_path(); // "/a/b/" and "/a/b/." -> "/a/b"
    return n;
}

// p relative to base if p lies inside base (or is base), else p unchanged. Both absolute.
std::string relativeIfInside(const fs::path& p, const fs::path& base) {
    const fs::path rel = normalised(p).lexically_relative(normalised(base));
    if (rel.empty() || *rel.begin() == "..") return p.string();
    return rel.string();
}

std::string resolveAgainst(const std::string& p, const fs::path& base) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return normalised(base / p).string();
}

// Follows the JSON parser (as its callback) to know the key path of the value it is reading, in --set syntax:
// "master.eq.1.q", "stems.bass.gain_db" (a stem by its id once read, else by its index).
class ParsePosition {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            levels_.push_back(Level{});
            break;
        case json::parse_event_t::array_start:
            levels_.emplace_back().isArray = true;
            break;
        case json::parse_event_t::key:
            if (!levels_.empty()) levels_.back().key = parsed.get<std::string>();
            break;
        case json::parse_event_t::value:
            if (levels_.size() == 3 && levels_[0].key == "stems" && levels_[1].isArray &&
                levels_[2].key == "id" && parsed.is_string())
                levels_[2].stemId = parsed.get<std::string>();
            elementDone();
            break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            if (!levels_.empty()) levels_.pop_back();
            elementDone();
            break;
        }
        return true; // keep everything: the callback only watches
    }

    std::string keyPath() const {
        std::string path;
        for (std::size_t i = 0; i < levels_.size(); ++i) {
            const Level& l = levels_[i];
            std::string element = l.key;
            if (l.isArray) {
                element = std::to_string(l.done);
                const bool isStems = i == 1 && levels_[0].key == "stems";
                if (isStems && i + 1 < levels_.size() && !levels_[i + 1].stemId.empty())
                    element = levels_[i + 1].stemId;
            }
            path = joinPath(path, element);
        }
        return path.empty() ? "session" : path;
    }

private:
    struct Level {
        bool isArray = false;
        std::string key;      // in an object: the key whose value is being read
        std::size_t done = 0; // in a list: the entries read so far, so the index of the one being read
        std::string stemId;   // in an entry of "stems": its id, once read
    };

    void elementDone() {
        if (!levels_.empty() && levels_.back().isArray) ++levels_.back().done;
    }

    std::vector<Level> levels_;
};

// "-1e400" from the parser's "... number overflow parsing '-1e400'", else "a number".
std::string overflowingNumber(const std::string& message) {
    const auto open = message.find("parsing '");
    if (open == std::string::npos) return "a number";
    const auto begin = open + 9;
    const auto close = message.find('\'', begin);
    if (close == std::string::npos || close - begin > 40) return "a number";
    return message.substr(begin, close - begin);
}

} // namespace

void saveSession(const Session& session, const std::string& path) {
    json j = toJson(session);
    const fs::path sessionDir = normalised(fs::absolute(fs::path(path)).parent_path());
    if (!session.folder.empty()) {
        const fs::path folder = normalised(fs::absolute(fs::path(session.folder)));
        j["folder"] = relativeIfInside(folder, sessionDir);
        const auto store = [&](const std::string& p) -> std::string {
            if (p.empty()) return p;
            const fs::path abs = fs::path(p).is_absolute() ? fs::path(p) : folder / p;
            return relativeIfInside(normalised(abs), folder);
        };
        j["mix"] = store(session.mix);
        j["reference"] = store(session.reference);
        j["master"]["match"]["reference"] = store(session.master.match.reference);
        for (std::size_t i = 0; i < session.stems.size(); ++i)
            j["stems"][i]["path"] = store(session.stems[i].path);
    }
    std::string text;
    try {
        text = j.dump(2) + "\n";
    } catch (const json::type_error&) {
        // JSON holds UTF-8 only; replacing the bad bytes would store a path that no longer names the file.
        throw Error(path, "a file name in this session is not valid UTF-8 text; rename the file (for example "
                          "to plain letters and digits) and try again");
    }
    writeFileAtomically(path, text);
}
Session loadSession(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path, "this session file does not exist");
    if (fs::is_directory(path, ec)) throw Error(path, "this is a folder, not a session file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open this session file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error(path, "the session file is empty");

    json j;
    ParsePosition position;
    try {
        j = json::parse(text, std::ref(position));
    } catch (const json::out_of_range& e) {
        // The parser refuses a number beyond a double's range (406 "number overflow parsing '-1e400'")
        // without saying where; name the key, as every other session error does.
        throw Error(path, position.keyPath() + ": expected a finite number, found " +
                              overflowingNumber(e.what()) + " (beyond the range of numbers, about 1.8e308)");
    } catch (const json::parse_error& e) {
        if (e.byte >= text.size())
            throw Error(path,
                        "the session file ends too early; it is probably truncated (the JSON stops at byte " +
                            std::to_string(text.size()) + ")");
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
        throw Error(path, "the session file is not valid JSON (error on line " + std::to_string(line) + ")");
    }
    Session s = sessionFromJson(j, path);

    const fs::path sessionDir = normalised(fs::absolute(fs::path(path)).parent_path());
    if (!s.folder.empty()) s.folder = resolveAgainst(s.folder, sessionDir);
    const fs::path base = s.folder.empty() ? sessionDir : fs::path(s.folder);
    s.mix = resolveAgainst(s.mix, base);
    s.reference = resolveAgainst(s.reference, base);
    s.master.match.reference = resolveAgainst(s.master.match.reference, base);
    for (auto& stem : s.stems)
        stem.path = resolveAgainst(stem.path, base);
    return s;
}

} // namespace lathe::core
