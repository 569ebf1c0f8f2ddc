#include "AtomicFile.h"

#include "Error.h"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace lathe::core {

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
    // processes) apart.
    static std::atomic<unsigned> counter{0};
    const std::filesystem::path p(finalPath);
    const std::string name = "." + p.filename().string() + ".partial-" + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1));
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
