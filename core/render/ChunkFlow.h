#pragma once

#include "core/render/ThreadPool.h"

#include <cstdint>
#include <functional>

namespace lathe::core::render {

// Runs a render's chunked dataflow over a ThreadPool: `sources` lanes each produce chunk 0, 1, 2 ... in order
// (a stem read and put through its chain), and one sink consumes chunk c once every lane has produced it (the
// sum and the master chain), also in order. A lane may run up to `depth` chunks ahead of the sink, so a chunk
// lives in one of `depth` slots (chunk % depth) that the sink frees: no barrier per chunk, a thread that
// finishes early takes the next ready task instead of waiting for the slowest stem. Each lane's tasks, and
// the sink's, run one at a time and in chunk order whatever the thread count, so the arithmetic (and the
// output, bit for bit) does not depend on it. Idle threads sleep on a condition variable.
class ChunkFlow {
public:
    struct Tasks {
        std::function<void(int source, int64_t chunk, int slot)> produce;
        std::function<void(int64_t chunk, int slot)> consume;
    };

    // Returns once the sink has consumed every chunk. If a task throws (a read error, a cancel), no further
    // task starts and the first exception is rethrown here once the running ones have finished.
    static void run(ThreadPool& pool, int sources, int64_t chunks, int depth, const Tasks& tasks);
};

} // namespace lathe::core::render
