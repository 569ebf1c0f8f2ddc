#include "PrivateHome.h"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace lathe::test {

PrivateHome::PrivateHome() {
    char pattern[] = "/tmp/lathe-test-home-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return;
    path_ = pattern;
    ::setenv("HOME", path_.c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (path_ + "/config").c_str(), 1);
}

PrivateHome::~PrivateHome() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

} // namespace lathe::test
