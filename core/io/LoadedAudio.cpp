#include "core/io/LoadedAudio.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

std::vector<float> LoadedAudio::mono() const {
    std::vector<float> out(static_cast<std::size_t>(frames()), 0.0f);
    if (channels.empty()) return out;
    const float scale = 1.0f / static_cast<float>(channels.size());
    for (const auto& c : channels)
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] += c[i] * scale;
    return out;
}

std::vector<float> LoadedAudio::channel(int index) const {
    if (channels.empty()) return {};
    return channels[static_cast<std::size_t>(std::min<int>(index, static_cast<int>(channels.size()) - 1))];
}

LoadedAudio loadAudio(const std::string& path) {
    AudioFileReader reader(path);
    LoadedAudio audio;
    audio.info = reader.info();
    const int n = audio.info.channels;
    audio.channels.assign(static_cast<std::size_t>(n), {});
    for (auto& c : audio.channels)
        c.reserve(static_cast<std::size_t>(std::max<int64_t>(0, audio.info.frames)));
    constexpr int64_t kBlock = 65536;
    std::vector<std::vector<float>> block(static_cast<std::size_t>(n), std::vector<float>(kBlock));
    std::vector<float*> pointers;
    for (auto& b : block)
        pointers.push_back(b.data());
    for (;;) {
        const int64_t got = reader.read(pointers.data(), kBlock);
        if (got <= 0) break;
        for (int c = 0; c < n; ++c)
            audio.channels[static_cast<std::size_t>(c)].insert(
                audio.channels[static_cast<std::size_t>(c)].end(), block[static_cast<std::size_t>(c)].begin(),
                block[static_cast<std::size_t>(c)].begin() + got);
    }
    return audio;
}

double rmsDb(const std::vector<float>& x, int64_t begin, int64_t end) {
    const auto size = static_cast<int64_t>(x.size());
    if (end < 0 || end > size) end = size;
    begin = std::clamp<int64_t>(begin, 0, end);
    if (end <= begin) return -200.0;
    double sum = 0.0;
    for (int64_t i = begin; i < end; ++i)
        sum += static_cast<double>(x[static_cast<std::size_t>(i)]) * x[static_cast<std::size_t>(i)];
    const double ms = sum / static_cast<double>(end - begin);
    return ms > 1e-20 ? 10.0 * std::log10(ms) : -200.0;
}

} // namespace lathe::core
