#include "core/engine/CodecPreviewSource.h"

#include "core/Error.h"
#include "core/engine/SourceMeter.h"
#include "core/io/CodecPreview.h"
#include "core/render/FrameCache.h"

#include <algorithm>
#include <chrono>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace lathe::core::engine {

namespace {

// A codec swap crossfades over ~21 ms at 48 kHz. The two previews are decodes of the same aligned master, so
// they differ only by coding noise: an equal-gain raised cosine hides the seam.
constexpr int kSwapFrames = 1024;
// The builder thread wakes this often to free what the audio thread retired.
constexpr auto kReapInterval = std::chrono::milliseconds(50);
// The builder thread's nice value (0 is the default, 19 the lowest priority).
constexpr int kBuilderNice = 10;

} // namespace

CodecPreviewSource::CodecPreviewSource()
    : fadeL_(static_cast<size_t>(kMaxBlock)), fadeR_(static_cast<size_t>(kMaxBlock)) {
    status_.requested = withCodecDefaults(DeliverableSpec{"mp3", 0, 0, 0, -1, ""});
    builder_ = std::thread([this] { builderLoop(); });
}

CodecPreviewSource::~CodecPreviewSource() {
    stopping_ = true;
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
    delete incoming_;
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
        ++generation_; // a build under way stops, or is dropped when it ends
        liveGeneration_ = generation_;
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
    delete incoming_;
    active_ = fading_ = incoming_ = nullptr;
}

void CodecPreviewSource::load(std::shared_ptr<FrameCache> master, int rate, double ceilingDbtp) {
    {
        std::lock_guard lock(mutex_);
        if (!master || master->frames() == 0) return;
        master_ = std::move(master);
        rate_ = rate;
        ceilingDbtp_ = ceilingDbtp;
        queued_ = Job{status_.requested, master_, rate_, ceilingDbtp_, generation_};
    }
    changed_.notify_all();
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

std::unique_ptr<CodecTrack> CodecPreviewSource::build(FrameCache& master, int rate,
                                                      const DeliverableSpec& codec, double& lufs,
                                                      double& peak, uint64_t generation) const {
    // The round trip streams into the preview's own scratch file and is measured as it comes, as load()
    // measures every other source (so the compare figures and the match gain agree).
    std::unique_ptr<DiskSource> file = DiskSource::scratch("the codec preview");
    SourceMeter meter;
    meter.prepare(rate, kMaxBlock);
    auto track = std::make_unique<CodecTrack>();
    const auto cancelled = [&] {
        return stopping_.load(std::memory_order_relaxed) ||
               liveGeneration_.load(std::memory_order_relaxed) != generation;
    };
    const auto sink = [&](const float* l, const float* r, int n) {
        file->append(l, r, n);
        for (int done = 0; done < n; done += kMaxBlock) {
            const int k = std::min(kMaxBlock, n - done);
            meter.process(l + done, r + done, k);
        }
    };
    track->codec = codecRoundTripStreamed(master, rate, codec, sink, nullptr, cancelled);
    file->seal();
    meter.finish();
    lufs = meter.integratedLufs();
    peak = meter.truePeakDbtp();
    std::vector<std::unique_ptr<DiskSource>> sources;
    sources.push_back(std::move(file));
    track->reader.setLoop(loopStart_.load(), loopEnd_.load(), loopOn_.load());
    track->reader.start(std::move(sources), playhead_.load(std::memory_order_relaxed));
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
#if defined(__linux__)
    // Background work: the first preview is made while the masters are still measured (on a 2-core machine
    // the stem master's pass and this round trip share the cores), and what the engineer waits for first is
    // every other source measured. A nicer thread gives way to them; on an idle core it runs at full speed.
    // Linux's nice is per thread (setpriority on the thread id); it only lowers, so no privilege is needed.
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kBuilderNice);
#endif
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
            // The master as load() played it, streamed from its scratch file (this build is its only reader).
            track = build(*job.master, job.rate, job.codec, lufs, peak, job.generation);
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

void CodecPreviewSource::adopt(bool audible, int64_t pos, bool waitForDisk) {
    if (fading_ && !audible && retired_.push(fading_)) fading_ = nullptr; // nobody hears the fade's end
    // Room for what may be put away below (the builder reaps every kReapInterval).
    if (retired_.writeSpace() < 2) return;
    if (CodecTrack* next = pending_.exchange(nullptr, std::memory_order_acq_rel)) {
        if (incoming_) retired_.push(incoming_); // overtaken before it was heard
        incoming_ = next;
    }
    if (!incoming_ || fading_) return;
    // Heard: the old preview plays on until the new one's reader holds the play head (a few ms; asking
    // posts the request).
    if (audible && incoming_->reader.ready(pos, 1) == 0 &&
        !(waitForDisk && incoming_->reader.waitReady(pos, 10.0)))
        return;
    if (active_ && audible) {
        fading_ = active_;
        fadePos_ = 0;
    } else if (active_) {
        retired_.push(active_); // room checked above; this thread is the only writer
    }
    active_ = incoming_;
    incoming_ = nullptr;
}

void CodecPreviewSource::setLoop(int64_t start, int64_t end, bool enabled) {
    loopStart_.store(start, std::memory_order_relaxed);
    loopEnd_.store(end, std::memory_order_relaxed);
    loopOn_.store(enabled, std::memory_order_release);
}

void CodecPreviewSource::readTrack(CodecTrack* track, int64_t pos, float* left, float* right, int n,
                                   bool waitForDisk) {
    int done = 0;
    while (track && done < n) {
        int k = track->reader.ready(pos + done, n - done);
        if (k == 0 && waitForDisk && track->reader.waitReady(pos + done, 10.0))
            k = track->reader.ready(pos + done, n - done);
        if (k == 0) break; // refilling after a seek: silence meanwhile
        track->reader.read(0, left + done, right + done, k);
        track->reader.consume(k);
        done += k;
    }
    std::fill(left + done, left + n, 0.0f);
    std::fill(right + done, right + n, 0.0f);
}

void CodecPreviewSource::follow(int64_t pos, int n) {
    playhead_.store(pos + n, std::memory_order_relaxed);
    for (CodecTrack* track : {active_, fading_, incoming_}) {
        if (!track) continue;
        track->reader.setLoop(loopStart_.load(std::memory_order_relaxed),
                              loopEnd_.load(std::memory_order_relaxed),
                              loopOn_.load(std::memory_order_acquire));
        if (n == 0) track->reader.ready(pos, 1); // only ask for pos (a refill under way elsewhere)
        for (int done = 0; done < n;) {
            const int k = track->reader.ready(pos + done, n - done);
            if (k == 0) break;
            track->reader.consume(k);
            done += k;
        }
    }
}

void CodecPreviewSource::read(int64_t pos, float* left, float* right, int n, bool waitForDisk) {
    playhead_.store(pos + n, std::memory_order_relaxed);
    const bool looping = loopOn_.load(std::memory_order_acquire);
    for (CodecTrack* track : {active_, fading_})
        if (track)
            track->reader.setLoop(loopStart_.load(std::memory_order_relaxed),
                                  loopEnd_.load(std::memory_order_relaxed), looping);
    readTrack(active_, pos, left, right, n, waitForDisk);
    if (!fading_) return;
    readTrack(fading_, pos, fadeL_.data(), fadeR_.data(), n, waitForDisk);
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
