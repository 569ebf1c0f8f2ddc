#include "core/render/ChunkFlow.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <vector>

namespace lathe::core::render {

namespace {

struct FlowState {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<int64_t> started;  // per lane: chunks handed out
    std::vector<int64_t> produced; // per lane: chunks finished
    int64_t sinkStarted = 0;
    int64_t consumed = 0;
    bool failed = false;
    std::exception_ptr error;
};

} // namespace

void ChunkFlow::run(ThreadPool& pool, int sources, int64_t chunks, int depth, const Tasks& tasks) {
    if (chunks <= 0) return;
    depth = std::max(depth, 1);
    FlowState st;
    st.started.assign(static_cast<size_t>(sources), 0);
    st.produced.assign(static_cast<size_t>(sources), 0);
    constexpr int kSink = -1;

    // Under the lock: the next task to run (kSink, a lane, or -2 for none ready now). The sink goes first: it
    // is the one chain every chunk passes through, so it is never left waiting behind lanes running ahead.
    // Then the lane furthest behind, so lanes stay level and the sink's next chunk completes soonest.
    const auto pick = [&]() -> int {
        if (st.sinkStarted == st.consumed && st.consumed < chunks &&
            std::all_of(st.produced.begin(), st.produced.end(), [&](int64_t p) { return p > st.consumed; }))
            return kSink;
        int best = -2;
        for (int s = 0; s < sources; ++s) {
            const auto i = static_cast<size_t>(s);
            const bool idle = st.started[i] == st.produced[i];
            if (idle && st.started[i] < chunks && st.started[i] < st.consumed + depth &&
                (best < 0 || st.started[i] < st.started[static_cast<size_t>(best)]))
                best = s;
        }
        return best;
    };

    const auto worker = [&](int) {
        std::unique_lock lock(st.mutex);
        for (;;) {
            if (st.failed || st.consumed >= chunks) return;
            const int task = pick();
            if (task == -2) {
                st.changed.wait(lock);
                continue;
            }
            const int64_t chunk = task == kSink ? st.sinkStarted++ : st.started[static_cast<size_t>(task)]++;
            const int slot = static_cast<int>(chunk % depth);
            lock.unlock();
            std::exception_ptr failure;
            try {
                if (task == kSink)
                    tasks.consume(chunk, slot);
                else
                    tasks.produce(task, chunk, slot);
            } catch (...) {
                failure = std::current_exception();
            }
            lock.lock();
            if (failure) {
                if (!st.error) st.error = failure;
                st.failed = true;
            } else if (task == kSink) {
                ++st.consumed;
            } else {
                ++st.produced[static_cast<size_t>(task)];
            }
            st.changed.notify_all();
        }
    };
    // One worker loop per pool thread; a loop that finds nothing left returns at once.
    pool.parallelFor(pool.threads(), worker);
    if (st.error) std::rethrow_exception(st.error);
}

} // namespace lathe::core::render
