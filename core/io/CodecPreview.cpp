#include "core/io/CodecPreview.h"

#include "core/Error.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"

#include "dsp/Decibels.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace lathe::core {
namespace {

namespace fs = std::filesystem;

constexpr int kBlock = 8192;
// LAME's own delay is 576 + 529 samples plus at most one granule of padding; libsndfile 1.2 reads the LAME
// tag and trims it (measured lag 0), but another build might not, so the search covers a few granules either
// way.
constexpr int kMaxLagFrames = 4096;
constexpr int kCorrelationWindow = 16384;

// A private folder under $TMPDIR (mkdtemp: unique, mode 0700) removed with everything in it on scope exit.
class ScratchFolder {
public:
    ScratchFolder() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/lathe-codec-XXXXXX";
        if (!::mkdtemp(pattern.data()))
            throw Error(pattern, "cannot create a temporary folder for the codec preview (" +
                                     describeSystemError(errno) + ")");
        path_ = pattern;
    }
    ~ScratchFolder() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

double truePeakOf(const float* left, const float* right, int64_t frames, int sampleRate) {
    dsp::TruePeakMeter meter;
    meter.prepare(sampleRate, kBlock, 2, 8);
    for (int64_t start = 0; start < frames; start += kBlock) {
        const int n = static_cast<int>(std::min<int64_t>(kBlock, frames - start));
        float* channels[2] = {const_cast<float*>(left + start),
                              const_cast<float*>(right + start)}; // read only
        meter.process(dsp::AudioBlock(channels, 2, n));
    }
    meter.flush();
    return meter.truePeakDbtp();
}

// The lag (decoded index - input index) that best lines the decoded audio up with the input, from the mono
// sums over the loudest window of the input. Lags are tried nearest-first and a farther one must beat the
// best by a clear margin, so a periodic signal (equal peaks one period apart) keeps the smallest shift.
int findDelay(const float* left, const float* right, int64_t frames, const std::vector<float>& decodedLeft,
              const std::vector<float>& decodedRight) {
    const auto decodedFrames = static_cast<int64_t>(decodedLeft.size());
    const int64_t window = std::min<int64_t>(kCorrelationWindow, frames);
    // Loudest of up to 32 candidate windows.
    int64_t bestStart = 0;
    double bestEnergy = -1.0;
    const int64_t span = frames - window;
    for (int k = 0; k <= 32; ++k) {
        const int64_t start = span * k / 32;
        double energy = 0.0;
        for (int64_t i = start; i < start + window; i += 4)
            energy += static_cast<double>(left[i] + right[i]) * (left[i] + right[i]);
        if (energy > bestEnergy) bestEnergy = energy, bestStart = start;
        if (span == 0) break;
    }
    if (bestEnergy <= 0.0) return 0;

    auto correlation = [&](int lag) {
        double sum = 0.0;
        for (int64_t i = bestStart; i < bestStart + window; ++i) {
            const int64_t j = i + lag;
            if (j < 0 || j >= decodedFrames) continue;
            sum += static_cast<double>(left[i] + right[i]) *
                   static_cast<double>(decodedLeft[static_cast<size_t>(j)] +
                                       decodedRight[static_cast<size_t>(j)]);
        }
        return sum;
    };
    int bestLag = 0;
    double best = correlation(0);
    for (int distance = 1; distance <= kMaxLagFrames; ++distance)
        for (int lag : {distance, -distance}) {
            const double c = correlation(lag);
            if (c > best + 1e-3 * std::abs(best)) best = c, bestLag = lag;
        }
    return bestLag;
}

} // namespace

CodecPreview codecRoundTrip(const float* left, const float* right, int64_t frames, int sampleRate,
                            int bitrateKbps, double ceilingDbtp) {
    if (bitrateKbps < kMinMp3BitrateKbps || bitrateKbps > kMaxMp3BitrateKbps)
        throw Error("", "MP3 bitrate " + std::to_string(bitrateKbps) + " kb/s is outside " +
                            std::to_string(kMinMp3BitrateKbps) + "..." + std::to_string(kMaxMp3BitrateKbps) +
                            " kb/s");
    if (!mp3CarriesSampleRate(sampleRate))
        throw Error("",
                    "MP3 preview needs 32, 44.1 or 48 kHz audio, not " + std::to_string(sampleRate) + " Hz");
    if (frames <= 0) throw Error("", "nothing to encode: the audio has no frames");

    ScratchFolder scratch;
    const std::string mp3Path = scratch.path() + "/preview.mp3";
    {
        WriterOptions options;
        options.format = OutputFormat::Mp3;
        options.sampleRate = sampleRate;
        options.channels = 2;
        options.mp3BitrateKbps = bitrateKbps;
        AudioFileWriter writer(mp3Path, options);
        for (int64_t start = 0; start < frames; start += kBlock) {
            const float* channels[2] = {left + start, right + start};
            writer.write(channels, std::min<int64_t>(kBlock, frames - start));
        }
        writer.commit();
    }

    std::vector<float> decodedLeft, decodedRight;
    {
        AudioFileReader reader(mp3Path);
        const int channels = reader.info().channels;
        if (channels < 1 || channels > 2)
            throw Error(mp3Path, "decoded MP3 has " + std::to_string(channels) + " channels");
        std::vector<float> a(kBlock), b(kBlock);
        float* out[2] = {a.data(), b.data()};
        for (;;) {
            const int64_t n = reader.read(out, kBlock);
            if (n == 0) break;
            decodedLeft.insert(decodedLeft.end(), a.begin(), a.begin() + n);
            decodedRight.insert(decodedRight.end(), (channels == 2 ? b : a).begin(),
                                (channels == 2 ? b : a).begin() + n);
        }
    }
    if (decodedLeft.empty()) throw Error(mp3Path, "the MP3 decoder returned no audio");

    CodecPreview result;
    result.delayFrames = findDelay(left, right, frames, decodedLeft, decodedRight);
    result.left.assign(static_cast<size_t>(frames), 0.0f);
    result.right.assign(static_cast<size_t>(frames), 0.0f);
    const auto decodedFrames = static_cast<int64_t>(decodedLeft.size());
    double differenceEnergy = 0.0, inputEnergy = 0.0;
    for (int64_t i = 0; i < frames; ++i) {
        const int64_t j = i + result.delayFrames;
        if (j >= 0 && j < decodedFrames) {
            result.left[static_cast<size_t>(i)] = decodedLeft[static_cast<size_t>(j)];
            result.right[static_cast<size_t>(i)] = decodedRight[static_cast<size_t>(j)];
        }
        const double dl = static_cast<double>(left[i]) - result.left[static_cast<size_t>(i)];
        const double dr = static_cast<double>(right[i]) - result.right[static_cast<size_t>(i)];
        differenceEnergy += dl * dl + dr * dr;
        inputEnergy += static_cast<double>(left[i]) * left[i] + static_cast<double>(right[i]) * right[i];
    }
    result.differenceDb =
        inputEnergy > 0.0 ? dsp::powerToDb(differenceEnergy / inputEnergy) : dsp::kSilenceDb;
    result.truePeakDbtp = truePeakOf(result.left.data(), result.right.data(), frames, sampleRate);
    result.inputTruePeakDbtp = truePeakOf(left, right, frames, sampleRate);
    result.exceedsCeiling = result.truePeakDbtp > ceilingDbtp;
    return result;
}

} // namespace lathe::core
