#include "core/io/AtomicFile.h"

#include "core/Error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace lathe::core {

namespace {

constexpr std::string_view kTemporaryPrefix = ".lathe-";
constexpr std::string_view kTemporarySuffix = ".partial";

bool allDigits(std::string_view text) {
    return !text.empty() && text.size() <= 10 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The writer's pid when `filename` is exactly "<digits>-<digits>" after `prefix` and before `suffix`, else 0.
long temporaryOwner(std::string_view filename, std::string_view prefix, std::string_view suffix) {
    if (filename.size() <= prefix.size() + suffix.size() || filename.substr(0, prefix.size()) != prefix ||
        filename.substr(filename.size() - suffix.size()) != suffix)
        return 0;
    const std::string_view middle =
        filename.substr(prefix.size(), filename.size() - prefix.size() - suffix.size());
    const size_t dash = middle.find('-');
    if (dash == std::string_view::npos || !allDigits(middle.substr(0, dash)) ||
        !allDigits(middle.substr(dash + 1)))
        return 0;
    const long pid = std::stol(std::string(middle.substr(0, dash)));
    return pid <= std::numeric_limits<pid_t>::max() ? pid : 0;
}

// The pid in one of Lathe's temporary names, or 0 when filename is not exactly one.
long temporaryNameOwner(const std::string& filename) {
    if (const long pid = temporaryOwner(filename, kTemporaryPrefix, kTemporarySuffix)) return pid;
    // Earlier Lathe versions named temporaries after their file: ".<name>.partial-<pid>-<counter>".
    const size_t mark = filename.rfind(".partial-");
    if (filename.size() < 2 || filename[0] != '.' || mark == std::string::npos || mark < 2) return 0;
    return temporaryOwner(std::string_view(filename).substr(mark), ".partial-", "");
}

} // namespace

namespace detail {

namespace {
std::string parentDirectory(const std::string& path) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}
} // namespace

std::string temporaryPathBeside(const std::string& finalPath) {
    // Same directory as the final file so rename() stays on one filesystem and is atomic. The leading dot
    // keeps the temp out of the way in file browsers; pid + counter keep concurrent writers (threads or
    // processes) apart, and the pid tells a later cleanup whether the writer is still alive. The final name
    // is not part of it: a 255-byte final name would leave no room.
    static std::atomic<unsigned> counter{0};
    const std::filesystem::path p(finalPath);
    const std::string name = std::string(kTemporaryPrefix) + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1)) + std::string(kTemporarySuffix);
    return p.has_parent_path() ? (p.parent_path() / name).string() : name;
}

bool syncParentDirectory(const std::string& path) {
    const int dirFd = ::open(parentDirectory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0) return false;
    const bool ok = ::fsync(dirFd) == 0;
    ::close(dirFd);
    return ok;
}

} // namespace detail

bool isStaleTemporary(const std::string& filename) {
    const long pid = temporaryNameOwner(filename);
    if (pid <= 0 || pid == static_cast<long>(::getpid())) return false; // this process's writes in flight
    // EPERM: alive, another user's. A reused pid keeps a dead writer's file until that process ends too.
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

int removeStaleTemporaries(const std::string& dir) {
    std::error_code ec;
    int removed = 0;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!isStaleTemporary(it->path().filename().string())) continue;
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (::unlink(it->path().c_str()) == 0) ++removed;
    }
    return removed;
}

namespace {

[[noreturn]] void failSaving(const std::string& path, const std::string& tempPath, int fd, int errnum) {
    if (fd >= 0) ::close(fd);
    if (!tempPath.empty()) ::unlink(tempPath.c_str());
    throw Error(path, "could not save: " + describeSystemError(errnum));
}

} // namespace

void writeFileAtomically(const std::string& path, std::string_view contents) {
    if (path.empty()) throw Error(path, "could not save: no file name given");
    const std::string tempPath = detail::temporaryPathBeside(path);
    const int fd = ::open(tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) failSaving(path, {}, -1, errno);

    // Replacing a file must not silently change who may read it.
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode))
        (void)::fchmod(fd, existing.st_mode & 07777);

    size_t done = 0;
    while (done < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            failSaving(path, tempPath, fd, errno);
        }
        done += static_cast<size_t>(n);
    }
    // fsync before rename: otherwise a power cut can leave the new name pointing at an empty file.
    if (::fsync(fd) != 0) failSaving(path, tempPath, fd, errno);
    if (::close(fd) != 0) failSaving(path, tempPath, -1, errno);
    if (::rename(tempPath.c_str(), path.c_str()) != 0) failSaving(path, tempPath, -1, errno);
    detail::syncParentDirectory(path);
}

} // namespace lathe::core
