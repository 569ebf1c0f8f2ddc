// The allocation counter the real-time tests rely on must itself see allocations, or "zero allocations" in
// those tests would prove nothing.
#include "support/MallocCounter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <vector>

#ifdef LATHE_COUNT_MALLOC
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

TEST(MallocCounter, CountsNothingWhenDisarmed) {
    lathe::test::armMallocCounter();
    const long none = lathe::test::disarmMallocCounter();
    auto v = std::make_unique<std::vector<int>>(10);
    EXPECT_EQ(none, 0);
    lathe::test::armMallocCounter();
    EXPECT_EQ(lathe::test::disarmMallocCounter(), 0);
}
#endif
