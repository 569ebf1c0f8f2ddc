#include "core/render/ChunkFlow.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using lathe::core::ThreadPool;
using lathe::core::render::ChunkFlow;

namespace {

// Checks every rule a render relies on while the flow runs: each lane produces its chunks once and in order,
// the sink consumes a chunk once, in order and only after every lane produced it, and a lane never writes a
// slot the sink has not finished reading (chunk c only after the sink consumed c - depth).
struct FlowChecker {
    explicit FlowChecker(int sources, int depth) : depth(depth), produced(static_cast<size_t>(sources), 0) {}
    void produce(int source, int64_t chunk, int slot) {
        std::lock_guard lock(mutex);
        auto& next = produced[static_cast<size_t>(source)];
        if (chunk != next) fail("lane out of order");
        if (slot != chunk % depth) fail("wrong slot");
        if (chunk >= consumed + depth) fail("lane overwrote a slot the sink still needs");
        ++next;
    }
    void consume(int64_t chunk, int slot) {
        std::lock_guard lock(mutex);
        if (chunk != consumed) fail("sink out of order");
        if (slot != chunk % depth) fail("wrong slot");
        for (int64_t p : produced)
            if (p <= chunk) fail("sink ran before every lane produced its chunk");
        ++consumed;
    }
    void fail(const char* what) { errors.push_back(what); }

    int depth;
    std::mutex mutex;
    std::vector<int64_t> produced;
    int64_t consumed = 0;
    std::vector<std::string> errors;
};

} // namespace

TEST(ChunkFlow, RunsEveryTaskOnceInOrderWithinItsSlots) {
    for (int threads : {1, 2, 3})
        for (int sources : {0, 1, 6})
            for (int depth : {1, 2, 4})
                for (int64_t chunks : {1, 2, 37}) {
                    SCOPED_TRACE(::testing::Message() << "threads " << threads << " sources " << sources
                                                      << " depth " << depth << " chunks " << chunks);
                    ThreadPool pool(threads);
                    FlowChecker check(sources, depth);
                    ChunkFlow::run(pool, sources, chunks, depth,
                                   {[&](int s, int64_t c, int slot) { check.produce(s, c, slot); },
                                    [&](int64_t c, int slot) { check.consume(c, slot); }});
                    EXPECT_EQ(check.errors, std::vector<std::string>{});
                    EXPECT_EQ(check.consumed, chunks);
                    for (int64_t p : check.produced)
                        EXPECT_EQ(p, chunks);
                }
}

// No barrier per chunk: while the sink works on chunk 0, a lane goes on to chunk 1 on the other thread. The
// sink waits (up to 10 s) for that to happen, which it can only see if both run at once.
TEST(ChunkFlow, LanesRunAheadWhileTheSinkWorks) {
    ThreadPool pool(2);
    std::atomic<bool> laneAhead{false};
    bool sawLaneAhead = false;
    ChunkFlow::run(pool, 1, 3, 2,
                   {[&](int, int64_t chunk, int) {
                        if (chunk == 1) laneAhead = true;
                    },
                    [&](int64_t chunk, int) {
                        if (chunk != 0) return;
                        for (int wait = 0; wait < 10000 && !laneAhead; ++wait)
                            std::this_thread::sleep_for(std::chrono::milliseconds(1));
                        sawLaneAhead = laneAhead;
                    }});
    EXPECT_TRUE(sawLaneAhead);
}

// A failing task (a read error, a cancel) stops the flow: nothing downstream of it runs, and the exception
// reaches the caller once the running tasks have finished.
TEST(ChunkFlow, RethrowsAFailureAndStartsNothingAfterIt) {
    for (int threads : {1, 2}) {
        ThreadPool pool(threads);
        std::atomic<int64_t> consumedUpTo{-1};
        EXPECT_THROW(ChunkFlow::run(pool, 3, 50, 2,
                                    {[&](int source, int64_t chunk, int) {
                                         if (source == 1 && chunk == 5)
                                             throw std::runtime_error("read failed");
                                     },
                                     [&](int64_t chunk, int) { consumedUpTo = chunk; }}),
                     std::runtime_error);
        EXPECT_LT(consumedUpTo.load(), 5) << "the sink ran past the chunk that failed";
        // The pool is usable again.
        int runs = 0;
        ChunkFlow::run(pool, 0, 4, 1, {[](int, int64_t, int) {}, [&](int64_t, int) { ++runs; }});
        EXPECT_EQ(runs, 4);
    }
}
