#include "core/Version.h"

namespace lathe::core {

const char* version() {
    return LATHE_VERSION;
}

} // namespace lathe::core
