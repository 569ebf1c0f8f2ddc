#pragma once

// Counts every heap call made by one thread while armed - malloc, calloc, realloc, free, the aligned
// allocators, and every operator new and delete, plain, array, aligned or nothrow, since they all end in one
// of those - so a test can prove that code meant for the audio thread (a dsp unit's process(), the engine's
// callback) neither allocates nor frees. Only the arming thread counts: an engine's meter thread or a test's
// control calls running beside it do not. libebur128 and FFTW are C, so a counting operator new alone would
// miss their allocations; this is the one counter every test folder uses (no test writes its own).
// - Plain builds: glibc lets an executable interpose malloc and friends; the counter forwards to __libc_*.
// - ASan / TSan builds: the sanitizer owns malloc, so the counter installs the sanitizer's allocation hooks
//   instead (__sanitizer_install_malloc_and_free_hooks, called for every user allocation and free). The
//   real-time tests therefore also run under sanitizers.
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

// Zeroes the count and starts counting this thread's heap calls (one armed thread at a time).
void armMallocCounter();
// Stops counting; returns the heap calls (allocations and frees) this thread made since armMallocCounter().
long disarmMallocCounter();

} // namespace lathe::test
