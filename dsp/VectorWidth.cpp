#include "VectorWidth.h"

#include <algorithm>
#include <cstdlib>

namespace lathe::dsp {

int maxVectorWidth() {
    int width = 4;
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx512f"))
        width = 16;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        width = 8;
#endif
    if (const char* cap = std::getenv("LATHE_DSP_MAX_VECTOR_WIDTH"); cap != nullptr && *cap != '\0') {
        const int limit = std::atoi(cap);
        width = limit >= 16 ? std::min(width, 16) : limit >= 8 ? std::min(width, 8) : 4;
    }
    return width;
}

} // namespace lathe::dsp
