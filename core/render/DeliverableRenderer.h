#pragma once

// One deliverable (the stereo or the stem master) rendered by renderSession, one class across two files:
// DeliverableRenderer.cpp (the signal up to the limiter, the files) and LoudnessSearch.cpp (the limiter
// passes). Internal to core/render.

#include "core/analysis/MatchSession.h"
#include "core/io/AudioFileWriter.h"
#include "core/model/Session.h"
#include "core/render/DeliverablePlan.h"
#include "core/render/FrameCache.h"
#include "core/render/LimitingCostEstimate.h"
#include "core/render/LoudnessSearch.h"
#include "core/render/ProgressBoard.h"
#include "core/render/Renderer.h"

#include "dsp/AudioBlock.h"
#include "dsp/TruePeakLimiter.h"

#include <atomic>
#include <memory>
#include <string>

namespace lathe::core::render {

constexpr int kBlock = 4096;
// Acceptance window around the loudness target; the search aims for the session's tighter tolerance.
constexpr double kTargetWindowLu = 0.2;
// Frames handed between threads at a time (ChunkPipe): several blocks, so a hand-over costs little next to
// the work.
constexpr int kChunk = 4 * kBlock;

inline void checkCancel(const RenderControl& control, const std::atomic<bool>& internalCancel) {
    if ((control.cancel != nullptr && control.cancel->load(std::memory_order_relaxed)) ||
        internalCancel.load(std::memory_order_relaxed))
        throw RenderCancelled();
}

struct Job {
    std::string kind; // "stereo_master" / "stem_master"
    bool stem = false;
    int slot = 0;
    RenderVariant variant; // the rate, word length and files; empty file lists for a search only
};

// A file of a finished pass, uncommitted, and what it is.
struct WrittenFile {
    PlannedFile planned;
    std::unique_ptr<AudioFileWriter> writer;
};

struct JobResult {
    DeliverableReport report; // the variant's measurements; files not yet listed
    std::vector<WrittenFile> files;
};

class DeliverableRenderer {
public:
    DeliverableRenderer(const Session& s, const Job& job, const std::string& outDir,
                        const RenderControl& control, const std::atomic<bool>& internalCancel,
                        ProgressBoard& progress);

    // Renders the variant: its PCM files and lossy files (uncommitted), with the report's figures.
    JobResult run();
    // Loudness search only: what run() would choose, without writing anything (LoudnessSearch.cpp).
    LoudnessGainResult searchOnly();

private:
    struct PassResult {
        bool valid = false;
        double integratedLufs = 0;
        double gainDb = 0;
        dsp::TruePeakLimiter::Stats stats;
        // Only for a written pass: the PCM files (uncommitted), the report's measurements of exactly what
        // they hold, and the lossy files encoded beside the pass or, when they were not, the audio again for
        // encoding them after the search (writeLossy).
        std::vector<WrittenFile> pcm;
        std::vector<WrittenFile> lossy;
        std::unique_ptr<FrameCache> audio;
        double loudnessRangeLu = 0;
        double samplePeakDbfs = 0;
        double maxMomentaryLufs = 0;
        double maxShortTermLufs = 0;
        double truePeakDbtp = 0;
        double probeLufs = 0; // of the probe, when the pass ran one
    };
    struct SearchOutcome {
        int passes = 0; // the number of the pass kept
        // The kept pass fell short of the target because reaching it would take more than
        // loudness.max_limiting_db of limiting.
        bool limitingCapped = false;
    };

    std::string deliverableName() const { return job_.stem ? "the stem master" : "the stereo master"; }
    WriterOptions writerOptions(const PlannedFile& file) const;

    double renderPreLimiter(FrameCache& cache); // DeliverableRenderer.cpp
    // LoudnessSearch.cpp
    SearchOutcome searchGain(FrameCache& preLimiter, double preLufs, bool write, PassResult& best);
    // A probe drive (not NaN) also measures the loudness at that drive, into PassResult::probeLufs. A
    // written pass with lossyBeside encodes the variant's lossy files as it goes.
    PassResult limiterPass(FrameCache& input, double gainDb, bool write, bool lossyBeside,
                           double progressFrom, double progressTo, double probeGainDb);
    // The probe alone: the integrated loudness at `gainDb`, measured as limiterPass measures its probe.
    double probePass(FrameCache& input, double gainDb);
    void writeLossy(FrameCache& finalAudio, JobResult& result); // DeliverableRenderer.cpp

    const Session& s_;
    Job job_;
    std::string outDir_;
    const RenderControl& control_;
    const std::atomic<bool>& internalCancel_;
    ProgressBoard& progress_;
    int outputRate_ = 48000;
    int bitDepth_ = 24;
    std::string renderDate_; // bext origination date and time: when the render started, local time
    std::string renderTime_;
    int threads_ = 1;
    MasterMatch match_;                        // planned by renderPreLimiter
    LimitingCostEstimate limitingCost_{48000}; // of the pre-limiter signal, filled by renderPreLimiter
};

} // namespace lathe::core::render
