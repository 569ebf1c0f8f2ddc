#include "MallocCounter.h"

#include <atomic>
#include <cstddef>

namespace {
std::atomic<bool> gArmed{false};
std::atomic<long> gAllocations{0};
} // namespace

namespace lathe::test {

void armMallocCounter() {
    gAllocations = 0;
    gArmed = true;
}

long disarmMallocCounter() {
    gArmed = false;
    return gAllocations.load();
}

} // namespace lathe::test

#ifdef LATHE_COUNT_MALLOC
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* malloc(std::size_t n) {
    if (gArmed.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
    if (gArmed.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
    if (gArmed.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(p, n);
}
}
#endif
