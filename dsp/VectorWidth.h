#pragma once

namespace lathe::dsp {

// The widest float vectors the DSP's dispatched kernels may use on this machine: 16 (AVX-512F), 8 (AVX2
// with FMA), or 4 (SSE2, which every x86-64 has; also on other architectures, where the scalar paths run).
// Release builds target plain x86-64, so a kernel takes its wider form only when this says the CPU has it.
//
// LATHE_DSP_MAX_VECTOR_WIDTH (16, 8 or 4) caps it: how the tests run the fallback paths on a machine that
// has the wide ones, and how a user can rule a wide path out. Read once per call: units call it in
// prepare(). Not RT safe (reads the environment).
int maxVectorWidth();

} // namespace lathe::dsp
