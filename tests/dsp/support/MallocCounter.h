#pragma once

// Counts every malloc / calloc / realloc in a dsp test executable while armed (operator new ends in malloc,
// and libebur128 and FFTW are C), so tests can prove a unit's process() is allocation-free. glibc lets an
// executable interpose these; sanitizers own them, so under a sanitizer there is no counter and
// LATHE_COUNT_MALLOC is unset.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LATHE_SANITIZED 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && !defined(LATHE_SANITIZED)
#define LATHE_COUNT_MALLOC 1
#endif

namespace lathe::test {

// Zeroes the count and starts counting.
void armMallocCounter();
// Stops counting; returns the allocations made since armMallocCounter().
long disarmMallocCounter();

} // namespace lathe::test
