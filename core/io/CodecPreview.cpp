#include "core/io/CodecPreview.h"

#include "core/Error.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"
#include "core/io/LossyDecoder.h"
#include "core/render/DeliverablePlan.h"
#include "core/render/StereoResampler.h"

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

struct StereoSignal {
    std::vector<float> left, right;
    int64_t frames() const { return static_cast<int64_t>(left.size()); }
};

// The render's resampler (libsoxr, very high quality), for a codec that cannot carry the audio's rate.
StereoSignal resample(const float* left, const float* right, int64_t frames, int from, int to) {
    StereoSignal out;
    out.left.reserve(static_cast<size_t>(static_cast<double>(frames) * to / from) + kBlock);
    out.right.reserve(out.left.capacity());
    StereoResampler resampler(from, to);
    const auto sink = [&](const float* l, const float* r, int n) {
        out.left.insert(out.left.end(), l, l + n);
        out.right.insert(out.right.end(), r, r + n);
    };
    for (int64_t start = 0; start < frames; start += kBlock)
        resampler.process(left + start, right + start,
                          static_cast<int>(std::min<int64_t>(kBlock, frames - start)), sink);
    resampler.finish(sink);
    return out;
}

// Encodes with the render's writer for `codec` (as its deliverable file would be made) and decodes with the
// codec check's decoder, both in a private scratch folder.
StereoSignal encodeAndDecode(const float* left, const float* right, int64_t frames, int sampleRate,
                             const DeliverableSpec& codec) {
    ScratchFolder scratch;
    const std::string path = scratch.path() + "/preview" + deliverableExtension(codec.format);
    {
        WriterOptions options;
        options.format = writerFormat(codec);
        options.sampleRate = sampleRate;
        options.channels = 2;
        if (codec.format == "mp3") options.mp3BitrateKbps = codec.kbps;
        options.lossyKbps = codec.kbps;
        options.vorbisQuality = codec.quality;
        AudioFileWriter writer(path, options);
        for (int64_t start = 0; start < frames; start += kBlock) {
            const float* channels[2] = {left + start, right + start};
            writer.write(channels, std::min<int64_t>(kBlock, frames - start));
        }
        writer.commit();
    }
    StereoSignal decoded;
    int channels = 0, decodedRate = 0;
    decodeLossyFile(
        path, codec.format,
        [&](int rate, int count) {
            if (count < 1 || count > 2)
                throw Error(path, "decoded " + codec.format + " has " + std::to_string(count) + " channels");
            channels = count;
            decodedRate = rate;
        },
        [&](const float* const* planar, int n) {
            decoded.left.insert(decoded.left.end(), planar[0], planar[0] + n);
            const float* r = planar[channels == 2 ? 1 : 0];
            decoded.right.insert(decoded.right.end(), r, r + n);
        });
    if (decoded.left.empty()) throw Error(path, "the " + codec.format + " decoder returned no audio");
    if (decodedRate != sampleRate)
        decoded =
            resample(decoded.left.data(), decoded.right.data(), decoded.frames(), decodedRate, sampleRate);
    return decoded;
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
    DeliverableSpec mp3;
    mp3.format = "mp3";
    mp3.kbps = bitrateKbps;
    return codecRoundTrip(left, right, frames, sampleRate, mp3, ceilingDbtp);
}

CodecPreview codecRoundTrip(const float* left, const float* right, int64_t frames, int sampleRate,
                            const DeliverableSpec& requested, double ceilingDbtp) {
    if (!isLossyFormat(requested.format))
        throw Error("", "\"" + requested.format + "\" is not a lossy codec (mp3, aac, opus or vorbis)");
    const DeliverableSpec codec = withCodecDefaults(requested);
    if (const std::string problem = deliverableSpecProblem(codec); !problem.empty()) throw Error("", problem);
    if (frames <= 0) throw Error("", "nothing to encode: the audio has no frames");
    if (sampleRate < 8000 || sampleRate > 384000)
        throw Error("", "cannot preview a codec at " + std::to_string(sampleRate) + " Hz");

    const int codecRate = codecEncodeRate(codec.format, sampleRate);
    StereoSignal decoded;
    if (codecRate == sampleRate) {
        decoded = encodeAndDecode(left, right, frames, sampleRate, codec);
    } else {
        const StereoSignal atCodecRate = resample(left, right, frames, sampleRate, codecRate);
        const StereoSignal back = encodeAndDecode(atCodecRate.left.data(), atCodecRate.right.data(),
                                                  atCodecRate.frames(), codecRate, codec);
        decoded = resample(back.left.data(), back.right.data(), back.frames(), codecRate, sampleRate);
    }
    const std::vector<float>& decodedLeft = decoded.left;
    const std::vector<float>& decodedRight = decoded.right;

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
    result.codec = codec;
    result.codecSampleRate = codecRate;
    return result;
}

} // namespace lathe::core
