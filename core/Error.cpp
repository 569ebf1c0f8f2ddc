#include "core/Error.h"

#include <cerrno>
#include <climits>
#include <cstring>

namespace lathe::core {

namespace {
std::string joinMessage(const std::string& path, const std::string& problem) {
    return path.empty() ? problem : path + ": " + problem;
}
} // namespace

Error::Error(std::string path, std::string problem)
    : std::runtime_error(joinMessage(path, problem)), path_(std::move(path)), problem_(std::move(problem)) {}

std::string describeSystemError(int errnum) {
    switch (errnum) {
    case ENOSPC:
    case EDQUOT:
        return "disk full";
    case EROFS:
        return "the disk is read-only";
    case EACCES:
    case EPERM:
        return "permission denied";
    case ENOENT:
        return "no such file or folder";
    case ENOTDIR:
        return "a part of the path is not a folder";
    case EISDIR:
        return "is a folder, not a file";
    case ENAMETOOLONG:
        return "path too long (the system takes at most " + std::to_string(PATH_MAX - 1) +
               " bytes in a path and " + std::to_string(NAME_MAX) + " in a name)";
    case EIO:
        return "input/output error (failing disk or disconnected drive?)";
    default:
        return std::strerror(errnum);
    }
}

} // namespace lathe::core
