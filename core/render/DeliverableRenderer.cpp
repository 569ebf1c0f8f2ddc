#include "core/render/DeliverableRenderer.h"

#include "core/Error.h"
#include "core/chain/ChainPolicy.h"
#include "core/chain/MasterChain.h"
#include "core/chain/StemChain.h"
#include "core/chain/StereoBlock.h"
#include "core/io/SourceStream.h"
#include "core/render/ChunkFlow.h"
#include "core/render/ChunkPipe.h"
#include "core/render/MatchReporting.h"
#include "core/render/RenderRefusal.h"
#include "core/render/StereoResampler.h"
#include "core/render/ThreadPool.h"

#include "dsp/IntegratedLoudness.h"
#include "dsp/SubAudibleMeter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace lathe::core::render {

DeliverableRenderer::DeliverableRenderer(const Session& s, const Job& job, const std::string& outDir,
                                         const RenderControl& control,
                                         const std::atomic<bool>& internalCancel, ProgressBoard& progress)
    : s_(s), job_(job), outDir_(outDir), control_(control), internalCancel_(internalCancel),
      progress_(progress) {
    outputRate_ = job.variant.sampleRate;
    bitDepth_ = job.variant.bitDepth;
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char date[16], clock[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", &local);
    std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
    renderDate_ = date;
    renderTime_ = clock;
    threads_ = control.threads > 0 ? control.threads : ThreadPool::defaultThreads();
}

JobResult DeliverableRenderer::run() {
    FrameCache preLimiter;
    const double preLufs = renderPreLimiter(preLimiter);
    progress_.set(job_.slot, 0.4);

    JobResult result;
    DeliverableReport& r = result.report;
    r.kind = job_.kind;
    r.sampleRate = outputRate_;
    r.bitDepth = bitDepth_;
    r.durationSeconds = static_cast<double>(preLimiter.frames()) / outputRate_;

    // Every pass writes its WAV and takes the report's measurements as it goes; the pass kept is the
    // deliverable, so the usual single pass needs no second trip over the audio.
    PassResult best;
    const SearchOutcome search = searchGain(preLimiter, preLufs, true, best);
    r.passes = search.passes;
    r.limitingCostDb = preLufs + best.gainDb - best.integratedLufs;
    r.limitingCapped = search.limitingCapped;

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
    if (match_.active) r.match = describeMatch(s_.master.match, match_, s_.loudness.target_lufs);
    if (!job_.variant.pcm.empty()) r.wavPath = job_.variant.pcm.front().path;
    result.files = std::move(best.pcm);
    for (auto& file : best.lossy)
        result.files.push_back(std::move(file));
    if (best.audio) writeLossy(*best.audio, result);
    progress_.set(job_.slot, 1.0);
    return result;
}

WriterOptions DeliverableRenderer::writerOptions(const PlannedFile& file) const {
    WriterOptions o;
    o.format = file.writerFormat;
    o.sampleRate = outputRate_;
    o.channels = 2;
    o.mp3BitrateKbps = file.spec.format == "mp3" ? file.spec.kbps : s_.output.mp3_bitrate_kbps;
    o.lossyKbps = file.spec.kbps;
    o.vorbisQuality = file.spec.quality;
    o.title = s_.output.title.empty() ? s_.song : s_.output.title;
    o.artist = s_.output.artist;
    if (file.spec.format == "wav" && writesReleaseTags(s_)) {
        o.broadcastExtension = true;
        o.bextDescription = o.title;
        o.bextOriginator = "Lathe";
        o.bextDate = renderDate_;
        o.bextTime = renderTime_;
    }
    return o;
}

// Sources -> (stem chains -> sum) -> master chain up to the limiter -> output rate, into `cache`.
// Returns the integrated loudness of what was cached.
double DeliverableRenderer::renderPreLimiter(FrameCache& cache) {
    const int rate = s_.sample_rate;
    std::vector<std::unique_ptr<SourceStream>> streams;
    std::vector<std::unique_ptr<StemChain>> chains;
    std::vector<const StemSettings*> streamStems; // the stem each stream reads (none for the mix)
    // A keyed stem's key: the key stem's source, read again beside it (StemChain.h says why the source).
    std::vector<std::unique_ptr<SourceStream>> keyStreams;
    if (job_.stem) {
        const std::vector<char> audible = stemAudibility(s_);
        const std::vector<int> keySources = stemKeySources(s_);
        for (std::size_t i = 0; i < s_.stems.size(); ++i) {
            const StemSettings& stem = s_.stems[i];
            if (!audible[i]) continue; // a silent stem adds nothing to the sum; skip reading it
            streams.push_back(std::make_unique<SourceStream>(stem.path, rate));
            streamStems.push_back(&stem);
            auto chain = std::make_unique<StemChain>();
            chain->prepare(rate, kBlock, stem);
            chain->configure(stem, true);
            chain->reset();
            std::unique_ptr<SourceStream> key;
            if (chain->keyed() && keySources[i] >= 0)
                key = std::make_unique<SourceStream>(s_.stems[static_cast<size_t>(keySources[i])].path, rate);
            keyStreams.push_back(std::move(key));
            chains.push_back(std::move(chain));
        }
    } else {
        streams.push_back(std::make_unique<SourceStream>(s_.mix, rate));
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
            length = std::max(length, SourceStream(stem.path, rate).lengthFrames());

    // The stems are delayed to the largest stem latency (alignStemLatencies, as the engine does); the chains
    // then run that much past the song's end so the sum's tail comes out, and the start is dropped with the
    // master's own latency: the master is sample-aligned with the sources.
    std::vector<StemChain*> chainPointers;
    for (auto& chain : chains)
        chainPointers.push_back(chain.get());
    const int stemLatency = alignStemLatencies(chainPointers);
    const int64_t processed = length + stemLatency;

    // The match stage (before the chain's EQ): linear phase, its delay dropped below with the chain's.
    match_ = planMasterMatch(s_, job_.stem);
    std::unique_ptr<dsp::MatchKernels> matchKernels;
    MatchStageShape matchShape;
    if (match_.active) {
        const dsp::MatchFirs firs = matchFirs(match_, rate);
        matchKernels = std::make_unique<dsp::MatchKernels>(firs, kRenderMatchPartition);
        matchShape = MatchStageShape::of(firs, kRenderMatchPartition);
    }
    MasterChain master;
    master.prepare(rate, kBlock, s_.master, matchShape);
    master.setMatchKernels(matchKernels.get());
    int64_t toSkip = stemLatency + master.preLimiterLatencyFrames();

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
    limitingCost_ = LimitingCostEstimate(outputRate_);
    int64_t written = 0;
    const StereoResampler::Sink toCache = [&](const float* l, const float* r, int n) {
        n = static_cast<int>(std::min<int64_t>(n, expected - written));
        if (n <= 0) return;
        cache.append(l, r, n);
        meter.process(l, r, n);
        limitingCost_.add(l, r, n);
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

    // Every source (each audible stem, or the mix) is a lane of a ChunkFlow: read a chunk and put it through
    // the stem's chain, into its own buffer; the sink sums a chunk's buffers in stem order (float addition is
    // not associative) and runs the master chain on it. Lanes run up to kFlowDepth chunks ahead of the sink
    // on whichever thread is free, so decoding, the stem chains and the master chain overlap without a
    // barrier per chunk; each lane and the sink run in chunk order, so the output does not depend on the
    // thread count. For the stereo master the lane only reads (and decodes) the mix beside the master chain.
    constexpr int kFlowDepth = 4;
    const size_t lanes = streams.size();
    std::vector<std::vector<std::vector<float>>> laneBuffers(kFlowDepth); // [slot][lane * 2 + channel]
    for (auto& set : laneBuffers)
        set.assign(lanes * 2, std::vector<float>(kChunk));
    std::vector<float> sumL(kChunk), sumR(kChunk);
    std::vector<std::array<std::vector<float>, 2>> keyBuffers(lanes); // per stem: its lane's key scratch
    for (size_t i = 0; i < lanes; ++i)
        if (job_.stem && keyStreams[i])
            keyBuffers[i] = {std::vector<float>(kBlock), std::vector<float>(kBlock)};
    ThreadPool pool(lanes >= 1 ? std::min<int>(threads_, static_cast<int>(lanes) + 1) : 1);

    const auto chunkFrames = [&](int64_t chunk) {
        return static_cast<int>(std::min<int64_t>(kChunk, processed - chunk * kChunk));
    };
    const auto produce = [&](int lane, int64_t chunk, int slot) {
        const auto stem = static_cast<size_t>(lane);
        const int64_t pos = chunk * kChunk;
        const int n = chunkFrames(chunk);
        auto& buffers = laneBuffers[static_cast<size_t>(slot)];
        float* l = buffers[stem * 2].data();
        float* r = buffers[stem * 2 + 1].data();
        for (int done = 0; done < n; done += kBlock) {
            const int k = std::min(kBlock, n - done);
            streams[stem]->read(l + done, r + done, k);
            const float* source[2] = {l + done, r + done};
            subAudible[stem].process(source, k);
            if (!job_.stem) continue;
            if (keyStreams[stem]) {
                float* kl = keyBuffers[stem][0].data();
                float* kr = keyBuffers[stem][1].data();
                keyStreams[stem]->read(kl, kr, k);
                const auto key = stereoBlock(kl, kr, k);
                chains[stem]->process(stereoBlock(l + done, r + done, k), pos + done, &key);
            } else {
                chains[stem]->process(stereoBlock(l + done, r + done, k), pos + done);
            }
        }
    };
    const auto consume = [&](int64_t chunk, int slot) {
        checkCancel(control_, internalCancel_);
        const int64_t pos = chunk * kChunk;
        const int n = chunkFrames(chunk);
        const auto& buffers = laneBuffers[static_cast<size_t>(slot)];
        if (!job_.stem && lanes == 1) {
            std::copy_n(buffers[0].begin(), n, sumL.begin());
            std::copy_n(buffers[1].begin(), n, sumR.begin());
        } else {
            std::fill_n(sumL.begin(), n, 0.0f);
            std::fill_n(sumR.begin(), n, 0.0f);
            for (size_t i = 0; i < lanes; ++i) {
                const float* l = buffers[i * 2].data();
                const float* r = buffers[i * 2 + 1].data();
                for (int k = 0; k < n; ++k) {
                    sumL[static_cast<size_t>(k)] += l[k];
                    sumR[static_cast<size_t>(k)] += r[k];
                }
            }
        }
        for (int done = 0; done < n; done += kBlock) {
            const int k = std::min(kBlock, n - done);
            master.processPreLimiter(stereoBlock(sumL.data() + done, sumR.data() + done, k),
                                     pos + done - stemLatency);
            emit(sumL.data() + done, sumR.data() + done, k);
        }
        progress_.set(job_.slot, 0.4 * static_cast<double>(pos + n) /
                                     static_cast<double>(std::max<int64_t>(processed, 1)));
    };
    const int64_t chunks = (processed + kChunk - 1) / kChunk;
    ChunkFlow::run(pool, static_cast<int>(lanes), chunks, kFlowDepth, {produce, consume});
    // Drain the chain's latency with silence so the song's end is not cut.
    for (int64_t at = processed, remaining = master.preLimiterLatencyFrames(); remaining > 0;) {
        const int n = static_cast<int>(std::min<int64_t>(kBlock, remaining));
        std::fill_n(sumL.begin(), n, 0.0f);
        std::fill_n(sumR.begin(), n, 0.0f);
        master.processPreLimiter(stereoBlock(sumL.data(), sumR.data(), n), at - stemLatency);
        at += n;
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
        toCache(sumL.data(), sumR.data(), static_cast<int>(std::min<int64_t>(kBlock, expected - written)));
    cache.rewind();
    return meter.integratedLufs();
}

// Encodes the kept pass's audio as each lossy file of the variant (temp files; committed with the rest).
void DeliverableRenderer::writeLossy(FrameCache& finalAudio, JobResult& result) {
    for (const PlannedFile& file : job_.variant.lossy) {
        WrittenFile written{file, std::make_unique<AudioFileWriter>(file.path, writerOptions(file))};
        std::vector<float> l(kChunk), r(kChunk);
        finalAudio.rewind();
        for (;;) {
            checkCancel(control_, internalCancel_);
            const int n = finalAudio.read(l.data(), r.data(), kChunk);
            if (n == 0) break;
            const float* planar[2] = {l.data(), r.data()};
            written.writer->write(planar, n);
        }
        result.files.push_back(std::move(written));
    }
}

} // namespace lathe::core::render
