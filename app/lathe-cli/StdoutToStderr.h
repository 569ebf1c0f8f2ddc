#pragma once

#include <cstdio>
#include <unistd.h>

namespace lathe::cli {

// Sends file descriptor 1 to stderr while alive. Audio libraries under PortAudio write diagnostics to stdout
// (libjack does whenever its server runs verbose), which would corrupt `--json` output and anything a script
// reads from ours; what we print ourselves goes out after this is destroyed.
class StdoutToStderr {
public:
    StdoutToStderr() {
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        if (saved_ >= 0) ::dup2(STDERR_FILENO, STDOUT_FILENO);
    }
    ~StdoutToStderr() { restore(); }
    StdoutToStderr(const StdoutToStderr&) = delete;
    StdoutToStderr& operator=(const StdoutToStderr&) = delete;

    void restore() {
        if (saved_ < 0) return;
        std::fflush(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        saved_ = -1;
    }

private:
    int saved_ = -1;
};

} // namespace lathe::cli
