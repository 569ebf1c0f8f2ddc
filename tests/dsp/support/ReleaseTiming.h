#pragma once

#include <vector>

namespace lathe::test {

// A limiter's release, timed on its gain reduction per frame (dB, positive) after one click: between two
// depths past the deepest frame, so the few frames the cycle's other half-wave holds do not count. A shallow
// click (under 3 dB over) is timed from 0.8 x its depth down by 1/e, a deep one from 1 dB to 3 dB under its
// depth.
struct ReleaseTiming {
    double deepest = 0.0;        // dB
    double from = 0.0, to = 0.0; // dB
    double ms = 0.0;
};

ReleaseTiming timeRelease(const std::vector<double>& reductionDb, double overDb, double sampleRate);

} // namespace lathe::test
