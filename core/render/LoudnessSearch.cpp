#include "core/render/LoudnessSearch.h"

#include "core/Error.h"
#include "core/chain/LimiterStage.h"
#include "core/chain/StereoBlock.h"
#include "core/render/ChunkPipe.h"
#include "core/render/DeliverableRenderer.h"
#include "core/render/LoudnessGainStep.h"
#include "core/render/RenderRefusal.h"

#include "dsp/Decibels.h"
#include "dsp/Dither.h"
#include "dsp/IntegratedLoudness.h"
#include "dsp/LargestMagnitude.h"
#include "dsp/ScopedFlushDenormals.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace lathe::core {
namespace render {

namespace {
// How much further than its own drive the first pass probes (see searchGain).
constexpr double kProbeStepDb = 3.0;

// The probe: the master's limiter stage at a further drive over the same chunks as the pass, measuring only
// the integrated loudness (no dither, nothing written). One type for the probe beside a pass and the probe on
// its own, so both read the same figure to the bit.
class Probe {
public:
    Probe(int sampleRate, const LimiterSettings& settings, double gainDb, int64_t totalFrames)
        : total_(totalFrames) {
        limiter_.prepare(sampleRate, kBlock, settings);
        limiter_.setInputGainDb(gainDb);
        limiter_.reset();
        meter_.prepare(sampleRate);
        toSkip_ = limiter_.latencyFrames();
    }
    // Limits n frames in place, block by block as the pass does, and measures what is past the latency.
    void process(float* l, float* r, int n) {
        for (int done = 0; done < n; done += kBlock) {
            const int k = std::min(kBlock, n - done);
            limiter_.process(stereoBlock(l + done, r + done, k));
            const int skip = static_cast<int>(std::min<int64_t>(toSkip_, k));
            toSkip_ -= skip;
            const int keep = static_cast<int>(std::min<int64_t>(k - skip, total_ - produced_));
            if (keep <= 0) continue;
            meter_.process(l + done + skip, r + done + skip, keep);
            produced_ += keep;
        }
    }
    bool done() const { return produced_ >= total_; }
    double integratedLufs() const { return meter_.integratedLufs(); }

private:
    LimiterStage limiter_;
    dsp::IntegratedLoudness meter_;
    int64_t total_ = 0;
    int64_t toSkip_ = 0;
    int64_t produced_ = 0;
};
} // namespace

LoudnessGainResult DeliverableRenderer::searchOnly() {
    FrameCache preLimiter;
    const double preLufs = renderPreLimiter(preLimiter);
    PassResult best;
    LoudnessGainResult result;
    result.passes = searchGain(preLimiter, preLufs, false, best).passes;
    result.gainDb = best.gainDb;
    result.integratedLufs = best.integratedLufs;
    return result;
}

DeliverableRenderer::SearchOutcome DeliverableRenderer::searchGain(FrameCache& preLimiter, double preLufs,
                                                                   bool write, PassResult& best) {
    // Loudness targeting: each pass limits the cached pre-limiter signal with a trial drive and measures the
    // result; nextLoudnessGain picks the next drive from every pass so far. The best pass is kept.
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
    // Two limits on the drive, whichever is lower (README, "Loudness targeting"). Limiting costs loudness:
    // with drive g the master is preLufs + g - L(g) LU quieter than the drive alone would make it, so
    // reaching the target with at most loudness.max_limiting_db of that cost needs a drive of at most
    // target - preLufs + max_limiting_db: the engineer's limit, past which the search stops and the render
    // warns. And never more than kMaxLoudnessGainDb, Lathe's own limit, past which no programme is music:
    // a target still out of reach there is refused.
    const double limitingCap = target - preLufs + s_.loudness.max_limiting_db;
    const bool gainLimitBinds = limitingCap > kMaxLoudnessGainDb;
    const double maxGain = std::min(limitingCap, kMaxLoudnessGainDb);
    const bool limiting = s_.master.limiter.enabled;

    SearchOutcome outcome;
    std::vector<LoudnessTrial> trials;
    for (int pass = 1; pass <= maxPasses; ++pass) {
        // Progress of pass p runs over the p-th half of what is left, so it never goes backwards.
        const double from = 0.4 + 0.6 * (1.0 - std::ldexp(1.0, 1 - pass));
        const double to = 0.4 + 0.6 * (1.0 - std::ldexp(1.0, -pass));
        // The first pass also probes kProbeStepDb further, so the second one can aim with a measured slope
        // (limiting makes it anything from 1 down to 0.1 near the ceiling).
        const double probeGain = std::min(gain + kProbeStepDb, maxGain);
        const bool probing = pass == 1 && maxPasses > 1 && normalize && limiting && probeGain > gain;
        // The probe doubles the pass's limiting work, and it is needed only when the pass misses: it runs
        // beside the pass (on a core of its own) when the forecast says the limiting will cost more than
        // the pass may miss by, else after the pass and only if it missed. The forecast has stayed above
        // the measured cost (1.2-2.4x, demo songs at -14 to -8 LUFS), so a pass it lets through alone
        // rarely needs the probe after all. Either way the probe is the same (Probe): the same next passes.
        const bool probeBeside =
            probing && threads_ >= 2 &&
            limitingCost_.costLu(gain, s_.master.limiter.ceiling_dbtp) > 0.75 * tolerance;
        // The lossy encoders (LAME costs ~4x the limiter) run beside a pass expected to be kept, on a thread
        // of their own: a pass forecast to land (as above), and the later passes, which aim with measured
        // slopes. Otherwise the pass caches its audio and the kept one is encoded after the search.
        const bool lossyBeside =
            !probing || pass > 1 ||
            limitingCost_.costLu(gain, s_.master.limiter.ceiling_dbtp) <= 0.75 * tolerance;
        PassResult p = limiterPass(preLimiter, gain, write, lossyBeside, from, to,
                                   probeBeside ? probeGain : std::nan(""));
        p.gainDb = gain;
        const double lufs = p.integratedLufs;
        trials.push_back({gain, lufs});
        const bool landed = !normalize || std::abs(lufs - target) <= 0.75 * tolerance;
        if (probeBeside)
            trials.push_back({probeGain, p.probeLufs});
        else if (probing && !landed)
            trials.push_back({probeGain, probePass(preLimiter, probeGain)});
        const bool better = !best.valid || std::abs(lufs - target) < std::abs(best.integratedLufs - target);
        if (better) {
            best = std::move(p); // a pass that is not kept takes its temporary WAV with it
            outcome.passes = pass;
        }
        // Three quarters of the tolerance: a pass that lands at 0.09 LU is within it, but one more pass
        // usually brings it to a few hundredths, away from the edge any meter's rounding could cross.
        if (landed) break;
        const double next = nextLoudnessGain(trials, target, maxGain);
        if (next == gain) break; // held at maxGain: more passes cannot get closer
        gain = next;
    }
    const bool shortOfTarget = normalize && best.integratedLufs < target - tolerance;
    const bool atMaxGain = std::any_of(trials.begin(), trials.end(), [&](const LoudnessTrial& t) {
        return t.gainDb >= maxGain && t.lufs < target - tolerance;
    });
    if (shortOfTarget && atMaxGain) {
        if (gainLimitBinds)
            throw Error(where, gainRefusal(deliverableName(), target, best.integratedLufs,
                                           preLufs + best.gainDb - best.integratedLufs));
        outcome.limitingCapped = true;
    }
    return outcome;
}

// Limits the cached signal with `gainDb` into the limiter on this thread; dithers the result to the output
// word length and measures it on a second one and, when `write`, writes it as the WAV (and caches it for the
// MP3) there as well. With a probe drive, a second limiter stage runs the same audio at that drive and
// only its integrated loudness is measured (no dither, nothing written): one trip over the audio, two points.
DeliverableRenderer::PassResult DeliverableRenderer::limiterPass(FrameCache& input, double gainDb, bool write,
                                                                 bool lossyBeside, double progressFrom,
                                                                 double progressTo, double probeGainDb) {
    // The master chain's own limiter stage, at the output rate (the cache is past the resampler).
    LimiterStage limiter;
    limiter.prepare(outputRate_, kBlock, s_.master.limiter);
    limiter.setInputGainDb(gainDb);
    limiter.reset(); // the pass starts at its gain, not ramping to it
    const int latency = limiter.latencyFrames();

    const bool probing = !std::isnan(probeGainDb);
    std::optional<Probe> probe;
    std::vector<float> probeL, probeR;
    if (probing) {
        probe.emplace(outputRate_, s_.master.limiter, probeGainDb, input.frames());
        probeL.resize(kChunk);
        probeR.resize(kChunk);
    }

    dsp::Dither dither;
    const bool dithered = s_.output.dither && bitDepth_ < 32;
    if (dithered) {
        dither.setBitDepth(bitDepth_);
        dither.setNoiseShaping(s_.output.noise_shaping);
        dither.setSeed(job_.stem ? 2 : 1);
        dither.prepare(outputRate_, kBlock, 2);
    }

    PassResult p;
    // Every loudness reading (integrated, what the search steers by, and the report's; maximum momentary and
    // short-term; LRA) comes from IntegratedLoudness: exact BS.1770 gating (libebur128's histogram mode bins
    // block loudness and read 0.04 LU off a master at 44.1 kHz), within 0.01 LU of libebur128's exact mode
    // (tested), at a third of its cost, and the LRA `lathe-cli analyze` reads (Tech 3342 on ffmpeg's 100 ms
    // hop), so the report and an analysis of the master agree.
    dsp::IntegratedLoudness windows;
    windows.prepare(outputRate_);
    float samplePeak = 0.0f;
    dsp::TruePeakMeter truePeak;
    if (write) {
        truePeak.prepare(outputRate_, kChunk, 2, 8);
        for (const PlannedFile& file : job_.variant.pcm)
            p.pcm.push_back({file, std::make_unique<AudioFileWriter>(file.path, writerOptions(file))});
        for (const PlannedFile& file : job_.variant.lossy)
            if (lossyBeside)
                p.lossy.push_back({file, std::make_unique<AudioFileWriter>(file.path, writerOptions(file))});
        if (!lossyBeside && !job_.variant.lossy.empty()) p.audio = std::make_unique<FrameCache>();
    }
    // The lossy encoders get kChunk frames at a time, re-chunked from what the limiter keeps, exactly as
    // writeLossy feeds them from the cache: the same calls, so the same bytes either way.
    std::vector<float> stagedL, stagedR;
    int staged = 0;
    if (!p.lossy.empty()) {
        stagedL.resize(kChunk);
        stagedR.resize(kChunk);
    }
    ChunkPipe encode(!p.lossy.empty() && threads_ >= 2, kChunk, [&](float* l, float* r, int n) {
        const float* planar[2] = {l, r};
        for (auto& file : p.lossy)
            file.writer->write(planar, n);
    });
    const auto stageForEncoders = [&](const float* l, const float* r, int n) {
        for (int done = 0; done < n;) {
            const int k = std::min(n - done, kChunk - staged);
            std::copy_n(l + done, k, stagedL.begin() + staged);
            std::copy_n(r + done, k, stagedR.begin() + staged);
            staged += k;
            done += k;
            if (staged == kChunk) {
                encode.push(stagedL.data(), stagedR.data(), kChunk);
                staged = 0;
            }
        }
    };
    // The limiter is the one stage that cannot be split, so it has this thread to itself (profiled, 240 s,
    // 6 stems: 0.83 of the pass's 1.2 CPU-seconds); the dither, the meters and the writer run on the other
    // one. Dither is sequential per sample whatever the blocks, so dithering here, in the same order, gives
    // the same bits as dithering beside the limiter.
    ChunkPipe measure(threads_ >= 2, kChunk, [&](float* l, float* r, int n) {
        if (dithered) {
            for (int done = 0; done < n; done += kBlock)
                dither.process(stereoBlock(l + done, r + done, std::min(kBlock, n - done)));
        }
        windows.process(l, r, n);
        if (!write) return;
        samplePeak = std::max({samplePeak, dsp::largestMagnitude(l, n), dsp::largestMagnitude(r, n)});
        truePeak.process(stereoBlock(l, r, n));
        const float* planar[2] = {l, r};
        for (auto& file : p.pcm)
            file.writer->write(planar, n);
        if (p.audio) p.audio->append(l, r, n);
        if (!p.lossy.empty()) stageForEncoders(l, r, n);
    });

    std::vector<float> l(kChunk), r(kChunk);
    int64_t toSkip = latency;
    int64_t produced = 0;
    const int64_t total = input.frames();
    input.rewind();
    // The probe limits a copy of each chunk on a thread of its own (the same calls in the same order
    // whatever the threads: its reading cannot differ). It costs as much as the limiter itself (profiled,
    // 240 s, 6 stems), so the limiter's thread no longer waits for it.
    ChunkPipe probePipe(probing && threads_ >= 2, kChunk,
                        [&](float* pl, float* pr, int n) { probe->process(pl, pr, n); });
    // Processes n frames in l/r (block by block, as the limiter was prepared for) and hands on what is
    // past the limiter's latency.
    auto processChunk = [&](int n) {
        if (probing) {
            // A copy: unthreaded, the pipe's consumer limits the buffer it is handed in place.
            std::copy_n(l.begin(), n, probeL.begin());
            std::copy_n(r.begin(), n, probeR.begin());
            probePipe.push(probeL.data(), probeR.data(), n);
        }
        int keepFrom = -1, kept = 0;
        for (int done = 0; done < n; done += kBlock) {
            const int k = std::min(kBlock, n - done);
            auto block = stereoBlock(l.data() + done, r.data() + done, k);
            limiter.process(block);
            const int skip = static_cast<int>(std::min<int64_t>(toSkip, k));
            toSkip -= skip;
            const int keep = static_cast<int>(std::min<int64_t>(k - skip, total - produced));
            if (keep <= 0) continue;
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
    probePipe.finish();
    measure.finish();
    if (staged > 0) encode.push(stagedL.data(), stagedR.data(), staged);
    encode.finish();

    p.valid = true;
    p.integratedLufs = windows.integratedLufs();
    if (probing) p.probeLufs = probe->integratedLufs();
    if (limiter.enabled()) p.stats = limiter.limiter().stats();
    if (write) {
        p.loudnessRangeLu = windows.loudnessRangeLu();
        p.samplePeakDbfs = dsp::gainToDb(samplePeak);
        p.maxMomentaryLufs = windows.maxMomentaryLufs();
        p.maxShortTermLufs = windows.maxShortTermLufs();
        p.truePeakDbtp = truePeak.truePeakDbtp();
        if (p.audio) p.audio->rewind();
    }
    return p;
}

// The probe on its own, after a first pass that missed: the same chunks as limiterPass hands its probe (the
// cache's, then silence until the limiter's latency is flushed), on this thread.
double DeliverableRenderer::probePass(FrameCache& input, double gainDb) {
    Probe probe(outputRate_, s_.master.limiter, gainDb, input.frames());
    std::vector<float> l(kChunk), r(kChunk);
    input.rewind();
    for (;;) {
        checkCancel(control_, internalCancel_);
        const int n = input.read(l.data(), r.data(), kChunk);
        if (n == 0) break;
        probe.process(l.data(), r.data(), n);
    }
    while (!probe.done()) {
        std::fill(l.begin(), l.end(), 0.0f);
        std::fill(r.begin(), r.end(), 0.0f);
        probe.process(l.data(), r.data(), kChunk);
    }
    return probe.integratedLufs();
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
