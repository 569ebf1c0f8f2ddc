#include "AutomationEnvelope.h"

#include <algorithm>
#include <cmath>

namespace lathe::dsp {

const char* automationPointsProblem(std::span<const AutomationPoint> points) {
    for (std::size_t i = 0; i < points.size(); ++i) {
        const AutomationPoint& p = points[i];
        // Written so that NaN fails the range checks.
        if (!(std::abs(p.timeSeconds) <= kMaxAutomationSeconds))
            return "a point's time is not a usable number";
        if (!(std::abs(p.value) <= kMaxAutomationValue)) return "a point's value is not a usable number";
        if (i > 0 && p.timeSeconds < points[i - 1].timeSeconds) return "points are not in time order";
    }
    return nullptr;
}

void AutomationEnvelope::prepare(double sampleRate, int maxPoints) {
    sampleRate_ = sampleRate;
    rampFrames_ = std::max(1, static_cast<int>(std::lround(kStepRampSeconds * sampleRate)));
    const auto capacity = static_cast<std::size_t>(std::max(maxPoints, 0));
    frames_.assign(capacity, 0);
    values_.assign(capacity, 0.0);
    slopes_.assign(capacity, 0.0);
    steep_.assign(capacity, 0);
    steepFrames_.assign(capacity, 0);
    count_ = 0;
    steepCount_ = 0;
}

bool AutomationEnvelope::setPoints(std::span<const AutomationPoint> points) {
    if (points.size() > frames_.size() || automationPointsProblem(points) != nullptr) return false;
    count_ = static_cast<int>(points.size());
    for (int i = 0; i < count_; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        frames_[iu] = std::llround(points[iu].timeSeconds * sampleRate_);
        values_[iu] = points[iu].value;
    }
    steepCount_ = 0;
    for (int i = 0; i + 1 < count_; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        const int64_t length = frames_[iu + 1] - frames_[iu];
        const double change = values_[iu + 1] - values_[iu];
        slopes_[iu] = length > 0 ? change / static_cast<double>(length) : 0.0;
        if (length < rampFrames_ && change != 0.0) {
            steep_[static_cast<std::size_t>(steepCount_)] = i;
            steepFrames_[static_cast<std::size_t>(steepCount_)] = frames_[iu];
            ++steepCount_;
        }
    }
    return true;
}

int AutomationEnvelope::lastPointAtOrBefore(int64_t frame) const {
    const auto begin = frames_.begin();
    return static_cast<int>(std::upper_bound(begin, begin + count_, frame) - begin) - 1;
}

double AutomationEnvelope::curveValueAt(int64_t frame) const {
    const int j = lastPointAtOrBefore(frame);
    if (j < 0) return values_[0];
    const auto ju = static_cast<std::size_t>(j);
    if (j == count_ - 1) return values_[ju];
    // j is the last point at or before frame, so segment j is at least a frame long: never a step here.
    return values_[ju] + slopes_[ju] * static_cast<double>(frame - frames_[ju]);
}

// The curve is the first value plus one term per segment: 0 before the segment, its change d after it, and
// in between a linear ramp over its length L (or, for a step, d from its frame on). A segment shorter than
// the ramp R has its term replaced by d * min(1, (k + 1) / R) for a step and d * min(1, k / R) for a short
// ramp, k frames after its start: the correction is the difference, zero from k = R - 1 on.
double AutomationEnvelope::correction(int s, int64_t frame) const {
    const auto i = static_cast<std::size_t>(steep_[static_cast<std::size_t>(s)]);
    const int64_t start = frames_[i];
    const int64_t length = frames_[i + 1] - start;
    const double change = values_[i + 1] - values_[i];
    const auto k = static_cast<double>(frame - start);
    const double ramp = static_cast<double>(rampFrames_);
    if (length == 0) return change * ((k + 1.0) / ramp - 1.0);
    return change * (k / ramp - std::min(1.0, k / static_cast<double>(length)));
}

double AutomationEnvelope::valueAt(int64_t frame) const {
    double value = curveValueAt(frame);
    // Steep segments whose correction can be non-zero here: those starting in (frame - R, frame].
    const auto begin = steepFrames_.begin();
    int s = static_cast<int>(std::lower_bound(begin, begin + steepCount_, frame - rampFrames_ + 1) - begin);
    for (; s < steepCount_ && steepFrames_[static_cast<std::size_t>(s)] <= frame; ++s)
        value += correction(s, frame);
    return value;
}

bool AutomationEnvelope::render(int64_t startFrame, int frames, double* values) const {
    if (frames <= 0) return true;
    if (count_ == 0) {
        values[0] = 0.0;
        return true;
    }
    const int64_t lastFrame = startFrame + frames - 1;
    const auto steepBegin = steepFrames_.begin();
    const int firstSteep = static_cast<int>(
        std::lower_bound(steepBegin, steepBegin + steepCount_, startFrame - rampFrames_ + 1) - steepBegin);
    const bool corrected =
        firstSteep < steepCount_ && steepFrames_[static_cast<std::size_t>(firstSteep)] <= lastFrame;

    int j = lastPointAtOrBefore(startFrame);
    if (!corrected) {
        // Held before the first point, after the last, or on a flat segment that outlasts the block: the
        // value valueAt() gives for every frame of the block (v + 0 * k is v).
        const bool flat = j < 0 ? frames_[0] > lastFrame
                                : j == count_ - 1 || (frames_[static_cast<std::size_t>(j) + 1] > lastFrame &&
                                                      values_[static_cast<std::size_t>(j)] ==
                                                          values_[static_cast<std::size_t>(j) + 1]);
        if (flat) {
            values[0] = values_[static_cast<std::size_t>(std::max(j, 0))];
            return true;
        }
    }

    int k = 0;
    while (k < frames) {
        const int64_t frame = startFrame + k;
        while (j + 1 < count_ && frames_[static_cast<std::size_t>(j) + 1] <= frame)
            ++j;
        if (j < 0 || j == count_ - 1) {
            const double held = values_[static_cast<std::size_t>(std::max(j, 0))];
            const int end =
                j < 0 ? static_cast<int>(std::min<int64_t>(frames, frames_[0] - startFrame)) : frames;
            std::fill(values + k, values + end, held);
            k = end;
            continue;
        }
        const auto ju = static_cast<std::size_t>(j);
        const int end = static_cast<int>(std::min<int64_t>(frames, frames_[ju + 1] - startFrame));
        const double start = values_[ju], slope = slopes_[ju];
        const int64_t origin = frames_[ju];
        for (; k < end; ++k)
            values[k] = start + slope * static_cast<double>(startFrame + k - origin);
    }

    // Corrections in segment order, as valueAt() adds them, so each frame sums the same terms in the same
    // order whatever the block.
    for (int s = firstSteep; s < steepCount_ && steepFrames_[static_cast<std::size_t>(s)] <= lastFrame; ++s) {
        const int64_t from = std::max(startFrame, steepFrames_[static_cast<std::size_t>(s)]);
        const int64_t to = std::min(lastFrame, steepFrames_[static_cast<std::size_t>(s)] + rampFrames_ - 1);
        for (int64_t frame = from; frame <= to; ++frame)
            values[frame - startFrame] += correction(s, frame);
    }
    return false;
}

} // namespace lathe::dsp
