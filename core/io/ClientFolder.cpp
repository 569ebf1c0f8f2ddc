#include "core/io/ClientFolder.h"

#include "core/Error.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <compare>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <sys/stat.h>
#include <system_error>
#include <tuple>

namespace lathe::core {

namespace fs = std::filesystem;

namespace {

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

// A file's or folder's identity, whatever name leads to it.
struct Identity {
    std::uintmax_t device = 0, inode = 0;
    auto operator<=>(const Identity&) const = default;
};

Identity identityOf(const struct stat& st) {
    return {static_cast<std::uintmax_t>(st.st_dev), static_cast<std::uintmax_t>(st.st_ino)};
}

std::string describeNonFile(mode_t mode) {
    if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "not a regular file";
}

bool hasAudioExtension(const fs::path& p) {
    const std::string ext = p.extension().string();
    return ext.size() > 1 && isAudioExtension(std::string_view(ext).substr(1));
}

// Walks the real folders first and follows links after them, so every file and folder is taken once, under
// its own name where it has one; see scanClientFolder.
struct Walk {
    fs::path folder;
    std::vector<std::string> audio;
    FolderScan* scan = nullptr;
    std::map<Identity, std::string> audioFiles; // identity -> the name it was taken under
    std::map<Identity, std::string> folders;    // likewise, for folders scanned
    std::set<Identity> ancestors;               // the client folder's parents, up to "/"
    std::deque<std::pair<fs::path, int>> links; // a link and the depth of the folder it is in

    void run() {
        struct stat st {};
        if (::stat(folder.c_str(), &st) == 0) folders[identityOf(st)] = folder.string();
        std::error_code ec;
        for (fs::path p = fs::canonical(folder, ec); !ec && p.has_relative_path();) {
            p = p.parent_path();
            if (::stat(p.c_str(), &st) == 0) ancestors.insert(identityOf(st));
        }
        visit(folder, 0);
        while (!links.empty()) {
            const auto [link, depth] = links.front();
            links.pop_front();
            follow(link, depth);
        }
    }

    std::string relative(const std::string& path) const {
        const fs::path rel = fs::path(path).lexically_relative(folder);
        return rel.empty() || rel == "." ? std::string(".") : rel.string();
    }

    // Something that cannot be read as a file: a problem where the name says it is part of the song.
    void notAFile(const fs::path& p, const std::string& reason) {
        if (hasAudioExtension(p))
            scan->problems.push_back({p.string(), reason});
        else
            scan->skipped.push_back({p.string(), reason});
    }

    void visit(const fs::path& dir, int depth) {
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec) {
            scan->problems.push_back({dir.string(), "cannot read this folder (" + ec.message() + ")"});
            return;
        }
        std::vector<fs::path> entries;
        for (const fs::directory_iterator end; it != end; it.increment(ec)) {
            if (ec) {
                scan->problems.push_back({dir.string(), "cannot list this folder (" + ec.message() + ")"});
                return;
            }
            entries.push_back(it->path());
        }
        // Sorted, so which of two names of one file is kept does not depend on the file system's order.
        std::sort(entries.begin(), entries.end());
        for (const fs::path& p : entries) {
            const std::string name = p.filename().string();
            if (name.empty() || name.front() == '.' || name == "__MACOSX") continue;
            struct stat st {};
            if (::lstat(p.c_str(), &st) != 0) {
                const int err = errno;
                if (err != ENOENT) notAFile(p, "cannot read (" + describeSystemError(err) + ")");
                continue; // gone since it was listed
            }
            if (S_ISLNK(st.st_mode))
                links.emplace_back(p, depth);
            else
                take(p, st, depth, false);
        }
    }

    void follow(const fs::path& link, int depth) {
        struct stat st {};
        if (::stat(link.c_str(), &st) != 0) {
            const int err = errno;
            std::error_code ec;
            const fs::path target = fs::read_symlink(link, ec);
            notAFile(link, err == ENOENT
                               ? "a link to something that does not exist (" + target.string() + ")"
                               : "a link that cannot be followed (" + describeSystemError(err) + ")");
            return;
        }
        take(link, st, depth, true);
    }

    void take(const fs::path& p, const struct stat& st, int depth, bool throughLink) {
        const Identity id = identityOf(st);
        if (S_ISDIR(st.st_mode)) {
            if (const auto seen = folders.find(id); seen != folders.end()) {
                scan->skipped.push_back(
                    {p.string(), std::string(throughLink ? "a link to" : "another name of") +
                                     " a folder already scanned (" + relative(seen->second) +
                                     "): its files are counted once"});
                return;
            }
            if (ancestors.count(id) != 0) {
                scan->skipped.push_back({p.string(), "a link to a folder that holds the client folder: not "
                                                     "followed, it would bring in other songs' files"});
                return;
            }
            if (depth >= kMaxScanDepth) return;
            folders[id] = p.string();
            visit(p, depth + 1);
            return;
        }
        const std::string name = p.filename().string();
        if (isLatheOutputName(name)) return;
        if (!S_ISREG(st.st_mode)) {
            notAFile(p, describeNonFile(st.st_mode) + ", not a file: Lathe does not open it");
            return;
        }
        if (!hasAudioExtension(p)) {
            scan->ignored.push_back(p.string());
            return;
        }
        if (const auto seen = audioFiles.find(id); seen != audioFiles.end()) {
            scan->skipped.push_back({p.string(), "the same file as " + relative(seen->second) +
                                                     (throughLink ? " (a link to it)" : " (a hard link)") +
                                                     ": used once"});
            return;
        }
        audioFiles[id] = p.string();
        audio.push_back(p.string());
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
    walk.run();
    std::sort(walk.audio.begin(), walk.audio.end());

    std::vector<ScannedFile> readable;
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
        readable.push_back(std::move(file));
    }
    // The names are judged together: the song's title and the stems' pattern tell its mix from a stem.
    std::vector<FolderAudioFile> names;
    for (const ScannedFile& file : readable)
        names.push_back({fs::path(file.path).filename().string(), file.info.channels});
    const std::vector<NameClassification> kinds = classifyFolderFiles(scan.songName, names);

    std::vector<ScannedFile> mixes, references;
    for (std::size_t i = 0; i < readable.size(); ++i) {
        ScannedFile& file = readable[i];
        const NameClassification& c = kinds[i];
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
    std::sort(scan.skipped.begin(), scan.skipped.end(),
              [](const SkippedEntry& a, const SkippedEntry& b) { return a.path < b.path; });
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
    nlohmann::json skipped = nlohmann::json::array();
    for (const SkippedEntry& s : scan.skipped)
        skipped.push_back({{"path", s.path}, {"reason", s.reason}});
    const nlohmann::json json = {
        {"folder", scan.folder},
        {"song", scan.songName},
        {"mix", scan.mix ? fileJson(*scan.mix) : nlohmann::json(nullptr)},
        {"reference", scan.reference ? fileJson(*scan.reference) : nlohmann::json(nullptr)},
        {"stems", std::move(stems)},
        {"ignored", scan.ignored},
        {"problems", std::move(problems)},
        {"skipped", std::move(skipped)}};
    // File names on Linux are bytes, not necessarily UTF-8 (Latin-1 names from old zip archives), and
    // nlohmann::json refuses to dump invalid UTF-8 (found by tests/fuzz: `scan --json` aborted). Invalid
    // bytes become U+FFFD so the listing still prints.
    return nlohmann::json::parse(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace lathe::core
