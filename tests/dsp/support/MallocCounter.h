#pragma once

// Counts every heap allocation in a dsp test executable while armed (malloc, calloc, realloc, the aligned
// allocators, and every operator new, plain, array, aligned or nothrow, since they all end in one of those),
// so a test can prove a unit's process() is allocation-free. libebur128 and FFTW are C, so a counting
// operator new alone would miss their allocations.
// - Plain builds: glibc lets an executable interpose malloc and friends; the counter forwards to __libc_*.
// - ASan / TSan builds: the sanitizer owns malloc, so the counter installs the sanitizer's allocation hook
//   instead (__sanitizer_install_malloc_and_free_hooks, called for every user allocation). The real-time
//   tests therefore also run under sanitizers.
// LATHE_COUNT_MALLOC is defined wherever the counter counts (every build we support), so guarded tests run.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LATHE_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LATHE_SANITIZED 1
#endif
#define LATHE_COUNT_MALLOC 1

namespace lathe::test {

// Zeroes the count and starts counting.
void armMallocCounter();
// Stops counting; returns the allocations made since armMallocCounter().
long disarmMallocCounter();

} // namespace lathe::test
