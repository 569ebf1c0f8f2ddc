#pragma once

#include <string>

namespace lathe::core {

// printf-style formatting into a std::string, for the advisor's sentences with figures in them. Truncates at
// 511 characters, which no sentence comes near.
std::string formatText(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace lathe::core
