#pragma once

#include "core/render/Renderer.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace lathe::core::render {

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

} // namespace lathe::core::render
