#pragma once

#include "AudioBlock.h"
#include "Biquad.h"
#include "SlidingMinimum.h"

#include <array>
#include <vector>

namespace lathe::dsp {

// Low-frequency-aware detection for the limiter's side chain: tells, frame by frame, whether an overload is
// the sub's doing. The high band is the input through a 4th-order Linkwitz-Riley high-pass at the crossover
// (two 2nd-order Butterworth sections: |H|^2 = r^8 / (1 + r^4)^2 with r = f / fc, -6.02 dB at the crossover,
// -24 dB per octave below; a complementary "input minus low-pass" would keep half of a sub an octave down);
// a frame is "low-driven" when the high band alone stays at or under the limiter's threshold
// over the window the limiter holds its requirement for (a per-sample verdict would call every zero crossing
// of a loud high-frequency tone low-driven).
// The limiter releases low-driven overloads with its slow stage (ProgramDependentRelease's `sustained`):
// a fast release would let the gain follow each bass cycle, pumping the whole mix with the sub and
// modulating it at bass rate. Detection only: the audio is never filtered, and the ceiling guarantee does
// not depend on it (the full-band detector still sets the reduction).
class LowFrequencyOverload {
public:
    // Allocates. The verdicts judge the last windowFrames samples and come out delayFrames after them. The
    // limiter asks for no delay and a window of its hold plus a kernel half-span either side: its held
    // requirement at a frame depends on exactly those samples (the detector's kernel looks that far ahead).
    void prepare(double sampleRate, int numChannels, double crossoverHz, int delayFrames,
                 int windowFrames = 1);
    void reset(); // real-time safe
    // Linear threshold the high band is compared with. Real-time safe.
    void setThreshold(double threshold) { threshold_ = threshold; }
    // Judges one frame (one sample per channel) and returns the verdict of the frame delayFrames earlier.
    // Real-time safe.
    bool process(const float* frame, int numChannels);

    // The high band of one channel's sample, for analysis (advances that channel's filters). Real-time safe.
    double highBand(int channel, double x) {
        return highPass_[1].processSample(channel, highPass_[0].processSample(channel, x));
    }

private:
    std::array<Biquad, 2> highPass_;
    SlidingMinimum highPeak_; // of -|high band|: the window's largest high-band magnitude, negated
    double threshold_ = 1.0;
    std::vector<unsigned char> verdicts_;
    int pos_ = 0;
};

} // namespace lathe::dsp
