#include "core/render/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

using lathe::core::ThreadPool;

TEST(ThreadPool, RunsEveryTaskExactlyOnceOverManyRounds) {
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        EXPECT_EQ(pool.threads(), threads);
        for (int round = 0; round < 200; ++round) {
            const int count = 1 + round % 9;
            std::vector<std::atomic<int>> runs(static_cast<size_t>(count));
            pool.parallelFor(count, [&](int i) { runs[static_cast<size_t>(i)].fetch_add(1); });
            for (int i = 0; i < count; ++i)
                ASSERT_EQ(runs[static_cast<size_t>(i)].load(), 1)
                    << "threads " << threads << " round " << round;
        }
    }
}

TEST(ThreadPool, UsesMoreThanOneThread) {
    ThreadPool pool(2);
    std::atomic<int> inside{0}, overlapped{0};
    // Two tasks that wait for each other can only finish if they run at the same time.
    pool.parallelFor(2, [&](int) {
        inside.fetch_add(1);
        for (int spin = 0; spin < 2000 && inside.load() < 2; ++spin)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (inside.load() == 2) overlapped.fetch_add(1);
    });
    EXPECT_EQ(overlapped.load(), 2);
}

TEST(ThreadPool, RethrowsATaskFailureAndStaysUsable) {
    ThreadPool pool(2);
    EXPECT_THROW(pool.parallelFor(8,
                                  [](int i) {
                                      if (i == 3) throw std::runtime_error("task 3 failed");
                                  }),
                 std::runtime_error);
    std::atomic<int> sum{0};
    pool.parallelFor(10, [&](int i) { sum.fetch_add(i); });
    EXPECT_EQ(sum.load(), 45);
}
