#include "core/io/CodecPreview.h"

#include "core/Error.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"
#include "core/io/LossyDecoder.h"
#include "core/render/DeliverablePlan.h"
#include "core/render/FrameCache.h"
#include "core/render/StereoResampler.h"

#include "dsp/Decibels.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
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

// The input windows findDelay compares: up to 33 candidates spread over the input, the loudest one wins.
int64_t correlationWindow(int64_t frames) {
    return std::min<int64_t>(kCorrelationWindow, frames);
}
int64_t candidateStart(int64_t frames, int k) {
    return (frames - correlationWindow(frames)) * k / 32;
}
int candidateCount(int64_t frames) {
    return frames - correlationWindow(frames) == 0 ? 1 : 33;
}
double windowEnergyTerm(float left, float right) {
    return static_cast<double>(left + right) * (left + right);
}

// The lag (decoded index - input index) that best lines the decoded audio up with the input over the input's
// window [start, start + window) (inLeft/inRight hold that window); decoded holds the decoded frames
// [decodedFrom, decodedTo), which must cover every frame the lags reach. Lags are tried nearest-first and a
// farther one must beat the best by a clear margin, so a periodic signal (equal peaks one period apart) keeps
// the smallest shift.
int bestLag(const float* inLeft, const float* inRight, int64_t start, int64_t window,
            const float* decodedLeft, const float* decodedRight, int64_t decodedFrom, int64_t decodedTo) {
    auto correlation = [&](int lag) {
        double sum = 0.0;
        for (int64_t i = 0; i < window; ++i) {
            const int64_t j = start + i + lag;
            if (j < decodedFrom || j >= decodedTo) continue;
            sum += static_cast<double>(inLeft[i] + inRight[i]) *
                   static_cast<double>(decodedLeft[j - decodedFrom] + decodedRight[j - decodedFrom]);
        }
        return sum;
    };
    int lag = 0;
    double best = correlation(0);
    for (int distance = 1; distance <= kMaxLagFrames; ++distance)
        for (int candidate : {distance, -distance}) {
            const double c = correlation(candidate);
            if (c > best + 1e-3 * std::abs(best)) best = c, lag = candidate;
        }
    return lag;
}

// The lag from the mono sums over the loudest candidate window of the input.
int findDelay(const float* left, const float* right, int64_t frames, const std::vector<float>& decodedLeft,
              const std::vector<float>& decodedRight) {
    const int64_t window = correlationWindow(frames);
    int64_t bestStart = 0;
    double bestEnergy = -1.0;
    for (int k = 0; k < candidateCount(frames); ++k) {
        const int64_t start = candidateStart(frames, k);
        double energy = 0.0;
        for (int64_t i = start; i < start + window; i += 4)
            energy += windowEnergyTerm(left[i], right[i]);
        if (energy > bestEnergy) bestEnergy = energy, bestStart = start;
    }
    if (bestEnergy <= 0.0) return 0;
    return bestLag(left + bestStart, right + bestStart, bestStart, window, decodedLeft.data(),
                   decodedRight.data(), 0, static_cast<int64_t>(decodedLeft.size()));
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

// Encodes what `feed` writes with the render's writer for `codec` (as its deliverable file would be made) and
// decodes it with the codec check's decoder into `sink` (stereo; mono is centred), both in a private scratch
// folder. Returns the decoded audio's rate. The in-memory and the streamed round trips share it, so they make
// the same samples.
int encodeThenDecode(int sampleRate, const DeliverableSpec& codec,
                     const std::function<void(AudioFileWriter&)>& feed,
                     const std::function<void(const float*, const float*, int)>& sink) {
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
        feed(writer);
        writer.commit();
    }
    int channels = 0, decodedRate = 0;
    int64_t decodedFrames = 0;
    decodeLossyFile(
        path, codec.format,
        [&](int rate, int count) {
            if (count < 1 || count > 2)
                throw Error(path, "decoded " + codec.format + " has " + std::to_string(count) + " channels");
            channels = count;
            decodedRate = rate;
        },
        [&](const float* const* planar, int n) {
            sink(planar[0], planar[channels == 2 ? 1 : 0], n);
            decodedFrames += n;
        });
    if (decodedFrames == 0) throw Error(path, "the " + codec.format + " decoder returned no audio");
    return decodedRate;
}

StereoSignal encodeAndDecode(const float* left, const float* right, int64_t frames, int sampleRate,
                             const DeliverableSpec& codec) {
    StereoSignal decoded;
    const int decodedRate = encodeThenDecode(
        sampleRate, codec,
        [&](AudioFileWriter& writer) {
            for (int64_t start = 0; start < frames; start += kBlock) {
                const float* channels[2] = {left + start, right + start};
                writer.write(channels, std::min<int64_t>(kBlock, frames - start));
            }
        },
        [&](const float* l, const float* r, int n) {
            decoded.left.insert(decoded.left.end(), l, l + n);
            decoded.right.insert(decoded.right.end(), r, r + n);
        });
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

namespace {

DeliverableSpec checkedCodec(const DeliverableSpec& requested, int64_t frames, int sampleRate) {
    if (!isLossyFormat(requested.format))
        throw Error("", "\"" + requested.format + "\" is not a lossy codec (mp3, aac, opus or vorbis)");
    const DeliverableSpec codec = withCodecDefaults(requested);
    if (const std::string problem = deliverableSpecProblem(codec); !problem.empty()) throw Error("", problem);
    if (frames <= 0) throw Error("", "nothing to encode: the audio has no frames");
    if (sampleRate < 8000 || sampleRate > 384000)
        throw Error("", "cannot preview a codec at " + std::to_string(sampleRate) + " Hz");
    return codec;
}

// The streamed path's steps, each the in-memory one's with the audio in scratch files: the same calls on the
// same blocks (FrameCache::read fills whole blocks up to the end), so the same samples.
using Cancelled = std::function<bool()>;

void checkCancel(const Cancelled& cancelled) {
    if (cancelled && cancelled()) throw CodecPreviewCancelled();
}

std::unique_ptr<FrameCache> resampleCache(FrameCache& from, int fromRate, int toRate,
                                          const Cancelled& cancelled) {
    auto out = std::make_unique<FrameCache>();
    StereoResampler resampler(fromRate, toRate);
    const auto sink = [&](const float* l, const float* r, int n) { out->append(l, r, n); };
    std::vector<float> l(kBlock), r(kBlock);
    from.rewind();
    for (int n; (n = from.read(l.data(), r.data(), kBlock)) > 0;) {
        checkCancel(cancelled);
        resampler.process(l.data(), r.data(), n, sink);
    }
    resampler.finish(sink);
    out->rewind();
    return out;
}

std::unique_ptr<FrameCache> encodeAndDecodeCache(FrameCache& input, int sampleRate,
                                                 const DeliverableSpec& codec, const Cancelled& cancelled) {
    auto decoded = std::make_unique<FrameCache>();
    const int decodedRate = encodeThenDecode(
        sampleRate, codec,
        [&](AudioFileWriter& writer) {
            std::vector<float> l(kBlock), r(kBlock);
            input.rewind();
            for (int n; (n = input.read(l.data(), r.data(), kBlock)) > 0;) {
                checkCancel(cancelled);
                const float* channels[2] = {l.data(), r.data()};
                writer.write(channels, n);
            }
        },
        [&](const float* l, const float* r, int n) {
            checkCancel(cancelled);
            decoded->append(l, r, n);
        });
    decoded->rewind();
    if (decodedRate != sampleRate) return resampleCache(*decoded, decodedRate, sampleRate, cancelled);
    return decoded;
}

// Reads frames [from, to) of a cache (from its start: it reads only forwards).
void readRange(FrameCache& cache, int64_t from, int64_t to, std::vector<float>& l, std::vector<float>& r) {
    l.assign(static_cast<size_t>(std::max<int64_t>(to - from, 0)), 0.0f);
    r.assign(l.size(), 0.0f);
    std::vector<float> skipL(kBlock), skipR(kBlock);
    cache.rewind();
    for (int64_t skipped = 0; skipped < from;) {
        const int n = cache.read(skipL.data(), skipR.data(),
                                 static_cast<int>(std::min<int64_t>(kBlock, from - skipped)));
        if (n <= 0) return;
        skipped += n;
    }
    for (size_t done = 0; done < l.size();) {
        const int n = cache.read(l.data() + done, r.data() + done,
                                 static_cast<int>(std::min<size_t>(kBlock, l.size() - done)));
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

// findDelay over scratch files: the candidate windows' energies in one pass, in the same order per window.
int findDelayStreamed(FrameCache& input, FrameCache& decoded) {
    const int64_t frames = input.frames();
    const int64_t window = correlationWindow(frames);
    const int count = candidateCount(frames);
    std::vector<double> energy(static_cast<size_t>(count), 0.0);
    std::vector<float> l(kBlock), r(kBlock);
    input.rewind();
    int first = 0; // the first candidate that has not ended yet
    for (int64_t pos = 0, n; (n = input.read(l.data(), r.data(), kBlock)) > 0; pos += n) {
        for (int64_t i = pos; i < pos + n; ++i) {
            while (first < count && candidateStart(frames, first) + window <= i)
                ++first;
            for (int k = first; k < count && candidateStart(frames, k) <= i; ++k) {
                const int64_t offset = i - candidateStart(frames, k);
                if (offset < window && offset % 4 == 0)
                    energy[static_cast<size_t>(k)] +=
                        windowEnergyTerm(l[static_cast<size_t>(i - pos)], r[static_cast<size_t>(i - pos)]);
            }
        }
    }
    int64_t bestStart = 0;
    double bestEnergy = -1.0;
    for (int k = 0; k < count; ++k)
        if (energy[static_cast<size_t>(k)] > bestEnergy)
            bestEnergy = energy[static_cast<size_t>(k)], bestStart = candidateStart(frames, k);
    if (bestEnergy <= 0.0) return 0;
    std::vector<float> inL, inR, decL, decR;
    readRange(input, bestStart, bestStart + window, inL, inR);
    const int64_t decodedFrom = std::max<int64_t>(0, bestStart - kMaxLagFrames);
    const int64_t decodedTo = std::min<int64_t>(decoded.frames(), bestStart + window + kMaxLagFrames);
    readRange(decoded, decodedFrom, decodedTo, decL, decR);
    return bestLag(inL.data(), inR.data(), bestStart, window, decL.data(), decR.data(), decodedFrom,
                   std::max(decodedFrom, decodedTo));
}

} // namespace

DeliverableSpec codecRoundTripStreamed(FrameCache& master, int sampleRate, const DeliverableSpec& requested,
                                       const FrameSink& sink, int* delayFrames,
                                       const std::function<bool()>& cancelled) {
    const int64_t frames = master.frames();
    const DeliverableSpec codec = checkedCodec(requested, frames, sampleRate);
    const int codecRate = codecEncodeRate(codec.format, sampleRate);
    std::unique_ptr<FrameCache> decoded;
    if (codecRate == sampleRate) {
        decoded = encodeAndDecodeCache(master, sampleRate, codec, cancelled);
    } else {
        auto atCodecRate = resampleCache(master, sampleRate, codecRate, cancelled);
        auto back = encodeAndDecodeCache(*atCodecRate, codecRate, codec, cancelled);
        atCodecRate.reset();
        decoded = resampleCache(*back, codecRate, sampleRate, cancelled);
    }
    checkCancel(cancelled);
    const int delay = findDelayStreamed(master, *decoded);
    if (delayFrames) *delayFrames = delay;
    // Frame i of the preview is decoded frame i + delay (silence outside the decode).
    std::vector<float> l(kBlock), r(kBlock), zeros(kBlock, 0.0f);
    decoded->rewind();
    int64_t emitted = 0;
    for (; emitted < frames && emitted + delay < 0;) {
        const int n = static_cast<int>(std::min<int64_t>({kBlock, frames - emitted, -delay - emitted}));
        sink(zeros.data(), zeros.data(), n);
        emitted += n;
    }
    for (int64_t skipped = 0; skipped < delay;) {
        const int n =
            decoded->read(l.data(), r.data(), static_cast<int>(std::min<int64_t>(kBlock, delay - skipped)));
        if (n <= 0) break;
        skipped += n;
    }
    while (emitted < frames) {
        checkCancel(cancelled);
        const int want = static_cast<int>(std::min<int64_t>(kBlock, frames - emitted));
        int n = decoded->read(l.data(), r.data(), want);
        if (n <= 0) {
            std::fill(l.begin(), l.end(), 0.0f);
            std::fill(r.begin(), r.end(), 0.0f);
            n = want;
        }
        sink(l.data(), r.data(), n);
        emitted += n;
    }
    return codec;
}

CodecPreview codecRoundTrip(const float* left, const float* right, int64_t frames, int sampleRate,
                            const DeliverableSpec& requested, double ceilingDbtp) {
    const DeliverableSpec codec = checkedCodec(requested, frames, sampleRate);

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
