#include "MallocCounter.h"

#include <atomic>
#include <cerrno>
#include <cstddef>

namespace {
// Per thread, so only the arming thread counts; read inside malloc, so a plain bool (thread_local storage of
// the executable needs no allocation).
thread_local bool gArmed = false;
std::atomic<long> gHeapCalls{0};

void countHeapCall() {
    if (gArmed) gHeapCalls.fetch_add(1, std::memory_order_relaxed);
}
} // namespace

#ifdef LATHE_SANITIZED
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*mallocHook)(const volatile void*,
                                                                            std::size_t),
                                                         void (*freeHook)(const volatile void*));

namespace {
void onSanitizerMalloc(const volatile void*, std::size_t) {
    countHeapCall();
}
void onSanitizerFree(const volatile void*) {
    countHeapCall();
}

// The sanitizer keeps a handful of hook slots and has no uninstall: install once, on first use.
void installHooksOnce() {
    static const int installed =
        __sanitizer_install_malloc_and_free_hooks(onSanitizerMalloc, onSanitizerFree);
    (void)installed;
}
} // namespace
#endif

namespace lathe::test {

void armMallocCounter() {
#ifdef LATHE_SANITIZED
    installHooksOnce();
#endif
    gHeapCalls = 0;
    gArmed = true;
}

long disarmMallocCounter() {
    gArmed = false;
    return gHeapCalls.load();
}

} // namespace lathe::test

#ifndef LATHE_SANITIZED
// libstdc++'s aligned operator new calls aligned_alloc, FFTW posix_memalign: both are counted here too.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
void* malloc(std::size_t n) {
    countHeapCall();
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
    countHeapCall();
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
    countHeapCall();
    return __libc_realloc(p, n);
}
void free(void* p) {
    if (p != nullptr) countHeapCall();
    __libc_free(p);
}
void* memalign(std::size_t alignment, std::size_t n) {
    countHeapCall();
    return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
    countHeapCall();
    return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
    // POSIX: a power of two multiple of sizeof(void*), else EINVAL; *out is untouched on failure.
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
    countHeapCall();
    void* p = __libc_memalign(alignment, n);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}
}
#endif
