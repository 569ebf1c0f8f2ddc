#pragma once

namespace lathe::dsp {

// The largest |v[i]| over v[0..count), or `largest` if that is larger: a block's sample peak. A NaN is
// skipped (each step is std::max(largest, |v|), whose result does not depend on the order it is taken in).
// SSE2 with four independent maxima in flight (a single chain waits on each max's latency: 4x slower on a
// 240 s file's 23 million samples). RT safe.
float largestMagnitude(const float* v, int count, float largest = 0.0f);

} // namespace lathe::dsp
