#include "ReleaseTiming.h"

#include <cmath>
#include <cstddef>

namespace lathe::test {

ReleaseTiming timeRelease(const std::vector<double>& gr, double overDb, double sampleRate) {
    std::size_t deepestAt = 0;
    for (std::size_t i = 0; i < gr.size(); ++i)
        if (gr[i] >= gr[deepestAt]) deepestAt = i; // the last frame at full depth: the release starts after
    ReleaseTiming t;
    t.deepest = gr[deepestAt];
    t.from = overDb < 3.0 ? 0.8 * t.deepest : t.deepest - 1.0;
    t.to = overDb < 3.0 ? t.from / std::exp(1.0) : t.deepest - 3.0;
    const auto firstBelow = [&](double level) {
        std::size_t at = deepestAt;
        while (gr[at] > level)
            ++at;
        return at;
    };
    t.ms = static_cast<double>(firstBelow(t.to) - firstBelow(t.from)) / (sampleRate / 1000.0);
    return t;
}

} // namespace lathe::test
