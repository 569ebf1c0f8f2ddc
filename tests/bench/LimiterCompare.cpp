// Measures one limiter output against its input for tests/bench/limiter-vs-peers.sh:
//   lag        - output delay against the input found by cross-correlation (0 for a latency-compensated
//   render); total_db   - residual energy against the gained input, sum (y - g x)^2 / sum (g x)^2 in dB:
//   everything the
//                limiter changed;
//   fast_db    - the same after removing the best-fitting gain curve with a knot every 5 ms (piecewise
//   linear,
//                least squares, both channels sharing it): what no gain movement slower than 5 ms explains,
//                i.e. the fast, distorting part of the limiting;
//   tp8_dbtp   - 8x true peak of the output (TruePeakMeter's 64-tap-per-phase interpolator);
//   overs      - 8x points above the ceiling;
//   gr_mean_db, gr_time_pct, gr_hold_ms - from the 5 ms gain curve: energy-weighted mean reduction, share of
//                time at more than 0.5 dB of reduction, mean length of those stretches.
// Usage: limiter_compare INPUT.wav OUTPUT.wav GAIN_DB CEILING_DBTP
#include "dsp/PolyphaseInterpolator.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Audio {
    int rate = 0;
    long long frames = 0;
    std::vector<float> left, right;
};

bool readStereo(const char* path, Audio& a) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path, SFM_READ, &info);
    if (!f || info.channels != 2) {
        std::fprintf(stderr, "limiter_compare: %s: %s\n", path, f ? "not stereo" : sf_strerror(nullptr));
        return false;
    }
    std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * 2);
    sf_readf_float(f, interleaved.data(), info.frames);
    sf_close(f);
    a.rate = info.samplerate;
    a.frames = info.frames;
    a.left.resize(static_cast<std::size_t>(info.frames));
    a.right.resize(static_cast<std::size_t>(info.frames));
    for (long long i = 0; i < info.frames; ++i) {
        a.left[static_cast<std::size_t>(i)] = interleaved[static_cast<std::size_t>(2 * i)];
        a.right[static_cast<std::size_t>(i)] = interleaved[static_cast<std::size_t>(2 * i + 1)];
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: limiter_compare INPUT.wav OUTPUT.wav GAIN_DB CEILING_DBTP\n");
        return 2;
    }
    Audio in, out;
    if (!readStereo(argv[1], in) || !readStereo(argv[2], out)) return 1;
    const double gain = std::pow(10.0, std::atof(argv[3]) / 20.0);
    const double ceiling = std::pow(10.0, std::atof(argv[4]) / 20.0);
    const long long n = std::min(in.frames, out.frames);
    auto x = [&](int c, long long i) {
        return gain * (c == 0 ? in.left : in.right)[static_cast<std::size_t>(i)];
    };
    auto yRaw = [&](int c, long long i) -> double {
        if (i < 0 || i >= out.frames) return 0.0;
        return (c == 0 ? out.left : out.right)[static_cast<std::size_t>(i)];
    };

    // Lag: cross-correlation over the loudest second of the input, +-2048 frames.
    const long long window = std::min<long long>(in.rate, n);
    long long loudest = 0;
    double loudestEnergy = -1.0;
    for (long long start = 0; start + window <= n; start += window / 2) {
        double e = 0.0;
        for (long long i = start; i < start + window; i += 16)
            e += x(0, i) * x(0, i) + x(1, i) * x(1, i);
        if (e > loudestEnergy) {
            loudestEnergy = e;
            loudest = start;
        }
    }
    int lag = 0;
    double best = -1e300;
    for (int l = -2048; l <= 2048; ++l) {
        double s = 0.0;
        for (long long i = loudest; i < loudest + window; ++i)
            s += x(0, i) * yRaw(0, i + l) + x(1, i) * yRaw(1, i + l);
        if (s > best) {
            best = s;
            lag = l;
        }
    }
    auto y = [&](int c, long long i) { return yRaw(c, i + lag); };

    double inputEnergy = 0.0, totalResidual = 0.0;
    for (long long i = 0; i < n; ++i)
        for (int c = 0; c < 2; ++c) {
            const double d = y(c, i) - x(c, i);
            inputEnergy += x(c, i) * x(c, i);
            totalResidual += d * d;
        }

    // Gain curve: knots every 5 ms, g(t) linear between them; the normal equations are tridiagonal.
    const long long knotSpacing = std::max<long long>(1, std::lround(0.005 * in.rate));
    const auto knots = static_cast<std::size_t>(n / knotSpacing + 2);
    std::vector<double> diag(knots, 0.0), upper(knots, 0.0), rhs(knots, 0.0);
    for (long long i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i / knotSpacing);
        const double u = static_cast<double>(i % knotSpacing) / static_cast<double>(knotSpacing);
        const double e = x(0, i) * x(0, i) + x(1, i) * x(1, i);
        const double xy = x(0, i) * y(0, i) + x(1, i) * y(1, i);
        diag[k] += (1 - u) * (1 - u) * e;
        upper[k] += (1 - u) * u * e;
        diag[k + 1] += u * u * e;
        rhs[k] += (1 - u) * xy;
        rhs[k + 1] += u * xy;
    }
    // A whisper of ridge keeps silent stretches solvable (their gain is irrelevant: x is 0 there).
    const double ridge = 1e-12 * inputEnergy / static_cast<double>(knots) + 1e-30;
    for (auto& d : diag)
        d += ridge;
    std::vector<double> g(knots), c(knots), d(knots);
    c[0] = upper[0] / diag[0];
    d[0] = rhs[0] / diag[0];
    for (std::size_t k = 1; k < knots; ++k) {
        const double m = diag[k] - upper[k - 1] * c[k - 1];
        c[k] = upper[k] / m;
        d[k] = (rhs[k] - upper[k - 1] * d[k - 1]) / m;
    }
    g[knots - 1] = d[knots - 1];
    for (std::size_t k = knots - 1; k-- > 0;)
        g[k] = d[k] - c[k] * g[k + 1];
    double fastResidual = 0.0;
    for (long long i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i / knotSpacing);
        const double u = static_cast<double>(i % knotSpacing) / static_cast<double>(knotSpacing);
        const double curve = (1 - u) * g[k] + u * g[k + 1];
        for (int ch = 0; ch < 2; ++ch) {
            const double r = y(ch, i) - curve * x(ch, i);
            fastResidual += r * r;
        }
    }

    // How the gain was ridden, from the 5 ms gain curve (knots where the input is silent are skipped): the
    // energy-weighted mean reduction (the limiter's loudness cost), the share of time at more than 0.5 dB of
    // reduction and the mean length of those stretches (how long reduction is held).
    double weightedReduction = 0.0, weight = 0.0, audibleKnots = 0.0, heldKnots = 0.0, stretches = 0.0;
    bool inStretch = false;
    for (std::size_t k = 0; k + 1 < knots; ++k) {
        const double e = diag[k] - ridge;
        if (e <= 1e-9 * inputEnergy / static_cast<double>(knots)) {
            inStretch = false;
            continue;
        }
        const double reductionDb = g[k] > 0 ? std::max(0.0, -20.0 * std::log10(g[k])) : 0.0;
        weightedReduction += e * reductionDb;
        weight += e;
        audibleKnots += 1;
        const bool held = reductionDb > 0.5;
        heldKnots += held;
        stretches += held && !inStretch;
        inStretch = held;
    }
    const double knotMs = 1000.0 * static_cast<double>(knotSpacing) / in.rate;

    // 8x true peak and overs of the output file as it is.
    lathe::dsp::PolyphaseInterpolator up;
    constexpr int kFactor = 8;
    up.prepare(kFactor, 64, 2);
    std::vector<float> points(
        static_cast<std::size_t>(lathe::dsp::PolyphaseInterpolator::kChunkFrames * kFactor));
    double peak = 0.0;
    long long overs = 0;
    for (int ch = 0; ch < 2; ++ch) {
        std::vector<float> signal = ch == 0 ? out.left : out.right;
        signal.resize(signal.size() + 64, 0.0f); // flush the interpolator's delay
        const long long total = static_cast<long long>(signal.size());
        for (long long pos = 0; pos < total; pos += lathe::dsp::PolyphaseInterpolator::kChunkFrames) {
            const int len = static_cast<int>(
                std::min<long long>(lathe::dsp::PolyphaseInterpolator::kChunkFrames, total - pos));
            up.processBlock(ch, signal.data() + pos, len, points.data());
            for (int k = 0; k < len * kFactor; ++k) {
                const double v = std::abs(points[static_cast<std::size_t>(k)]);
                peak = std::max(peak, v);
                overs += v > ceiling;
            }
        }
    }

    auto db = [](double ratio) { return ratio > 0 ? 10.0 * std::log10(ratio) : -999.0; };
    std::printf("lag=%d total_db=%.2f fast_db=%.2f tp8_dbtp=%.3f overs=%lld gr_mean_db=%.2f gr_time_pct=%.1f "
                "gr_hold_ms=%.1f\n",
                lag, db(totalResidual / inputEnergy), db(fastResidual / inputEnergy), 20.0 * std::log10(peak),
                overs, weight > 0 ? weightedReduction / weight : 0.0,
                audibleKnots > 0 ? 100.0 * heldKnots / audibleKnots : 0.0,
                stretches > 0 ? knotMs * heldKnots / stretches : 0.0);
    return 0;
}
