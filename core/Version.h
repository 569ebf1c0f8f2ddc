#pragma once

namespace lathe::core {

// Lathe's version as set in the top-level CMakeLists (project VERSION).
const char* version();

} // namespace lathe::core
