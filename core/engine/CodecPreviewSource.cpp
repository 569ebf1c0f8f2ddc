#include "core/engine/CodecPreviewSource.h"

#include "core/Error.h"
#include "core/chain/StereoBlock.h"
#include "core/io/CodecPreview.h"
#include "core/render/FrameCache.h"

#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <chrono>

namespace lathe::core::engine {

namespace {

// A codec swap crossfades over ~21 ms at 48 kHz. The two previews are decodes of the same aligned master, so
// they differ only by coding noise: an equal-gain raised cosine hides the seam.
constexpr int kSwapFrames = 1024;
// The builder thread wakes this often to free what the audio thread retired.
constexpr auto kReapInterval = std::chrono::milliseconds(50);

} // namespace

CodecPreviewSource::CodecPreviewSource()
    : fadeL_(static_cast<size_t>(kMaxBlock)), fadeR_(static_cast<size_t>(kMaxBlock)) {
    status_.requested = withCodecDefaults(DeliverableSpec{"mp3", 0, 0, 0, -1, ""});
    builder_ = std::thread([this] { builderLoop(); });
}

CodecPreviewSource::~CodecPreviewSource() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    changed_.notify_all();
    builder_.join();
    reapRetired(); // the builder is gone: this thread is the ring's only reader now
    delete pending_.exchange(nullptr);
    delete active_;
    delete fading_;
}

void CodecPreviewSource::setCallbacks(std::function<void()> onPublished,
                                      std::function<void(const std::string&)> onError) {
    std::lock_guard lock(mutex_);
    onPublished_ = std::move(onPublished);
    onError_ = std::move(onError);
}

void CodecPreviewSource::clear() {
    {
        std::lock_guard lock(mutex_);
        ++generation_; // a build under way is dropped when it ends
        queued_.reset();
        master_.reset();
        status_.ready = {};
        status_.available = false;
        status_.error.clear();
        available_ = false;
        lufs_ = -HUGE_VAL;
        peak_ = -HUGE_VAL;
    }
    changed_.notify_all();
    // No audio thread runs (the caller's contract), and no build of this generation exists yet.
    delete pending_.exchange(nullptr);
    delete active_;
    delete fading_;
    active_ = fading_ = nullptr;
}

std::string CodecPreviewSource::load(const std::vector<float>& left, const std::vector<float>& right,
                                     int rate, double ceilingDbtp) {
    DeliverableSpec codec;
    {
        std::lock_guard lock(mutex_);
        codec = status_.requested;
    }
    std::string error;
    std::shared_ptr<FrameCache> master;
    std::unique_ptr<CodecTrack> track;
    double lufs = -HUGE_VAL, peak = -HUGE_VAL;
    if (!left.empty()) {
        try {
            master = std::make_shared<FrameCache>();
            for (size_t pos = 0; pos < left.size(); pos += kMaxBlock) {
                const int n = static_cast<int>(std::min<size_t>(kMaxBlock, left.size() - pos));
                master->append(left.data() + pos, right.data() + pos, n);
            }
            track = build(left.data(), right.data(), static_cast<int64_t>(left.size()), rate, ceilingDbtp,
                          codec, lufs, peak);
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
    std::lock_guard lock(mutex_);
    master_ = std::move(master);
    rate_ = rate;
    ceilingDbtp_ = ceilingDbtp;
    if (track)
        publishLocked(std::move(track), lufs, peak, false);
    else
        status_.error = error;
    // Another codec asked for while this one was being made (from another control thread): make it next.
    if (master_ && status_.requested != codec) {
        queued_ = Job{status_.requested, master_, rate_, ceilingDbtp_, generation_};
        changed_.notify_all();
    }
    return error;
}

void CodecPreviewSource::request(const DeliverableSpec& wanted) {
    if (!isLossyFormat(wanted.format))
        throw Error("", "\"" + wanted.format + "\" is not a codec: use mp3, aac, opus or vorbis");
    const DeliverableSpec codec = withCodecDefaults(wanted);
    if (const std::string problem = deliverableSpecProblem(codec); !problem.empty()) throw Error("", problem);
    {
        std::lock_guard lock(mutex_);
        status_.requested = codec;
        status_.error.clear();
        queued_.reset();
        // Nothing loaded yet: load() makes it. Already playing that codec (and nothing else coming): done.
        if (!master_ || (status_.available && status_.ready == codec && !buildingLocked())) return;
        queued_ = Job{codec, master_, rate_, ceilingDbtp_, generation_};
    }
    changed_.notify_all();
}

CodecPreviewStatus CodecPreviewSource::status() const {
    std::lock_guard lock(mutex_);
    CodecPreviewStatus s = status_;
    s.building = buildingLocked();
    return s;
}

bool CodecPreviewSource::buildingLocked() const {
    return queued_.has_value() || (working_ && workingGeneration_ == generation_);
}

bool CodecPreviewSource::waitUntilBuilt(double timeoutSeconds) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::duration<double>(timeoutSeconds),
                             [this] { return !buildingLocked(); });
}

bool CodecPreviewSource::masterForTest(std::vector<float>& left, std::vector<float>& right) const {
    // Under the lock no build can start, and none runs: the scratch file's one read cursor is free.
    std::lock_guard lock(mutex_);
    if (!master_ || working_ || queued_) return false;
    left.assign(static_cast<size_t>(master_->frames()), 0.0f);
    right.assign(left.size(), 0.0f);
    master_->rewind();
    for (int64_t pos = 0; pos < master_->frames();) {
        const int n = master_->read(left.data() + pos, right.data() + pos,
                                    static_cast<int>(std::min<int64_t>(kMaxBlock, master_->frames() - pos)));
        if (n <= 0) return false;
        pos += n;
    }
    return true;
}

std::unique_ptr<CodecTrack> CodecPreviewSource::build(const float* left, const float* right, int64_t frames,
                                                      int rate, double ceilingDbtp,
                                                      const DeliverableSpec& codec, double& lufs,
                                                      double& peak) {
    CodecPreview p = codecRoundTrip(left, right, frames, rate, codec, ceilingDbtp);
    auto track = std::make_unique<CodecTrack>();
    track->codec = p.codec;
    track->audio.l = std::move(p.left);
    track->audio.r = std::move(p.right);
    // Measured as load() measures every other source, so the compare figures and the match gain agree.
    dsp::LoudnessMeter meter;
    dsp::TruePeakMeter truePeak;
    meter.prepare(rate, kMaxBlock, 2, dsp::LoudnessMeter::Integrated);
    truePeak.prepare(rate, kMaxBlock, 2, 8);
    Track& a = track->audio;
    for (int64_t pos = 0; pos < a.frames(); pos += kMaxBlock) {
        const int n = static_cast<int>(std::min<int64_t>(kMaxBlock, a.frames() - pos));
        auto block = stereoBlock(a.l.data() + pos, a.r.data() + pos, n);
        meter.process(block);
        truePeak.process(block);
    }
    lufs = meter.integratedLufs();
    peak = truePeak.truePeakDbtp();
    return track;
}

void CodecPreviewSource::publishLocked(std::unique_ptr<CodecTrack> track, double lufs, double peak,
                                       bool notify) {
    status_.ready = track->codec;
    status_.available = true;
    status_.error.clear();
    lufs_.store(lufs, std::memory_order_release);
    peak_.store(peak, std::memory_order_release);
    // A preview published earlier and not yet adopted was never seen by the audio thread: free it here.
    delete pending_.exchange(track.release(), std::memory_order_acq_rel);
    available_.store(true, std::memory_order_release);
    if (notify && onPublished_) onPublished_();
}

void CodecPreviewSource::builderLoop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait_for(lock, kReapInterval, [this] { return quit_ || queued_.has_value(); });
        lock.unlock();
        reapRetired();
        lock.lock();
        if (quit_) return;
        if (!queued_) continue;
        Job job = std::move(*queued_);
        queued_.reset();
        if (status_.available && status_.ready == job.codec) continue; // made meanwhile
        working_ = true;
        workingGeneration_ = job.generation;
        lock.unlock();

        std::unique_ptr<CodecTrack> track;
        std::string error;
        double lufs = -HUGE_VAL, peak = -HUGE_VAL;
        try {
            // The master as load() played it, read back from its scratch file for this build only.
            std::vector<float> l(static_cast<size_t>(job.master->frames())), r(l.size());
            job.master->rewind();
            for (int64_t pos = 0; pos < job.master->frames();) {
                const int n = job.master->read(
                    l.data() + pos, r.data() + pos,
                    static_cast<int>(std::min<int64_t>(kMaxBlock, job.master->frames() - pos)));
                if (n <= 0) throw Error("", "the codec preview's copy of the master ended early");
                pos += n;
            }
            track = build(l.data(), r.data(), static_cast<int64_t>(l.size()), job.rate, job.ceilingDbtp,
                          job.codec, lufs, peak);
        } catch (const std::exception& e) {
            error = e.what();
        }

        lock.lock();
        working_ = false;
        // Only the newest request of this load is heard; anything older is dropped here.
        if (job.generation == generation_ && job.codec == status_.requested) {
            if (track) {
                publishLocked(std::move(track), lufs, peak, true);
            } else {
                status_.error = error;
                if (onError_) onError_("no " + deliverableSpecText(job.codec) + " codec preview: " + error);
            }
        }
        changed_.notify_all();
    }
}

void CodecPreviewSource::reapRetired() {
    CodecTrack* t = nullptr;
    while (retired_.pop(t))
        delete t;
}

void CodecPreviewSource::adopt(bool audible) {
    if (fading_ && !audible && retired_.push(fading_)) fading_ = nullptr; // nobody hears the fade's end
    if (fading_ || pending_.load(std::memory_order_relaxed) == nullptr) return;
    // The old preview goes to the retired ring; with no room (the builder has not reaped yet), wait.
    if (active_ && retired_.writeSpace() == 0) return;
    CodecTrack* next = pending_.exchange(nullptr, std::memory_order_acq_rel);
    if (!next) return;
    if (active_ && audible) {
        fading_ = active_;
        fadePos_ = 0;
    } else if (active_) {
        retired_.push(active_); // room checked above; this thread is the only writer
    }
    active_ = next;
}

void CodecPreviewSource::read(int64_t pos, float* left, float* right, int n) {
    if (!active_) {
        std::fill_n(left, n, 0.0f);
        std::fill_n(right, n, 0.0f);
    } else {
        active_->audio.read(pos, left, right, n);
    }
    if (!fading_) return;
    fading_->audio.read(pos, fadeL_.data(), fadeR_.data(), n);
    for (int k = 0; k < n && fadePos_ < kSwapFrames; ++k, ++fadePos_) {
        const float w =
            0.5f - 0.5f * std::cos(3.14159265f * (static_cast<float>(fadePos_) + 0.5f) / kSwapFrames);
        left[k] = w * left[k] + (1.0f - w) * fadeL_[static_cast<size_t>(k)];
        right[k] = w * right[k] + (1.0f - w) * fadeR_[static_cast<size_t>(k)];
    }
    // Room for it was made sure of in adopt(), and only this thread writes the ring.
    if (fadePos_ >= kSwapFrames && retired_.push(fading_)) fading_ = nullptr;
}

} // namespace lathe::core::engine
