#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace lathe::cli {

// A one-line progress bar on stderr for long work. Draws nothing when stderr is not a terminal or when quiet,
// so scripts and logs stay clean.
class ProgressBar {
public:
    ProgressBar(std::string label, bool quiet);
    ~ProgressBar();
    void update(double fraction); // thread-safe
    void finish();

private:
    std::string label_;
    bool enabled_;
    bool finished_ = false;
    int lastPermille_ = -1;
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
};

} // namespace lathe::cli
