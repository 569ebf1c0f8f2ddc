#include "Biquad.h"

namespace lathe::dsp {

void Biquad::prepare(double, int, int) {
    reset();
}

void Biquad::reset() {
    for (auto& s : state_)
        s = {0.0, 0.0};
}

void Biquad::process(const AudioBlock& block) {
    if (coeffs_.isIdentity()) return;
    const int n = block.numFrames();
    for (int c = 0; c < block.numChannels(); ++c) {
        float* x = block.channel(c);
        for (int i = 0; i < n; ++i)
            x[i] = static_cast<float>(processSample(c, x[i]));
    }
}

} // namespace lathe::dsp
