#include "core/render/LoudnessSearch.h"

#include "core/Error.h"
#include "core/chain/LimiterStage.h"
#include "core/chain/StereoBlock.h"
#include "core/render/ChunkPipe.h"
#include "core/render/DeliverableRenderer.h"
#include "core/render/RenderRefusal.h"

#include "dsp/Dither.h"
#include "dsp/IntegratedLoudness.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/ScopedFlushDenormals.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {
namespace render {

LoudnessGainResult DeliverableRenderer::searchOnly() {
    FrameCache preLimiter;
    const double preLufs = renderPreLimiter(preLimiter);
    PassResult best;
    LoudnessGainResult result;
    result.passes = searchGain(preLimiter, preLufs, false, best);
    result.gainDb = best.gainDb;
    result.integratedLufs = best.integratedLufs;
    return result;
}

// Returns the number of the pass kept in `best`.
int DeliverableRenderer::searchGain(FrameCache& preLimiter, double preLufs, bool write, PassResult& best) {
    // Loudness targeting: each pass limits the cached pre-limiter signal with a trial gain and measures
    // the result. Limiting takes loudness away non-linearly, so the gain is refined by secant steps on
    // the measured (gain, loudness) pairs. The best pass is kept.
    const double target = s_.loudness.target_lufs;
    const bool normalize = s_.loudness.normalize;
    const std::string where = job_.stem ? s_.folder : s_.mix;
    if (normalize)
        if (auto refusal =
                loudnessRefusal(job_.stem ? "the stems sum" : "the mix", deliverableName(), preLufs, target))
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
        const bool better = !best.valid || std::abs(lufs - target) < std::abs(best.integratedLufs - target);
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

// Limits the cached signal with `gainDb` into the limiter and dithers to the output word length, on this
// thread; measures the result on a second one and, when `write`, writes it as the WAV (and caches it for
// the MP3) there as well.
DeliverableRenderer::PassResult DeliverableRenderer::limiterPass(FrameCache& input, double gainDb, bool write,
                                                                 double progressFrom, double progressTo) {
    // The master chain's own limiter stage, at the output rate (the cache is past the resampler).
    LimiterStage limiter;
    limiter.prepare(outputRate_, kBlock, s_.master.limiter);
    limiter.setInputGainDb(gainDb);
    limiter.reset(); // the pass starts at its gain, not ramping to it
    const int latency = limiter.latencyFrames();

    dsp::Dither dither;
    const bool dithered = s_.output.dither && bitDepth_ < 32;
    if (dithered) {
        dither.setBitDepth(bitDepth_);
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
        for (const PlannedFile& file : job_.variant.pcm)
            p.pcm.push_back({file, std::make_unique<AudioFileWriter>(file.path, writerOptions(file))});
        if (!job_.variant.lossy.empty()) p.audio = std::make_unique<FrameCache>();
    }
    // Profiled split (240 s, 6 stems): limiter and dither on this thread, meters and writer on the other,
    // take about the same time.
    ChunkPipe measure(threads_ >= 2, kChunk, [&](float* l, float* r, int n) {
        const auto block = stereoBlock(l, r, n);
        meter.process(block);
        if (!write) return;
        windows.process(l, r, n);
        truePeak.process(block);
        const float* planar[2] = {l, r};
        for (auto& file : p.pcm)
            file.writer->write(planar, n);
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
            limiter.process(block);
            const int skip = static_cast<int>(std::min<int64_t>(toSkip, k));
            toSkip -= skip;
            const int keep = static_cast<int>(std::min<int64_t>(k - skip, total - produced));
            if (keep <= 0) continue;
            if (dithered) dither.process(stereoBlock(l.data() + done + skip, r.data() + done + skip, keep));
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
        progress_.set(job_.slot, progressFrom + (progressTo - progressFrom) * static_cast<double>(produced) /
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
    if (limiter.enabled()) p.stats = limiter.limiter().stats();
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

} // namespace render

LoudnessGainResult findLoudnessGain(const Session& s, bool stemMaster, const RenderControl& control) {
    const dsp::ScopedFlushDenormals flushDenormals;
    render::ProgressBoard progress(control, 1);
    std::atomic<bool> internalCancel{false};
    render::Job job{stemMaster ? "stem_master" : "stereo_master", stemMaster, 0, {}};
    const Session matched = withMatchedLoudness(s);
    job.variant.sampleRate =
        matched.output.sample_rate > 0 ? matched.output.sample_rate : matched.sample_rate;
    job.variant.bitDepth = matched.output.bit_depth;
    return render::DeliverableRenderer(matched, job, std::string(), control, internalCancel, progress)
        .searchOnly();
}

} // namespace lathe::core
