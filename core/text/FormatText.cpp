#include "core/text/FormatText.h"

#include <cstdarg>
#include <cstdio>

namespace lathe::core {

std::string formatText(const char* fmt, ...) {
    char text[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    return text;
}

} // namespace lathe::core
