#include "LargestMagnitude.h"

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace lathe::dsp {

float largestMagnitude(const float* v, int count, float largest) {
    int k = 0;
#if defined(__SSE2__)
    if (count >= 16) {
        // maxps returns its second operand when either is NaN: |v| first keeps the running maxima.
        const __m128 signMask = _mm_set1_ps(-0.0f);
        __m128 m0 = _mm_set1_ps(largest), m1 = m0, m2 = m0, m3 = m0;
        for (; k + 16 <= count; k += 16) {
            m0 = _mm_max_ps(_mm_andnot_ps(signMask, _mm_loadu_ps(v + k)), m0);
            m1 = _mm_max_ps(_mm_andnot_ps(signMask, _mm_loadu_ps(v + k + 4)), m1);
            m2 = _mm_max_ps(_mm_andnot_ps(signMask, _mm_loadu_ps(v + k + 8)), m2);
            m3 = _mm_max_ps(_mm_andnot_ps(signMask, _mm_loadu_ps(v + k + 12)), m3);
        }
        alignas(16) float l[4];
        _mm_store_ps(l, _mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3)));
        largest = std::max(std::max(l[0], l[1]), std::max(l[2], l[3]));
    }
#endif
    for (; k < count; ++k)
        largest = std::max(largest, std::abs(v[k]));
    return largest;
}

} // namespace lathe::dsp
