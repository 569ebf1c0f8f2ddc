#include "TestSignals.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lathe::test {

std::vector<float> sine(double amplitude, double frequencyHz, double sampleRate, int frames) {
    std::vector<float> x(static_cast<size_t>(frames));
    for (int i = 0; i < frames; ++i)
        x[static_cast<size_t>(i)] =
            static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * frequencyHz * i / sampleRate));
    return x;
}

std::vector<float> square(double amplitude, double frequencyHz, double sampleRate, int frames) {
    std::vector<float> x(static_cast<size_t>(frames));
    const double period = sampleRate / frequencyHz;
    for (int i = 0; i < frames; ++i)
        x[static_cast<size_t>(i)] =
            static_cast<float>(std::fmod(i, period) < period / 2 ? amplitude : -amplitude);
    return x;
}

double peakFrom(const std::vector<float>& x, int from) {
    double peak = 0;
    for (size_t i = static_cast<size_t>(from); i < x.size(); ++i)
        peak = std::max(peak, static_cast<double>(std::abs(x[i])));
    return peak;
}

double amplitudeAt(const std::vector<float>& x, double frequencyHz, double sampleRate, int from, int count) {
    double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
    for (int i = from; i < from + count; ++i) {
        const double phase = 2.0 * std::numbers::pi * frequencyHz * i / sampleRate;
        const double s = std::sin(phase), c = std::cos(phase), v = x[static_cast<size_t>(i)];
        ss += s * s;
        cc += c * c;
        sc += s * c;
        xs += v * s;
        xc += v * c;
    }
    const double det = ss * cc - sc * sc;
    const double a = (xs * cc - xc * sc) / det;
    const double b = (xc * ss - xs * sc) / det;
    return std::hypot(a, b);
}

void inOddBlocks(std::vector<float>& left, std::vector<float>& right,
                 const std::function<void(float* left, float* right, int frames)>& process) {
    const int total = static_cast<int>(left.size());
    for (int start = 0, n = 1; start < total; start += n, n = (n * 7 + 3) % 700 + 1)
        process(left.data() + start, right.data() + start, std::min(n, total - start));
}

} // namespace lathe::test
