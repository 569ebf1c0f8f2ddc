#include "core/engine/DiskReader.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace lathe::core::engine {

namespace {
// The reader sleeps this long when every ring is full (or between checks while waiting): a request is taken
// up within it, far below the ~10 ms a listener notices after a seek.
constexpr auto kIdle = std::chrono::milliseconds(2);
// More chunks than fit in the rings, so the timeline never limits reading ahead.
constexpr size_t kTimelineChunks = 4 * DiskReader::kRingFrames / DiskReader::kReadFrames;
} // namespace

DiskReader::~DiskReader() {
    stop();
}

void DiskReader::start(std::vector<std::unique_ptr<DiskSource>> sources, int64_t pos) {
    stop();
    sources_ = std::move(sources);
    rings_.clear();
    for (size_t i = 0; i < sources_.size(); ++i)
        rings_.push_back(std::make_unique<SpscRingBuffer<float>>(2 * static_cast<size_t>(kRingFrames) - 1));
    timeline_ = std::make_unique<SpscRingBuffer<Chunk>>(kTimelineChunks - 1);
    headOffset_ = 0;
    asked_ = -1;
    requestPos_.store(pos, std::memory_order_relaxed);
    requestCount_.store(1, std::memory_order_release);
    quit_ = false;
    thread_ = std::thread([this] { run(); });
}

void DiskReader::stop() {
    if (thread_.joinable()) {
        quit_ = true;
        thread_.join();
    }
    sources_.clear();
    rings_.clear();
    timeline_.reset();
}

std::vector<std::unique_ptr<DiskSource>> DiskReader::reopenSources() const {
    std::vector<std::unique_ptr<DiskSource>> copies;
    for (const auto& source : sources_)
        copies.push_back(source->reopen());
    return copies;
}

void DiskReader::request(int64_t pos) {
    requestPos_.store(pos, std::memory_order_relaxed);
    requestCount_.fetch_add(1, std::memory_order_release);
}

void DiskReader::setLoop(int64_t start, int64_t end, bool enabled) {
    loopStart_.store(start, std::memory_order_relaxed);
    loopEnd_.store(end, std::memory_order_relaxed);
    loopOn_.store(enabled && end > start, std::memory_order_release);
}

void DiskReader::fail(const std::string& message) {
    std::lock_guard lock(errorMutex_);
    if (error_.find(message) != std::string::npos) return; // once per problem, not once per chunk
    if (!error_.empty()) error_ += "\n";
    error_ += message;
}

std::string DiskReader::takeError() {
    std::lock_guard lock(errorMutex_);
    return std::exchange(error_, std::string());
}

void DiskReader::run() {
    uint64_t handled = 0;
    int64_t pos = 0;
    std::vector<float> l(kReadFrames), r(kReadFrames);
    while (!quit_.load(std::memory_order_relaxed)) {
        if (holdForTest_.load(std::memory_order_acquire)) {
            std::this_thread::sleep_for(kIdle);
            continue;
        }
        // The count is published after the position (release), so the position read here is at least as new.
        const uint64_t count = requestCount_.load(std::memory_order_acquire);
        if (count != handled) {
            handled = count;
            pos = requestPos_.load(std::memory_order_relaxed);
        }
        size_t space = kRingFrames;
        for (const auto& ring : rings_)
            space = std::min(space, ring->writeSpace() / 2);
        if (timeline_->writeSpace() == 0 || space < static_cast<size_t>(kReadFrames)) {
            std::this_thread::sleep_for(kIdle);
            continue;
        }
        int n = kReadFrames;
        const bool looping = loopOn_.load(std::memory_order_acquire);
        const int64_t ls = loopStart_.load(std::memory_order_relaxed);
        const int64_t le = loopEnd_.load(std::memory_order_relaxed);
        if (looping && pos < le) n = static_cast<int>(std::min<int64_t>(n, le - pos));
        for (size_t s = 0; s < sources_.size(); ++s) {
            try {
                sources_[s]->read(pos, l.data(), r.data(), n);
            } catch (const std::exception& e) {
                fail(e.what());
                std::fill(l.begin(), l.end(), 0.0f);
                std::fill(r.begin(), r.end(), 0.0f);
            }
            auto v = rings_[s]->writeVector();
            for (int k = 0; k < n; ++k) {
                const size_t i = static_cast<size_t>(2 * k);
                float* d0 = i < v.length[0] ? v.data[0] + i : v.data[1] + (i - v.length[0]);
                float* d1 = i + 1 < v.length[0] ? v.data[0] + i + 1 : v.data[1] + (i + 1 - v.length[0]);
                *d0 = l[static_cast<size_t>(k)];
                *d1 = r[static_cast<size_t>(k)];
            }
            rings_[s]->advanceWrite(static_cast<size_t>(2 * n));
        }
        // Last: once the consumer sees the chunk (acquire), every ring holds its audio.
        timeline_->push({pos, n});
        pos += n;
        if (looping && pos == le) pos = ls;
    }
}

int DiskReader::ready(int64_t pos, int n) {
    if (!timeline_) return 0;
    // Bounded: at most every chunk in the timeline is dropped.
    for (size_t guard = 0; guard <= kTimelineChunks; ++guard) {
        auto v = timeline_->readVector();
        if (v.length[0] == 0) break;
        const Chunk c = v.data[0][0];
        if (c.pos + headOffset_ <= pos && pos < c.pos + c.frames) {
            // Playback is in this chunk: at its head, or ahead of it (a consumer that cannot hold its
            // position while the reader refills, the codec preview, moved on meanwhile): skip to it.
            if (const int skip = static_cast<int>(pos - (c.pos + headOffset_)); skip > 0) {
                for (const auto& ring : rings_)
                    ring->advanceRead(2 * static_cast<size_t>(skip));
                headOffset_ += skip;
            }
            asked_ = -1;
            return std::min(n, c.frames - headOffset_);
        }
        // Not where playback is: drop the rest of the chunk.
        const size_t rest = 2 * static_cast<size_t>(c.frames - headOffset_);
        for (const auto& ring : rings_)
            ring->advanceRead(rest);
        timeline_->advanceRead(1);
        headOffset_ = 0;
    }
    if (asked_ != pos || requestCount_.load(std::memory_order_relaxed) != askedCount_) {
        requestPos_.store(pos, std::memory_order_relaxed);
        askedCount_ = requestCount_.fetch_add(1, std::memory_order_release) + 1;
        asked_ = pos;
    }
    return 0;
}

void DiskReader::read(int s, float* l, float* r, int n) {
    auto v = rings_[static_cast<size_t>(s)]->readVector();
    for (int k = 0; k < n; ++k) {
        const size_t i = static_cast<size_t>(2 * k);
        l[k] = i < v.length[0] ? v.data[0][i] : v.data[1][i - v.length[0]];
        r[k] = i + 1 < v.length[0] ? v.data[0][i + 1] : v.data[1][i + 1 - v.length[0]];
    }
}

void DiskReader::consume(int n) {
    for (const auto& ring : rings_)
        ring->advanceRead(2 * static_cast<size_t>(n));
    headOffset_ += n;
    auto v = timeline_->readVector();
    if (v.length[0] > 0 && headOffset_ >= v.data[0][0].frames) {
        timeline_->advanceRead(1);
        headOffset_ = 0;
    }
}

bool DiskReader::waitReady(int64_t pos, double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (ready(pos, 1) == 0) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace lathe::core::engine
