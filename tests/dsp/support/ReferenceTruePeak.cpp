#include "ReferenceTruePeak.h"

#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

std::vector<float> referenceUpsample8x(const std::vector<float>& channel, double sampleRate) {
    constexpr int kFactor = 8;
    soxr_error_t error = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
    const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    soxr_t soxr = soxr_create(sampleRate, sampleRate * kFactor, 1, &error, &io, &quality, &runtime);
    if (error != nullptr) throw std::runtime_error(std::string("soxr_create: ") + error);

    std::vector<float> out(channel.size() * kFactor + 4096);
    std::size_t written = 0;
    std::size_t consumed = 0;
    // Feed in chunks, then flush with a null input until the resampler has nothing more to give.
    while (consumed < channel.size()) {
        std::size_t idone = 0, odone = 0;
        const std::size_t chunk = std::min<std::size_t>(channel.size() - consumed, 8192);
        if (out.size() - written < chunk * kFactor + 1024) out.resize(written + chunk * kFactor + 4096);
        error = soxr_process(soxr, channel.data() + consumed, chunk, &idone, out.data() + written,
                             out.size() - written, &odone);
        if (error != nullptr) throw std::runtime_error(std::string("soxr_process: ") + error);
        consumed += idone;
        written += odone;
    }
    for (;;) {
        std::size_t odone = 0;
        if (out.size() - written < 4096) out.resize(written + 8192);
        error = soxr_process(soxr, nullptr, 0, nullptr, out.data() + written, out.size() - written, &odone);
        if (error != nullptr) throw std::runtime_error(std::string("soxr_process (flush): ") + error);
        written += odone;
        if (odone == 0) break;
    }
    soxr_delete(soxr);
    out.resize(written);
    return out;
}

double referenceTruePeakDbtp(const std::vector<std::vector<float>>& channels, double sampleRate) {
    double peak = 0.0;
    for (const auto& channel : channels)
        for (float v : referenceUpsample8x(channel, sampleRate))
            peak = std::max(peak, static_cast<double>(std::abs(v)));
    return peak > 0.0 ? 20.0 * std::log10(peak) : -200.0;
}
