#include "AutomatedGain.h"

#include "FastMath.h"

#include <algorithm>

namespace lathe::dsp {

void AutomatedGain::prepare(double sampleRate, int maxBlockFrames, int maxPoints) {
    envelope_.prepare(sampleRate, maxPoints);
    values_.assign(static_cast<std::size_t>(std::max(maxBlockFrames, 1)), 0.0);
}

void AutomatedGain::process(const AudioBlock& block, int64_t startFrame) {
    if (envelope_.empty()) return;
    const int channels = block.numChannels();
    const int chunk = static_cast<int>(values_.size());
    double* gains = values_.data();
    for (int start = 0; start < block.numFrames(); start += chunk) {
        const int n = std::min(chunk, block.numFrames() - start);
        if (envelope_.render(startFrame + start, n, gains)) {
            // fastDbToGain(0) is exactly 1: an unautomated stretch stays bit for bit.
            const double gain = fastDbToGain(gains[0]);
            if (gain == 1.0) continue;
            for (int c = 0; c < channels; ++c) {
                float* x = block.channel(c) + start;
                for (int i = 0; i < n; ++i)
                    x[i] = static_cast<float>(x[i] * gain);
            }
            continue;
        }
        // dB -> gain two frames at a time; the lanes compute what fastDbToGain does, to the bit, so the
        // per-frame gains agree with the flat path above wherever a block boundary falls.
        int i = 0;
#if defined(__SSE2__)
        const __m128d scale = _mm_set1_pd(0.16609640474436813); // log2(10) / 20, as fastDbToGain
        for (; i + 2 <= n; i += 2)
            _mm_storeu_pd(gains + i, fastExp2(_mm_mul_pd(_mm_loadu_pd(gains + i), scale)));
#endif
        for (; i < n; ++i)
            gains[i] = fastDbToGain(gains[i]);
        for (int c = 0; c < channels; ++c) {
            float* x = block.channel(c) + start;
            for (int k = 0; k < n; ++k)
                x[k] = static_cast<float>(x[k] * gains[k]);
        }
    }
}

} // namespace lathe::dsp
