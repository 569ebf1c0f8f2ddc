#include "core/render/Renderer.h"

#include "core/Error.h"
#include "core/chain/MasterChain.h"
#include "core/chain/StemChain.h"
#include "core/io/AtomicFile.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"
#include "core/io/SourceStream.h"
#include "core/model/SessionSource.h"
#include "core/render/FrameCache.h"
#include "core/render/PlaybackPreviewWriter.h"
#include "core/render/RenderRefusal.h"
#include "core/render/StereoResampler.h"
#include "core/render/ThreadPool.h"

#include "dsp/Decibels.h"
#include "dsp/Dither.h"
#include "dsp/Gain.h"
#include "dsp/IntegratedLoudness.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/ScopedFlushDenormals.h"
#include "dsp/SubAudibleMeter.h"
#include "dsp/TruePeakLimiter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace lathe::core {
namespace {

constexpr int kBlock = 4096;
// The limiter aims this far under the ceiling so that dither (at most 1.5 LSB, i.e. < 0.0005 dB at 16 bits
// near -1 dBFS) can never lift a peak over it.
constexpr double kDitherMarginDb = 0.005;
// Acceptance window around the loudness target; the search aims for the session's tighter tolerance.
constexpr double kTargetWindowLu = 0.2;

bool mp3CanEncode(int rate) {
    return rate == 32000 || rate == 44100 || rate == 48000;
}

// Session paths are usable as they are: loadSession resolves relative paths against the session file's folder
// and makeDefaultSession keeps the scan's paths.
const std::string& resolveSourcePath(const Session&, const std::string& path) {
    return path;
}

dsp::AudioBlock stereoBlock(float* left, float* right, int frames) {
    float* channels[2] = {left, right};
    return dsp::AudioBlock(channels, 2, frames);
}

void checkCancel(const RenderControl& control, const std::atomic<bool>& internalCancel) {
    if ((control.cancel != nullptr && control.cancel->load(std::memory_order_relaxed)) ||
        internalCancel.load(std::memory_order_relaxed))
        throw RenderCancelled();
}

// Overall progress over all deliverables; each deliverable owns one slot 0..1.
class ProgressBoard {
public:
    ProgressBoard(const RenderControl& control, int slots)
        : control_(control), slots_(static_cast<size_t>(slots)) {}
    void set(int slot, double fraction) {
        if (!control_.progress) return;
        std::lock_guard lock(mutex_);
        slots_[static_cast<size_t>(slot)] = std::clamp(fraction, 0.0, 1.0);
        double sum = 0;
        for (double f : slots_)
            sum += f;
        control_.progress(sum / static_cast<double>(slots_.size()));
    }

private:
    const RenderControl& control_;
    std::mutex mutex_;
    std::vector<double> slots_;
};

// Frames handed between threads at a time: several blocks, so a hand-over costs little next to the work.
constexpr int kChunk = 4 * kBlock;

// Moves chunks of stereo audio from the thread that makes them to one thread that consumes them, through a
// small ring of buffers, so a limiter pass and the measuring and writing of its output run on two cores.
// Unthreaded, push() consumes inline: the same calls in the same order, so results cannot differ.
class ChunkPipe {
public:
    using Consumer = std::function<void(float* left, float* right, int frames)>;

    ChunkPipe(bool threaded, Consumer consume) : consume_(std::move(consume)) {
        if (!threaded) return;
        for (auto& slot : slots_) {
            slot.left.resize(kChunk);
            slot.right.resize(kChunk);
        }
        thread_ = std::thread([this] { consumerLoop(); });
    }
    ~ChunkPipe() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard lock(mutex_);
            aborted_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    ChunkPipe(const ChunkPipe&) = delete;
    ChunkPipe& operator=(const ChunkPipe&) = delete;

    // Rethrows the consumer's failure (a full disk, say) as soon as it is known.
    // The consumer may change the audio in place (in the producer's buffer when unthreaded).
    void push(float* left, float* right, int frames) {
        if (!thread_.joinable()) {
            consume_(left, right, frames);
            return;
        }
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return count_ < kSlots || error_; });
        if (error_) std::rethrow_exception(error_);
        Slot& slot = slots_[static_cast<size_t>((head_ + count_) % kSlots)];
        lock.unlock();
        std::copy_n(left, frames, slot.left.begin());
        std::copy_n(right, frames, slot.right.begin());
        slot.frames = frames;
        lock.lock();
        ++count_;
        changed_.notify_all();
    }

    // Waits until everything pushed has been consumed.
    void finish() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        changed_.notify_all();
        thread_.join();
        if (error_) std::rethrow_exception(error_);
    }

private:
    static constexpr int kSlots = 4;
    struct Slot {
        std::vector<float> left, right;
        int frames = 0;
    };

    void consumerLoop() {
        const dsp::ScopedFlushDenormals flushDenormals;
        for (;;) {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return count_ > 0 || finished_ || aborted_; });
            if (aborted_ || count_ == 0) return;
            Slot& slot = slots_[static_cast<size_t>(head_)];
            lock.unlock();
            try {
                consume_(slot.left.data(), slot.right.data(), slot.frames);
            } catch (...) {
                lock.lock();
                error_ = std::current_exception();
                changed_.notify_all();
                return;
            }
            lock.lock();
            head_ = (head_ + 1) % kSlots;
            --count_;
            changed_.notify_all();
        }
    }

    Consumer consume_;
    std::array<Slot, kSlots> slots_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    int head_ = 0;
    int count_ = 0;
    bool finished_ = false;
    bool aborted_ = false;
    std::exception_ptr error_;
};

struct Job {
    std::string kind; // "stereo_master" / "stem_master"
    bool stem = false;
    int slot = 0;
};

struct JobResult {
    DeliverableReport report;
    std::unique_ptr<AudioFileWriter> wav;
    std::unique_ptr<AudioFileWriter> mp3;
};

class DeliverableRenderer {
public:
    DeliverableRenderer(const Session& s, const Job& job, const std::string& outDir,
                        const RenderControl& control, const std::atomic<bool>& internalCancel,
                        ProgressBoard& progress)
        : s_(s), job_(job), outDir_(outDir), control_(control), internalCancel_(internalCancel),
          progress_(progress) {
        outputRate_ = s.output.sample_rate > 0 ? s.output.sample_rate : s.sample_rate;
        threads_ = control.threads > 0 ? control.threads : ThreadPool::defaultThreads();
    }

    JobResult run() {
        FrameCache preLimiter;
        const double preLufs = renderPreLimiter(preLimiter);
        progress_.set(job_.slot, 0.4);

        JobResult result;
        DeliverableReport& r = result.report;
        r.kind = job_.kind;
        r.sampleRate = outputRate_;
        r.bitDepth = s_.output.bit_depth;
        r.durationSeconds = static_cast<double>(preLimiter.frames()) / outputRate_;

        // Every pass writes its WAV and takes the report's measurements as it goes; the pass kept is the
        // deliverable, so the usual single pass needs no second trip over the audio.
        PassResult best;
        r.passes = searchGain(preLimiter, preLufs, true, best);

        r.loudnessGainDb = best.gainDb;
        r.maxGainReductionDb = best.stats.maxGainReductionDb;
        r.averageGainReductionDb = best.stats.averageGainReductionDb();
        r.limitedPercent = best.stats.frames > 0
                               ? 100.0 * static_cast<double>(best.stats.framesLimited) / best.stats.frames
                               : 0.0;
        r.integratedLufs = best.integratedLufs;
        r.loudnessRangeLu = best.loudnessRangeLu;
        r.samplePeakDbfs = best.samplePeakDbfs;
        r.maxMomentaryLufs = best.maxMomentaryLufs;
        r.maxShortTermLufs = best.maxShortTermLufs;
        r.truePeakDbtp = best.truePeakDbtp;
        r.plrDb = r.truePeakDbtp - r.integratedLufs;
        r.meetsTarget = !s_.loudness.normalize ||
                        std::abs(r.integratedLufs - s_.loudness.target_lufs) <= kTargetWindowLu + 1e-9;
        r.withinCeiling = !s_.master.limiter.enabled || r.truePeakDbtp <= s_.master.limiter.ceiling_dbtp;
        r.wavPath = finalPath(".wav");
        result.wav = std::move(best.wav);
        if (best.audio) writeMp3(*best.audio, result);
        progress_.set(job_.slot, 1.0);
        return result;
    }

    // Loudness search only: what run() would choose, without writing anything.
    LoudnessGainResult searchOnly() {
        FrameCache preLimiter;
        const double preLufs = renderPreLimiter(preLimiter);
        PassResult best;
        LoudnessGainResult result;
        result.passes = searchGain(preLimiter, preLufs, false, best);
        result.gainDb = best.gainDb;
        result.integratedLufs = best.integratedLufs;
        return result;
    }

private:
    struct PassResult {
        bool valid = false;
        double integratedLufs = 0;
        double gainDb = 0;
        dsp::TruePeakLimiter::Stats stats;
        // Only for a written pass: the WAV (uncommitted), the report's measurements of exactly what it holds,
        // and the audio again for the MP3 encoder when an MP3 is wanted.
        std::unique_ptr<AudioFileWriter> wav;
        std::unique_ptr<FrameCache> audio;
        double loudnessRangeLu = 0;
        double samplePeakDbfs = 0;
        double maxMomentaryLufs = 0;
        double maxShortTermLufs = 0;
        double truePeakDbtp = 0;
    };

    bool wantsMp3() const { return s_.output.mp3 && mp3CanEncode(outputRate_); }

    // Returns the number of the pass kept in `best`.
    int searchGain(FrameCache& preLimiter, double preLufs, bool write, PassResult& best) {
        // Loudness targeting: each pass limits the cached pre-limiter signal with a trial gain and measures
        // the result. Limiting takes loudness away non-linearly, so the gain is refined by secant steps on
        // the measured (gain, loudness) pairs. The best pass is kept.
        const double target = s_.loudness.target_lufs;
        const bool normalize = s_.loudness.normalize;
        const std::string where = job_.stem ? s_.folder : resolveSourcePath(s_, s_.mix);
        if (normalize)
            if (auto refusal = loudnessRefusal(job_.stem ? "the stems sum" : "the mix", deliverableName(),
                                               preLufs, target))
                throw Error(where, *refusal);
        double gain = normalize ? target - preLufs : 0.0;
        const int maxPasses = normalize ? std::max(1, s_.loudness.max_passes) : 1;
        const double tolerance = std::clamp(s_.loudness.tolerance_lu, 0.01, kTargetWindowLu);

        int passes = 0;
        double prevGain = 0, prevLufs = 0;
        for (int pass = 1; pass <= maxPasses; ++pass) {
            // Progress of pass p runs over the p-th half of what is left, so it never goes backwards.
            const double from = 0.4 + 0.6 * (1.0 - std::ldexp(1.0, 1 - pass));
            const double to = 0.4 + 0.6 * (1.0 - std::ldexp(1.0, -pass));
            PassResult p = limiterPass(preLimiter, gain, write, from, to);
            p.gainDb = gain;
            const double lufs = p.integratedLufs;
            const bool better =
                !best.valid || std::abs(lufs - target) < std::abs(best.integratedLufs - target);
            if (better) {
                best = std::move(p); // a pass that is not kept takes its temporary WAV with it
                passes = pass;
            }
            if (!normalize || std::abs(lufs - target) <= tolerance) break;
            double next = gain + (target - lufs);
            if (pass > 1 && std::abs(lufs - prevLufs) > 1e-6) {
                const double slope = std::clamp((lufs - prevLufs) / (gain - prevGain), 0.02, 1.0);
                next = gain + (target - lufs) / slope;
            }
            prevGain = gain;
            prevLufs = lufs;
            gain = std::min(next, gain + 24.0);
            // The limiter can take away what more gain adds (a target too loud for the programme at this
            // ceiling, peaks of DC or rumble that loudness does not count), and the search would follow it
            // towards full-scale garbage: it tries the most gain Lathe applies once, and never goes past it.
            if (gain > kMaxLoudnessGainDb) {
                if (prevGain >= kMaxLoudnessGainDb)
                    throw Error(where, gainRefusal(deliverableName(), target, lufs));
                gain = kMaxLoudnessGainDb;
            }
        }

        return passes;
    }

    std::string deliverableName() const { return job_.stem ? "the stem master" : "the stereo master"; }

    std::string finalPath(const char* extension) const {
        return (fs::path(outDir_) / (s_.song + "_" + job_.kind + extension)).string();
    }

    // Sources -> (stem chains -> sum) -> master chain up to the limiter -> output rate, into `cache`.
    // Returns the integrated loudness of what was cached.
    double renderPreLimiter(FrameCache& cache) {
        const int rate = s_.sample_rate;
        std::vector<std::unique_ptr<SourceStream>> streams;
        std::vector<std::unique_ptr<StemChain>> chains;
        std::vector<const StemSettings*> streamStems; // the stem each stream reads (none for the mix)
        if (job_.stem) {
            const bool anySolo =
                std::any_of(s_.stems.begin(), s_.stems.end(), [](auto& st) { return st.solo; });
            for (const StemSettings& stem : s_.stems) {
                const bool audible = !stem.mute && (!anySolo || stem.solo);
                if (!audible) continue; // a silent stem adds nothing to the sum; skip reading it
                streams.push_back(std::make_unique<SourceStream>(resolveSourcePath(s_, stem.path), rate));
                streamStems.push_back(&stem);
                auto chain = std::make_unique<StemChain>();
                chain->prepare(rate, kBlock);
                chain->configure(stem, true);
                chain->reset();
                chains.push_back(std::move(chain));
            }
        } else {
            streams.push_back(std::make_unique<SourceStream>(resolveSourcePath(s_, s_.mix), rate));
            streamStems.push_back(nullptr);
        }
        // Each source as read, beside the signal path (it never changes the audio): a DC-only or sub-audible
        // source is refused by name before any limiter pass.
        std::vector<dsp::SubAudibleMeter> subAudible(streams.size());
        for (auto& meter : subAudible)
            meter.prepare(rate, 2);
        int64_t length = 0;
        for (const auto& stream : streams)
            length = std::max(length, stream->lengthFrames());
        // Every stem muted still renders the song's length of silence; length comes from all stems then.
        if (job_.stem && streams.empty())
            for (const StemSettings& stem : s_.stems)
                length =
                    std::max(length, SourceStream(resolveSourcePath(s_, stem.path), rate).lengthFrames());

        MasterChain master;
        master.prepare(rate, kBlock, s_.master);
        int64_t toSkip = master.preLimiterLatencyFrames();

        std::unique_ptr<StereoResampler> resampler;
        if (outputRate_ != rate) resampler = std::make_unique<StereoResampler>(rate, outputRate_);
        const int64_t expected =
            outputRate_ == rate
                ? length
                : static_cast<int64_t>(std::llround(static_cast<double>(length) * outputRate_ / rate));

        // Only the integrated loudness is needed here, to pick the first pass's gain: the SSE2 meter that
        // agrees with libebur128 to 0.01 LU (IntegratedLoudnessTest) at a third of its cost.
        dsp::IntegratedLoudness meter;
        meter.prepare(outputRate_);
        int64_t written = 0;
        const StereoResampler::Sink toCache = [&](const float* l, const float* r, int n) {
            n = static_cast<int>(std::min<int64_t>(n, expected - written));
            if (n <= 0) return;
            cache.append(l, r, n);
            meter.process(l, r, n);
            written += n;
        };
        const auto emit = [&](float* l, float* r, int n) {
            const int skip = static_cast<int>(std::min<int64_t>(toSkip, n));
            toSkip -= skip;
            if (n - skip <= 0) return;
            if (resampler)
                resampler->process(l + skip, r + skip, n - skip, toCache);
            else
                toCache(l + skip, r + skip, n - skip);
        };

        // Stems are read and processed a chunk at a time, each into its own buffer, spread over the thread
        // pool; the sum is then taken in stem order (float addition is not associative), so the output does
        // not depend on the thread count. The master chain of chunk k runs as one more task while the stems
        // of chunk k + 1 are processed (stem buffers are double-buffered for that).
        const size_t numStems = job_.stem ? streams.size() : 0;
        std::array<std::vector<std::vector<float>>, 2> stemBuffers; // [parity][stem * 2 + channel]
        for (auto& set : stemBuffers)
            set.assign(numStems * 2, std::vector<float>(kChunk));
        std::vector<float> sumL(kChunk), sumR(kChunk);
        ThreadPool pool(numStems >= 2 ? std::min<int>(threads_, static_cast<int>(numStems)) : 1);

        const auto processStems = [&](int64_t pos, int parity, size_t stem) {
            const int n = static_cast<int>(std::min<int64_t>(kChunk, length - pos));
            auto& buffers = stemBuffers[static_cast<size_t>(parity)];
            float* l = buffers[stem * 2].data();
            float* r = buffers[stem * 2 + 1].data();
            for (int done = 0; done < n; done += kBlock) {
                const int k = std::min(kBlock, n - done);
                streams[stem]->read(l + done, r + done, k);
                const float* source[2] = {l + done, r + done};
                subAudible[stem].process(source, k);
                chains[stem]->process(stereoBlock(l + done, r + done, k));
            }
        };
        const auto processMaster = [&](int64_t pos, int parity) {
            const int n = static_cast<int>(std::min<int64_t>(kChunk, length - pos));
            if (job_.stem) {
                std::fill_n(sumL.begin(), n, 0.0f);
                std::fill_n(sumR.begin(), n, 0.0f);
                const auto& buffers = stemBuffers[static_cast<size_t>(parity)];
                for (size_t i = 0; i < numStems; ++i) {
                    const float* l = buffers[i * 2].data();
                    const float* r = buffers[i * 2 + 1].data();
                    for (int k = 0; k < n; ++k) {
                        sumL[static_cast<size_t>(k)] += l[k];
                        sumR[static_cast<size_t>(k)] += r[k];
                    }
                }
            } else if (streams.empty()) {
                std::fill_n(sumL.begin(), n, 0.0f);
                std::fill_n(sumR.begin(), n, 0.0f);
            } else {
                for (int done = 0; done < n; done += kBlock)
                    streams[0]->read(sumL.data() + done, sumR.data() + done, std::min(kBlock, n - done));
                const float* source[2] = {sumL.data(), sumR.data()};
                subAudible[0].process(source, n);
            }
            for (int done = 0; done < n; done += kBlock) {
                const int k = std::min(kBlock, n - done);
                master.processPreLimiter(stereoBlock(sumL.data() + done, sumR.data() + done, k));
                emit(sumL.data() + done, sumR.data() + done, k);
            }
        };

        const int64_t chunks = (length + kChunk - 1) / kChunk;
        // Round c processes the stems of chunk c and the master of chunk c - 1.
        for (int64_t round = 0; round <= chunks; ++round) {
            checkCancel(control_, internalCancel_);
            const bool stemsThisRound = numStems > 0 && round < chunks;
            const bool masterThisRound = round >= 1;
            const int64_t stemPos = round * kChunk;
            const int64_t masterPos = (round - 1) * kChunk;
            const int parity = static_cast<int>(round & 1);
            const int tasks = (masterThisRound ? 1 : 0) + (stemsThisRound ? static_cast<int>(numStems) : 0);
            pool.parallelFor(tasks, [&](int task) {
                if (masterThisRound && task == 0)
                    processMaster(masterPos, parity ^ 1);
                else
                    processStems(stemPos, parity, static_cast<size_t>(task - (masterThisRound ? 1 : 0)));
            });
            if (masterThisRound)
                progress_.set(job_.slot, 0.4 * static_cast<double>(std::min(length, masterPos + kChunk)) /
                                             static_cast<double>(std::max<int64_t>(length, 1)));
        }
        // Drain the chain's latency with silence so the song's end is not cut.
        for (int64_t remaining = master.preLimiterLatencyFrames(); remaining > 0;) {
            const int n = static_cast<int>(std::min<int64_t>(kBlock, remaining));
            std::fill_n(sumL.begin(), n, 0.0f);
            std::fill_n(sumR.begin(), n, 0.0f);
            master.processPreLimiter(stereoBlock(sumL.data(), sumR.data(), n));
            emit(sumL.data(), sumR.data(), n);
            remaining -= n;
        }
        for (size_t i = 0; i < streams.size(); ++i)
            if (auto refusal = subAudibleRefusal(subAudible[i].levelDb(), subAudible[i].audibleShareDb()))
                throw Error(streams[i]->info().path,
                            *refusal + (streamStems[i]
                                            ? "; ask for a new bounce, or mute the stem (--set stems." +
                                                  streamStems[i]->id + ".mute=true)"
                                            : "; ask for a new bounce of the mix"));
        if (resampler) resampler->finish(toCache);
        std::fill(sumL.begin(), sumL.end(), 0.0f);
        std::fill(sumR.begin(), sumR.end(), 0.0f);
        while (written < expected)
            toCache(sumL.data(), sumR.data(),
                    static_cast<int>(std::min<int64_t>(kBlock, expected - written)));
        cache.rewind();
        return meter.integratedLufs();
    }

    // Limits the cached signal with `gainDb` into the limiter and dithers to the output word length, on this
    // thread; measures the result on a second one and, when `write`, writes it as the WAV (and caches it for
    // the MP3) there as well.
    PassResult limiterPass(FrameCache& input, double gainDb, bool write, double progressFrom,
                           double progressTo) {
        const LimiterSettings& ls = s_.master.limiter;
        dsp::TruePeakLimiter limiter;
        dsp::Gain plainGain;
        limiter.setCeilingDbtp(ls.ceiling_dbtp - kDitherMarginDb);
        limiter.setReleaseMs(ls.release_ms);
        limiter.setLookaheadMs(ls.lookahead_ms);
        limiter.setInputGainDb(gainDb);
        limiter.prepare(outputRate_, kBlock, 2);
        plainGain.setGainDb(gainDb);
        plainGain.prepare(outputRate_, kBlock, 2);
        const int latency = ls.enabled ? limiter.latencyFrames() : 0;

        dsp::Dither dither;
        const bool dithered = s_.output.dither && s_.output.bit_depth < 32;
        if (dithered) {
            dither.setBitDepth(s_.output.bit_depth);
            dither.setNoiseShaping(s_.output.noise_shaping);
            dither.setSeed(job_.stem ? 2 : 1);
            dither.prepare(outputRate_, kBlock, 2);
        }

        PassResult p;
        // The report's integrated loudness, LRA and sample peak come from libebur128; its maximum momentary
        // and short-term loudness from IntegratedLoudness, which reads the same values (0.01 LU, tested)
        // without libebur128 re-summing a 3 s window every 100 ms (most of its cost).
        dsp::LoudnessMeter meter;
        meter.prepare(outputRate_, kChunk, 2,
                      write ? dsp::LoudnessMeter::Integrated | dsp::LoudnessMeter::Range |
                                  dsp::LoudnessMeter::SamplePeak
                            : dsp::LoudnessMeter::Integrated);
        dsp::IntegratedLoudness windows;
        dsp::TruePeakMeter truePeak;
        if (write) {
            windows.prepare(outputRate_);
            truePeak.prepare(outputRate_, kChunk, 2, 8);
            WriterOptions wavOptions;
            wavOptions.format = s_.output.bit_depth == 16   ? OutputFormat::Wav16
                                : s_.output.bit_depth == 32 ? OutputFormat::WavFloat
                                                            : OutputFormat::Wav24;
            wavOptions.sampleRate = outputRate_;
            wavOptions.channels = 2;
            p.wav = std::make_unique<AudioFileWriter>(finalPath(".wav"), wavOptions);
            if (wantsMp3()) p.audio = std::make_unique<FrameCache>();
        }
        // Profiled split (240 s, 6 stems): limiter and dither on this thread, meters and writer on the other,
        // take about the same time.
        ChunkPipe measure(threads_ >= 2, [&](float* l, float* r, int n) {
            const auto block = stereoBlock(l, r, n);
            meter.process(block);
            if (!write) return;
            windows.process(l, r, n);
            truePeak.process(block);
            const float* planar[2] = {l, r};
            p.wav->write(planar, n);
            if (p.audio) p.audio->append(l, r, n);
        });

        std::vector<float> l(kChunk), r(kChunk);
        int64_t toSkip = latency;
        int64_t produced = 0;
        const int64_t total = input.frames();
        input.rewind();
        // Processes n frames in l/r (block by block, as the limiter was prepared for) and hands on what is
        // past the limiter's latency.
        auto processChunk = [&](int n) {
            int keepFrom = -1, kept = 0;
            for (int done = 0; done < n; done += kBlock) {
                const int k = std::min(kBlock, n - done);
                auto block = stereoBlock(l.data() + done, r.data() + done, k);
                if (ls.enabled)
                    limiter.process(block);
                else
                    plainGain.process(block);
                const int skip = static_cast<int>(std::min<int64_t>(toSkip, k));
                toSkip -= skip;
                const int keep = static_cast<int>(std::min<int64_t>(k - skip, total - produced));
                if (keep <= 0) continue;
                if (dithered)
                    dither.process(stereoBlock(l.data() + done + skip, r.data() + done + skip, keep));
                if (keepFrom < 0) keepFrom = done + skip;
                kept += keep;
                produced += keep;
            }
            // Only the first block can skip, so what is kept is contiguous.
            if (kept > 0) measure.push(l.data() + keepFrom, r.data() + keepFrom, kept);
        };
        for (;;) {
            checkCancel(control_, internalCancel_);
            const int n = input.read(l.data(), r.data(), kChunk);
            if (n == 0) break;
            processChunk(n);
            progress_.set(job_.slot, progressFrom + (progressTo - progressFrom) *
                                                        static_cast<double>(produced) /
                                                        static_cast<double>(std::max<int64_t>(total, 1)));
        }
        while (produced < total) {
            std::fill(l.begin(), l.end(), 0.0f);
            std::fill(r.begin(), r.end(), 0.0f);
            processChunk(kChunk);
        }
        measure.finish();

        p.valid = true;
        p.integratedLufs = meter.integratedLufs();
        if (ls.enabled) p.stats = limiter.stats();
        if (write) {
            p.loudnessRangeLu = meter.loudnessRangeLu();
            p.samplePeakDbfs = meter.samplePeakDbfs();
            p.maxMomentaryLufs = windows.maxMomentaryLufs();
            p.maxShortTermLufs = windows.maxShortTermLufs();
            p.truePeakDbtp = truePeak.truePeakDbtp();
            if (p.audio) p.audio->rewind();
        }
        return p;
    }

    // Encodes the kept pass's audio as the MP3 reference (temp file; committed with the WAV).
    void writeMp3(FrameCache& finalAudio, JobResult& result) {
        DeliverableReport& r = result.report;
        WriterOptions mp3Options;
        mp3Options.format = OutputFormat::Mp3;
        mp3Options.sampleRate = outputRate_;
        mp3Options.channels = 2;
        mp3Options.mp3BitrateKbps = s_.output.mp3_bitrate_kbps;
        mp3Options.title = s_.output.title.empty() ? s_.song : s_.output.title;
        mp3Options.artist = s_.output.artist;
        r.mp3Path = finalPath(".mp3");
        result.mp3 = std::make_unique<AudioFileWriter>(r.mp3Path, mp3Options);
        std::vector<float> l(kChunk), r2(kChunk);
        finalAudio.rewind();
        for (;;) {
            checkCancel(control_, internalCancel_);
            const int n = finalAudio.read(l.data(), r2.data(), kChunk);
            if (n == 0) break;
            const float* planar[2] = {l.data(), r2.data()};
            result.mp3->write(planar, n);
        }
    }

    const Session& s_;
    Job job_;
    std::string outDir_;
    const RenderControl& control_;
    const std::atomic<bool>& internalCancel_;
    ProgressBoard& progress_;
    int outputRate_ = 48000;
    int threads_ = 1;
};

void measureDecodedMp3(DeliverableReport& r, double ceilingDbtp) {
    AudioFileReader reader(r.mp3Path);
    const AudioFileInfo& info = reader.info();
    dsp::TruePeakMeter truePeak;
    truePeak.prepare(info.sampleRate, kBlock, info.channels, 8);
    dsp::LoudnessMeter loudness;
    loudness.prepare(info.sampleRate, kBlock, info.channels, dsp::LoudnessMeter::Integrated);
    std::vector<std::vector<float>> buffers(static_cast<size_t>(info.channels), std::vector<float>(kBlock));
    std::vector<float*> channels;
    for (auto& b : buffers)
        channels.push_back(b.data());
    for (;;) {
        const int64_t n = reader.read(channels.data(), kBlock);
        if (n == 0) break;
        dsp::AudioBlock block(channels.data(), info.channels, static_cast<int>(n));
        truePeak.process(block);
        loudness.process(block);
    }
    r.mp3TruePeakDbtp = truePeak.truePeakDbtp();
    r.mp3IntegratedLufs = loudness.integratedLufs();
    r.mp3ExceedsCeiling = *r.mp3TruePeakDbtp > ceilingDbtp;
}

std::string describeSeconds(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
    return buffer;
}

// Facts about the sources an engineer should know before trusting the render: resampling, mono, lengths.
std::vector<std::string> sourceWarnings(const Session& s, const RenderPlan& plan) {
    std::vector<std::string> warnings;
    struct Source {
        std::string path;
        AudioFileInfo info;
    };
    std::vector<Source> sources;
    auto add = [&](const std::string& path) {
        const std::string resolved = resolveSourcePath(s, path);
        AudioFileInfo info = probeAudioFile(resolved);
        validateSource(info);
        sources.push_back({resolved, info});
    };
    if (plan.stereo) add(s.mix);
    const size_t firstStem = sources.size();
    if (plan.stem)
        for (const auto& stem : s.stems)
            add(stem.path);
    for (const auto& src : sources) {
        const std::string name = fs::path(src.path).filename().string();
        if (src.info.sampleRate != s.sample_rate)
            warnings.push_back(name + " is at " + std::to_string(src.info.sampleRate) + " Hz; resampled to " +
                               std::to_string(s.sample_rate) + " Hz (soxr, very high quality)");
        if (src.info.channels == 1) warnings.push_back(name + " is mono; used as centred stereo");
        if (src.info.lossy)
            warnings.push_back(name + " is " + src.info.encoding +
                               "-encoded (lossy); ask for a WAV if one exists");
    }
    if (sources.size() - firstStem > 1) {
        double longest = 0;
        for (size_t i = firstStem; i < sources.size(); ++i)
            longest = std::max(longest, sources[i].info.durationSeconds());
        for (size_t i = firstStem; i < sources.size(); ++i) {
            const double shortBy = longest - sources[i].info.durationSeconds();
            if (shortBy > 0.5 / s.sample_rate)
                warnings.push_back(fs::path(sources[i].path).filename().string() + " is " +
                                   describeSeconds(shortBy) +
                                   " shorter than the longest stem; padded with silence");
        }
    }
    return warnings;
}

} // namespace

LoudnessGainResult findLoudnessGain(const Session& s, bool stemMaster, const RenderControl& control) {
    const dsp::ScopedFlushDenormals flushDenormals;
    ProgressBoard progress(control, 1);
    std::atomic<bool> internalCancel{false};
    const Job job{stemMaster ? "stem_master" : "stereo_master", stemMaster, 0};
    return DeliverableRenderer(s, job, std::string(), control, internalCancel, progress).searchOnly();
}

RenderPlan planRender(const Session& s) {
    RenderPlan plan;
    const std::string& mode = s.output.mode;
    const bool wantStereo = mode == "stereo" || mode == "both";
    const bool wantStem = mode == "stem" || mode == "both";
    if (!wantStereo && !wantStem)
        throw Error(s.folder, "output.mode must be stereo, stem or both (found \"" + mode + "\")");
    plan.stereo = wantStereo && !s.mix.empty();
    plan.stem = wantStem && !s.stems.empty();
    if (wantStereo && s.mix.empty())
        plan.warnings.push_back("no stereo mix in the folder: stereo master skipped");
    if (wantStem && s.stems.empty()) plan.warnings.push_back("no stems in the folder: stem master skipped");
    if (!plan.stereo && !plan.stem)
        throw Error(s.folder.empty() ? std::string("session") : s.folder,
                    wantStem && !wantStereo   ? "no stems to master"
                    : wantStereo && !wantStem ? "no stereo mix to master"
                                              : "no stereo mix and no stems found: nothing to master");
    if (plan.stem && std::any_of(s.stems.begin(), s.stems.end(), [](auto& st) { return st.solo; }))
        plan.warnings.push_back("some stems are soloed: the stem master contains only the soloed stems");
    return plan;
}

WritePlan renderWritePlan(const Session& s, const std::string& outDir,
                          const std::vector<dsp::PlaybackSystem>& previews) {
    const auto kinds = [&] {
        const RenderPlan plan = planRender(s);
        std::vector<std::string> k;
        if (plan.stereo) k.push_back("stereo_master");
        if (plan.stem) k.push_back("stem_master");
        return k;
    }();
    WritePlan plan;
    plan.outDir = outDir;
    addSessionSources(plan.sources, s);
    const auto wouldWrite = [&](const std::string& name) { return (fs::path(outDir) / name).string(); };
    if (const std::string problem = fileNameProblem(s.song); !problem.empty())
        throw Error("song", quotedName(s.song) + " cannot name the output files (it would write " +
                                quotedName(wouldWrite(s.song + "_" + kinds.front() + ".wav")) +
                                "): " + problem + ". Set a plain name with --set song=NAME");

    const int rate = s.output.sample_rate > 0 ? s.output.sample_rate : s.sample_rate;
    std::vector<std::string> names;
    for (const auto& kind : kinds) {
        names.push_back(s.song + "_" + kind + ".wav");
        if (s.output.mp3 && mp3CanEncode(rate)) names.push_back(s.song + "_" + kind + ".mp3");
        for (const auto system : previews)
            if (system != dsp::PlaybackSystem::Flat)
                names.push_back(fs::path(playbackPreviewPath(s.song + "_" + kind + ".wav", system)).string());
    }
    const std::size_t maxName = maxFileNameBytes(outDir);
    for (const auto& name : names) {
        if (name.size() > maxName)
            throw Error(wouldWrite(name), "file name too long (" + std::to_string(name.size()) +
                                              " bytes; the file system takes at most " +
                                              std::to_string(maxName) +
                                              "): the output files are named after the song; set a shorter "
                                              "name with --set song=NAME");
        plan.outputs.push_back(wouldWrite(name));
    }
    plan.outputs.push_back(wouldWrite("report.json"));
    return plan;
}

RenderReport renderSession(const Session& s, const std::string& outDir, const RenderControl& control) {
    RenderPlan plan = planRender(s);
    checkWritePlan(renderWritePlan(s, outDir));
    RenderReport report;
    report.song = s.song;
    report.folder = s.folder;
    report.sessionSampleRate = s.sample_rate;
    report.outputSampleRate = s.output.sample_rate > 0 ? s.output.sample_rate : s.sample_rate;
    report.targetLufs = s.loudness.target_lufs;
    report.ceilingDbtp = s.master.limiter.ceiling_dbtp;
    report.warnings = plan.warnings;
    // Every source is opened and checked before anything is written.
    for (auto& w : sourceWarnings(s, plan))
        report.warnings.push_back(std::move(w));
    if (s.output.mp3 && !mp3CanEncode(report.outputSampleRate))
        report.warnings.push_back("MP3 reference skipped: MP3 supports 32, 44.1 and 48 kHz, not " +
                                  std::to_string(report.outputSampleRate) + " Hz");

    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec || !fs::is_directory(outDir))
        throw Error(outDir, "cannot create the output folder: " + (ec ? ec.message() : "not a folder"));
    removeStaleTemporaries(outDir);

    std::vector<Job> jobs;
    if (plan.stereo) jobs.push_back({"stereo_master", false, static_cast<int>(jobs.size())});
    if (plan.stem) jobs.push_back({"stem_master", true, static_cast<int>(jobs.size())});

    ProgressBoard progress(control, static_cast<int>(jobs.size()));
    std::atomic<bool> internalCancel{false};
    std::vector<JobResult> results(jobs.size());
    std::vector<std::exception_ptr> errors(jobs.size());
    {
        // Deliverables render in parallel; the first failure cancels the others so no work is wasted.
        std::vector<std::thread> threads;
        for (size_t i = 0; i < jobs.size(); ++i)
            threads.emplace_back([&, i] {
                const dsp::ScopedFlushDenormals flushDenormals;
                try {
                    results[i] =
                        DeliverableRenderer(s, jobs[i], outDir, control, internalCancel, progress).run();
                } catch (...) {
                    errors[i] = std::current_exception();
                    internalCancel = true;
                }
            });
        for (auto& t : threads)
            t.join();
    }
    // Report the real failure, not the cancellation it caused in a sibling.
    std::exception_ptr first;
    for (auto& e : errors) {
        if (!e) continue;
        try {
            std::rethrow_exception(e);
        } catch (const RenderCancelled&) {
            if (!first) first = e;
        } catch (...) {
            first = e;
            break;
        }
    }
    if (first)
        std::rethrow_exception(first); // uncommitted writers are destroyed: their temp files go with them

    for (auto& result : results) {
        result.wav->commit();
        if (result.mp3) result.mp3->commit();
    }
    for (auto& result : results) {
        DeliverableReport& r = result.report;
        if (!r.mp3Path.empty()) {
            measureDecodedMp3(r, s.master.limiter.ceiling_dbtp);
            if (r.mp3ExceedsCeiling) {
                char buffer[200];
                std::snprintf(
                    buffer, sizeof buffer,
                    "%s: decoded MP3 true peak %.2f dBTP exceeds the %.1f dBTP ceiling (lower the ceiling "
                    "for lossy deliveries)",
                    fs::path(r.mp3Path).filename().c_str(), *r.mp3TruePeakDbtp,
                    s.master.limiter.ceiling_dbtp);
                report.warnings.push_back(buffer);
            }
        }
        if (!r.meetsTarget) {
            char buffer[200];
            std::snprintf(
                buffer, sizeof buffer,
                "%s reaches %.2f LUFS, not the %.1f LUFS target, after %d passes: the limiter cannot get "
                "there at a %.1f dBTP ceiling",
                r.kind.c_str(), r.integratedLufs, s.loudness.target_lufs, r.passes,
                s.master.limiter.ceiling_dbtp);
            report.warnings.push_back(buffer);
        }
        report.deliverables.push_back(r);
    }
    report.reportPath = (fs::path(outDir) / "report.json").string();
    writeFileAtomically(report.reportPath, toJson(report).dump(2) + "\n");
    return report;
}

nlohmann::json toJson(const RenderReport& report) {
    using nlohmann::json;
    auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
    json deliverables = json::array();
    for (const auto& d : report.deliverables) {
        json j{
            {"kind", d.kind},
            {"wav", d.wavPath},
            {"mp3", d.mp3Path.empty() ? json(nullptr) : json(d.mp3Path)},
            {"sample_rate", d.sampleRate},
            {"bit_depth", d.bitDepth},
            {"duration_s", round3(d.durationSeconds)},
            {"integrated_lufs", round3(d.integratedLufs)},
            {"loudness_range_lu", round3(d.loudnessRangeLu)},
            {"true_peak_dbtp", round3(d.truePeakDbtp)},
            {"sample_peak_dbfs", round3(d.samplePeakDbfs)},
            {"plr_db", round3(d.plrDb)},
            {"max_momentary_lufs", round3(d.maxMomentaryLufs)},
            {"max_short_term_lufs", round3(d.maxShortTermLufs)},
            {"loudness_gain_db", round3(d.loudnessGainDb)},
            {"gain_reduction",
             {{"max_db", round3(d.maxGainReductionDb)},
              {"average_db", round3(d.averageGainReductionDb)},
              {"limited_percent", round3(d.limitedPercent)}}},
            {"passes", d.passes},
            {"meets_target", d.meetsTarget},
            {"within_ceiling", d.withinCeiling},
            {"mp3_true_peak_dbtp", d.mp3TruePeakDbtp ? json(round3(*d.mp3TruePeakDbtp)) : json(nullptr)},
            {"mp3_integrated_lufs", d.mp3IntegratedLufs ? json(round3(*d.mp3IntegratedLufs)) : json(nullptr)},
            {"mp3_exceeds_ceiling", d.mp3ExceedsCeiling}};
        deliverables.push_back(std::move(j));
    }
    return json{{"song", report.song},
                {"folder", report.folder},
                {"session_sample_rate", report.sessionSampleRate},
                {"output_sample_rate", report.outputSampleRate},
                {"target_lufs", report.targetLufs},
                {"ceiling_dbtp", report.ceilingDbtp},
                {"true_peak_method", "8x oversampled (stricter than BS.1770's 4x)"},
                {"deliverables", deliverables},
                {"warnings", report.warnings}};
}

} // namespace lathe::core
