#pragma once

namespace lathe::dsp {

// Release of a peak limiter's gain reduction, in the log-gain domain (values <= 0, natural-log units: the
// reduction in dB is -value * 20 / ln 10), one value per frame. Two stages, the larger reduction wins:
// clang-format off
//   fast  f[n] = min(h[n], f[n-1] * af)               af = exp(-1 / (fastMs * fs / 1000))
//   slow  s[n] = s[n-1] + (h[n] - s[n-1]) * (1 - ac)  while h[n] < s[n-1]  (charges towards the requirement,
//                                                      ac = exp(-1 / (sustainMs * fs / 1000)))
//         s[n] = s[n-1] * as                          otherwise            (as = exp(-1 / (slowMs * fs / 1000)))
//   out   g[n] = min(f[n], s[n])
// An overload of depth R held for d ms charges the slow stage to R (1 - exp(-d / sustainMs)): an isolated
// transient (d << sustainMs) leaves it nearly empty and the reduction recovers with fastMs; a sustained one
// (d >> sustainMs) fills it and the reduction recovers with slowMs. The two stages decide by how long the
// overload lasts, not by its level. `sustained` (LowFrequencyOverload's verdict) charges the slow stage at
// once: an overload the sub drives is released slowly whatever its length, so the gain does not ride bass
// cycles. Single-stage mode (setSingle) is exactly the one-pole release g[n] = min(h[n], g[n-1] * a).
// clang-format on
class ProgramDependentRelease {
public:
    // One exponential release of time constant releaseMs (the pre-2026 limiter's). Real-time safe.
    void setSingle(double sampleRate, double releaseMs);
    // Two stages as above. Real-time safe.
    void setTwoStage(double sampleRate, double fastMs, double slowMs, double sustainMs);
    bool twoStage() const { return twoStage_; }

    // Clears the state (no reduction). Real-time safe.
    void reset();
    // Takes the held requirement h[n] (<= 0) and returns g[n]. Real-time safe.
    double process(double held, bool sustained = false);

    // No reduction held: process(0.0) returns 0. Real-time safe.
    bool atRest() const { return fast_ == 0.0 && (!twoStage_ || slow_ == 0.0); }
    // What any number (>= 1) of process(0.0) calls from atRest() leave. Real-time safe.
    void stayAtRest() {
        fast_ = 0.0;
        if (twoStage_) slow_ = 0.0;
    }

    double fastState() const { return fast_; }
    double slowState() const { return slow_; }

private:
    bool twoStage_ = false;
    double fastCoefficient_ = 0.0;
    double slowCoefficient_ = 0.0;
    double chargeCoefficient_ = 0.0;
    double fast_ = 0.0;
    double slow_ = 0.0;
};

// exp(-1 / (ms * sampleRate / 1000)), 0 for a zero time: the one-pole coefficient of a time constant.
double onePoleCoefficient(double sampleRate, double ms);

} // namespace lathe::dsp
