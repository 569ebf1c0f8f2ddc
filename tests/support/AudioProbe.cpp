#include "AudioProbe.h"

#include <ebur128.h>
#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lathe::test {

LoadedAudio loadAudio(const std::string& path) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (f == nullptr) throw std::runtime_error("cannot open " + path + ": " + sf_strerror(nullptr));
    std::vector<float> interleaved(static_cast<size_t>(info.frames * info.channels));
    const sf_count_t got = sf_readf_float(f, interleaved.data(), info.frames);
    sf_close(f);
    LoadedAudio a;
    a.sampleRate = info.samplerate;
    a.channels.assign(static_cast<size_t>(info.channels), std::vector<float>(static_cast<size_t>(got)));
    for (sf_count_t i = 0; i < got; ++i)
        for (int c = 0; c < info.channels; ++c)
            a.channels[static_cast<size_t>(c)][static_cast<size_t>(i)] =
                interleaved[static_cast<size_t>(i * info.channels + c)];
    return a;
}

void writeAudio(const std::string& path, const LoadedAudio& a, int format) {
    SF_INFO info{};
    info.samplerate = a.sampleRate;
    info.channels = static_cast<int>(a.channels.size());
    info.format = format;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (f == nullptr) throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
    const size_t channels = a.channels.size();
    std::vector<float> interleaved(a.frames() * channels);
    for (size_t i = 0; i < a.frames(); ++i)
        for (size_t c = 0; c < channels; ++c)
            interleaved[i * channels + c] = a.channels[c][i];
    sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(a.frames()));
    sf_close(f);
}

LoadedAudio makeTone(int sampleRate, double seconds, double frequency, double amplitude, int channels) {
    LoadedAudio a;
    a.sampleRate = sampleRate;
    const size_t n = static_cast<size_t>(std::llround(seconds * sampleRate));
    a.channels.assign(static_cast<size_t>(channels), std::vector<float>(n));
    unsigned state = 12345;
    for (size_t i = 0; i < n; ++i) {
        state = state * 1664525u + 1013904223u;
        const double noise = ((state >> 8) / 16777216.0 - 0.5) * 0.01 * amplitude;
        const double s =
            amplitude * std::sin(2.0 * 3.141592653589793 * frequency * static_cast<double>(i) / sampleRate);
        for (auto& ch : a.channels)
            ch[i] = static_cast<float>(s + noise);
    }
    return a;
}

double integratedLufs(const LoadedAudio& a) {
    const unsigned channels = static_cast<unsigned>(a.channels.size());
    ebur128_state* st = ebur128_init(channels, static_cast<unsigned long>(a.sampleRate), EBUR128_MODE_I);
    std::vector<float> interleaved(a.frames() * channels);
    for (size_t i = 0; i < a.frames(); ++i)
        for (unsigned c = 0; c < channels; ++c)
            interleaved[i * channels + c] = a.channels[c][i];
    ebur128_add_frames_float(st, interleaved.data(), a.frames());
    double lufs = 0;
    ebur128_loudness_global(st, &lufs);
    ebur128_destroy(&st);
    return lufs;
}

double truePeak8xDbtp(const LoadedAudio& a) {
    double peak = 0;
    for (const auto& ch : a.channels) {
        // Pad both ends so the filter's edges see silence, as a DAC would.
        std::vector<float> in(ch.size() + 2000, 0.0f);
        std::copy(ch.begin(), ch.end(), in.begin() + 1000);
        std::vector<float> out(in.size() * 8 + 64);
        size_t odone = 0;
        const soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
        const soxr_error_t e = soxr_oneshot(a.sampleRate, a.sampleRate * 8.0, 1, in.data(), in.size(),
                                            nullptr, out.data(), out.size(), &odone, nullptr, &q, nullptr);
        if (e != nullptr) throw std::runtime_error(std::string("soxr: ") + e);
        for (size_t i = 0; i < odone; ++i)
            peak = std::max(peak, static_cast<double>(std::abs(out[i])));
        for (float x : ch)
            peak = std::max(peak, static_cast<double>(std::abs(x)));
    }
    return 20.0 * std::log10(std::max(peak, 1e-12));
}

double maxDifferenceDbfs(const LoadedAudio& a, const LoadedAudio& b) {
    double worst = 0;
    for (size_t c = 0; c < a.channels.size(); ++c)
        for (size_t i = 0; i < a.frames(); ++i)
            worst = std::max(worst, static_cast<double>(std::abs(a.channels[c][i] - b.channels[c][i])));
    return 20.0 * std::log10(std::max(worst, 1e-12));
}

double energyAboveDb(const std::vector<float>& x, int sampleRate, double hz) {
    constexpr int kHalf = 256;
    const double fc = hz / sampleRate;
    std::vector<double> h(2 * kHalf + 1);
    for (int k = -kHalf; k <= kHalf; ++k) {
        const double sinc = k == 0 ? 2 * fc : std::sin(2 * M_PI * fc * k) / (M_PI * k);
        const double w = 0.42 + 0.5 * std::cos(M_PI * k / kHalf) + 0.08 * std::cos(2 * M_PI * k / kHalf);
        h[static_cast<size_t>(k + kHalf)] = sinc * w;
    }
    double high = 0, all = 0;
    for (size_t i = kHalf; i + kHalf < x.size(); i += 3) {
        double low = 0;
        for (int k = -kHalf; k <= kHalf; ++k)
            low += h[static_cast<size_t>(k + kHalf)] * x[i - static_cast<size_t>(k)];
        high += (x[i] - low) * (x[i] - low);
        all += static_cast<double>(x[i]) * x[i];
    }
    return 10 * std::log10(std::max(high, 1e-30) / std::max(all, 1e-30));
}

} // namespace lathe::test
