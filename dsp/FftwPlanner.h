#pragma once

#include <mutex>

namespace lathe::dsp {

// FFTW's planner (fftw(f)_plan_*, fftw(f)_destroy_plan) works on process-wide state and is not thread-safe;
// only fftw(f)_execute* is. Every dsp unit makes and destroys its plans under this one mutex, so an analysis
// running on a worker thread can plan while the GUI prepares its spectrum analyser. Not RT safe (planning
// allocates and the mutex blocks): units plan in prepare() only.
std::mutex& fftwPlannerMutex();

} // namespace lathe::dsp
