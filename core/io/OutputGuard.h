#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lathe::core {

// The one rule every Lathe writer follows, checked before it writes anything (a folder it would create
// included): outputs lie inside the output folder once every symlink and ".." is resolved, never inside a
// client folder, never over a file it reads (same path, a symlink to it or a hard link of it), never twice
// over one file, and under names the file system takes. Commands describe what they will write as a WritePlan
// and call checkWritePlan; none keeps its own copy of the rule.

// Why `name` cannot be one file name inside a folder, or "" when it can. Refused: empty, "." and "..", "/",
// "\" (a separator on a Windows share or in a zip made there), control characters, and more than
// maxBytes bytes (NAME_MAX: 255 on ext4, XFS, Btrfs, tmpfs).
std::string fileNameProblem(std::string_view name, std::size_t maxBytes = 255);

// Text as a JSON string literal ("..." with control characters escaped), so a hostile name in a message
// cannot disturb the terminal it is printed on.
std::string quotedName(std::string_view text);

// The longest file name (bytes) the file system holding `path` (or its deepest existing folder) takes.
std::size_t maxFileNameBytes(const std::string& path);

// `path` made absolute and resolved as the system would walk it: ".", ".." and every symlink followed
// (dangling ones too, as a mkdir through them would), except the last component when followLast is false
// (a rename replaces a symlink, never its target). Parts that do not exist yet are appended as written.
std::filesystem::path resolvedPath(const std::string& path, bool followLast = true);

// Whether `path` is `folder` or lies below it; both already resolved.
bool isInsideFolder(const std::filesystem::path& path, const std::filesystem::path& folder);

// Whether writing `output` would replace `input`: the same resolved entry, the entry a symlink `input` names,
// or (both existing) the same device and inode, which is what a hard link or a symlink `output` shares.
bool isSameFile(const std::string& output, const std::string& input);

// What a command must leave alone.
struct ProtectedSources {
    std::vector<std::string> folders; // client folders: nothing is created or replaced inside them
    std::vector<std::string> files;   // inputs, wherever they are: none is replaced
};

// What a command is about to write.
struct WritePlan {
    std::string outDir;               // every output must lie inside it ("" when outputs go where named)
    std::vector<std::string> outputs; // files it will create or replace
    ProtectedSources sources;
};

// ProtectedSources with every path resolved once (and each existing file's device and inode), so many plans
// can be checked against one large set (a batch of thousands of songs) without resolving it again each time.
class ResolvedSources {
public:
    ResolvedSources() = default;
    explicit ResolvedSources(const ProtectedSources& sources);

    // The client folder (as given) that `resolved` is or lies in, or nullptr.
    const std::string* folderHolding(const std::filesystem::path& resolved) const;
    // The input (as given) that writing `path`, whose entry resolves to `entry`, would replace, or nullptr.
    const std::string* inputAt(const std::filesystem::path& entry, const std::string& path) const;

private:
    std::map<std::string, std::string> folders_; // resolved -> as given
    std::map<std::string, std::string> paths_;   // resolved entry or symlink target -> as given
    std::map<std::pair<unsigned long long, unsigned long long>, std::string> inodes_;
};

// Throws Error naming the output (and the input or folder it would hit) on the first breach of the rule
// above, against plan.sources and alsoProtected. Paths in messages are as the caller gave them. Not real-time
// safe (stats the file system).
void checkWritePlan(const WritePlan& plan, const ResolvedSources& alsoProtected);
void checkWritePlan(const WritePlan& plan);

} // namespace lathe::core
