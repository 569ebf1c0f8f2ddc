#include "core/analysis/MatchCache.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace lathe::core {

namespace {

// splitmix64's finaliser: every input bit reaches every output bit, so neighbouring keys do not collide.
uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

std::string cachePath(uint64_t key) {
    const std::string dir = matchCacheDirectory();
    if (dir.empty()) return {};
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.json", static_cast<unsigned long long>(key));
    return (fs::path(dir) / name).string();
}

json toJson(const dsp::MatchAnalysis& a) {
    json bands = json::array();
    for (const auto& b : a.widthBands)
        bands.push_back({b.lowHz, b.highHz, b.midDbfs, b.sideDbfs, b.sideToMidDb});
    return {{"format", a.format},
            {"sample_rate", a.sampleRate},
            {"fft_size", a.fftSize},
            {"duration_s", a.durationSeconds},
            {"loud_s", a.loudSeconds},
            {"gate_lu", a.gateLu},
            {"loudest_window_lufs", a.loudestWindowLufs},
            {"integrated_lufs", a.integratedLufs},
            {"true_peak_dbtp", a.truePeakDbtp},
            {"sample_peak_dbfs", a.samplePeakDbfs},
            {"loud_rms_dbfs", a.loudRmsDbfs},
            {"crest_factor_db", a.crestFactorDb},
            {"plr_db", a.plrDb},
            {"frequency_hz", a.frequencyHz},
            {"mid_db", a.midDb},
            {"side_db", a.sideDb},
            {"width_bands", bands}};
}

dsp::MatchAnalysis fromJson(const json& j) {
    dsp::MatchAnalysis a;
    a.format = j.at("format").get<int>();
    a.sampleRate = j.at("sample_rate").get<double>();
    a.fftSize = j.at("fft_size").get<int>();
    a.durationSeconds = j.at("duration_s").get<double>();
    a.loudSeconds = j.at("loud_s").get<double>();
    a.gateLu = j.at("gate_lu").get<double>();
    a.loudestWindowLufs = j.at("loudest_window_lufs").get<double>();
    a.integratedLufs = j.at("integrated_lufs").get<double>();
    a.truePeakDbtp = j.at("true_peak_dbtp").get<double>();
    a.samplePeakDbfs = j.at("sample_peak_dbfs").get<double>();
    a.loudRmsDbfs = j.at("loud_rms_dbfs").get<double>();
    a.crestFactorDb = j.at("crest_factor_db").get<double>();
    a.plrDb = j.at("plr_db").get<double>();
    a.frequencyHz = j.at("frequency_hz").get<std::vector<double>>();
    a.midDb = j.at("mid_db").get<std::vector<double>>();
    a.sideDb = j.at("side_db").get<std::vector<double>>();
    for (const auto& b : j.at("width_bands")) {
        dsp::MatchWidthBand band;
        band.lowHz = b.at(0).get<double>();
        band.highHz = b.at(1).get<double>();
        band.midDbfs = b.at(2).get<double>();
        band.sideDbfs = b.at(3).get<double>();
        band.sideToMidDb = b.at(4).get<double>();
        a.widthBands.push_back(band);
    }
    if (a.midDb.size() != a.frequencyHz.size() || a.sideDb.size() != a.frequencyHz.size())
        throw std::runtime_error("inconsistent");
    return a;
}

} // namespace

uint64_t hashCombine(uint64_t hash, uint64_t value) {
    return mix(hash ^ (value + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2)));
}

uint64_t hashText(const std::string& text) {
    uint64_t h = mix(text.size());
    for (std::size_t i = 0; i < text.size(); i += 8) {
        uint64_t word = 0;
        std::memcpy(&word, text.data() + i, std::min<std::size_t>(8, text.size() - i));
        h = hashCombine(h, word);
    }
    return h;
}

uint64_t fileContentHash(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open this file to analyse it for matching");
    // Four independent lanes of 8-byte words, so the multiplies overlap: ~2 GB/s, a 4-minute 24-bit WAV in
    // ~40 ms.
    uint64_t lanes[4] = {1, 2, 3, 4};
    std::vector<char> buffer(1 << 20);
    uint64_t total = 0;
    for (;;) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) break;
        total += got;
        std::size_t i = 0;
        for (; i + 32 <= got; i += 32)
            for (int k = 0; k < 4; ++k) {
                uint64_t word;
                std::memcpy(&word, buffer.data() + i + 8 * k, 8);
                lanes[k] = (lanes[k] ^ word) * 0x9e3779b97f4a7c15ULL;
                lanes[k] ^= lanes[k] >> 29;
            }
        for (; i < got; ++i)
            lanes[0] = hashCombine(lanes[0], static_cast<unsigned char>(buffer[i]));
        if (got < buffer.size()) break;
    }
    if (in.bad()) throw Error(path, "cannot read this file to analyse it for matching");
    uint64_t h = mix(total);
    for (uint64_t lane : lanes)
        h = hashCombine(h, lane);
    return h;
}

std::string matchCacheDirectory() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return (fs::path(xdg) / "lathe" / "match").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".cache" / "lathe" / "match").string();
    return {};
}

std::optional<dsp::MatchAnalysis> loadCachedAnalysis(uint64_t key) {
    const std::string path = cachePath(key);
    if (path.empty()) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    try {
        std::ostringstream text;
        text << in.rdbuf();
        dsp::MatchAnalysis a = fromJson(json::parse(text.str()));
        if (a.format != dsp::MatchAnalysis::kCurrentFormat) return std::nullopt;
        return a;
    } catch (const std::exception&) {
        return std::nullopt; // damaged or from another version: analyse again
    }
}

void storeCachedAnalysis(uint64_t key, const dsp::MatchAnalysis& analysis) {
    const std::string path = cachePath(key);
    if (path.empty()) return;
    try {
        std::error_code ec;
        fs::create_directories(fs::path(path).parent_path(), ec);
        // -inf (kSilenceDb is finite, but a meter may say -inf) is not JSON: such an analysis is not cached.
        writeFileAtomically(path, toJson(analysis).dump() + "\n");
    } catch (const std::exception&) {
    }
}

} // namespace lathe::core
