#include "core/io/OutputGuard.h"

#include "core/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lathe::core {

namespace {

// Linux follows at most 40 symlinks in one path lookup (ELOOP beyond); so does this.
constexpr int kMaxSymlinks = 40;

bool entryStat(const fs::path& path, struct stat& st, bool follow) {
    return (follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) == 0;
}

bool sameInode(const std::string& a, const std::string& b) {
    struct stat sa {
    }, sb{};
    return entryStat(a, sa, true) && entryStat(b, sb, true) && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

// The deepest folder of `path` that exists (for pathconf).
fs::path deepestExisting(fs::path path) {
    struct stat st {};
    while (!path.empty() && !(entryStat(path, st, true) && S_ISDIR(st.st_mode))) {
        const fs::path parent = path.parent_path();
        if (parent == path) break;
        path = parent;
    }
    return path.empty() ? fs::path(".") : path;
}

std::string describeLink(const std::string& output, const std::string& input) {
    struct stat st {};
    if (resolvedPath(output, false) == resolvedPath(input, false)) return "";
    if (entryStat(input, st, false) && S_ISLNK(st.st_mode)) return " (a symlink to this file)";
    if (entryStat(output, st, false) && S_ISLNK(st.st_mode)) return " (this file is a symlink to it)";
    return " (a hard link: the same file under another name)";
}

} // namespace

std::string fileNameProblem(std::string_view name, std::size_t maxBytes) {
    if (name.empty()) return "it is empty";
    if (name == "." || name == "..") return "\"" + std::string(name) + "\" names a folder, not a file";
    if (name.find('/') != std::string_view::npos) return "it contains \"/\"";
    if (name.find('\\') != std::string_view::npos) return "it contains \"\\\" (a separator on Windows)";
    if (std::any_of(name.begin(), name.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x20 || u == 0x7f;
        }))
        return "it contains a control character";
    if (name.size() > maxBytes)
        return "it is too long (" + std::to_string(name.size()) + " bytes; the file system takes at most " +
               std::to_string(maxBytes) + ")";
    return {};
}

std::string quotedName(std::string_view text) {
    // Invalid UTF-8 is replaced in the message only; the check itself works on the bytes.
    return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::size_t maxFileNameBytes(const std::string& path) {
    const long n = ::pathconf(deepestExisting(resolvedPath(path)).c_str(), _PC_NAME_MAX);
    return n > 0 ? static_cast<std::size_t>(n) : std::size_t{NAME_MAX};
}

fs::path resolvedPath(const std::string& path, bool followLast) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(fs::path(path), ec);
    // Components still to walk, last first so the next one is at the back.
    std::vector<fs::path> pending;
    for (const auto& part : (ec ? fs::path(path) : absolute).relative_path())
        pending.push_back(part);
    std::reverse(pending.begin(), pending.end());

    fs::path current = absolute.root_path();
    int links = 0;
    while (!pending.empty()) {
        const fs::path part = pending.back();
        pending.pop_back();
        if (part.empty() || part == ".") continue;
        // `current` is resolved, so its parent is the real parent (not the folder a symlink sat in).
        if (part == "..") {
            current = current.parent_path();
            continue;
        }
        const fs::path next = current / part;
        const bool last = std::none_of(pending.begin(), pending.end(),
                                       [](const fs::path& p) { return !p.empty() && p != "."; });
        struct stat st {};
        if ((!last || followLast) && entryStat(next, st, false) && S_ISLNK(st.st_mode) &&
            ++links <= kMaxSymlinks) {
            const fs::path target = fs::read_symlink(next, ec);
            if (!ec) {
                // A relative target is taken from the folder holding the link, which `current` is.
                if (target.is_absolute()) current = target.root_path();
                const fs::path relative = target.relative_path();
                std::vector<fs::path> parts(relative.begin(), relative.end());
                for (auto it = parts.rbegin(); it != parts.rend(); ++it)
                    pending.push_back(*it);
                continue;
            }
        }
        current = next;
    }
    return current;
}

bool isInsideFolder(const fs::path& path, const fs::path& folder) {
    auto p = path.begin();
    for (auto f = folder.begin(); f != folder.end(); ++f, ++p) {
        if (f->empty()) continue; // a trailing separator
        if (p == path.end() || *p != *f) return false;
    }
    return true;
}

bool isSameFile(const std::string& output, const std::string& input) {
    const fs::path entry = resolvedPath(output, false);
    return entry == resolvedPath(input, true) || entry == resolvedPath(input, false) ||
           sameInode(output, input);
}

ResolvedSources::ResolvedSources(const ProtectedSources& sources) {
    for (const auto& folder : sources.folders)
        if (!folder.empty()) folders_.emplace(resolvedPath(folder).string(), folder);
    for (const auto& file : sources.files) {
        if (file.empty()) continue;
        // The file's own entry and, for a symlink, the file it names: replacing either changes what is read.
        paths_.emplace(resolvedPath(file, true).string(), file);
        paths_.emplace(resolvedPath(file, false).string(), file);
        struct stat st {};
        if (entryStat(file, st, true)) inodes_.emplace(std::make_pair(st.st_dev, st.st_ino), file);
    }
}

const std::string* ResolvedSources::folderHolding(const fs::path& resolved) const {
    if (folders_.empty()) return nullptr;
    for (fs::path p = resolved;; p = p.parent_path()) {
        if (const auto it = folders_.find(p.string()); it != folders_.end()) return &it->second;
        if (p == p.parent_path() || p.empty()) return nullptr;
    }
}

const std::string* ResolvedSources::inputAt(const fs::path& entry, const std::string& path) const {
    if (const auto it = paths_.find(entry.string()); it != paths_.end()) return &it->second;
    struct stat st {};
    if (!inodes_.empty() && entryStat(path, st, true))
        if (const auto it = inodes_.find({st.st_dev, st.st_ino}); it != inodes_.end()) return &it->second;
    return nullptr;
}

void checkWritePlan(const WritePlan& plan, const ResolvedSources& alsoProtected) {
    const ResolvedSources own(plan.sources);
    const auto insideClientFolder = [&](const std::string& what, const fs::path& resolved) {
        for (const ResolvedSources* sources : {&own, &alsoProtected})
            if (const std::string* folder = sources->folderHolding(resolved))
                throw Error(what, "is inside the client folder " + *folder +
                                      "; Lathe never writes there. Choose a place outside it");
    };
    const auto input = [&](const fs::path& entry, const std::string& path) -> const std::string* {
        const std::string* found = own.inputAt(entry, path);
        return found ? found : alsoProtected.inputAt(entry, path);
    };

    fs::path outDir;
    if (!plan.outDir.empty()) {
        outDir = resolvedPath(plan.outDir);
        insideClientFolder(plan.outDir, outDir);
        if (const std::string* file = input(outDir, plan.outDir))
            throw Error(plan.outDir, "is the input " + *file + ", not a folder to write into");
    }

    for (size_t i = 0; i < plan.outputs.size(); ++i) {
        const std::string& output = plan.outputs[i];
        const fs::path entry = resolvedPath(output, false);
        const std::string name = entry.filename().string();
        if (const std::string problem = fileNameProblem(name, maxFileNameBytes(entry.parent_path()));
            !problem.empty())
            throw Error(output,
                        "cannot be written: the file name " + quotedName(name) + " is unusable: " + problem);
        if (entry.string().size() >= PATH_MAX)
            throw Error(output, "path too long (" + std::to_string(entry.string().size()) +
                                    " bytes; the system takes at most " + std::to_string(PATH_MAX - 1) + ")");
        if (!plan.outDir.empty() && (entry == outDir || !isInsideFolder(entry, outDir)))
            throw Error(output, "would be written outside the output folder " + plan.outDir +
                                    " (it resolves to " + entry.string() + ")");
        insideClientFolder(output, entry);
        if (const std::string* file = input(entry, output))
            throw Error(output, "would replace the input " + *file + describeLink(output, *file) +
                                    "; Lathe never writes over a source. Choose another output folder");
        for (size_t j = 0; j < i; ++j)
            if (isSameFile(output, plan.outputs[j]))
                throw Error(output, "is the same file as the output " + plan.outputs[j] +
                                        "; each output needs its own file");
    }
}

void checkWritePlan(const WritePlan& plan) {
    checkWritePlan(plan, ResolvedSources());
}

} // namespace lathe::core
