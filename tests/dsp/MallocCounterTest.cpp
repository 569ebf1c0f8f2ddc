// The allocation counter the real-time tests rely on must itself see allocations, or "zero allocations" in
// those tests would prove nothing. It must also work under ASan/TSan, where it hooks the sanitizer's
// allocator.
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace {

// Storing through a volatile pointer keeps the compiler from eliding a new/delete pair (C++14 allows it).
void* volatile gSink = nullptr;

long countedBy(const std::function<void()>& allocateAndFree) {
    lathe::test::armMallocCounter();
    allocateAndFree();
    return lathe::test::disarmMallocCounter();
}

} // namespace

TEST(MallocCounter, CountsMallocCallocReallocAndNew) {
    lathe::test::armMallocCounter();
    void* volatile a = std::malloc(64);
    void* volatile b = std::calloc(4, 16);
    void* volatile c = std::realloc(a, 128);
    auto v = std::make_unique<std::vector<int>>(1000);
    const long counted = lathe::test::disarmMallocCounter();
    std::free(b);
    std::free(c);
    EXPECT_GE(counted, 5); // malloc, calloc, realloc, and operator new twice (the vector and its storage)
    EXPECT_EQ(v->size(), 1000u);
}

// Every form of operator new a unit could reach, and the C aligned allocators FFTW uses, each counted alone.
TEST(MallocCounter, CountsEveryFormOfNewAndTheAlignedAllocators) {
    const std::vector<std::pair<std::string, std::function<void()>>> forms{
        {"new",
         [] {
             gSink = new int(1);
             delete static_cast<int*>(gSink);
         }},
        {"new[]",
         [] {
             gSink = new float[300];
             delete[] static_cast<float*>(gSink);
         }},
        {"nothrow new[]",
         [] {
             gSink = new (std::nothrow) double[40];
             delete[] static_cast<double*>(gSink);
         }},
        {"aligned new",
         [] {
             gSink = ::operator new (256, std::align_val_t{64});
             ::operator delete (gSink, std::align_val_t{64});
         }},
        {"aligned nothrow new",
         [] {
             gSink = ::operator new (256, std::align_val_t{128}, std::nothrow);
             ::operator delete (gSink, std::align_val_t{128});
         }},
        {"aligned_alloc",
         [] {
             gSink = std::aligned_alloc(64, 512);
             std::free(gSink);
         }},
        {"posix_memalign",
         [] {
             void* p = nullptr;
             ASSERT_EQ(posix_memalign(&p, 32, 100), 0);
             gSink = p;
             std::free(p);
         }},
    };
    for (const auto& [name, form] : forms)
        EXPECT_GE(countedBy(form), 1) << name;
}

TEST(MallocCounter, CountsNothingWhenDisarmed) {
    lathe::test::armMallocCounter();
    const long none = lathe::test::disarmMallocCounter();
    auto v = std::make_unique<std::vector<int>>(10);
    gSink = new int(2);
    delete static_cast<int*>(gSink);
    EXPECT_EQ(none, 0);
    lathe::test::armMallocCounter();
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
    EXPECT_EQ(v->size(), 10u);
}

TEST(MallocCounter, ArmingStartsFromZero) {
    EXPECT_GE(countedBy([] {
                  gSink = new int(3);
                  delete static_cast<int*>(gSink);
              }),
              1);
    EXPECT_EQ(countedBy([] {}), 0);
}
