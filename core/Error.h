#pragma once

#include <stdexcept>
#include <string>

namespace lathe::core {

// An error a user can act on: which file, and what is wrong with it in plain words.
// what() is "<path>: <problem>" (just "<problem>" when there is no path).
class Error : public std::runtime_error {
public:
    Error(std::string path, std::string problem);

    const std::string& path() const { return path_; }
    const std::string& problem() const { return problem_; }

private:
    std::string path_;
    std::string problem_;
};

// A short phrase for an errno value in a user's words ("disk full", "permission denied", ...).
std::string describeSystemError(int errnum);

} // namespace lathe::core
