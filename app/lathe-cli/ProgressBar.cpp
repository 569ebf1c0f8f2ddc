#include "ProgressBar.h"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace lathe::cli {

ProgressBar::ProgressBar(std::string label, bool quiet)
    : label_(std::move(label)), enabled_(!quiet && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
    finish();
}

void ProgressBar::update(double fraction) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    const int permille = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000.0);
    if (permille == lastPermille_ || finished_) return;
    lastPermille_ = permille;
    constexpr int kWidth = 30;
    const int filled = permille * kWidth / 1000;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.1fs", label_.c_str(), filled,
                 "##############################", kWidth - filled, "", permille / 10.0, elapsed);
    std::fflush(stderr);
}

void ProgressBar::finish() {
    std::lock_guard lock(mutex_);
    if (!enabled_ || finished_ || lastPermille_ < 0) return;
    finished_ = true;
    std::fprintf(stderr, "\n");
}

} // namespace lathe::cli
