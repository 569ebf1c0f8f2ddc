#pragma once

#include <string>

namespace lathe::test {

// A throw-away home for one test process: HOME and XDG_CONFIG_HOME point into a fresh folder under /tmp for
// the object's lifetime, and the folder is removed with it. ctest runs cases in parallel processes, so a
// shared home would let one case's settings or recovery files leak into another's; the user's own are never
// touched. Create it before anything reads those variables (a QApplication, QSettings).
class PrivateHome {
public:
    PrivateHome();
    ~PrivateHome();
    PrivateHome(const PrivateHome&) = delete;
    PrivateHome& operator=(const PrivateHome&) = delete;

    const std::string& path() const { return path_; } // empty when no folder could be made (HOME untouched)

private:
    std::string path_;
};

} // namespace lathe::test
